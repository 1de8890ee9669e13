package catalogue

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/hookgate/hookgate/providers"
)

// Handshakes the gateway answers for catalogue entries.
const (
	// HandshakeSlackURLVerification: Slack's Events API posts a signed
	// {"type":"url_verification","challenge":…} when the Request URL is set,
	// and expects the challenge back.
	HandshakeSlackURLVerification Handshake = "slack_url_verification"
	// HandshakeDiscordPing: Discord posts a signed interaction of type 1
	// (PING) when the Interactions Endpoint URL is saved, and expects
	// {"type":1} (PONG).
	HandshakeDiscordPing Handshake = "discord_ping"
	// HandshakeOktaVerification: Okta verifies an event hook with a one-time
	// GET carrying X-Okta-Verification-Challenge, and expects
	// {"verification": <that value>}.
	HandshakeOktaVerification Handshake = "okta_verification"
	// HandshakeZoomURLValidation: Zoom posts a signed
	// {"event":"endpoint.url_validation","payload":{"plainToken":…}} when
	// the endpoint is saved (and every 72 hours), and expects the plainToken
	// and its HMAC-SHA256 under the secret token, hex, as encryptedToken.
	HandshakeZoomURLValidation Handshake = "zoom_url_validation"
	// HandshakeGraphValidationToken: Microsoft Graph validates a
	// notification URL with a POST carrying ?validationToken=…, and expects
	// the token back as text/plain within 10 seconds.
	HandshakeGraphValidationToken Handshake = "graph_validation_token"
	// HandshakeMetaSubscribe: Meta verifies a callback URL with
	// GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…, and expects
	// the challenge back when the verify token is the one entered in the App
	// Dashboard (options.verify_token; without one every check is refused).
	HandshakeMetaSubscribe Handshake = "meta_subscribe"
	// HandshakeDropboxChallenge: Dropbox verifies a webhook URI with
	// GET ?challenge=…, and expects it back as text/plain, nosniff.
	HandshakeDropboxChallenge Handshake = "dropbox_challenge"
	// HandshakeXCRC: X's challenge-response check, GET ?crc_token=…, expects
	// {"response_token":"sha256=<base64 HMAC-SHA256 of crc_token under the
	// consumer secret>"}.
	HandshakeXCRC Handshake = "x_crc"
	// HandshakeTrelloHead: Trello checks a callback URL with a HEAD request
	// and expects 200.
	HandshakeTrelloHead Handshake = "trello_head"
	// HandshakeTwitchVerification: Twitch posts a signed
	// webhook_callback_verification message when a subscription is created,
	// and expects its challenge back as text/plain.
	HandshakeTwitchVerification Handshake = "twitch_webhook_callback_verification"
	// HandshakeWooCommercePing: when a webhook is saved, WooCommerce posts
	// the unsigned form body webhook_id=<id> and reports any status but 200
	// to the store's admin as a failed delivery URL.
	HandshakeWooCommercePing Handshake = "woocommerce_ping"
	// HandshakeXeroIntentToReceive: when a webhook is saved, Xero posts
	// signed deliveries without events, some correctly and some wrongly
	// signed, and expects 200 and 401 respectively, with no body (the entry
	// is Bodiless).
	HandshakeXeroIntentToReceive Handshake = "xero_intent_to_receive"
	// HandshakeWorldlineVerification: Worldline checks an endpoint with a
	// GET carrying X-GCS-Webhooks-Endpoint-Verification and expects the
	// header's value back as the body.
	HandshakeWorldlineVerification Handshake = "worldline_endpoint_verification"
)

// maxChallenge bounds an echoed challenge value.
const maxChallenge = 1024

// maxPing bounds the body parsed as a possible Discord PING (Discord's is
// about 150 bytes: application_id, id, token, type, version and a user).
const maxPing = 4096

// Challenge recognises the entry's handshake (providers.Challenger).
func (p *provider) Challenge(r *providers.Request) (providers.Challenge, bool, error) {
	switch p.entry.Handshake {
	case HandshakeSNSSubscription:
		return p.sns.challenge(r)
	case HandshakeSlackURLVerification:
		return slackURLVerification(r)
	case HandshakeDiscordPing:
		return discordPing(r)
	case HandshakeOktaVerification:
		return oktaVerification(r)
	case HandshakeZoomURLValidation:
		return zoomURLValidation(r, p.secrets)
	case HandshakeGraphValidationToken:
		return graphValidationToken(r)
	case HandshakeMetaSubscribe:
		return metaSubscribe(r, p.verifyToken)
	case HandshakeDropboxChallenge:
		return dropboxChallenge(r)
	case HandshakeXCRC:
		return xCRC(r, p.secrets)
	case HandshakeTrelloHead:
		return trelloHead(r)
	case HandshakeTwitchVerification:
		return twitchVerification(r)
	case HandshakeWooCommercePing:
		return wooCommercePing(r)
	case HandshakeXeroIntentToReceive:
		return xeroIntentToReceive(r)
	case HandshakeWorldlineVerification:
		return worldlineVerification(r)
	}
	return providers.Challenge{}, false, nil
}

// slackURLVerification answers Slack's url_verification with the challenge
// as text/plain, once the request's signature is verified.
// https://docs.slack.dev/reference/events/url_verification/
func slackURLVerification(r *providers.Request) (providers.Challenge, bool, error) {
	// Every Slack delivery passes here before verification: only a body that
	// can be a url_verification is parsed.
	if r.Method != http.MethodPost || !bytes.Contains(r.Body, []byte("url_verification")) {
		return providers.Challenge{}, false, nil
	}
	var m struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if json.Unmarshal(r.Body, &m) != nil || m.Type != "url_verification" {
		return providers.Challenge{}, false, nil
	}
	if m.Challenge == "" || len(m.Challenge) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("slack: url_verification without a usable challenge: %w", providers.ErrInvalidHeader)
	}
	return providers.Challenge{
		Kind: string(HandshakeSlackURLVerification), Signed: true,
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(m.Challenge)},
	}, true, nil
}

// discordPing answers Discord's PING interaction with a PONG, once its
// signature is verified.
// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint
func discordPing(r *providers.Request) (providers.Challenge, bool, error) {
	// Every interaction passes here before verification; a PING is a small
	// object, so only a small body is parsed.
	if r.Method != http.MethodPost || len(r.Body) > maxPing {
		return providers.Challenge{}, false, nil
	}
	var m struct {
		Type *int `json:"type"`
	}
	if json.Unmarshal(r.Body, &m) != nil || m.Type == nil || *m.Type != 1 {
		return providers.Challenge{}, false, nil
	}
	return providers.Challenge{
		Kind: string(HandshakeDiscordPing), Signed: true,
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "application/json", Body: []byte(`{"type":1}`)},
	}, true, nil
}

// oktaVerification answers Okta's one-time verification GET by echoing the
// challenge header's value as JSON. The echo reveals nothing the caller did
// not send, so it is answered without the token (Okta documents the header,
// not whether the GET carries the Authorization value).
// https://developer.okta.com/docs/concepts/event-hooks/#one-time-verification-request
func oktaVerification(r *providers.Request) (providers.Challenge, bool, error) {
	v := r.Header.Get("X-Okta-Verification-Challenge")
	if r.Method != http.MethodGet || v == "" {
		return providers.Challenge{}, false, nil
	}
	if len(v) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("okta: verification challenge longer than %d bytes: %w", maxChallenge, providers.ErrInvalidHeader)
	}
	body, err := json.Marshal(map[string]string{"verification": v})
	if err != nil {
		return providers.Challenge{}, false, err
	}
	return providers.Challenge{
		Kind:  string(HandshakeOktaVerification),
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "application/json", Body: body},
	}, true, nil
}

// zoomURLValidation answers Zoom's endpoint.url_validation, once its
// signature is verified, with the plainToken hashed under the newest secret.
// https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint
func zoomURLValidation(r *providers.Request, secrets []string) (providers.Challenge, bool, error) {
	// Every Zoom delivery passes here before verification: only a body that
	// can be a url_validation is parsed.
	if r.Method != http.MethodPost || !bytes.Contains(r.Body, []byte("endpoint.url_validation")) {
		return providers.Challenge{}, false, nil
	}
	var m struct {
		Event   string `json:"event"`
		Payload struct {
			PlainToken string `json:"plainToken"`
		} `json:"payload"`
	}
	if json.Unmarshal(r.Body, &m) != nil || m.Event != "endpoint.url_validation" {
		return providers.Challenge{}, false, nil
	}
	if m.Payload.PlainToken == "" || len(m.Payload.PlainToken) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("zoom: url_validation without a usable plainToken: %w", providers.ErrInvalidHeader)
	}
	mac := hmac.New(sha256.New, []byte(newest(secrets)))
	mac.Write([]byte(m.Payload.PlainToken))
	body, err := json.Marshal(map[string]string{
		"plainToken":     m.Payload.PlainToken,
		"encryptedToken": hex.EncodeToString(mac.Sum(nil)),
	})
	if err != nil {
		return providers.Challenge{}, false, err
	}
	return providers.Challenge{
		Kind: string(HandshakeZoomURLValidation), Signed: true,
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "application/json", Body: body},
	}, true, nil
}

// newest is the first non-empty secret: the one a provider that hashes a
// challenge under "the" secret is configured with now.
func newest(secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			return s
		}
	}
	return ""
}

// graphValidationToken answers Microsoft Graph's validation request: the
// validationToken query parameter (URL-decoded) back as text/plain. The echo
// reveals nothing the caller did not send, so it needs no secret (Graph
// sends none with it).
// https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks#notificationurl-validation
func graphValidationToken(r *providers.Request) (providers.Challenge, bool, error) {
	if r.Method != http.MethodPost || r.URL == nil {
		return providers.Challenge{}, false, nil
	}
	q := r.URL.Query()
	if _, ok := q["validationToken"]; !ok {
		return providers.Challenge{}, false, nil
	}
	v := q.Get("validationToken")
	if v == "" || len(v) > maxChallenge || len(q["validationToken"]) > 1 {
		return providers.Challenge{}, false, fmt.Errorf("graph: validationToken empty, repeated or longer than %d bytes: %w", maxChallenge, providers.ErrInvalidHeader)
	}
	return providers.Challenge{
		Kind:  string(HandshakeGraphValidationToken),
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(v)},
	}, true, nil
}

// metaSubscribe answers Meta's verification GET with hub.challenge as
// text/plain when hub.verify_token is the source's verify token; a wrong
// token is refused (it claims to be Meta and fails Meta's own check).
// https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
func metaSubscribe(r *providers.Request, verifyToken string) (providers.Challenge, bool, error) {
	if r.Method != http.MethodGet || r.URL == nil {
		return providers.Challenge{}, false, nil
	}
	q := r.URL.Query()
	if q.Get("hub.mode") != "subscribe" {
		return providers.Challenge{}, false, nil
	}
	challenge := q.Get("hub.challenge")
	if challenge == "" || len(challenge) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("meta: subscribe without a usable hub.challenge: %w", providers.ErrInvalidHeader)
	}
	got := q.Get("hub.verify_token")
	if verifyToken == "" {
		return providers.Challenge{}, false, fmt.Errorf("meta: the source has no options.verify_token to check hub.verify_token against: %w", providers.ErrNoValidSignature)
	}
	if got == "" {
		return providers.Challenge{}, false, fmt.Errorf("meta: subscribe without hub.verify_token: %w", providers.ErrNotSigned)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(verifyToken)) != 1 {
		return providers.Challenge{}, false, fmt.Errorf("meta: hub.verify_token is not the source's verify token: %w", providers.ErrNoValidSignature)
	}
	return providers.Challenge{
		Kind:  string(HandshakeMetaSubscribe),
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(challenge)},
	}, true, nil
}

// dropboxChallenge echoes Dropbox's challenge; the echo reveals nothing the
// caller did not send, and Dropbox signs none.
// https://www.dropbox.com/developers/reference/webhooks#documentation
func dropboxChallenge(r *providers.Request) (providers.Challenge, bool, error) {
	if r.Method != http.MethodGet || r.URL == nil || !r.URL.Query().Has("challenge") {
		return providers.Challenge{}, false, nil
	}
	v := r.URL.Query().Get("challenge")
	if v == "" || len(v) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("dropbox: challenge empty or longer than %d bytes: %w", maxChallenge, providers.ErrInvalidHeader)
	}
	return providers.Challenge{
		Kind: string(HandshakeDropboxChallenge),
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(v),
			Header: http.Header{"X-Content-Type-Options": {"nosniff"}}},
	}, true, nil
}

// xCRC answers X's challenge-response check with the crc_token's HMAC under
// the newest consumer secret.
// https://docs.x.com/x-api/webhooks/introduction#challenge-response-checks
func xCRC(r *providers.Request, secrets []string) (providers.Challenge, bool, error) {
	if r.Method != http.MethodGet || r.URL == nil || !r.URL.Query().Has("crc_token") {
		return providers.Challenge{}, false, nil
	}
	token := r.URL.Query().Get("crc_token")
	if token == "" || len(token) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("x: crc_token empty or longer than %d bytes: %w", maxChallenge, providers.ErrInvalidHeader)
	}
	mac := hmac.New(sha256.New, []byte(newest(secrets)))
	mac.Write([]byte(token))
	body, err := json.Marshal(map[string]string{"response_token": "sha256=" + base64.StdEncoding.EncodeToString(mac.Sum(nil))})
	if err != nil {
		return providers.Challenge{}, false, err
	}
	return providers.Challenge{
		Kind:  string(HandshakeXCRC),
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "application/json", Body: body},
	}, true, nil
}

// trelloHead answers Trello's HEAD check of a callback URL.
// https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/#creating-a-webhook
func trelloHead(r *providers.Request) (providers.Challenge, bool, error) {
	if r.Method != http.MethodHead {
		return providers.Challenge{}, false, nil
	}
	return providers.Challenge{Kind: string(HandshakeTrelloHead), Reply: providers.Reply{Status: http.StatusOK}}, true, nil
}

// twitchVerification answers Twitch's webhook_callback_verification with its
// challenge as text/plain, once its signature is verified.
// https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#responding-to-a-challenge-request
func twitchVerification(r *providers.Request) (providers.Challenge, bool, error) {
	if r.Method != http.MethodPost || r.Header.Get("Twitch-Eventsub-Message-Type") != "webhook_callback_verification" {
		return providers.Challenge{}, false, nil
	}
	var m struct {
		Challenge string `json:"challenge"`
	}
	if json.Unmarshal(r.Body, &m) != nil || m.Challenge == "" || len(m.Challenge) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("twitch: webhook_callback_verification without a usable challenge: %w", providers.ErrInvalidHeader)
	}
	return providers.Challenge{
		Kind: string(HandshakeTwitchVerification), Signed: true,
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(m.Challenge)},
	}, true, nil
}

// maxWooCommercePing bounds the ping body: "webhook_id=" and a WordPress
// post ID.
const maxWooCommercePing = len("webhook_id=") + 20

// wooCommercePing answers the ping WooCommerce sends when a webhook is
// saved (WC_Webhook::deliver_ping): a POST of exactly webhook_id=<digits>,
// with no signature header. Anything else, signed or not, goes on to
// verification, so the answer stores nothing and reveals nothing.
// https://woocommerce.com/document/webhooks/
func wooCommercePing(r *providers.Request) (providers.Challenge, bool, error) {
	if r.Method != http.MethodPost || len(r.Body) > maxWooCommercePing || r.Header.Get("X-WC-Webhook-Signature") != "" {
		return providers.Challenge{}, false, nil
	}
	id, ok := bytes.CutPrefix(r.Body, []byte("webhook_id="))
	if !ok || len(id) == 0 {
		return providers.Challenge{}, false, nil
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return providers.Challenge{}, false, nil
		}
	}
	return providers.Challenge{Kind: string(HandshakeWooCommercePing), Reply: providers.Reply{Status: http.StatusOK}}, true, nil
}

// xeroIntentToReceive recognises Xero's intent-to-receive deliveries: a body
// whose events list is empty. They are answered, once verified, with 200 and
// no receipt (an event-less delivery has nothing to process); a wrongly signed
// one is refused like any forgery, 401.
// https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/
func xeroIntentToReceive(r *providers.Request) (providers.Challenge, bool, error) {
	if r.Method != http.MethodPost || !bytes.Contains(r.Body, []byte(`"events"`)) {
		return providers.Challenge{}, false, nil
	}
	var m struct {
		Events *[]json.RawMessage `json:"events"`
	}
	if json.Unmarshal(r.Body, &m) != nil || m.Events == nil || len(*m.Events) != 0 {
		return providers.Challenge{}, false, nil
	}
	return providers.Challenge{Kind: string(HandshakeXeroIntentToReceive), Signed: true, Reply: providers.Reply{Status: http.StatusOK}}, true, nil
}

// worldlineVerification echoes Worldline's endpoint verification header as
// text/plain; the echo reveals nothing the caller did not send, and
// Worldline signs no GET.
// https://docs.connect.worldline-solutions.com/documentation/webhooks/
func worldlineVerification(r *providers.Request) (providers.Challenge, bool, error) {
	v := r.Header.Get("X-GCS-Webhooks-Endpoint-Verification")
	if r.Method != http.MethodGet || v == "" {
		return providers.Challenge{}, false, nil
	}
	if len(v) > maxChallenge {
		return providers.Challenge{}, false, fmt.Errorf("worldline: endpoint verification longer than %d bytes: %w", maxChallenge, providers.ErrInvalidHeader)
	}
	return providers.Challenge{
		Kind: string(HandshakeWorldlineVerification),
		Reply: providers.Reply{Status: http.StatusOK, ContentType: "text/plain", Body: []byte(v),
			Header: http.Header{"X-Content-Type-Options": {"nosniff"}}},
	}, true, nil
}

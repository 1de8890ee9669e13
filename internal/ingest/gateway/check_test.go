package gateway_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/catalogue"
	"github.com/hookgate/hookgate/store"
)

const slackSecret = "8f742231b10e8888abcd99yyyzzz85a5"

const slackConfig = `
sources:
  - name: slack
    provider: slack
    secrets: [` + slackSecret + `]
`

// slackRequest is a POST to /webhooks/slack, signed as Slack signs it
// unless sign is false.
func slackRequest(t *testing.T, body string, sign bool) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/slack", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/json")
	if sign {
		e, _ := catalogue.Lookup("slack")
		s, err := e.Signer()(providers.Spec{Secrets: []string{slackSecret}, Options: func(any) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse("http://example.com/webhooks/slack")
		pr := &providers.Request{Method: http.MethodPost, URL: u, Header: r.Header, Body: []byte(body), Now: time.Now()}
		if err := s.Sign(pr); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// Slack's url_verification (its documented example) is answered with the
// challenge once its signature is verified, audited, and stored as no
// receipt; unsigned, it gets 401 and no echo.
// https://docs.slack.dev/reference/events/url_verification/
func TestSlackURLVerificationThroughTheGateway(t *testing.T) {
	h := newLimited(t, slackConfig, gateway.Options{})
	body := `{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`

	w := serve(h.h, slackRequest(t, body, true))
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" ||
		w.Header().Get("Content-Type") != "text/plain" {
		t.Fatalf("signed url_verification: %d %q %q, want 200 text/plain with the challenge", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := serve(h.h, slackRequest(t, body, false)); w.Code != http.StatusUnauthorized || bytes.Contains(w.Body.Bytes(), []byte("3eZbrw1a")) {
		t.Fatalf("unsigned url_verification: %d %s, want 401 without the challenge", w.Code, w.Body)
	}
	if w := serve(h.h, httptest.NewRequest(http.MethodGet, "/webhooks/slack", nil)); w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d, want 405", w.Code)
	}
	event := `{"type":"event_callback","event_id":"Ev0A1B2C3D","event":{"type":"app_mention","text":"hi"}}`
	if w := serve(h.h, slackRequest(t, event, true)); w.Code != http.StatusOK || decode(t, w).Status != "accepted" {
		t.Fatalf("event: %d %s", w.Code, w.Body)
	}

	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Receipts) != 1 || page.Receipts[0].EventID != "Ev0A1B2C3D" || page.Receipts[0].EventType != "app_mention" {
		t.Fatalf("receipts %+v, want the one event (the check stores none)", page.Receipts)
	}
	got := reasons(h.audits(t))
	if got["check:slack_url_verification"] != 1 || got["not_signed"] != 1 || got["method"] != 1 {
		t.Fatalf("audit reasons %v, want one answered check, one unsigned and one GET refused", got)
	}
}

// Discord's PING (type 1), signed with the application's key, is answered
// {"type":1}; with a wrong signature it is refused 401 and gets no PONG.
// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint
func TestDiscordPingThroughTheGateway(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	key := ed25519.NewKeyFromSeed(seed)
	pub := hex.EncodeToString(key.Public().(ed25519.PublicKey))
	h := newLimited(t, "sources:\n  - name: discord\n    provider: discord\n    secrets: ["+pub+"]\n", gateway.Options{})
	e, _ := catalogue.Lookup("discord")
	signer, err := e.Signer()(providers.Spec{Secrets: []string{pub}, Options: func(v any) error {
		v.(*catalogue.Options).SigningKey = hex.EncodeToString(seed)
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	ping := `{"application_id":"1154871322411012120","id":"1217482155493490720","token":"aW50ZXJhY3Rpb24","type":1,"version":1}`
	post := func(sign bool) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/discord", bytes.NewReader([]byte(ping)))
		r.Header.Set("Content-Type", "application/json")
		pr := &providers.Request{Method: http.MethodPost, Header: r.Header, Body: []byte(ping), Now: time.Now()}
		if err := signer.Sign(pr); err != nil {
			t.Fatal(err)
		}
		if !sign {
			r.Header.Set("X-Signature-Ed25519", strings.Repeat("00", ed25519.SignatureSize))
		}
		return serve(h.h, r)
	}
	if w := post(true); w.Code != http.StatusOK || w.Body.String() != `{"type":1}` || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("signed PING: %d %q %s, want 200 {\"type\":1}", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := post(false); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), `"type":1`) {
		t.Fatalf("forged PING: %d %s, want 401", w.Code, w.Body)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 0 {
		t.Fatalf("receipts %v %v, want none for a PING", page.Receipts, err)
	}
	if got := reasons(h.audits(t)); got["check:discord_ping"] != 1 || got["bad_signature"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// Okta's one-time verification GET gets its challenge back as
// {"verification": …}; a GET without the header is 405.
// https://developer.okta.com/docs/concepts/event-hooks/#one-time-verification-request
func TestOktaVerificationThroughTheGateway(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: okta\n    provider: okta\n    secrets: [my-shared-key]\n", gateway.Options{})
	r := httptest.NewRequest(http.MethodGet, "/webhooks/okta", nil)
	r.Header.Set("Accept", "application/json")
	r.Header.Set("X-Okta-Verification-Challenge", "dzzl1VsJHvqZHaaTQNs6xX2ZMwKpTuDPyU7nexOx")
	w := serve(h.h, r)
	if w.Code != http.StatusOK || w.Body.String() != `{"verification":"dzzl1VsJHvqZHaaTQNs6xX2ZMwKpTuDPyU7nexOx"}` {
		t.Fatalf("verification GET: %d %s", w.Code, w.Body)
	}
	if w := serve(h.h, httptest.NewRequest(http.MethodGet, "/webhooks/okta", nil)); w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("plain GET: %d, want 405", w.Code)
	}
	if got := reasons(h.audits(t)); got["check:okta_verification"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// catalogueRequest is a POST of body to /webhooks/<name>, signed by the
// catalogue entry's signer under secret.
func catalogueRequest(t *testing.T, name providers.Name, secret, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/webhooks/"+string(name), bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/json")
	e, _ := catalogue.Lookup(name)
	s, err := e.Signer()(providers.Spec{Secrets: []string{secret}, Options: func(any) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://example.com/webhooks/" + string(name))
	pr := &providers.Request{Method: http.MethodPost, URL: u, Header: r.Header, Body: []byte(body), Now: time.Now()}
	if err := s.Sign(pr); err != nil {
		t.Fatal(err)
	}
	return r
}

// Zoom's endpoint.url_validation (the request of Zoom's documentation) is
// answered with the plainToken and its HMAC-SHA256 under the secret token
// once its signature is verified; with a wrong signature it is 401 and
// reveals no hash.
// https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint
func TestZoomURLValidationThroughTheGateway(t *testing.T) {
	const secret = "zoom-secret-token"
	h := newLimited(t, "sources:\n  - name: zoom\n    provider: zoom\n    secrets: ["+secret+"]\n", gateway.Options{})
	body := `{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}`
	// HMAC-SHA256("zoom-secret-token", "qgg8vlvZRS6UYooatFL8Aw"), hex (openssl dgst -sha256 -hmac).
	const want = `{"encryptedToken":"` + "d9e0d764a78494688ba3f2d5c0ed4ca311394b4834d959759213424d2df961e3" + `","plainToken":"qgg8vlvZRS6UYooatFL8Aw"}`
	w := serve(h.h, catalogueRequest(t, "zoom", secret, body))
	if w.Code != http.StatusOK || w.Body.String() != want || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("signed url_validation: %d %q %s, want 200 %s", w.Code, w.Header().Get("Content-Type"), w.Body, want)
	}
	forged := catalogueRequest(t, "zoom", "another-secret", body)
	if w := serve(h.h, forged); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "encryptedToken") {
		t.Fatalf("forged url_validation: %d %s, want 401", w.Code, w.Body)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 0 {
		t.Fatalf("receipts %v %v, want none for a url_validation", page.Receipts, err)
	}
	if got := reasons(h.audits(t)); got["check:zoom_url_validation"] != 1 || got["bad_signature"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// Microsoft Graph validates a notification URL with a POST carrying
// ?validationToken= (URL-encoded, empty body): the decoded token comes back
// as text/plain, audited, with no receipt; a notification with the
// subscription's clientState is then accepted and one without is 401.
// https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks#notificationurl-validation
func TestGraphValidationTokenThroughTheGateway(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: graph\n    provider: msgraph\n    secrets: [secretClientValue]\n", gateway.Options{})
	const token = "Validation: Testing client application reachability for subscription Request-Id: 0fc1e7f0-0a8b-4f3b-9b4e-3d1a0e2c3b4a"
	r := httptest.NewRequest(http.MethodPost, "/webhooks/graph?validationToken="+url.QueryEscape(token), nil)
	r.Header.Set("Content-Type", "text/plain; charset=utf-8")
	w := serve(h.h, r)
	if w.Code != http.StatusOK || w.Body.String() != token || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("validation: %d %q %q, want 200 text/plain with the token", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	note := `{"value":[{"subscriptionId":"7f105c7d-2dc5-4530-97cd-4e7ae6534c07","clientState":"%s","changeType":"created","resource":"Users/x/Messages/y","tenantId":"84bd8158-6d4d-4958-8b9f-9d6445542f95"}]}`
	post := func(state string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/graph", strings.NewReader(strings.Replace(note, "%s", state, 1)))
		r.Header.Set("Content-Type", "application/json")
		return serve(h.h, r)
	}
	if w := post("secretClientValue"); w.Code != http.StatusOK || decode(t, w).Status != "accepted" {
		t.Fatalf("notification: %d %s", w.Code, w.Body)
	}
	if w := post("guessed"); w.Code != http.StatusUnauthorized {
		t.Fatalf("wrong clientState: %d %s, want 401", w.Code, w.Body)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 1 || page.Receipts[0].EventType != "created" {
		t.Fatalf("receipts %+v %v, want the one notification", page.Receipts, err)
	}
	if got := reasons(h.audits(t)); got["check:graph_validation_token"] != 1 || got["bad_signature"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// get is a GET (or HEAD) of target through the gateway.
func get(h http.Handler, method, target string) *httptest.ResponseRecorder {
	return serve(h, httptest.NewRequest(method, target, nil))
}

// Meta's verification GET (the example of Meta's documentation) gets
// hub.challenge back only with the source's verify token; a wrong token is
// 401 without the challenge, and a bare GET is 405.
// https://developers.facebook.com/docs/graph-api/webhooks/getting-started#verification-requests
func TestMetaSubscribeThroughTheGateway(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: meta\n    provider: meta\n    secrets: [app-secret]\n    options:\n      verify_token: meatyhamhock\n", gateway.Options{})
	w := get(h.h, http.MethodGet, "/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock")
	if w.Code != http.StatusOK || w.Body.String() != "1158201444" {
		t.Fatalf("verification: %d %s, want 200 1158201444", w.Code, w.Body)
	}
	if w := get(h.h, http.MethodGet, "/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess"); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "1158201444") {
		t.Fatalf("wrong verify token: %d %s, want 401", w.Code, w.Body)
	}
	if w := get(h.h, http.MethodGet, "/webhooks/meta"); w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("bare GET: %d, want 405", w.Code)
	}
	if got := reasons(h.audits(t)); got["check:meta_subscribe"] != 1 || got["bad_signature"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// Dropbox's verification GET gets its challenge back as text/plain with
// X-Content-Type-Options: nosniff, as Dropbox asks.
// https://www.dropbox.com/developers/reference/webhooks#documentation
func TestDropboxChallengeThroughTheGateway(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: dropbox\n    provider: dropbox\n    secrets: [app-secret]\n", gateway.Options{})
	w := get(h.h, http.MethodGet, "/webhooks/dropbox?challenge=abc123XYZ")
	if w.Code != http.StatusOK || w.Body.String() != "abc123XYZ" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") ||
		w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("challenge: %d %q %q %s", w.Code, w.Header().Get("Content-Type"), w.Header().Get("X-Content-Type-Options"), w.Body)
	}
	if got := reasons(h.audits(t)); got["check:dropbox_challenge"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// Worldline's endpoint verification GET gets the header's value back as
// text/plain, as its documentation asks.
// https://docs.connect.worldline-solutions.com/documentation/webhooks/
func TestWorldlineVerificationThroughTheGateway(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: worldline\n    provider: worldline\n    secrets: [secret-key]\n", gateway.Options{})
	req := httptest.NewRequest(http.MethodGet, "/webhooks/worldline", nil)
	req.Header.Set("X-GCS-Webhooks-Endpoint-Verification", "8d1ed0b5-9c3a-4f0e-a1f6-5c2e2b7e4a11")
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, req)
	if w.Code != http.StatusOK || w.Body.String() != "8d1ed0b5-9c3a-4f0e-a1f6-5c2e2b7e4a11" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("verification: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := get(h.h, http.MethodGet, "/webhooks/worldline"); w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("bare GET: %d, want 405", w.Code)
	}
	if got := reasons(h.audits(t)); got["check:worldline_endpoint_verification"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 0 {
		t.Fatalf("receipts %v %v, want none for a verification", page.Receipts, err)
	}
}

// X's CRC GET gets {"response_token":"sha256=<base64 HMAC-SHA256>"} under
// the consumer secret: the example secret and token of X's developer
// relations samples, the expected token computed with openssl.
// https://docs.x.com/x-api/webhooks/introduction#challenge-response-checks
func TestXCRCThroughTheGateway(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: x\n    provider: x\n    secrets: [z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu]\n", gateway.Options{})
	w := get(h.h, http.MethodGet, "/webhooks/x?crc_token=9b4507b3-9040-4669-9ca3-6b94edb50553")
	const want = `{"response_token":"sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="}`
	if w.Code != http.StatusOK || w.Body.String() != want || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("CRC: %d %q %s, want %s", w.Code, w.Header().Get("Content-Type"), w.Body, want)
	}
	if got := reasons(h.audits(t)); got["check:x_crc"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// Trello's HEAD check of a callback URL is 200; other sources' HEAD is 405.
// https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/#creating-a-webhook
func TestTrelloHeadThroughTheGateway(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: trello\n    provider: trello\n    secrets: [app-secret]\n  - name: slack\n    provider: slack\n    secrets: [s]\n", gateway.Options{})
	if w := get(h.h, http.MethodHead, "/webhooks/trello"); w.Code != http.StatusOK {
		t.Fatalf("HEAD: %d, want 200", w.Code)
	}
	if w := get(h.h, http.MethodHead, "/webhooks/slack"); w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("HEAD to slack: %d, want 405", w.Code)
	}
	if got := reasons(h.audits(t)); got["check:trello_head"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// Twitch's webhook_callback_verification (the example of Twitch's
// documentation), signed with the subscription's secret, gets its challenge
// back as text/plain; signed with another secret it is 401.
// https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#responding-to-a-challenge-request
func TestTwitchVerificationThroughTheGateway(t *testing.T) {
	const secret = "s3cre77890ab"
	h := newLimited(t, "sources:\n  - name: twitch\n    provider: twitch\n    secrets: ["+secret+"]\n", gateway.Options{})
	body := `{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"webhook_callback_verification_pending","type":"channel.follow","version":"1","cost":1,"condition":{"broadcaster_user_id":"12826"},"transport":{"method":"webhook","callback":"https://example.com/webhooks/callback"},"created_at":"2019-11-16T10:11:12.634234626Z"}}`
	post := func(key string) *httptest.ResponseRecorder {
		r := catalogueRequest(t, "twitch", key, body)
		r.Header.Set("Twitch-Eventsub-Message-Type", "webhook_callback_verification")
		return serve(h.h, r)
	}
	if w := post(secret); w.Code != http.StatusOK || w.Body.String() != "pogchamp-kappa-360noscope-vohiyo" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("verification: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := post("another-secret"); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "pogchamp") {
		t.Fatalf("forged verification: %d %s, want 401", w.Code, w.Body)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 0 {
		t.Fatalf("receipts %v %v, want none", page.Receipts, err)
	}
	if got := reasons(h.audits(t)); got["check:twitch_webhook_callback_verification"] != 1 || got["bad_signature"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// A Meta source without options.verify_token answers no verification GET:
// any hub.verify_token is refused (401), never echoed.
func TestMetaSubscribeWithoutVerifyToken(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: meta\n    provider: meta\n    secrets: [app-secret]\n", gateway.Options{})
	w := get(h.h, http.MethodGet, "/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=")
	if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "1158201444") {
		t.Fatalf("no verify token configured: %d %s, want 401", w.Code, w.Body)
	}
	w = get(h.h, http.MethodGet, "/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=anything")
	if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "1158201444") {
		t.Fatalf("no verify token configured: %d %s, want 401", w.Code, w.Body)
	}
}

// WooCommerce's ping when a webhook is saved (WC_Webhook::deliver_ping: the
// unsigned form body webhook_id=<id>) is 200 without a receipt; any other
// unsigned body is still 401, and so is a ping that carries a wrong
// signature header.
// https://woocommerce.com/document/webhooks/
func TestWooCommercePingThroughTheGateway(t *testing.T) {
	h := newLimited(t, "sources:\n  - name: shop\n    provider: woocommerce\n    secrets: [wc-secret]\n", gateway.Options{})
	ping := func(body string, header http.Header) int {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/shop", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			r.Header[k] = v
		}
		return serve(h.h, r).Code
	}
	if code := ping("webhook_id=12", nil); code != http.StatusOK {
		t.Fatalf("ping: %d, want 200", code)
	}
	for _, body := range []string{"webhook_id=", "webhook_id=12&x=1", "webhook_id=12x", `{"id":12}`} {
		if code := ping(body, nil); code != http.StatusUnauthorized {
			t.Fatalf("unsigned %q: %d, want 401", body, code)
		}
	}
	if code := ping("webhook_id=12", http.Header{"X-Wc-Webhook-Signature": {"AAAA"}}); code == http.StatusOK {
		t.Fatalf("a ping with a bad signature: %d, want refused", code)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 0 {
		t.Fatalf("receipts %+v %v, want none", page.Receipts, err)
	}
	if got := reasons(h.audits(t)); got["check:woocommerce_ping"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// Xero's intent to receive: event-less deliveries, correctly signed → 200,
// wrongly signed → 401, both with no body (Xero fails the check on any body),
// and no receipt; a real delivery is acked 200 without a body and stored.
// https://developer.xero.com/documentation/guides/webhooks/configuring-your-server/
func TestXeroIntentToReceiveThroughTheGateway(t *testing.T) {
	const key = "OSd0eLlVIY9ZhViEqlDUh4+6n6M+Lo+eDaEJheJ6OCCgWwIz2D3JIAU6jPMipHRbgKTLz2uJ+xiACXGDBLrgdA=="
	h := newLimited(t, "sources:\n  - name: xero\n    provider: xero\n    secrets: ['"+key+"']\n", gateway.Options{})
	post := func(body, signKey string) *httptest.ResponseRecorder {
		mac := hmac.New(sha256.New, []byte(signKey))
		mac.Write([]byte(body))
		r := httptest.NewRequest(http.MethodPost, "/webhooks/xero", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
		r.Header.Set("X-Xero-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
		return serve(h.h, r)
	}
	itr := `{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"YSXCMKAQBJOEMGUZEPFZ"}`
	if w := post(itr, key); w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Fatalf("signed intent to receive: %d %q %q, want 200 with no body", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := post(itr, "not-the-key"); w.Code != http.StatusUnauthorized || w.Body.Len() != 0 {
		t.Fatalf("wrongly signed intent to receive: %d %q, want 401 with no body", w.Code, w.Body)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 0 {
		t.Fatalf("receipts %+v %v, want none", page.Receipts, err)
	}
	event := `{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Contacts/717f2bfc-c6d4-41fd-b238-3f2f0c0cf777","resourceId":"717f2bfc-c6d4-41fd-b238-3f2f0c0cf777","eventDateUtc":"2026-12-07T01:15:39.902","eventType":"UPDATE","eventCategory":"CONTACT","tenantId":"c2cc9b6e-9458-4c7d-93cc-f02b81b0594f","tenantType":"ORGANISATION"}],"lastEventSequence":1,"firstEventSequence":1,"entropy":"S0m3r4Nd0mt3xt"}`
	if w := post(event, key); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("event: %d %q, want 200 with no body", w.Code, w.Body)
	}
	page, err = h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 1 {
		t.Fatalf("receipts %+v %v, want the event's", page.Receipts, err)
	}
	if got := reasons(h.audits(t)); got["check:xero_intent_to_receive"] != 1 || got["bad_signature"] != 1 {
		t.Fatalf("audit reasons %v", got)
	}
}

// Dropbox Sign counts an answer other than "Hello API Event Received" as a
// failure and retries: an accepted event, first or duplicate, gets that
// text; a refused one does not. The event arrives in a multipart form's
// json field, as Dropbox Sign sends it.
func TestDropboxSignAckThroughTheGateway(t *testing.T) {
	const key = "c5bc8f3f3ed5e7a8a1a2f4d3b9e6c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7"
	h := newLimited(t, "sources:\n  - name: sign\n    provider: dropboxsign\n    secrets: ['"+key+"']\n", gateway.Options{})
	post := func(signKey string) *httptest.ResponseRecorder {
		now := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(signKey))
		mac.Write([]byte(now + "signature_request_sent"))
		event := `{"event":{"event_type":"signature_request_sent","event_time":"` + now + `","event_hash":"` + hex.EncodeToString(mac.Sum(nil)) + `","event_metadata":{"reported_for_account_id":"615266b89aeda4e8cd2f2a5d401dbc76f4fa"}},"signature_request":{"signature_request_id":"21bb8f947df4ad622c103f662543b230b713d"}}`
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		if err := mw.WriteField("json", event); err != nil {
			t.Fatal(err)
		}
		mw.Close()
		r := httptest.NewRequest(http.MethodPost, "/webhooks/sign", &form)
		r.Header.Set("Content-Type", mw.FormDataContentType())
		return serve(h.h, r)
	}
	w := post(key)
	if w.Code != http.StatusOK || w.Body.String() != "Hello API Event Received" || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("event: %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if w := post("another-key"); w.Code != http.StatusUnauthorized || w.Body.String() == "Hello API Event Received" {
		t.Fatalf("wrong key: %d %q", w.Code, w.Body)
	}
	page, err := h.st.ListReceipts(context.Background(), store.Filter{Limit: 10})
	if err != nil || len(page.Receipts) != 1 || page.Receipts[0].EventType != "signature_request_sent" {
		t.Fatalf("receipts %+v %v, want the event's", page.Receipts, err)
	}
}

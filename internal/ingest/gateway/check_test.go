package gateway_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
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

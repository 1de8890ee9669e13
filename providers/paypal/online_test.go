package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// fakePayPalAPI imitates PayPal's OAuth2 and verify-webhook-signature endpoints.
type fakePayPalAPI struct {
	srv          *httptest.Server
	tokenCalls   atomic.Int64
	verifyCalls  atomic.Int64
	expiresIn    int64
	verifyStatus int           // HTTP status of the verify endpoint; 0 = 200
	revokeNext   atomic.Bool   // answer the next verify call with 401
	lastEvent    atomic.Value  // []byte: webhook_event exactly as received
	lastWebhook  atomic.Value  // string
	delay        time.Duration // before answering verify
	gate         chan struct{} // when set, verify answers once it is closed
}

const (
	fakeClientID     = "client-id-123"
	fakeClientSecret = "client-secret-xyz"
	fakeGoodSig      = "Z29vZA==" // base64("good"): the fake answers SUCCESS for it
)

func newFakePayPalAPI(t *testing.T) *fakePayPalAPI {
	f := &fakePayPalAPI{expiresIn: 32400}
	var tokenSeq atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		f.tokenCalls.Add(1)
		id, secret, ok := r.BasicAuth()
		if !ok || id != fakeClientID || secret != fakeClientSecret || r.FormValue("grant_type") != "client_credentials" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		tok := "A21AA" + strings.Repeat("x", int(tokenSeq.Add(1)))
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": f.expiresIn})
	})
	mux.HandleFunc("POST /v1/notifications/verify-webhook-signature", func(w http.ResponseWriter, r *http.Request) {
		f.verifyCalls.Add(1)
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer A21AA") || f.revokeNext.Swap(false) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if f.delay > 0 {
			time.Sleep(f.delay)
		}
		if f.gate != nil {
			<-f.gate
		}
		if f.verifyStatus != 0 {
			w.WriteHeader(f.verifyStatus)
			return
		}
		var req struct {
			AuthAlgo         string          `json:"auth_algo"`
			CertURL          string          `json:"cert_url"`
			TransmissionID   string          `json:"transmission_id"`
			TransmissionSig  string          `json:"transmission_sig"`
			TransmissionTime string          `json:"transmission_time"`
			WebhookID        string          `json:"webhook_id"`
			WebhookEvent     json.RawMessage `json:"webhook_event"`
		}
		body, _ := io.ReadAll(r.Body)
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || req.AuthAlgo == "" || req.CertURL == "" || req.TransmissionID == "" || req.TransmissionTime == "" {
			http.Error(w, `{"name":"VALIDATION_ERROR"}`, http.StatusBadRequest)
			return
		}
		f.lastEvent.Store([]byte(req.WebhookEvent))
		f.lastWebhook.Store(req.WebhookID)
		status := "FAILURE"
		if req.TransmissionSig == fakeGoodSig {
			status = "SUCCESS"
		}
		json.NewEncoder(w).Encode(map[string]string{"verification_status": status})
	})
	f.srv = httptest.NewTLSServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// rootFile writes the fake's TLS certificate for options.root_ca_file.
func (f *fakePayPalAPI) rootFile(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "api-ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func (f *fakePayPalAPI) provider(t *testing.T, extra string) *Provider {
	opts := "mode: online\nwebhook_id: " + ppWebhookID + "\nclient_id: " + fakeClientID +
		"\napi_base_url: " + f.srv.URL + "\nroot_ca_file: " + f.rootFile(t) + "\n" + extra
	p, err := New(providers.Spec{Source: "paypal", Secrets: []string{fakeClientSecret}, Options: ppOptions(opts)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p.(*Provider)
}

func onlineRequest(body, sig string, now time.Time) *providers.Request {
	h := http.Header{}
	h.Set(HeaderTransmissionID, "b1a4c4a0-9f2c-11ee-8c90-0242ac120002")
	h.Set(HeaderTransmissionTime, now.UTC().Format(time.RFC3339))
	h.Set(HeaderTransmissionSig, sig)
	h.Set(HeaderCertURL, "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77")
	h.Set(HeaderAuthAlgo, AuthAlgo)
	return &providers.Request{Method: http.MethodPost, Header: h, Body: []byte(body), Now: now}
}

func TestVerifyOnline(t *testing.T) {
	now := time.Now()
	// Odd spacing, key order, escapes and a trailing newline: re-serialising
	// would change any of them.
	rawBody := "{\"id\":\"WH-1\",  \"event_type\":\"PAYMENT.SALE.COMPLETED\",\"amount\":1.10,\"s\":\"\\u00e9<&>\"}\n"

	t.Run("success splices the raw body", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		p := f.provider(t, "")
		if err := p.Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now)); err != nil {
			t.Fatalf("Verify = %v", err)
		}
		if got := f.lastEvent.Load().([]byte); !bytes.Equal(got, []byte(strings.TrimSuffix(rawBody, "\n"))) {
			t.Fatalf("webhook_event = %s, want the raw body byte for byte", got)
		}
		if got := f.lastWebhook.Load().(string); got != ppWebhookID {
			t.Fatalf("webhook_id = %q", got)
		}
	})
	t.Run("FAILURE is a bad signature", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		err := f.provider(t, "").Verify(context.Background(), onlineRequest(rawBody, "YmFk", now))
		if !errors.Is(err, providers.ErrNoValidSignature) {
			t.Fatalf("Verify = %v, want ErrNoValidSignature", err)
		}
	})
	t.Run("token is cached until expiry", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		f.expiresIn = 3600
		p := f.provider(t, "")
		for i := range 3 {
			if err := p.Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now.Add(time.Duration(i)*time.Minute))); err != nil {
				t.Fatal(err)
			}
		}
		if got := f.tokenCalls.Load(); got != 1 {
			t.Fatalf("token requests = %d, want 1", got)
		}
		if err := p.Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now.Add(time.Hour))); err != nil {
			t.Fatal(err)
		}
		if got := f.tokenCalls.Load(); got != 2 {
			t.Fatalf("token requests after expiry = %d, want 2", got)
		}
	})
	t.Run("revoked token is renewed once", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		p := f.provider(t, "")
		if err := p.Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now)); err != nil {
			t.Fatal(err)
		}
		f.revokeNext.Store(true)
		if err := p.Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now)); err != nil {
			t.Fatalf("Verify after revocation = %v", err)
		}
		if got := f.tokenCalls.Load(); got != 2 {
			t.Fatalf("token requests = %d, want 2", got)
		}
	})
	t.Run("non-object body is malformed, PayPal not called", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		p := f.provider(t, "")
		for _, body := range []string{`[1,2]`, `"str"`, `{"id":`, ``, `{"a":1} {"b":2}`} {
			if err := p.Verify(context.Background(), onlineRequest(body, fakeGoodSig, now)); !errors.Is(err, providers.ErrMalformedPayload) {
				t.Fatalf("Verify(%q) = %v, want ErrMalformedPayload", body, err)
			}
		}
		if f.verifyCalls.Load()+f.tokenCalls.Load() != 0 {
			t.Fatal("PayPal was called for a malformed body")
		}
	})
	t.Run("5xx is unavailable", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		f.verifyStatus = http.StatusInternalServerError
		err := f.provider(t, "").Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now))
		if !errors.Is(err, providers.ErrUnavailable) {
			t.Fatalf("Verify = %v, want ErrUnavailable", err)
		}
	})
	t.Run("400 is a bad signature", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		f.verifyStatus = http.StatusBadRequest
		err := f.provider(t, "").Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now))
		if !errors.Is(err, providers.ErrNoValidSignature) {
			t.Fatalf("Verify = %v, want ErrNoValidSignature", err)
		}
	})
	t.Run("slow API times out as unavailable", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		f.delay = time.Second
		err := f.provider(t, "api_timeout: 100ms\n").Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now))
		if !errors.Is(err, providers.ErrUnavailable) {
			t.Fatalf("Verify = %v, want ErrUnavailable", err)
		}
	})
	t.Run("wrong client secret is unavailable and not echoed", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		opts := "mode: online\nwebhook_id: W\nclient_id: " + fakeClientID + "\napi_base_url: " + f.srv.URL + "\nroot_ca_file: " + f.rootFile(t) + "\n"
		p, err := New(providers.Spec{Source: "paypal", Secrets: []string{"wrong-secret-value"}, Options: ppOptions(opts)})
		if err != nil {
			t.Fatal(err)
		}
		err = p.Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now))
		if !errors.Is(err, providers.ErrUnavailable) || strings.Contains(err.Error(), "wrong-secret-value") {
			t.Fatalf("Verify = %v, want ErrUnavailable without the secret", err)
		}
	})
	t.Run("API down is unavailable", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		p := f.provider(t, "")
		f.srv.Close()
		if err := p.Verify(context.Background(), onlineRequest(rawBody, fakeGoodSig, now)); !errors.Is(err, providers.ErrUnavailable) {
			t.Fatalf("Verify = %v, want ErrUnavailable", err)
		}
	})
	t.Run("headers are still checked", func(t *testing.T) {
		f := newFakePayPalAPI(t)
		r := onlineRequest(rawBody, fakeGoodSig, now)
		r.Header.Set(HeaderAuthAlgo, "SHA1withRSA")
		if err := f.provider(t, "").Verify(context.Background(), r); !errors.Is(err, providers.ErrInvalidHeader) {
			t.Fatalf("Verify = %v, want ErrInvalidHeader", err)
		}
	})
}

func TestVerifyRequestBody(t *testing.T) {
	h := Headers{TransmissionID: "id", TransmissionTime: "t", TransmissionSig: "c2ln", CertURL: "https://x/<y>", AuthAlgo: AuthAlgo}
	got, err := VerifyRequestBody(h, "WH\"ID", []byte(` {"b":1,  "a":"é"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"auth_algo":"SHA256withRSA","cert_url":"https://x/\u003cy\u003e","transmission_id":"id","transmission_sig":"c2ln","transmission_time":"t","webhook_id":"WH\"ID","webhook_event": {"b":1,  "a":"é"}}`
	if string(got) != want {
		t.Fatalf("VerifyRequestBody =\n%s\nwant\n%s", got, want)
	}
	if !json.Valid(got) {
		t.Fatal("not valid JSON")
	}
}

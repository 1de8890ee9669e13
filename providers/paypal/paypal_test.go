package paypal

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

func TestNewOptions(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := ppRootFile(t)
	tests := []struct {
		name    string
		secrets []string
		options string
		wantErr string
		is      error
	}{
		{"webhook_id option", nil, "webhook_id: WH1", "", nil},
		{"webhook IDs as secrets", []string{"WH1", "WH2"}, "", "", nil},
		{"everything", []string{"WH2"}, "webhook_id: WH1\nmode: offline\ncert_hosts: [api.paypal.com]\ncert_path_prefix: /v1/notifications/certs/\ncert_fetch_timeout: 2s\nroot_ca_file: " + root + "\ntransmission_window: 10m\n", "", nil},
		{"online", []string{"client-secret"}, "mode: online\nwebhook_id: WH1\nclient_id: C\napi_base_url: https://api-m.sandbox.paypal.com/\napi_timeout: 3s", "", nil},
		{"nothing configured", nil, "", "options.webhook_id: required (the webhook ID from the PayPal dashboard", providers.ErrNoSecret},
		{"only empty IDs", []string{""}, "webhook_id: ''", "options.webhook_id: required", providers.ErrNoSecret},
		{"online without webhook_id", []string{"s"}, "mode: online\nclient_id: C", "options.webhook_id: required (the webhook ID from the PayPal dashboard)", nil},
		{"online without client_id", []string{"s"}, "mode: online\nwebhook_id: W", "options.client_id: required", nil},
		{"online without client secret", nil, "mode: online\nwebhook_id: W\nclient_id: C", "secrets: the first secret must be the REST app's client secret", providers.ErrNoSecret},
		{"client secret in options", []string{"s"}, "mode: online\nwebhook_id: W\nclient_id: C\nclient_secret: hunter2", "options.client_secret: not accepted in options", nil},
		{"http api base", []string{"s"}, "mode: online\nwebhook_id: W\nclient_id: C\napi_base_url: http://api-m.paypal.com", "options.api_base_url: must be an https URL", nil},
		{"unknown mode", nil, "webhook_id: W\nmode: hybrid", `options.mode: "hybrid" is not supported`, nil},
		{"bare number timeout", nil, "webhook_id: W\ncert_fetch_timeout: 5", "invalid duration", nil},
		{"negative timeout", nil, "webhook_id: W\ncert_fetch_timeout: -1s", "options.cert_fetch_timeout: must be positive", nil},
		{"negative window", nil, "webhook_id: W\ntransmission_window: -1s", "options.transmission_window: must be positive", nil},
		{"prefix without slash", nil, "webhook_id: W\ncert_path_prefix: /v1/notifications/certs", "options.cert_path_prefix: must start and end with \"/\"", nil},
		{"host with a path", nil, "webhook_id: W\ncert_hosts: [\"api.paypal.com/x\"]", "options.cert_hosts[0]", nil},
		{"missing root file", nil, "webhook_id: W\nroot_ca_file: " + filepath.Join(dir, "nope.pem"), "options.root_ca_file:", nil},
		{"root file without PEM", nil, "webhook_id: W\nroot_ca_file: " + notPEM, "options.root_ca_file: no PEM certificate", nil},
		{"unknown option", nil, "webhook_id: W\nwebhookid: X", "webhookid", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(providers.Spec{Source: "pp", Secrets: tt.secrets, Options: ppOptions(tt.options)})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want it to contain %q", err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("New error = %v, want it to wrap %v", err, tt.is)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error leaks the client secret: %v", err)
			}
		})
	}
}

func TestIdentify(t *testing.T) {
	p := &Provider{}
	tests := []struct {
		name     string
		body     string
		wantID   string
		wantType string
		wantErr  error
	}{
		{"event", ppBody, "WH-58D329510W468432D-8HN650336L201105X", "PAYMENT.CAPTURE.COMPLETED", nil},
		{"no id", `{"event_type":"X"}`, "", "", providers.ErrMalformedPayload},
		{"no type", `{"id":"WH-1"}`, "", "", providers.ErrMalformedPayload},
		{"id not a string", `{"id":1,"event_type":"X"}`, "", "", providers.ErrMalformedPayload},
		{"not JSON", `id=WH-1`, "", "", providers.ErrMalformedPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := p.Identify(&providers.Request{Body: []byte(tt.body)})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Identify error = %v, want %v", err, tt.wantErr)
			}
			if ev.ID != tt.wantID || ev.Type != tt.wantType {
				t.Fatalf("Identify = %+v", ev)
			}
		})
	}
}

// TestDevEndToEnd is what `hookgate dev` and `hookgate send` do: generate the dev
// PKI into a directory, serve the chain, sign with NewSigner from files, and
// verify with New.
func TestDevEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "paypal-dev")
	ca, err := GenerateDevCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{DevRootFile, DevChainFile, DevLeafKeyFile, DevServerFile, DevServerKeyFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("GenerateDevCA did not write %s: %v", f, err)
		}
	}
	if fi, _ := os.Stat(filepath.Join(dir, DevLeafKeyFile)); fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s mode = %v, want 0600", DevLeafKeyFile, fi.Mode().Perm())
	}
	loaded, err := EnsureDevCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !loaded.Leaf.Equal(ca.Leaf) || !loaded.Root.Equal(ca.Root) {
		t.Fatal("EnsureDevCA regenerated a valid dev CA instead of loading it")
	}

	srv := NewDevCertServer(loaded, "")
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL(), "https://127.0.0.1:") || srv.CertURL() != srv.URL()+DevCertPath {
		t.Fatalf("URL = %q, CertURL = %q", srv.URL(), srv.CertURL())
	}

	opts := "webhook_id: WH-DEV\nroot_ca_file: " + filepath.Join(dir, DevRootFile) +
		"\ncert_hosts: [\"" + srv.Host() + "\"]\nsigning_key_file: " + filepath.Join(dir, DevLeafKeyFile) +
		"\ncert_url: " + srv.CertURL() + "\n"
	spec := providers.Spec{Source: "paypal", Secrets: []string{"WH-DEV"}, Options: ppOptions(opts)}
	signer, err := NewSigner(spec)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r := &providers.Request{Method: http.MethodPost, Header: http.Header{}, Body: []byte(ppBody), Now: now}
	if err := signer.Sign(r); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{HeaderTransmissionID, HeaderTransmissionTime, HeaderTransmissionSig, HeaderCertURL, HeaderAuthAlgo} {
		if r.Header.Get(h) == "" {
			t.Fatalf("Sign did not set %s", h)
		}
	}
	if got := r.Header.Get(HeaderTransmissionTime); got != now.UTC().Format(time.RFC3339) {
		t.Fatalf("transmission time = %q", got)
	}
	if err := p.Verify(context.Background(), r); err != nil {
		t.Fatalf("Verify(dev-signed) = %v", err)
	}
	r.Body = []byte(strings.Replace(ppBody, "10.00", "10.01", 1))
	if err := p.Verify(context.Background(), r); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("Verify(tampered) = %v", err)
	}

	// Closing stops serving: a fresh provider (empty cache) cannot fetch.
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	p2, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	r.Body = []byte(ppBody)
	if err := p2.Verify(context.Background(), r); !errors.Is(err, providers.ErrUnavailable) {
		t.Fatalf("Verify with the dev server closed = %v, want ErrUnavailable", err)
	}
}

func TestNewSignerOptions(t *testing.T) {
	dir := t.TempDir()
	if err := ppCA().WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, DevLeafKeyFile)
	tests := []struct {
		name    string
		options string
		secrets []string
		wantErr string
	}{
		{"ok", "webhook_id: W\nsigning_key_file: " + key + "\ncert_url: https://127.0.0.1:1/v1/notifications/certs/X", nil, ""},
		{"webhook ID from secrets", "signing_key_file: " + key + "\ncert_url: https://127.0.0.1:1/v1/notifications/certs/X", []string{"W"}, ""},
		{"no key", "webhook_id: W\ncert_url: https://x/y", nil, "options.signing_key_file: required"},
		{"no cert URL", "webhook_id: W\nsigning_key_file: " + key, nil, "options.cert_url: required"},
		{"key is a certificate", "webhook_id: W\ncert_url: https://x/y\nsigning_key_file: " + filepath.Join(dir, DevRootFile), nil, "is not a private key"},
		{"key is ECDSA", "webhook_id: W\ncert_url: https://x/y\nsigning_key_file: " + filepath.Join(dir, DevServerKeyFile), nil, "not an RSA key"},
		{"no webhook ID", "signing_key_file: " + key + "\ncert_url: https://x/y", nil, "options.webhook_id: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSigner(providers.Spec{Source: "pp", Secrets: tt.secrets, Options: ppOptions(tt.options)})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewSigner: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewSigner error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	ca := ppCA()
	srv := ppServe(b, servePEM(ca.ChainPEM))
	p := ppProvider(b, srv, "")
	r := ppSigned(b, ca.LeafKey, srv.certURL(), ppWebhookID, ppBody, time.Now())
	ctx := context.Background()
	if err := p.Verify(ctx, r); err != nil { // warm the certificate cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Verify(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	if srv.hits.Load() != 1 {
		b.Fatalf("certificate downloaded %d times", srv.hits.Load())
	}
}

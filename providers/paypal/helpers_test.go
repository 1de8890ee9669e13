package paypal

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/hookgate/hookgate/providers"
)

// ppCA is one development PKI shared by the package's tests: RSA key generation
// is the slow part, and the tests only read it.
var ppCA = sync.OnceValue(func() *DevCA {
	ca, err := NewDevCA(time.Now())
	if err != nil {
		panic(err)
	}
	return ca
})

// ppOptions decodes a YAML options block strictly, as the config loader does.
func ppOptions(doc string) func(any) error {
	return func(v any) error {
		if strings.TrimSpace(doc) == "" {
			return nil
		}
		dec := yaml.NewDecoder(strings.NewReader(doc))
		dec.KnownFields(true)
		return dec.Decode(v)
	}
}

// ppRootFile writes the dev root to a temporary file for options.root_ca_file.
func ppRootFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), DevRootFile)
	if err := os.WriteFile(path, ppCA().RootPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ppServer is a TLS server standing in for PayPal's certificate host.
type ppServer struct {
	*httptest.Server
	hits atomic.Int64
}

// host is the server's host:port, for cert_hosts.
func (s *ppServer) host() string { return strings.TrimPrefix(s.URL, "https://") }

// certURL is an allowlisted URL on the server.
func (s *ppServer) certURL() string { return s.URL + DevCertPath }

// ppServe starts a TLS server with the dev CA's server certificate; h answers
// every request, which is counted.
func ppServe(t testing.TB, h http.HandlerFunc) *ppServer {
	t.Helper()
	s := &ppServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h(w, r)
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{ppCA().ServerCert}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// servePEM answers with data as a PEM file.
func servePEM(data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(data)
	}
}

const (
	ppWebhookID = "1JE4291016473214C"
	ppBody      = `{"id":"WH-58D329510W468432D-8HN650336L201105X","event_type":"PAYMENT.CAPTURE.COMPLETED","resource":{"amount":{"value":"10.00"}}}`
)

// ppProvider builds an offline provider trusting the dev root and the server's host.
func ppProvider(t testing.TB, srv *ppServer, extra string, secrets ...string) *Provider {
	t.Helper()
	opts := "webhook_id: " + ppWebhookID + "\nroot_ca_file: " + ppRootFile(t) + "\n"
	if srv != nil {
		opts += "cert_hosts: [\"" + srv.host() + "\"]\n"
	}
	p, err := New(providers.Spec{Source: "paypal", Secrets: secrets, Options: ppOptions(opts + extra)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p.(*Provider)
}

// ppSigned returns a request signed like PayPal with key for webhookID, body and
// certURL, at now.
func ppSigned(t testing.TB, key *rsa.PrivateKey, certURL, webhookID, body string, now time.Time) *providers.Request {
	t.Helper()
	s := &Signer{Key: key, CertURL: certURL, WebhookID: webhookID, NewID: func() string { return "b1a4c4a0-9f2c-11ee-8c90-0242ac120002" }}
	r := &providers.Request{Method: http.MethodPost, URL: &url.URL{Scheme: "https", Host: "hooks.example.com", Path: "/webhooks/paypal"}, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body), Now: now}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// ppSignRaw signs message bytes directly, for signatures over wrong messages.
func ppSignRaw(t testing.TB, key *rsa.PrivateKey, msg string) string {
	t.Helper()
	digest := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// ppChain issues a leaf for the dev leaf key from the dev intermediate, after
// edit changes its template, and returns leaf + intermediate as PEM.
func ppChain(t testing.TB, edit func(*x509.Certificate)) []byte {
	t.Helper()
	ca := ppCA()
	now := time.Now()
	tmpl := leafTemplate(DevLeafName, now.Add(-time.Hour), now.Add(24*time.Hour))
	edit(tmpl)
	_, der, err := issueCert(tmpl, ca.LeafKey.Public(), ca.inter, ca.interKey)
	if err != nil {
		t.Fatal(err)
	}
	return append(pemCert(der), pemCert(ca.inter.Raw)...)
}

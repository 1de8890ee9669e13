package paypal

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

func TestCRCUnsignedDecimal(t *testing.T) {
	// The CRC-32/IEEE check value: CRC("123456789") = 0xCBF43926, above 2^31.
	if got := CRC([]byte("123456789")); got != "3421780262" {
		t.Fatalf("CRC(123456789) = %s, want 3421780262", got)
	}
	// Find a PayPal-like body whose CRC has the top bit set, then check that the
	// decimal is unsigned: the int32 reading would be negative.
	var body []byte
	for i := 0; ; i++ {
		body = fmt.Appendf(nil, `{"id":"WH-%d","event_type":"PAYMENT.CAPTURE.COMPLETED"}`, i)
		if crc32.ChecksumIEEE(body) >= 1<<31 {
			break
		}
	}
	crc := crc32.ChecksumIEEE(body)
	got := CRC(body)
	n, err := strconv.ParseUint(got, 10, 64)
	if err != nil || n != uint64(crc) || n <= math.MaxInt32 {
		t.Fatalf("CRC = %q, want the unsigned decimal %d (> 2^31-1)", got, crc)
	}
	if signed := strconv.Itoa(int(int32(crc))); !strings.HasPrefix(signed, "-") || signed == got {
		t.Fatalf("test body does not separate the signed form %s from %s", signed, got)
	}
	if got := string(Message("tid", "2024-01-02T03:04:05Z", "WHID", body)); got != "tid|2024-01-02T03:04:05Z|WHID|"+strconv.FormatUint(uint64(crc), 10) {
		t.Fatalf("Message = %q", got)
	}
}

func TestParseHeaders(t *testing.T) {
	valid := func() http.Header {
		h := http.Header{}
		h.Set(HeaderTransmissionID, "b1a4c4a0-9f2c-11ee-8c90-0242ac120002")
		h.Set(HeaderTransmissionTime, "2024-01-02T03:04:05Z")
		h.Set(HeaderTransmissionSig, "c2lnbmF0dXJl")
		h.Set(HeaderCertURL, "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270")
		h.Set(HeaderAuthAlgo, AuthAlgo)
		return h
	}
	tests := []struct {
		name    string
		edit    func(http.Header)
		wantErr error
	}{
		{"valid", func(http.Header) {}, nil},
		{"lower-case header names", func(h http.Header) {
			v := h.Get(HeaderAuthAlgo)
			delete(h, http.CanonicalHeaderKey(HeaderAuthAlgo))
			h.Set("paypal-auth-algo", v)
		}, nil},
		{"auth algo SHA1withRSA", func(h http.Header) { h.Set(HeaderAuthAlgo, "SHA1withRSA") }, providers.ErrInvalidHeader},
		{"auth algo lower-case", func(h http.Header) { h.Set(HeaderAuthAlgo, "sha256withrsa") }, providers.ErrInvalidHeader},
		{"auth algo with space", func(h http.Header) { h.Set(HeaderAuthAlgo, "SHA256withRSA ") }, providers.ErrInvalidHeader},
		{"signature not base64", func(h http.Header) { h.Set(HeaderTransmissionSig, "!!") }, providers.ErrInvalidHeader},
		{"pipe in transmission id", func(h http.Header) { h.Set(HeaderTransmissionID, "a|b") }, providers.ErrInvalidHeader},
		{"pipe in transmission time", func(h http.Header) { h.Set(HeaderTransmissionTime, "a|b") }, providers.ErrInvalidHeader},
		{"oversized header", func(h http.Header) { h.Set(HeaderTransmissionID, strings.Repeat("a", maxHeaderLen+1)) }, providers.ErrInvalidHeader},
		{"empty header", func(h http.Header) { h.Set(HeaderCertURL, "") }, providers.ErrNotSigned},
	}
	for _, name := range []string{HeaderTransmissionID, HeaderTransmissionTime, HeaderTransmissionSig, HeaderCertURL, HeaderAuthAlgo} {
		tests = append(tests,
			struct {
				name    string
				edit    func(http.Header)
				wantErr error
			}{"missing " + name, func(h http.Header) { h.Del(name) }, providers.ErrNotSigned},
			struct {
				name    string
				edit    func(http.Header)
				wantErr error
			}{"duplicated " + name, func(h http.Header) { h.Add(name, h.Get(name)) }, providers.ErrInvalidHeader},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := valid()
			tt.edit(h)
			got, err := ParseHeaders(h)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("ParseHeaders = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.AuthAlgo != AuthAlgo || got.TransmissionSig != "c2lnbmF0dXJl") {
				t.Fatalf("ParseHeaders = %+v", got)
			}
		})
	}
}

func TestCertURLPolicy(t *testing.T) {
	p := CertURLPolicy{Hosts: append(DefaultCertHosts(), "127.0.0.1:8443"), PathPrefix: DefaultCertPathPrefix}
	tests := []struct {
		url     string
		wantErr error
	}{
		{"https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270", nil},
		{"https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77", nil},
		{"https://api-m.paypal.com/v1/notifications/certs/CERT-1", nil},
		{"https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-1", nil},
		{"https://API.PayPal.com/v1/notifications/certs/CERT-1", nil},
		{"https://127.0.0.1:8443/v1/notifications/certs/CERT-1", nil},
		{"http://api.paypal.com/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"HTTPS://api.paypal.com/v1/notifications/certs/CERT-1", nil}, // url.Parse lower-cases the scheme
		{"https://evil.example/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://evil.example#@api.paypal.com/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://user:pass@api.paypal.com/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://api.paypal.com@evil.example/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certs/CERT-1?x=1", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certs/CERT-1?", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certs/CERT-1#frag", providers.ErrCertificate},
		{"https://api.paypal.com:443/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://api.paypal.com:8443/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://127.0.0.1/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://127.0.0.1:9999/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://api.paypal.com/v1/oauth2/token", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certs/", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certs/../../oauth2/token", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certs/%2e%2e/x", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certs/a/b", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certsX/CERT-1", providers.ErrCertificate},
		{"https://api.paypal.com/V1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https:api.paypal.com/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"/v1/notifications/certs/CERT-1", providers.ErrCertificate},
		{"https://api.paypal.com/v1/notifications/certs/" + strings.Repeat("a", maxCertURLLen), providers.ErrInvalidHeader},
		{"https://[::1", providers.ErrInvalidHeader},
		{"https://api.paypal.com/v1/notifications/certs/\x7f", providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := p.Check(tt.url)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Check = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestCheckTransmissionTime(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		value   string
		window  time.Duration
		wantErr error
	}{
		{"off accepts anything", "not a time", 0, nil},
		{"inside", "2024-01-02T03:00:00Z", 10 * time.Minute, nil},
		{"inside with offset and fraction", "2024-01-02T04:00:00.123+01:00", 10 * time.Minute, nil},
		{"too old", "2024-01-02T02:00:00Z", 10 * time.Minute, providers.ErrTooOld},
		{"too new", "2024-01-02T04:00:00Z", 10 * time.Minute, providers.ErrTooNew},
		{"unparsable", "02/01/2024", 10 * time.Minute, providers.ErrInvalidHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTransmissionTime(tt.value, now, tt.window)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("CheckTransmissionTime = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestVerifyOffline runs every negative case against a real TLS certificate
// server on 127.0.0.1 and the dev PKI.
func TestVerifyOffline(t *testing.T) {
	ca := ppCA()
	now := time.Now()
	good := ppServe(t, servePEM(ca.ChainPEM))

	// A body whose CRC is above 2^31, so the signed and unsigned forms differ.
	var bigCRCBody string
	for i := 0; ; i++ {
		bigCRCBody = fmt.Sprintf(`{"id":"WH-%d","event_type":"PAYMENT.CAPTURE.COMPLETED"}`, i)
		if crc32.ChecksumIEEE([]byte(bigCRCBody)) >= 1<<31 {
			break
		}
	}
	crc := crc32.ChecksumIEEE([]byte(bigCRCBody))

	selfSigned := func() []byte {
		tmpl := leafTemplate(DevLeafName, now.Add(-time.Hour), now.Add(time.Hour))
		_, der, err := issueCert(tmpl, ca.LeafKey.Public(), nil, ca.LeafKey)
		if err != nil {
			t.Fatal(err)
		}
		return pemCert(der)
	}()
	otherCA, err := NewDevCA(now)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecLeaf := func() []byte {
		_, der, err := issueCert(leafTemplate(DevLeafName, now.Add(-time.Hour), now.Add(time.Hour)), ecKey.Public(), ca.inter, ca.interKey)
		if err != nil {
			t.Fatal(err)
		}
		return append(pemCert(der), pemCert(ca.inter.Raw)...)
	}()
	smallKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallLeaf := func() []byte {
		_, der, err := issueCert(leafTemplate(DevLeafName, now.Add(-time.Hour), now.Add(time.Hour)), smallKey.Public(), ca.inter, ca.interKey)
		if err != nil {
			t.Fatal(err)
		}
		return append(pemCert(der), pemCert(ca.inter.Raw)...)
	}()

	type tc struct {
		name    string
		chain   []byte                                  // served chain; nil: the good one
		handler http.HandlerFunc                        // overrides chain
		req     func(certURL string) *providers.Request // nil: a good request
		edit    func(r *providers.Request, s *ppServer) // applied to the request
		extra   string                                  // extra options
		key     *rsa.PrivateKey                         // signing key; nil: the dev leaf key
		wantErr error
		wantHit int64 // certificate downloads expected, -1: don't care
	}
	tests := []tc{
		{name: "valid", wantHit: 1},
		{name: "valid, big CRC body", req: func(u string) *providers.Request {
			return ppSigned(t, ca.LeafKey, u, ppWebhookID, bigCRCBody, now)
		}, wantHit: 1},
		{name: "leaf with a SAN only", chain: ppChain(t, func(c *x509.Certificate) { c.Subject = pkix.Name{CommonName: "PayPal"} }), wantHit: 1},
		{name: "live name", chain: ppChain(t, func(c *x509.Certificate) {
			c.Subject.CommonName, c.DNSNames = "messageverificationcerts.paypal.com", nil
		}), wantHit: 1},
		{name: "self-signed leaf with the right CN", chain: selfSigned, wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "leaf only, intermediate missing", chain: pemCert(ca.Leaf.Raw), wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "chain from another root", chain: otherCA.ChainPEM, key: otherCA.LeafKey, wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "expired certificate", chain: ppChain(t, func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = now.Add(-48*time.Hour), now.Add(-time.Hour)
		}), wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "not-yet-valid certificate", chain: ppChain(t, func(c *x509.Certificate) {
			c.NotBefore, c.NotAfter = now.Add(time.Hour), now.Add(48*time.Hour)
		}), wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "wrong CN", chain: ppChain(t, func(c *x509.Certificate) {
			c.Subject.CommonName, c.DNSNames = "api.paypal.com", []string{"api.paypal.com"}
		}), wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "look-alike CN", chain: ppChain(t, func(c *x509.Certificate) {
			c.Subject.CommonName, c.DNSNames = "messageverificationcerts.sandbox.paypal.com.evil.example", nil
		}), wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "ECDSA leaf", chain: ecLeaf, wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "RSA-1024 leaf", chain: smallLeaf, key: smallKey, wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "not PEM", chain: []byte("<html>hello</html>"), wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "oversized certificate response", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Write(ca.ChainPEM)
			w.Write([]byte(strings.Repeat("\n", MaxCertResponseSize)))
		}, wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "certificate 404", handler: func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "certificate 503", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, wantErr: providers.ErrUnavailable, wantHit: 1},
		{name: "redirect is not followed", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://evil.example/cert.pem", http.StatusFound)
		}, wantErr: providers.ErrCertificate, wantHit: 1},
		{name: "slow server times out", extra: "cert_fetch_timeout: 200ms\n", handler: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, wantErr: providers.ErrUnavailable, wantHit: 1},
		{name: "wrong host in cert URL", edit: func(r *providers.Request, s *ppServer) {
			r.Header.Set(HeaderCertURL, "https://localhost:"+s.URL[strings.LastIndex(s.URL, ":")+1:]+DevCertPath)
		}, wantErr: providers.ErrCertificate, wantHit: 0},
		{name: "http cert URL", edit: func(r *providers.Request, s *ppServer) {
			r.Header.Set(HeaderCertURL, "http://"+s.host()+DevCertPath)
		}, wantErr: providers.ErrCertificate, wantHit: 0},
		{name: "userinfo in cert URL", edit: func(r *providers.Request, s *ppServer) {
			r.Header.Set(HeaderCertURL, "https://u:p@"+s.host()+DevCertPath)
		}, wantErr: providers.ErrCertificate, wantHit: 0},
		{name: "query in cert URL", edit: func(r *providers.Request, s *ppServer) {
			r.Header.Set(HeaderCertURL, s.certURL()+"?x=1")
		}, wantErr: providers.ErrCertificate, wantHit: 0},
		{name: "wrong path in cert URL", edit: func(r *providers.Request, s *ppServer) {
			r.Header.Set(HeaderCertURL, s.URL+"/v1/oauth2/token")
		}, wantErr: providers.ErrCertificate, wantHit: 0},
		{name: "CRC in signed form", req: func(u string) *providers.Request {
			r := ppSigned(t, ca.LeafKey, u, ppWebhookID, bigCRCBody, now)
			msg := fmt.Sprintf("%s|%s|%s|%d", r.Header.Get(HeaderTransmissionID), r.Header.Get(HeaderTransmissionTime), ppWebhookID, int32(crc))
			r.Header.Set(HeaderTransmissionSig, ppSignRaw(t, ca.LeafKey, msg))
			return r
		}, wantErr: providers.ErrNoValidSignature, wantHit: 1},
		{name: "CRC in hex form", req: func(u string) *providers.Request {
			r := ppSigned(t, ca.LeafKey, u, ppWebhookID, bigCRCBody, now)
			msg := fmt.Sprintf("%s|%s|%s|%x", r.Header.Get(HeaderTransmissionID), r.Header.Get(HeaderTransmissionTime), ppWebhookID, crc)
			r.Header.Set(HeaderTransmissionSig, ppSignRaw(t, ca.LeafKey, msg))
			return r
		}, wantErr: providers.ErrNoValidSignature, wantHit: 1},
		{name: "auth algo SHA1withRSA", edit: func(r *providers.Request, _ *ppServer) { r.Header.Set(HeaderAuthAlgo, "SHA1withRSA") }, wantErr: providers.ErrInvalidHeader, wantHit: 0},
		{name: "auth algo lower-case", edit: func(r *providers.Request, _ *ppServer) { r.Header.Set(HeaderAuthAlgo, "sha256withrsa") }, wantErr: providers.ErrInvalidHeader, wantHit: 0},
		{name: "tampered body", edit: func(r *providers.Request, _ *ppServer) {
			r.Body = []byte(strings.Replace(string(r.Body), "10.00", "99.00", 1))
		}, wantErr: providers.ErrNoValidSignature, wantHit: 1},
		{name: "tampered transmission time", edit: func(r *providers.Request, _ *ppServer) {
			r.Header.Set(HeaderTransmissionTime, now.Add(time.Second).UTC().Format(time.RFC3339))
		}, wantErr: providers.ErrNoValidSignature, wantHit: 1},
		{name: "wrong webhook ID", req: func(u string) *providers.Request {
			return ppSigned(t, ca.LeafKey, u, "OTHER-ACCOUNT-WEBHOOK", ppBody, now)
		}, wantErr: providers.ErrNoValidSignature, wantHit: 1},
		{name: "signed by another key", key: otherCA.LeafKey, wantErr: providers.ErrNoValidSignature, wantHit: 1},
		{name: "transmission window, fresh", extra: "transmission_window: 5m\n", wantHit: 1},
		{name: "transmission window, too old", extra: "transmission_window: 5m\n", req: func(u string) *providers.Request {
			r := ppSigned(t, ca.LeafKey, u, ppWebhookID, ppBody, now.Add(-10*time.Minute))
			r.Now = now
			return r
		}, wantErr: providers.ErrTooOld, wantHit: 0},
		{name: "transmission window off accepts a 3-day-old retry", req: func(u string) *providers.Request {
			r := ppSigned(t, ca.LeafKey, u, ppWebhookID, ppBody, now.Add(-72*time.Hour))
			r.Now = now
			return r
		}, wantHit: 1},
	}
	for _, name := range []string{HeaderTransmissionID, HeaderTransmissionTime, HeaderTransmissionSig, HeaderCertURL, HeaderAuthAlgo} {
		tests = append(tests,
			tc{name: "missing " + name, edit: func(r *providers.Request, _ *ppServer) { r.Header.Del(name) }, wantErr: providers.ErrNotSigned, wantHit: 0},
			tc{name: "duplicated " + name, edit: func(r *providers.Request, _ *ppServer) { r.Header.Add(name, r.Header.Get(name)) }, wantErr: providers.ErrInvalidHeader, wantHit: 0},
		)
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := good
			if tt.chain != nil || tt.handler != nil {
				h := tt.handler
				if h == nil {
					h = servePEM(tt.chain)
				}
				srv = ppServe(t, h)
			}
			before := srv.hits.Load()
			p := ppProvider(t, srv, tt.extra)
			key := tt.key
			if key == nil {
				key = ca.LeafKey
			}
			var r *providers.Request
			if tt.req != nil {
				r = tt.req(srv.certURL())
			} else {
				r = ppSigned(t, key, srv.certURL(), ppWebhookID, ppBody, now)
			}
			if tt.edit != nil {
				tt.edit(r, srv)
			}
			err := p.Verify(context.Background(), r)
			t.Logf("Verify: %v", err)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
			if got := srv.hits.Load() - before; tt.wantHit >= 0 && got != tt.wantHit {
				t.Fatalf("certificate downloads = %d, want %d", got, tt.wantHit)
			}
		})
	}
}

func TestVerifyOfflineErrorsHideSecretsAndSignatures(t *testing.T) {
	ca := ppCA()
	srv := ppServe(t, servePEM(ca.ChainPEM))
	p := ppProvider(t, srv, "")
	r := ppSigned(t, ca.LeafKey, srv.certURL(), "OTHER", ppBody, time.Now())
	err := p.Verify(context.Background(), r)
	if err == nil {
		t.Fatal("Verify accepted a signature for another webhook ID")
	}
	for _, s := range []string{ppWebhookID, r.Header.Get(HeaderTransmissionSig)} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error %q leaks %q", err, s)
		}
	}
}

func TestCertCache(t *testing.T) {
	ca := ppCA()
	now := time.Now()
	srv := ppServe(t, servePEM(ca.ChainPEM))
	p := ppProvider(t, srv, "")
	ctx := context.Background()
	for i := range 3 {
		body := fmt.Sprintf(`{"id":"WH-%d","event_type":"X"}`, i)
		if err := p.Verify(ctx, ppSigned(t, ca.LeafKey, srv.certURL(), ppWebhookID, body, now)); err != nil {
			t.Fatalf("Verify %d: %v", i, err)
		}
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("certificate downloads after 3 verifications = %d, want 1 (cache hit)", got)
	}
	// A failed verification with a cached certificate does not download again.
	if err := p.Verify(ctx, ppSigned(t, ca.LeafKey, srv.certURL(), "OTHER", ppBody, now)); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("Verify(wrong webhook) = %v", err)
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("certificate downloads = %d, want 1", got)
	}
	// Past the leaf's NotAfter the entry is dropped and refetched; the refetched
	// chain is expired too, so verification fails closed.
	late := ppSigned(t, ca.LeafKey, srv.certURL(), ppWebhookID, ppBody, ca.Leaf.NotAfter.Add(time.Minute))
	if err := p.Verify(ctx, late); !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("Verify after NotAfter = %v, want ErrCertificate", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Fatalf("certificate downloads after expiry = %d, want 2", got)
	}
	if p.certs.cached() != 0 {
		t.Fatalf("expired certificate still cached")
	}
	// A failed download is remembered for a short time: a retry within it
	// gets the same failure without a download; after it, it downloads again.
	wall := time.Now()
	p.certs.failures.clock = func() time.Time { return wall }
	if err := p.Verify(ctx, ppSigned(t, ca.LeafKey, srv.certURL(), ppWebhookID, ppBody, now)); !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("Verify within the failure's memory = %v, want the remembered ErrCertificate", err)
	}
	if got := srv.hits.Load(); got != 2 {
		t.Fatalf("certificate downloads = %d, want 2 (the failure remembered)", got)
	}
	wall = wall.Add(rememberRefusal)
	if err := p.Verify(ctx, ppSigned(t, ca.LeafKey, srv.certURL(), ppWebhookID, ppBody, now)); err != nil {
		t.Fatalf("Verify after the failure's memory: %v", err)
	}
	if got := srv.hits.Load(); got != 3 {
		t.Fatalf("certificate downloads = %d, want 3", got)
	}
}

func TestCertCacheConcurrentRequestsShareOneDownload(t *testing.T) {
	ca := ppCA()
	release := make(chan struct{})
	srv := ppServe(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Write(ca.ChainPEM)
	})
	p := ppProvider(t, srv, "")
	now := time.Now()
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- p.Verify(context.Background(), ppSigned(t, ca.LeafKey, srv.certURL(), ppWebhookID, ppBody, now))
		}()
	}
	// Every request waits for the one download before it completes.
	for p.certs.waiting.Load() < n {
		runtime.Gosched()
	}
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("downloads for %d concurrent requests = %d, want 1", n, got)
	}
}

func TestCertCacheIsBounded(t *testing.T) {
	ca := ppCA()
	now := time.Now()
	chain, err := ParseChain(ca.ChainPEM)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := VerifyChain(chain, poolOf(ca.Root), now)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	s := newCertStore(poolOf(ca.Root), time.Second, func(context.Context, string) ([]byte, error) {
		calls++
		return ca.ChainPEM, nil
	})
	for i := range maxCachedCerts + 10 {
		if _, err := s.get(context.Background(), fmt.Sprintf("https://h/v1/notifications/certs/C%d", i), now); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.cached(); got != maxCachedCerts {
		t.Fatalf("cached = %d, want the cap %d", got, maxCachedCerts)
	}
	if calls != maxCachedCerts+10 || !cert.validAt(now) {
		t.Fatalf("downloads = %d", calls)
	}
}

func TestVerifyUnreachableServerIsUnavailable(t *testing.T) {
	ca := ppCA()
	srv := ppServe(t, servePEM(ca.ChainPEM))
	p := ppProvider(t, srv, "")
	srv.Close() // connection refused from now on
	err := p.Verify(context.Background(), ppSigned(t, ca.LeafKey, srv.certURL(), ppWebhookID, ppBody, time.Now()))
	if !errors.Is(err, providers.ErrUnavailable) {
		t.Fatalf("Verify with the certificate host down = %v, want ErrUnavailable", err)
	}
}

func TestVerifyUntrustedTLSServer(t *testing.T) {
	ca := ppCA()
	other, err := NewDevCA(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv := ppServe(t, servePEM(ca.ChainPEM))
	srv.TLS.Certificates = []tls.Certificate{other.ServerCert} // before any handshake
	p := ppProvider(t, srv, "")
	err = p.Verify(context.Background(), ppSigned(t, ca.LeafKey, srv.certURL(), ppWebhookID, ppBody, time.Now()))
	if !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("Verify via an untrusted TLS server = %v, want ErrCertificate", err)
	}
}

func TestVerifyWebhookIDsFromSecrets(t *testing.T) {
	ca := ppCA()
	now := time.Now()
	srv := ppServe(t, servePEM(ca.ChainPEM))
	opts := "root_ca_file: " + ppRootFile(t) + "\ncert_hosts: [\"" + srv.host() + "\"]\n"
	p, err := New(providers.Spec{Source: "paypal", Secrets: []string{"WH-NEW", "WH-OLD"}, Options: ppOptions(opts)})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"WH-NEW", "WH-OLD"} {
		if err := p.Verify(context.Background(), ppSigned(t, ca.LeafKey, srv.certURL(), id, ppBody, now)); err != nil {
			t.Fatalf("Verify for webhook ID %s: %v", id, err)
		}
	}
	if err := p.Verify(context.Background(), ppSigned(t, ca.LeafKey, srv.certURL(), "WH-OTHER", ppBody, now)); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("Verify for an unlisted webhook ID = %v, want ErrNoValidSignature", err)
	}
}

func TestVerifyChainPure(t *testing.T) {
	ca := ppCA()
	chain, err := ParseChain(ca.ChainPEM)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 2 {
		t.Fatalf("chain has %d certificates, want 2", len(chain))
	}
	sc, err := VerifyChain(chain, poolOf(ca.Root), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !sc.Key.Equal(&ca.LeafKey.PublicKey) || !sc.NotAfter.Equal(ca.Leaf.NotAfter) {
		t.Fatalf("VerifyChain returned the wrong key or window")
	}
	// The system roots do not trust the dev root.
	if _, err := VerifyChain(chain, nil, time.Now()); !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("VerifyChain with system roots = %v, want ErrCertificate", err)
	}
	many := []byte{}
	for range maxChainCerts + 1 {
		many = append(many, pemCert(ca.Leaf.Raw)...)
	}
	if _, err := ParseChain(many); !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("ParseChain(%d certs) = %v, want ErrCertificate", maxChainCerts+1, err)
	}
	withKey := append(append([]byte{}, ca.LeafKeyPEM...), ca.ChainPEM...)
	if got, err := ParseChain(withKey); err != nil || len(got) != 2 {
		t.Fatalf("ParseChain skips non-certificate blocks: got %d, %v", len(got), err)
	}
	if _, err := ParseChain([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")); !errors.Is(err, providers.ErrCertificate) {
		t.Fatalf("ParseChain(garbage DER) = %v", err)
	}
}

func poolOf(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

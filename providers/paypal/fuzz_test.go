package paypal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// FuzzParseHeaders feeds arbitrary PAYPAL-* values through the header parser and
// the cert URL allowlist: no panic, and anything accepted meets the rules.
func FuzzParseHeaders(f *testing.F) {
	f.Add("b1a4c4a0-9f2c-11ee-8c90-0242ac120002", "2024-01-02T03:04:05Z", "c2ln", "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270", "SHA256withRSA")
	f.Add("a|b", "t", "!!", "http://api.paypal.com/v1/notifications/certs/X", "sha256withrsa")
	f.Add("id", "t", "c2ln", "https://u@api.paypal.com:443/v1/notifications/certs/../x?y#z", "SHA256withRSA")
	f.Add("id", "t", "c2ln", "https://api.paypal.com/v1/notifications/certs/%2e%2e", "SHA256withRSA")
	policy := CertURLPolicy{Hosts: DefaultCertHosts(), PathPrefix: DefaultCertPathPrefix}
	f.Fuzz(func(t *testing.T, id, tm, sig, certURL, algo string) {
		h := http.Header{}
		for name, v := range map[string]string{HeaderTransmissionID: id, HeaderTransmissionTime: tm, HeaderTransmissionSig: sig, HeaderCertURL: certURL, HeaderAuthAlgo: algo} {
			h[http.CanonicalHeaderKey(name)] = []string{v}
		}
		got, err := ParseHeaders(h)
		if err != nil {
			if !errors.Is(err, providers.ErrNotSigned) && !errors.Is(err, providers.ErrInvalidHeader) {
				t.Fatalf("ParseHeaders error %v wraps no header sentinel", err)
			}
		} else if got.AuthAlgo != AuthAlgo || strings.Contains(got.TransmissionID+got.TransmissionTime, "|") {
			t.Fatalf("ParseHeaders accepted %+v", got)
		}
		if err := policy.Check(certURL); err == nil {
			u, perr := url.Parse(certURL)
			if perr != nil || u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
				!strings.HasPrefix(u.Path, DefaultCertPathPrefix) || strings.Contains(u.Path, "..") ||
				strings.Count(u.Path, "/") != strings.Count(DefaultCertPathPrefix, "/") {
				t.Fatalf("Check accepted %q", certURL)
			}
			ok := false
			for _, host := range DefaultCertHosts() {
				ok = ok || strings.EqualFold(u.Host, host)
			}
			if !ok {
				t.Fatalf("Check accepted host %q", u.Host)
			}
		} else if !errors.Is(err, providers.ErrCertificate) && !errors.Is(err, providers.ErrInvalidHeader) {
			t.Fatalf("Check error %v wraps no sentinel", err)
		}
	})
}

// FuzzVerifyChain serves a fuzzed PEM document as the certificate chain of a
// correctly signed request and runs the whole offline Verify path.
func FuzzVerifyChain(f *testing.F) {
	ca := ppCA()
	f.Add(ca.ChainPEM)
	f.Add(pemCert(ca.Leaf.Raw))
	f.Add(append(append([]byte{}, ca.LeafKeyPEM...), ca.ChainPEM...))
	f.Add(ca.RootPEM)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{})
	now := time.Now()
	const certURL = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-fuzz"
	signed := ppSigned(f, ca.LeafKey, certURL, ppWebhookID, ppBody, now)
	roots := poolOf(ca.Root)
	f.Fuzz(func(t *testing.T, chainPEM []byte) {
		p := &Provider{
			s: settings{
				mode:       ModeOffline,
				webhookIDs: []string{ppWebhookID},
				policy:     CertURLPolicy{Hosts: DefaultCertHosts(), PathPrefix: DefaultCertPathPrefix},
			},
			certs: newCertStore(roots, time.Second, func(context.Context, string) ([]byte, error) {
				return chainPEM, nil
			}),
		}
		r := *signed
		err := p.Verify(context.Background(), &r)
		if err == nil {
			// Only a chain to the dev root ending in the dev leaf can verify.
			chain, perr := ParseChain(chainPEM)
			if perr != nil || !chain[0].Equal(ca.Leaf) {
				t.Fatalf("Verify accepted a chain whose leaf is not the dev leaf")
			}
			return
		}
		if !errors.Is(err, providers.ErrCertificate) && !errors.Is(err, providers.ErrNoValidSignature) {
			t.Fatalf("Verify error %v is neither a certificate nor a signature failure", err)
		}
	})
}

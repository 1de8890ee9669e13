package snssig

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"
)

// DevCertPath is where a DevServer serves its certificate.
const DevCertPath = "/SimpleNotificationService-hookgate-dev.pem"

// DevServer stands in for SNS's hosts in development and tests: over TLS on
// 127.0.0.1 it serves a self-signed RSA certificate at DevCertPath (whose
// key signs messages, and also serves TLS) and answers ConfirmSubscription
// calls, counting them. A source trusts it only through its options
// (cert_hosts: [Host()], root_ca_file: the certificate).
type DevServer struct {
	Cert    *x509.Certificate
	CertPEM []byte
	Key     *rsa.PrivateKey

	ln     net.Listener
	srv    *http.Server
	mu     sync.Mutex
	tokens []string
}

// NewDevServer generates a certificate valid from an hour before now for a
// day and starts serving on 127.0.0.1 (a free port).
func NewDevServer(now time.Time) (*DevServer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "sns.hookgate-dev.invalid"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	s := &DevServer{Cert: cert, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+DevCertPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(s.CertPEM)
	})
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" || r.URL.Query().Get("Action") != "ConfirmSubscription" {
			http.NotFound(w, r)
			return
		}
		s.mu.Lock()
		s.tokens = append(s.tokens, r.URL.Query().Get("Token"))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		_, _ = fmt.Fprint(w, `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>`+
			`arn:aws:sns:us-east-1:123456789012:hookgate-dev:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>`)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
	}
	// ServeTLS returns when Close stops it.
	go func() { _ = s.srv.ServeTLS(ln, "", "") }()
	return s, nil
}

// Host is the server's host:port, for cert_hosts.
func (s *DevServer) Host() string { return s.ln.Addr().String() }

// CertURL is the SigningCertURL of its certificate.
func (s *DevServer) CertURL() string { return "https://" + s.Host() + DevCertPath }

// SubscribeURL is a ConfirmSubscription URL on the server for token.
func (s *DevServer) SubscribeURL(topic, token string) string {
	return "https://" + s.Host() + "/?Action=ConfirmSubscription&TopicArn=" + topic + "&Token=" + token
}

// Roots is a pool trusting the server's certificate.
func (s *DevServer) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.Cert)
	return p
}

// Confirmed returns the tokens of the ConfirmSubscription calls received.
func (s *DevServer) Confirmed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

// Close stops the server.
func (s *DevServer) Close() error { return s.srv.Close() }

package paypal

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Development PKI: a throwaway root, an intermediate and a signing leaf named
// like PayPal's sandbox certificate, so that `hookgate dev`, `hookgate send` and
// the tests exercise the real offline path (fetch, chain validation, name check,
// signature) without the internet. The root is only ever trusted through
// options.root_ca_file.

// Files written by GenerateDevCA into its directory.
const (
	DevRootFile      = "ca.pem"         // the root: point options.root_ca_file here
	DevChainFile     = "leaf.pem"       // leaf then intermediate: what the cert URL serves
	DevLeafKeyFile   = "leaf-key.pem"   // point options.signing_key_file here
	DevServerFile    = "server.pem"     // TLS certificate of the DevCertServer (127.0.0.1, ::1, localhost)
	DevServerKeyFile = "server-key.pem" // its key
)

// DevLeafName is the subject of the dev signing leaf: PayPal's sandbox name, the
// only kind of name the (fixed) leaf rule accepts.
const DevLeafName = "messageverificationcerts.sandbox.paypal.com"

// DevCertPath is where a DevCertServer serves the chain.
const DevCertPath = DefaultCertPathPrefix + "CERT-hookgate-dev"

// DevCA is a development PKI imitating PayPal's. The leaf key is RSA 2048 like
// PayPal's; the root, intermediate and TLS keys are ECDSA P-256, which is quick
// to generate and never signs a webhook.
type DevCA struct {
	Root    *x509.Certificate
	RootPEM []byte
	// ChainPEM is the leaf followed by the intermediate.
	ChainPEM   []byte
	Leaf       *x509.Certificate
	LeafKey    *rsa.PrivateKey
	LeafKeyPEM []byte
	// ServerCert is a TLS certificate for 127.0.0.1, ::1 and localhost issued by
	// Root, so one root_ca_file trusts both the server and the chain it serves.
	ServerCert    tls.Certificate
	ServerCertPEM []byte
	ServerKeyPEM  []byte

	// The CA keys exist only in a freshly generated DevCA (tests issue extra
	// certificates with them); they are never written to disk.
	rootKey, interKey crypto.Signer
	inter             *x509.Certificate
}

// NewDevCA generates a development PKI in memory, valid from an hour before now:
// the root for ten years, the intermediate for five, the leaf and TLS
// certificate for one.
func NewDevCA(now time.Time) (*DevCA, error) {
	rootKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: root key: %w", err)
	}
	interKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: intermediate key: %w", err)
	}
	leafKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: leaf key: %w", err)
	}
	serverKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: server key: %w", err)
	}
	start := now.Add(-time.Hour)
	year := 365 * 24 * time.Hour

	root, rootDER, err := issueCert(caTemplate("hookgate dev PayPal root", start, start.Add(10*year), 1), rootKey.Public(), nil, rootKey)
	if err != nil {
		return nil, err
	}
	inter, interDER, err := issueCert(caTemplate("hookgate dev PayPal intermediate", start, start.Add(5*year), 0), interKey.Public(), root, rootKey)
	if err != nil {
		return nil, err
	}
	leaf, leafDER, err := issueCert(leafTemplate(DevLeafName, start, start.Add(year)), leafKey.Public(), inter, interKey)
	if err != nil {
		return nil, err
	}
	_, serverDER, err := issueCert(serverTemplate(start, start.Add(year)), serverKey.Public(), root, rootKey)
	if err != nil {
		return nil, err
	}
	serverKeyDER, err := x509.MarshalPKCS8PrivateKey(serverKey)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: encode server key: %w", err)
	}
	leafKeyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: encode leaf key: %w", err)
	}
	ca := &DevCA{
		Root:          root,
		RootPEM:       pemCert(rootDER),
		ChainPEM:      append(pemCert(leafDER), pemCert(interDER)...),
		Leaf:          leaf,
		LeafKey:       leafKey,
		LeafKeyPEM:    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: leafKeyDER}),
		ServerCertPEM: pemCert(serverDER),
		ServerKeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: serverKeyDER}),
		rootKey:       rootKey,
		interKey:      interKey,
		inter:         inter,
	}
	ca.ServerCert, err = tls.X509KeyPair(ca.ServerCertPEM, ca.ServerKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: server key pair: %w", err)
	}
	return ca, nil
}

// GenerateDevCA generates a development PKI (NewDevCA at the current time) and
// writes it into dir (created 0700): ca.pem, leaf.pem, leaf-key.pem, server.pem
// and server-key.pem, keys with mode 0600. Existing files are replaced.
func GenerateDevCA(dir string) (*DevCA, error) {
	ca, err := NewDevCA(time.Now())
	if err != nil {
		return nil, err
	}
	if err := ca.WriteFiles(dir); err != nil {
		return nil, err
	}
	return ca, nil
}

// WriteFiles writes the PEM files of ca into dir (see GenerateDevCA).
func (ca *DevCA) WriteFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("paypal dev CA: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{DevRootFile, ca.RootPEM, 0o644},
		{DevChainFile, ca.ChainPEM, 0o644},
		{DevLeafKeyFile, ca.LeafKeyPEM, 0o600},
		{DevServerFile, ca.ServerCertPEM, 0o644},
		{DevServerKeyFile, ca.ServerKeyPEM, 0o600},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return fmt.Errorf("paypal dev CA: %w", err)
		}
	}
	return nil
}

// LoadDevCA reads a development PKI written by GenerateDevCA. The result can sign
// and serve, but not issue more certificates (the CA keys are not stored).
func LoadDevCA(dir string) (*DevCA, error) {
	read := func(name string) ([]byte, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("paypal dev CA: %w", err)
		}
		return b, nil
	}
	ca := &DevCA{}
	var err error
	if ca.RootPEM, err = read(DevRootFile); err != nil {
		return nil, err
	}
	if ca.ChainPEM, err = read(DevChainFile); err != nil {
		return nil, err
	}
	if ca.LeafKeyPEM, err = read(DevLeafKeyFile); err != nil {
		return nil, err
	}
	if ca.ServerCertPEM, err = read(DevServerFile); err != nil {
		return nil, err
	}
	if ca.ServerKeyPEM, err = read(DevServerKeyFile); err != nil {
		return nil, err
	}
	roots, err := ParseChain(ca.RootPEM)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: %s: %w", DevRootFile, err)
	}
	chain, err := ParseChain(ca.ChainPEM)
	if err != nil {
		return nil, fmt.Errorf("paypal dev CA: %s: %w", DevChainFile, err)
	}
	ca.Root, ca.Leaf = roots[0], chain[0]
	if ca.LeafKey, err = parsePrivateKey(ca.LeafKeyPEM); err != nil {
		return nil, fmt.Errorf("paypal dev CA: %s: %w", DevLeafKeyFile, err)
	}
	if !ca.LeafKey.PublicKey.Equal(ca.Leaf.PublicKey) {
		return nil, fmt.Errorf("paypal dev CA: %s does not match %s", DevLeafKeyFile, DevChainFile)
	}
	if ca.ServerCert, err = tls.X509KeyPair(ca.ServerCertPEM, ca.ServerKeyPEM); err != nil {
		return nil, fmt.Errorf("paypal dev CA: %s: %w", DevServerFile, err)
	}
	return ca, nil
}

// EnsureDevCA loads the development PKI in dir, or generates a new one when it is
// missing, unreadable or expires within a day (what `hookgate dev` calls at
// start-up, so a restart keeps the same root).
func EnsureDevCA(dir string) (*DevCA, error) {
	ca, err := LoadDevCA(dir)
	if err == nil && ca.ServerCert.Leaf != nil && time.Until(ca.Leaf.NotAfter) > 24*time.Hour &&
		time.Until(ca.ServerCert.Leaf.NotAfter) > 24*time.Hour {
		return ca, nil
	}
	return GenerateDevCA(dir)
}

func caTemplate(cn string, notBefore, notAfter time.Time, maxPathLen int) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"hookgate development"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            maxPathLen,
		MaxPathLenZero:        maxPathLen == 0,
	}
}

func leafTemplate(name string, notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{"hookgate development"}},
		DNSNames:              []string{name},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
}

func serverTemplate(notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: "hookgate dev certificate server"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
}

// issueCert signs tmpl for pub with parent/parentKey (self-signed when parent is
// nil), with a random serial number.
func issueCert(tmpl *x509.Certificate, pub crypto.PublicKey, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, []byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("paypal dev CA: serial: %w", err)
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("paypal dev CA: issue %q: %w", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("paypal dev CA: parse %q: %w", tmpl.Subject.CommonName, err)
	}
	return c, der, nil
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// DevCertServer serves a DevCA's chain over TLS at DevCertPath, standing in for
// PayPal's certificate host. Configure the source with cert_hosts: [Host()] and
// root_ca_file: the DevCA's ca.pem, and the signer with cert_url: CertURL().
type DevCertServer struct {
	chain []byte
	cert  tls.Certificate
	addr  string

	mu  sync.Mutex
	ln  net.Listener
	srv *http.Server
}

// NewDevCertServer returns a server for ca listening on addr once started;
// addr "" means 127.0.0.1 on a free port.
func NewDevCertServer(ca *DevCA, addr string) *DevCertServer {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	return &DevCertServer{chain: ca.ChainPEM, cert: ca.ServerCert, addr: addr}
}

// Start listens and serves in the background until Close.
func (s *DevCertServer) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("paypal dev cert server: already started")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("paypal dev cert server: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+DevCertPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(s.chain) // a failed write is the client's disconnect
	})
	srv := &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 5 * time.Second,
	}
	s.srv, s.ln = srv, ln
	// The goroutine serves its own srv: Close may clear s.srv before it runs.
	go func() { _ = srv.ServeTLS(ln, "", "") }() // returns ErrServerClosed on Close
	return nil
}

// Host is the listener's host:port, for options.cert_hosts.
func (s *DevCertServer) Host() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL is the server's base URL (https://127.0.0.1:port), "" before Start.
func (s *DevCertServer) URL() string {
	if h := s.Host(); h != "" {
		return "https://" + h
	}
	return ""
}

// CertURL is the PAYPAL-CERT-URL of the served chain, "" before Start.
func (s *DevCertServer) CertURL() string {
	if u := s.URL(); u != "" {
		return u + DevCertPath
	}
	return ""
}

// Close stops the server; it is safe to call more than once.
func (s *DevCertServer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	s.srv = nil
	return err
}

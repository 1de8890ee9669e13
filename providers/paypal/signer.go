package paypal

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/providers"
)

// SignMessage returns the base64 PAYPAL-TRANSMISSION-SIG for a delivery: the
// RSASSA-PKCS1-v1_5 SHA-256 signature of Message(...) with key.
func SignMessage(key *rsa.PrivateKey, transmissionID, transmissionTime, webhookID string, body []byte) (string, error) {
	digest := sha256.Sum256(Message(transmissionID, transmissionTime, webhookID, body))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("paypal: sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Signer signs requests the way PayPal does, with a development key whose
// certificate is served at CertURL (see GenerateDevCA and DevCertServer).
type Signer struct {
	Key       *rsa.PrivateKey
	CertURL   string
	WebhookID string
	// NewID returns a PAYPAL-TRANSMISSION-ID; nil means a random UUID.
	NewID func() string
}

var _ providers.Signer = (*Signer)(nil)

// NewSigner builds the Signer of a PayPal source from the same Spec as New. It
// needs options.signing_key_file (a PEM RSA private key, PKCS#1 or PKCS#8),
// options.cert_url, and a webhook ID (options.webhook_id, else in offline mode the
// first secret).
func NewSigner(spec providers.Spec) (providers.Signer, error) {
	s, o, err := resolve(spec)
	if err != nil {
		return nil, fmt.Errorf("paypal source %q: %w", spec.Source, err)
	}
	if o.SigningKeyFile == "" {
		return nil, fmt.Errorf("paypal source %q: options.signing_key_file: required to sign (the dev leaf key, e.g. leaf-key.pem from GenerateDevCA)", spec.Source)
	}
	if u, err := url.Parse(o.CertURL); o.CertURL == "" || err != nil || u.Scheme != "https" {
		return nil, fmt.Errorf("paypal source %q: options.cert_url: required to sign (the https URL serving the dev leaf's chain)", spec.Source)
	}
	key, err := LoadPrivateKey(o.SigningKeyFile)
	if err != nil {
		return nil, fmt.Errorf("paypal source %q: options.signing_key_file: %w", spec.Source, err)
	}
	return &Signer{Key: key, CertURL: o.CertURL, WebhookID: s.webhookIDs[0]}, nil
}

// Sign sets the five PAYPAL-* headers on r for r.Body, with r.Now (or the
// current time when zero) as the transmission time.
func (s *Signer) Sign(r *providers.Request) error {
	if r.Header == nil {
		return errors.New("paypal: sign: request has no header map")
	}
	if s.Key == nil || s.WebhookID == "" || s.CertURL == "" {
		return errors.New("paypal: sign: signer needs a key, a webhook ID and a cert URL")
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	id := uuid.NewString()
	if s.NewID != nil {
		id = s.NewID()
	}
	ts := now.UTC().Format(time.RFC3339)
	sig, err := SignMessage(s.Key, id, ts, s.WebhookID, r.Body)
	if err != nil {
		return err
	}
	r.Header.Set(HeaderTransmissionID, id)
	r.Header.Set(HeaderTransmissionTime, ts)
	r.Header.Set(HeaderTransmissionSig, sig)
	r.Header.Set(HeaderCertURL, s.CertURL)
	r.Header.Set(HeaderAuthAlgo, AuthAlgo)
	return nil
}

// LoadPrivateKey reads a PEM RSA private key (PKCS#1 "RSA PRIVATE KEY" or PKCS#8
// "PRIVATE KEY"). Errors never include the key material.
func LoadPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parsePrivateKey(data)
}

func parsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("not a valid PKCS#1 RSA key")
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("not a valid PKCS#8 key")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("not an RSA key")
		}
		return rk, nil
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
}

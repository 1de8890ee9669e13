// Package asymsig is the asymmetric-signature scheme family of the provider
// catalogue: the provider signs a template of a timestamp header and the raw
// body with its private key (Ed25519, or ECDSA P-256 with SHA-256), and a
// source is configured with the public key(s) the provider shows (Discord:
// the application's Ed25519 key, hex; SendGrid: the verification key, base64
// DER). Like the HMAC template (providers/hmac), a Scheme is data and Verify
// and Sign are pure functions of the request.
//
// Public: catalogue entries (providers/catalogue) carry a Scheme, so a team
// adding an asymmetric provider fills one in.
package asymsig

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// Encoding is how signatures and keys are written.
type Encoding string

// Encodings.
const (
	Hex    Encoding = "hex"
	Base64 Encoding = "base64"
)

// Placeholders of the signed payload.
const (
	PlaceholderTimestamp = "{timestamp}"
	PlaceholderBody      = "{body}"
)

// Algorithm is the signature algorithm.
type Algorithm string

// Algorithms.
const (
	// Ed25519 (the default): raw 32-byte public keys and 64-byte signatures.
	Ed25519 Algorithm = "ed25519"
	// ECDSAP256 is ECDSA on P-256 over SHA-256 of the message: PKIX DER public
	// keys, ASN.1 DER signatures.
	ECDSAP256 Algorithm = "ecdsa-p256-sha256"
)

// Scheme is one provider's asymmetric signature format.
type Scheme struct {
	// Algorithm defaults to Ed25519.
	Algorithm Algorithm
	// SignatureHeader carries the signature; TimestampHeader the signed
	// timestamp (unix seconds).
	SignatureHeader, TimestampHeader string
	// SignedPayload is the template of the signed bytes, e.g.
	// "{timestamp}{body}" (Discord) or "{timestamp}|{body}" (Telnyx).
	SignedPayload string
	// Encoding of the signature and of the configured keys.
	Encoding Encoding
	// Tolerance, when set, is the accepted age of the timestamp either way;
	// zero checks none (the provider documents none).
	Tolerance time.Duration
}

// Validate checks the scheme once; a catalogue test runs it over every entry.
func (s *Scheme) Validate() error {
	switch {
	case s.SignatureHeader == "" || s.TimestampHeader == "":
		return errors.New("asymsig: signature and timestamp headers are required")
	case strings.Count(s.SignedPayload, PlaceholderBody) != 1 || strings.Count(s.SignedPayload, PlaceholderTimestamp) != 1:
		return errors.New("asymsig: the signed payload needs {timestamp} and {body} once each")
	case s.Encoding != Hex && s.Encoding != Base64:
		return fmt.Errorf("asymsig: encoding must be hex or base64, got %q", s.Encoding)
	case s.Algorithm != "" && s.Algorithm != Ed25519 && s.Algorithm != ECDSAP256:
		return fmt.Errorf("asymsig: unknown algorithm %q", s.Algorithm)
	case s.Tolerance < 0:
		return errors.New("asymsig: tolerance must not be negative")
	}
	return nil
}

func (s *Scheme) decode(v string) ([]byte, error) {
	if s.Encoding == Base64 {
		return base64.StdEncoding.DecodeString(v)
	}
	return hex.DecodeString(v)
}

func (s *Scheme) encode(b []byte) string {
	if s.Encoding == Base64 {
		return base64.StdEncoding.EncodeToString(b)
	}
	return hex.EncodeToString(b)
}

// ParseKeys decodes the configured public keys; the error names the index
// but never the value.
func (s *Scheme) ParseKeys(keys []string) ([]crypto.PublicKey, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("secrets: at least one public key is required: %w", providers.ErrNoSecret)
	}
	out := make([]crypto.PublicKey, 0, len(keys))
	for i, k := range keys {
		b, err := s.decode(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("secrets[%d]: not %s: %w", i, s.Encoding, providers.ErrNoSecret)
		}
		if s.Algorithm == ECDSAP256 {
			pub, err := x509.ParsePKIXPublicKey(b)
			ec, ok := pub.(*ecdsa.PublicKey)
			if err != nil || !ok || ec.Curve != elliptic.P256() {
				return nil, fmt.Errorf("secrets[%d]: not a PKIX DER ECDSA P-256 public key: %w", i, providers.ErrNoSecret)
			}
			out = append(out, ec)
			continue
		}
		if len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("secrets[%d]: not a %s-encoded Ed25519 public key (%d bytes): %w", i, s.Encoding, ed25519.PublicKeySize, providers.ErrNoSecret)
		}
		out = append(out, ed25519.PublicKey(b))
	}
	return out, nil
}

// message is the signed payload for ts and body.
func (s *Scheme) message(ts string, body []byte) []byte {
	before, after, _ := strings.Cut(s.SignedPayload, PlaceholderBody)
	before = strings.Replace(before, PlaceholderTimestamp, ts, 1)
	after = strings.Replace(after, PlaceholderTimestamp, ts, 1)
	msg := make([]byte, 0, len(before)+len(body)+len(after))
	msg = append(msg, before...)
	msg = append(msg, body...)
	return append(msg, after...)
}

// Verify checks r's signature against any of keys, then the timestamp's age
// when a tolerance is set. Errors wrap the providers sentinels.
func (s *Scheme) Verify(r *providers.Request, keys []crypto.PublicKey, now time.Time) error {
	sigText, err := single(r.Header, s.SignatureHeader)
	if err != nil {
		return err
	}
	ts, err := single(r.Header, s.TimestampHeader)
	if err != nil {
		return err
	}
	sig, err := s.decode(sigText)
	if err != nil || (s.Algorithm != ECDSAP256 && len(sig) != ed25519.SignatureSize) || len(sig) == 0 {
		return fmt.Errorf("asymsig: %s is not a %s-encoded signature: %w", s.SignatureHeader, s.Encoding, providers.ErrInvalidHeader)
	}
	msg := s.message(ts, r.Body)
	digest := sha256.Sum256(msg)
	ok := false
	for _, k := range keys {
		switch k := k.(type) {
		case ed25519.PublicKey:
			ok = ed25519.Verify(k, msg, sig) || ok
		case *ecdsa.PublicKey:
			ok = ecdsa.VerifyASN1(k, digest[:], sig) || ok
		}
	}
	if !ok {
		return fmt.Errorf("asymsig: %w", providers.ErrNoValidSignature)
	}
	if s.Tolerance == 0 {
		return nil
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || strings.Trim(ts, "0123456789") != "" {
		return fmt.Errorf("asymsig: timestamp is not a unix time in seconds: %w", providers.ErrInvalidHeader)
	}
	if err := providers.CheckAge(time.Unix(sec, 0), now, s.Tolerance); err != nil {
		return fmt.Errorf("asymsig: %w", err)
	}
	return nil
}

// Sign sets the timestamp (r.Now) and signature headers as the provider does,
// with the private key (tests, `hookgate send`).
func (s *Scheme) Sign(r *providers.Request, key crypto.Signer) error {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	ts := strconv.FormatInt(r.Now.Unix(), 10)
	msg := s.message(ts, r.Body)
	var sig []byte
	var err error
	switch k := key.(type) {
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, msg)
	case *ecdsa.PrivateKey:
		digest := sha256.Sum256(msg)
		sig, err = ecdsa.SignASN1(rand.Reader, k, digest[:])
	default:
		err = fmt.Errorf("asymsig: unsupported key %T", key)
	}
	if err != nil {
		return err
	}
	r.Header.Set(s.TimestampHeader, ts)
	r.Header.Set(s.SignatureHeader, s.encode(sig))
	return nil
}

// ParsePrivateKey decodes a signing key in the scheme's encoding: for
// Ed25519 a 32-byte seed or a 64-byte key; for ECDSA a PKCS #8 or SEC 1 DER
// key.
func (s *Scheme) ParsePrivateKey(v string) (crypto.Signer, error) {
	b, err := s.decode(strings.TrimSpace(v))
	if err != nil {
		return nil, fmt.Errorf("signing key: not %s", s.Encoding)
	}
	if s.Algorithm == ECDSAP256 {
		if k, err := x509.ParsePKCS8PrivateKey(b); err == nil {
			if ec, ok := k.(*ecdsa.PrivateKey); ok {
				return ec, nil
			}
		}
		if ec, err := x509.ParseECPrivateKey(b); err == nil {
			return ec, nil
		}
		return nil, errors.New("signing key: not a PKCS #8 or SEC 1 ECDSA key")
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		return ed25519.PrivateKey(b), nil
	}
	return nil, fmt.Errorf("signing key: %d bytes, want a %d-byte seed or a %d-byte key", len(b), ed25519.SeedSize, ed25519.PrivateKeySize)
}

// EncodeKey writes a key (public key or seed) in the scheme's encoding.
func (s *Scheme) EncodeKey(b []byte) string { return s.encode(b) }

func single(h http.Header, name string) (string, error) {
	v := h[http.CanonicalHeaderKey(name)]
	switch {
	case len(v) == 0 || v[0] == "":
		return "", fmt.Errorf("asymsig: missing %s header: %w", name, providers.ErrNotSigned)
	case len(v) > 1:
		return "", fmt.Errorf("asymsig: %d %s headers, want one: %w", len(v), name, providers.ErrInvalidHeader)
	}
	return v[0], nil
}

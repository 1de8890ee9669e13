package snssig

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // SignatureVersion 1 is RSA-SHA1, as SNS signs it.
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// hashFor returns the digest of SignatureVersion v over b.
func hashFor(v string, b []byte) (crypto.Hash, []byte, error) {
	switch v {
	case "1":
		d := sha1.Sum(b) //nolint:gosec // SNS's version 1
		return crypto.SHA1, d[:], nil
	case "2":
		d := sha256.Sum256(b)
		return crypto.SHA256, d[:], nil
	}
	return 0, nil, fmt.Errorf("sns: SignatureVersion %q is not 1 or 2: %w", v, providers.ErrInvalidHeader)
}

// Verify checks a parsed message: its topic is one of topics (an SNS topic
// can be subscribed to any endpoint by anyone, so the signature alone does
// not make a message the source's), its SigningCertURL is allowed, and its
// signature verifies with that certificate. A message whose certificate
// cannot be fetched now wraps ErrUnavailable.
func (c *Client) Verify(ctx context.Context, m *Message, topics []string, now time.Time) error {
	if !slices.Contains(topics, m.TopicArn) {
		return fmt.Errorf("sns: TopicArn is not one of the source's topics: %w", providers.ErrNoValidSignature)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("sns: Signature is not base64: %w", providers.ErrInvalidHeader)
	}
	h, digest, err := hashFor(m.SignatureVersion, m.StringToSign())
	if err != nil {
		return err
	}
	if err := c.Policy.CheckCertURL(m.SigningCertURL); err != nil {
		return err
	}
	cert, err := c.Certificate(ctx, m.SigningCertURL, now)
	if err != nil {
		return err
	}
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), h, digest, sig); err != nil {
		return fmt.Errorf("sns: signature does not verify with the certificate: %w", providers.ErrNoValidSignature)
	}
	return nil
}

// Sign signs m in place (SignatureVersion, SigningCertURL, Signature) with
// key, the private key of the certificate served at certURL, and returns
// its JSON: what SNS posts. Tests and `hookgate send` use it.
func Sign(m *Message, key *rsa.PrivateKey, certURL, version string) ([]byte, error) {
	m.SignatureVersion, m.SigningCertURL = version, certURL
	h, digest, err := hashFor(version, m.StringToSign())
	if err != nil {
		return nil, err
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, digest)
	if err != nil {
		return nil, err
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
	return json.Marshal(m)
}

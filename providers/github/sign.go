package github

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/hookgate/hookgate/providers"
)

// SignPayload returns the X-Hub-Signature-256 value GitHub sends for payload
// under secret: "sha256=<hex>".
func SignPayload(payload []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// signPayloadSHA1 returns the legacy X-Hub-Signature value. It is only sent, by
// the Signer, because GitHub sends it too; it is never verified.
func signPayloadSHA1(payload []byte, secret string) string {
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write(payload)
	return "sha1=" + hex.EncodeToString(mac.Sum(nil))
}

// NewSigner builds the providers.Signer of a GitHub source (a
// providers.SignerFactory). Like GitHub, it sets both X-Hub-Signature-256 and
// the legacy X-Hub-Signature, with the first secret. It does not set the
// delivery or event headers: those come with the fixture being sent.
func NewSigner(spec providers.Spec) (providers.Signer, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	if _, err := loadOptions(spec); err != nil {
		return nil, err
	}
	return signer{secret: spec.Secrets[0]}, nil
}

type signer struct{ secret string }

// Sign sets r.Header's signature headers, replacing earlier values.
func (s signer) Sign(r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("github: sign: nil request")
	}
	if s.secret == "" {
		return fmt.Errorf("github: sign: %w", providers.ErrNoSecret)
	}
	if r.Header == nil {
		r.Header = make(map[string][]string)
	}
	r.Header.Set(SignatureHeader, SignPayload(r.Body, s.secret))
	r.Header.Set(LegacySignatureHeader, signPayloadSHA1(r.Body, s.secret))
	return nil
}

package shopify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/hookgate/hookgate/providers"
)

// SignPayload returns the X-Shopify-Hmac-Sha256 value Shopify sends for payload
// under secret: standard base64 of HMAC-SHA256.
func SignPayload(payload []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// NewSigner builds the providers.Signer of a Shopify source (a
// providers.SignerFactory): it sets X-Shopify-Hmac-Sha256 with the first
// secret. Topic and ID headers come with the fixture being sent.
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

// Sign sets r.Header's X-Shopify-Hmac-Sha256, replacing an earlier value and
// removing an unprefixed Shopify-Hmac-Sha256 that would now conflict.
func (s signer) Sign(r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("shopify: sign: nil request")
	}
	if s.secret == "" {
		return fmt.Errorf("shopify: sign: %w", providers.ErrNoSecret)
	}
	if r.Header == nil {
		r.Header = make(map[string][]string)
	}
	r.Header.Del(prefixNew + HMACHeader)
	r.Header.Set(prefixLegacy+HMACHeader, SignPayload(r.Body, s.secret))
	return nil
}

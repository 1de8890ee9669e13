package stripe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// ComputeSignature returns the raw HMAC-SHA256 Stripe computes for payload at t
// with secret (the whole string, "whsec_" prefix included).
func ComputeSignature(payload []byte, secret string, t time.Time) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(strconv.AppendInt(nil, t.Unix(), 10))
	mac.Write([]byte{'.'})
	mac.Write(payload)
	return mac.Sum(nil)
}

// SignHeader returns the Stripe-Signature value Stripe would send for payload
// signed with secret at t: "t=<unix>,v1=<hex>".
func SignHeader(payload []byte, secret string, t time.Time) string {
	return "t=" + strconv.FormatInt(t.Unix(), 10) + "," + signingVersion + "=" +
		hex.EncodeToString(ComputeSignature(payload, secret, t))
}

// NewSigner builds the providers.Signer of a Stripe source (a
// providers.SignerFactory): it sets Stripe-Signature with t = r.Now (the current
// time when r.Now is zero), signed with the first secret.
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

// Sign sets r.Header's Stripe-Signature, replacing any earlier value.
func (s signer) Sign(r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("stripe: sign: nil request")
	}
	if s.secret == "" {
		return fmt.Errorf("stripe: sign: %w", providers.ErrNoSecret)
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	if r.Header == nil {
		r.Header = make(map[string][]string)
	}
	r.Header.Set(SignatureHeader, SignHeader(r.Body, s.secret, now))
	return nil
}

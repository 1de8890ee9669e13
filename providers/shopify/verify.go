// Package shopify authenticates and identifies Shopify webhooks.
//
// Shopify signs the raw body with HMAC-SHA256 keyed by the app's client secret
// and sends the base64 digest in `X-Shopify-Hmac-Sha256`. Newer deliveries may
// use unprefixed header names (`Shopify-Hmac-Sha256`, …); every header is read
// under both spellings. There is no signed timestamp.
//
// The event ID (the dedupe key) is `X-Shopify-Event-Id`, Shopify's documented
// duplicate indicator; when a delivery lacks it, `X-Shopify-Webhook-Id` is used
// instead. The type is `X-Shopify-Topic` (e.g. "orders/create").
package shopify

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/hookgate/hookgate/providers"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// Name is the provider name of this package in source configuration.
const Name = providers.Shopify

// Header names without their "X-Shopify-" or "Shopify-" prefix; Header reads
// both spellings.
const (
	HMACHeader      = "Hmac-Sha256"
	EventIDHeader   = "Event-Id"
	WebhookIDHeader = "Webhook-Id"
	TopicHeader     = "Topic"
)

// The two header prefixes Shopify uses, legacy first.
const (
	prefixLegacy = "X-Shopify-"
	prefixNew    = "Shopify-"
)

// encodedLen is the length of a padded standard-base64 SHA-256 digest.
var encodedLen = base64.StdEncoding.EncodedLen(sha256.Size)

// Options are the `options:` of a Shopify source. There are none today; the
// struct exists so a malformed `options:` block is still reported.
type Options struct{}

func loadOptions(spec providers.Spec) (Options, error) {
	var o Options
	if spec.Options != nil {
		if err := spec.Options(&o); err != nil {
			// The Spec's decoder names the options block and the field itself.
			return o, err
		}
	}
	return o, nil
}

// checkSecrets rejects an empty secret list or an empty entry: HMAC with an
// empty key is a signature anyone can compute.
func checkSecrets(secrets []string) error {
	return providers.RequireSecrets(secrets, "secret (the app's client secret, or the store's webhook signing secret)")
}

// New builds the Provider of a Shopify source (a providers.Factory). It fails
// with an error wrapping providers.ErrNoSecret when spec.Secrets is empty.
func New(spec providers.Spec) (providers.Provider, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	if _, err := loadOptions(spec); err != nil {
		return nil, err
	}
	return &provider{secrets: append([]string(nil), spec.Secrets...)}, nil
}

// provider is the Shopify providers.Provider. Its zero value rejects everything.
type provider struct {
	secrets []string
}

// Header returns the single value of a Shopify header given without its prefix
// (HMACHeader, TopicHeader, …), read as X-Shopify-<name> or Shopify-<name>.
// It reports found=false when neither is present, and ok=false when the header
// is ambiguous: repeated under one spelling, or present under both with
// different values (the same value under both is accepted, for deliveries sent
// during a renaming).
func Header(h http.Header, name string) (value string, found, ok bool) {
	legacy := h.Values(prefixLegacy + name)
	current := h.Values(prefixNew + name)
	if len(legacy) > 1 || len(current) > 1 {
		return "", true, false
	}
	switch {
	case len(legacy) == 1 && len(current) == 1:
		return legacy[0], true, legacy[0] == current[0]
	case len(legacy) == 1:
		return legacy[0], true, true
	case len(current) == 1:
		return current[0], true, true
	}
	return "", false, true
}

// Verify checks the HMAC header against the raw body. A missing header is
// ErrNotSigned; a repeated or conflicting one is ErrInvalidHeader.
func (p *provider) Verify(_ context.Context, r *providers.Request) error {
	if len(p.secrets) == 0 {
		return fmt.Errorf("shopify: %w", providers.ErrNoSecret)
	}
	if r == nil {
		return fmt.Errorf("shopify: no request: %w", providers.ErrNotSigned)
	}
	sig, found, ok := Header(r.Header, HMACHeader)
	switch {
	case !found:
		return fmt.Errorf("shopify: missing %s%s header: %w", prefixLegacy, HMACHeader, providers.ErrNotSigned)
	case !ok:
		return fmt.Errorf("shopify: repeated or conflicting %s%s headers: %w", prefixLegacy, HMACHeader, providers.ErrInvalidHeader)
	}
	return VerifySignature(r.Body, sig, p.secrets)
}

// Scheme is Shopify's signature as an instance of the HMAC template family
// (providers/hmac): the base64 HMAC-SHA256 of the raw body. The family's code
// verifies it; this package adds what the family does not hold: the two
// spellings of every header (Header), and the event ID and topic headers
// (Identify).
var Scheme = hmacsig.Template{
	Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
	Header: prefixLegacy + HMACHeader,
}

// VerifySignature reports whether header (an X-Shopify-Hmac-Sha256 value, the
// standard base64 of a 32-byte digest) is the HMAC-SHA256 of payload under one
// of secrets. Errors wrap providers.ErrNoSecret (no non-empty secret),
// ErrNotSigned (empty header), ErrInvalidHeader (not base64 of 32 bytes) or
// ErrNoValidSignature. The comparison is constant-time.
func VerifySignature(payload []byte, header string, secrets []string) error {
	if !slices.ContainsFunc(secrets, func(s string) bool { return s != "" }) {
		return fmt.Errorf("shopify: %w", providers.ErrNoSecret)
	}
	if header == "" {
		return fmt.Errorf("shopify: empty %s%s header: %w", prefixLegacy, HMACHeader, providers.ErrNotSigned)
	}
	r := &providers.Request{Header: http.Header{Scheme.Header: {header}}, Body: payload}
	if err := Scheme.Verify(r, slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return s == "" }), time.Time{}); err != nil {
		return fmt.Errorf("shopify: %w", err)
	}
	return nil
}

func anySecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}

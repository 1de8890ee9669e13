// Package github authenticates and identifies GitHub webhooks.
//
// GitHub signs the raw body with HMAC-SHA256 keyed by the hook's secret and sends
// `X-Hub-Signature-256: sha256=<hex>`. The legacy SHA-1 `X-Hub-Signature` is
// never accepted on its own. There is no signed timestamp, and GitHub never
// redelivers by itself, so there is no tolerance to configure.
//
// The event ID (the dedupe key) is the `X-GitHub-Delivery` header, which a
// manual redelivery keeps; the type is `X-GitHub-Event` (e.g. "push", "ping").
// A hook configured with content type application/x-www-form-urlencoded posts
// `payload=<json>`: the signature covers that form body, and Decode extracts the
// JSON for handlers.
package github

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/hookgate/hookgate/providers"
)

// Name is the provider name of this package in source configuration.
const Name = providers.GitHub

// Headers GitHub sends.
const (
	// SignatureHeader carries "sha256=<hex HMAC-SHA256(secret, body)>".
	SignatureHeader = "X-Hub-Signature-256"
	// LegacySignatureHeader carries the SHA-1 signature; it is ignored, and a
	// request signed only with it is rejected as not signed.
	LegacySignatureHeader = "X-Hub-Signature"
	// DeliveryHeader is the delivery GUID, the event ID.
	DeliveryHeader = "X-GitHub-Delivery"
	// EventHeader is the event type.
	EventHeader = "X-GitHub-Event"
)

// signaturePrefix introduces the hex digest in SignatureHeader.
const signaturePrefix = "sha256="

// Options are the `options:` of a GitHub source. There are none today: the
// struct exists so that a future option is not a breaking change, and so that
// a malformed `options:` block is still reported.
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
	return providers.RequireSecrets(secrets, "webhook secret (the hook's Secret in GitHub's webhook settings)")
}

// New builds the Provider of a GitHub source (a providers.Factory). The Provider
// also implements providers.Decoder. New fails with an error wrapping
// providers.ErrNoSecret when spec.Secrets is empty.
func New(spec providers.Spec) (providers.Provider, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	if _, err := loadOptions(spec); err != nil {
		return nil, err
	}
	return &provider{secrets: append([]string(nil), spec.Secrets...)}, nil
}

// provider is the GitHub providers.Provider and providers.Decoder. Its zero
// value rejects everything.
type provider struct {
	secrets []string
}

var (
	_ providers.Provider = (*provider)(nil)
	_ providers.Decoder  = (*provider)(nil)
)

// Verify checks X-Hub-Signature-256 against the raw body. A missing header is
// ErrNotSigned (also when only the SHA-1 header is present); a repeated one is
// ErrInvalidHeader. The delivery and event headers are not signed by GitHub and
// are checked by Identify instead.
func (p *provider) Verify(_ context.Context, r *providers.Request) error {
	if len(p.secrets) == 0 {
		return fmt.Errorf("github: %w", providers.ErrNoSecret)
	}
	if r == nil {
		return fmt.Errorf("github: no request: %w", providers.ErrNotSigned)
	}
	values := r.Header.Values(SignatureHeader)
	switch len(values) {
	case 0:
		if r.Header.Get(LegacySignatureHeader) != "" {
			return fmt.Errorf("github: only the SHA-1 %s header, which is not accepted; GitHub sends %s with every signed delivery: %w",
				LegacySignatureHeader, SignatureHeader, providers.ErrNotSigned)
		}
		return fmt.Errorf("github: missing %s header (is a secret set on the hook?): %w", SignatureHeader, providers.ErrNotSigned)
	case 1:
	default:
		return fmt.Errorf("github: %d %s headers, want one: %w", len(values), SignatureHeader, providers.ErrInvalidHeader)
	}
	return VerifySignature(r.Body, values[0], p.secrets)
}

// VerifySignature reports whether header (an X-Hub-Signature-256 value,
// "sha256=<64 hex digits>") is the HMAC-SHA256 of payload under one of secrets.
// Errors wrap providers.ErrNoSecret (no non-empty secret), ErrNotSigned (empty
// header), ErrInvalidHeader (no "sha256=" prefix, or not 64 hex digits) or
// ErrNoValidSignature. The comparison is constant-time.
func VerifySignature(payload []byte, header string, secrets []string) error {
	if !anySecret(secrets) {
		return fmt.Errorf("github: %w", providers.ErrNoSecret)
	}
	got, err := parseSignature(header)
	if err != nil {
		return err
	}
	matched := false
	var want [sha256.Size]byte
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(payload)
		// No early return: timing must not reveal which secret matched.
		if hmac.Equal(mac.Sum(want[:0]), got[:]) {
			matched = true
		}
	}
	if !matched {
		return fmt.Errorf("github: %w", providers.ErrNoValidSignature)
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

// parseSignature decodes "sha256=<64 hex digits>" (hex in either case).
func parseSignature(header string) ([sha256.Size]byte, error) {
	var out [sha256.Size]byte
	if header == "" {
		return out, fmt.Errorf("github: empty %s header: %w", SignatureHeader, providers.ErrNotSigned)
	}
	digest, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok {
		return out, fmt.Errorf("github: %s does not start with %q: %w", SignatureHeader, signaturePrefix, providers.ErrInvalidHeader)
	}
	out, ok = providers.DecodeHex32(digest)
	if !ok {
		return out, fmt.Errorf("github: %s is not 64 hex digits after %q: %w", SignatureHeader, signaturePrefix, providers.ErrInvalidHeader)
	}
	return out, nil
}

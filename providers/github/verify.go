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
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/hookgate/hookgate/providers"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
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
	if values[0] == "" {
		return fmt.Errorf("github: empty %s header: %w", SignatureHeader, providers.ErrNotSigned)
	}
	// p.secrets holds no empty secret (New refuses one).
	if err := Scheme.Verify(r, p.secrets, time.Time{}); err != nil {
		return fmt.Errorf("github: %w", err)
	}
	return nil
}

// Scheme is GitHub's signature as an instance of the HMAC template family
// (providers/hmac): "sha256=" and the hex HMAC-SHA256 of the raw body in
// X-Hub-Signature-256. The family's code verifies it; this package adds what
// the family does not hold: the refusal of the legacy SHA-1 header alone,
// the delivery and event headers (Identify), and the form-encoded body
// (Decode).
var Scheme = hmacsig.Template{
	Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
	Header: SignatureHeader, Prefix: signaturePrefix,
}

// VerifySignature reports whether header (an X-Hub-Signature-256 value,
// "sha256=<64 hex digits>") is the HMAC-SHA256 of payload under one of secrets.
// Errors wrap providers.ErrNoSecret (no non-empty secret), ErrNotSigned (empty
// header), ErrInvalidHeader (no "sha256=" prefix, or not 64 hex digits) or
// ErrNoValidSignature. The comparison is constant-time.
func VerifySignature(payload []byte, header string, secrets []string) error {
	if !slices.ContainsFunc(secrets, func(s string) bool { return s != "" }) {
		return fmt.Errorf("github: %w", providers.ErrNoSecret)
	}
	if header == "" {
		return fmt.Errorf("github: empty %s header: %w", SignatureHeader, providers.ErrNotSigned)
	}
	r := &providers.Request{Header: http.Header{SignatureHeader: {header}}, Body: payload}
	if err := Scheme.Verify(r, slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return s == "" }), time.Time{}); err != nil {
		return fmt.Errorf("github: %w", err)
	}
	return nil
}

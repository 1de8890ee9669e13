// Package token authenticates webhooks that carry a shared secret token in a
// header (GitLab's X-Gitlab-Token, Telegram's X-Telegram-Bot-Api-Secret-Token,
// many in-house senders). The token is compared in constant time against
// every configured secret, so tokens can be rotated.
//
// A token proves only that the sender knows the secret: it does not cover the
// body and has no timestamp, so prefer an HMAC scheme where the sender offers
// one. Event IDs and types come from the generic rules of providers/hmac
// (options event_id and event_type).
package token

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookgate/hookgate/providers"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// Name is the provider name of this package in source configuration.
const Name = providers.Token

// DefaultHeader carries the token when options.header is not set.
const DefaultHeader = "X-Webhook-Token"

// Options are the `options:` of a token source.
type Options struct {
	// Header carries the token. Default X-Webhook-Token.
	Header string `yaml:"header"`
	// Prefix precedes the token in the header, e.g. "Bearer " with
	// header: Authorization. It must be present and is not part of the token.
	Prefix string `yaml:"prefix"`

	hmacsig.EventRules `yaml:",inline"`
}

func (o *Options) setDefaults() {
	if o.Header == "" {
		o.Header = DefaultHeader
	}
}

func (o *Options) validate() error {
	if strings.ContainsAny(o.Header, " \t:\r\n") {
		return fmt.Errorf("options.header: %q is not a valid HTTP header name", o.Header)
	}
	return nil
}

func loadOptions(spec providers.Spec) (Options, hmacsig.Identifier, error) {
	var o Options
	if spec.Options != nil {
		if err := spec.Options(&o); err != nil {
			// The Spec's decoder names the options block and the field itself.
			return o, hmacsig.Identifier{}, err
		}
	}
	o.setDefaults()
	if err := o.validate(); err != nil {
		return o, hmacsig.Identifier{}, err
	}
	id, err := o.EventRules.Compile()
	return o, id, err
}

// checkSecrets rejects an empty secret list or an empty entry, which would
// match a request that sends an empty token.
func checkSecrets(secrets []string) error {
	return providers.RequireSecrets(secrets, "token")
}

// New builds the Provider of a token source (a providers.Factory). It fails
// with an error wrapping providers.ErrNoSecret when spec.Secrets is empty.
func New(spec providers.Spec) (providers.Provider, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	o, ident, err := loadOptions(spec)
	if err != nil {
		return nil, err
	}
	return &provider{
		header:  http.CanonicalHeaderKey(o.Header),
		prefix:  o.Prefix,
		secrets: append([]string(nil), spec.Secrets...),
		ident:   ident,
	}, nil
}

// provider is the token providers.Provider. Its zero value rejects everything.
type provider struct {
	header  string // canonical
	prefix  string
	secrets []string
	ident   hmacsig.Identifier
}

// Verify checks the token header. A missing header is ErrNotSigned; a
// repeated one, or one without the configured prefix, is ErrInvalidHeader.
func (p *provider) Verify(_ context.Context, r *providers.Request) error {
	if len(p.secrets) == 0 || p.header == "" {
		return fmt.Errorf("token: %w", providers.ErrNoSecret)
	}
	if r == nil {
		return fmt.Errorf("token: no request: %w", providers.ErrNotSigned)
	}
	values := r.Header[p.header]
	switch {
	case len(values) == 0 || values[0] == "":
		return fmt.Errorf("token: missing %s header: %w", p.header, providers.ErrNotSigned)
	case len(values) > 1:
		return fmt.Errorf("token: %d %s headers, want one: %w", len(values), p.header, providers.ErrInvalidHeader)
	}
	tok, ok := strings.CutPrefix(values[0], p.prefix)
	if !ok {
		return fmt.Errorf("token: %s does not start with the configured prefix: %w", p.header, providers.ErrInvalidHeader)
	}
	return VerifyToken(tok, p.secrets)
}

// VerifyToken reports whether token equals one of secrets. Both sides are
// hashed with SHA-256 first so that the constant-time comparison does not
// leak the secret's length either. Errors wrap providers.ErrNoSecret (no
// non-empty secret), ErrNotSigned (empty token) or ErrNoValidSignature.
func VerifyToken(token string, secrets []string) error {
	configured := false
	for _, s := range secrets {
		if s != "" {
			configured = true
		}
	}
	if !configured {
		return fmt.Errorf("token: %w", providers.ErrNoSecret)
	}
	if token == "" {
		return fmt.Errorf("token: empty token: %w", providers.ErrNotSigned)
	}
	got := sha256.Sum256([]byte(token))
	matched := 0
	for _, s := range secrets {
		if s == "" {
			continue
		}
		want := sha256.Sum256([]byte(s))
		// No early return: timing must not reveal which secret matched.
		matched |= subtle.ConstantTimeCompare(got[:], want[:])
	}
	if matched != 1 {
		return fmt.Errorf("token: %w", providers.ErrNoValidSignature)
	}
	return nil
}

// Identify applies the source's event_id and event_type rules (see
// hmacsig.Identifier.Identify).
func (p *provider) Identify(r *providers.Request) (providers.Event, error) {
	ev, err := p.ident.Identify(r)
	if err != nil {
		return providers.Event{}, fmt.Errorf("token: %w", err)
	}
	return ev, nil
}

// CredentialHeaders names the configured token header: it carries the shared
// secret verbatim (providers.Provider).
func (p *provider) CredentialHeaders() []string { return []string{p.header} }

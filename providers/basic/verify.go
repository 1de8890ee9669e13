// Package basic authenticates webhooks sent with HTTP Basic credentials in the
// URL or an Authorization header (Postmark, many in-house senders). Secrets
// are "user:password" strings, compared in constant time; any of them may
// match, so credentials can be rotated.
//
// Like a token, Basic credentials do not cover the body and carry no
// timestamp. Event IDs and types come from the generic rules of
// providers/hmac (options event_id and event_type).
package basic

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/hookgate/hookgate/providers"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// Name is the provider name of this package in source configuration.
const Name = providers.Basic

// AuthorizationHeader carries the credentials.
const AuthorizationHeader = "Authorization"

// scheme is the auth-scheme name, matched case-insensitively (RFC 7235).
const scheme = "Basic"

// Options are the `options:` of a Basic source: only the shared event_id and
// event_type rules.
type Options struct {
	hmacsig.EventRules `yaml:",inline"`
}

func loadOptions(spec providers.Spec) (hmacsig.Identifier, error) {
	var o Options
	if spec.Options != nil {
		if err := spec.Options(&o); err != nil {
			// The Spec's decoder names the options block and the field itself.
			return hmacsig.Identifier{}, err
		}
	}
	return o.EventRules.Compile()
}

// checkSecrets requires "user:password" entries with both parts non-empty.
// The message never repeats the entry.
func checkSecrets(secrets []string) error {
	if len(secrets) == 0 {
		return fmt.Errorf("secrets: at least one user:password credential is required: %w", providers.ErrNoSecret)
	}
	for i, s := range secrets {
		user, password, ok := strings.Cut(s, ":")
		if !ok || user == "" || password == "" {
			return fmt.Errorf("secrets[%d]: want user:password with both parts non-empty: %w", i, providers.ErrNoSecret)
		}
	}
	return nil
}

// New builds the Provider of a Basic source (a providers.Factory). It fails
// with an error wrapping providers.ErrNoSecret when spec.Secrets is empty or
// an entry is not user:password.
func New(spec providers.Spec) (providers.Provider, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	ident, err := loadOptions(spec)
	if err != nil {
		return nil, err
	}
	return &provider{secrets: append([]string(nil), spec.Secrets...), ident: ident}, nil
}

// provider is the Basic providers.Provider. Its zero value rejects everything.
type provider struct {
	secrets []string
	ident   hmacsig.Identifier
}

// Verify checks the Authorization header. A missing header is ErrNotSigned; a
// repeated or malformed one ErrInvalidHeader.
func (p *provider) Verify(_ context.Context, r *providers.Request) error {
	if len(p.secrets) == 0 {
		return fmt.Errorf("basic: %w", providers.ErrNoSecret)
	}
	if r == nil {
		return fmt.Errorf("basic: no request: %w", providers.ErrNotSigned)
	}
	values := r.Header[AuthorizationHeader]
	switch {
	case len(values) == 0 || values[0] == "":
		return fmt.Errorf("basic: missing %s header: %w", AuthorizationHeader, providers.ErrNotSigned)
	case len(values) > 1:
		return fmt.Errorf("basic: %d %s headers, want one: %w", len(values), AuthorizationHeader, providers.ErrInvalidHeader)
	}
	user, password, err := ParseAuthorization(values[0])
	if err != nil {
		return err
	}
	return VerifyCredentials(user, password, p.secrets)
}

// ParseAuthorization decodes an Authorization value "Basic <base64(user:password)>"
// (scheme name in any case, one or more spaces, standard padded base64; the
// user is everything before the first colon, as RFC 7617 requires). Errors
// wrap providers.ErrNotSigned (empty) or providers.ErrInvalidHeader, and never
// repeat the credentials.
func ParseAuthorization(header string) (user, password string, err error) {
	if header == "" {
		return "", "", fmt.Errorf("basic: empty %s header: %w", AuthorizationHeader, providers.ErrNotSigned)
	}
	name, rest, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(name, scheme) {
		return "", "", fmt.Errorf("basic: %s is not Basic credentials: %w", AuthorizationHeader, providers.ErrInvalidHeader)
	}
	encoded := strings.TrimLeft(rest, " ")
	if encoded == "" || strings.ContainsAny(encoded, " \t\r\n") {
		return "", "", fmt.Errorf("basic: %s credentials are not one base64 token: %w", AuthorizationHeader, providers.ErrInvalidHeader)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(encoded)
	if err != nil {
		return "", "", fmt.Errorf("basic: %s credentials are not base64: %w", AuthorizationHeader, providers.ErrInvalidHeader)
	}
	user, password, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", fmt.Errorf("basic: %s credentials have no ':' between user and password: %w", AuthorizationHeader, providers.ErrInvalidHeader)
	}
	return user, password, nil
}

// VerifyCredentials reports whether user:password equals one of secrets.
// Both sides are hashed with SHA-256 first, so the constant-time comparison
// leaks neither which part differed nor the secret's length. Errors wrap
// providers.ErrNoSecret (no non-empty secret) or ErrNoValidSignature.
func VerifyCredentials(user, password string, secrets []string) error {
	configured := false
	for _, s := range secrets {
		if s != "" {
			configured = true
		}
	}
	if !configured {
		return fmt.Errorf("basic: %w", providers.ErrNoSecret)
	}
	h := sha256.New()
	h.Write([]byte(user))
	h.Write([]byte{':'})
	h.Write([]byte(password))
	var got [sha256.Size]byte
	h.Sum(got[:0])
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
		return fmt.Errorf("basic: %w", providers.ErrNoValidSignature)
	}
	return nil
}

// Identify applies the source's event_id and event_type rules (see
// hmacsig.Identifier.Identify).
func (p *provider) Identify(r *providers.Request) (providers.Event, error) {
	ev, err := p.ident.Identify(r)
	if err != nil {
		return providers.Event{}, fmt.Errorf("basic: %w", err)
	}
	return ev, nil
}

// CredentialHeaders names Authorization: it carries the user:password
// credentials, merely base64-encoded (providers.Provider).
func (p *provider) CredentialHeaders() []string { return []string{AuthorizationHeader} }

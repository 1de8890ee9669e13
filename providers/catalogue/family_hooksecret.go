package catalogue

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hookgate/hookgate/providers"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// HandshakeHookSecret: Asana creates a webhook by posting to its target a
// request with X-Hook-Secret, and expects 200 with the same header back; it
// then signs every event with that secret (X-Hook-Signature, hex
// HMAC-SHA256 of the body). The gateway keeps the first secret offered for
// the source (providers.SecretReceiver), so that every replica verifies with
// it, and accepts the handshake only on the target URL carrying the
// source's configured token (?token=…): whoever does not know the token
// cannot plant a secret before Asana does.
const HandshakeHookSecret Handshake = "asana_hook_secret"

// HookSecretHeader carries the secret of an Asana handshake.
const HookSecretHeader = "X-Hook-Secret"

// TokenParam is the query parameter of the target URL holding the source's
// handshake token.
const TokenParam = "token"

// maxHookSecret bounds an offered secret (Asana's is 64 hex digits).
const maxHookSecret = 256

var hookSecretEntries = []Entry{
	{
		Name: "asana", Display: "Asana", Family: FamilyHMAC,
		Docs:   "https://developers.asana.com/docs/webhooks-guide",
		Secret: "handshake token: a random value of yours, appended to the webhook's target URL as ?token=<it>; Asana's own signing secret (X-Hook-Secret) is kept by the gateway at the handshake",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Hook-Signature",
		},
		// A batch of events without a delivery ID (heartbeats are empty
		// batches): deduplicated by content.
		EventType: "json:events.0.action",
		Handshake: HandshakeHookSecret,
		Unverified: "Asana documents the scheme (X-Hook-Signature, hex HMAC-SHA256 of the body under the secret of the X-Hook-Secret handshake) " +
			"and the handshake with an example, but publishes no signature vector and no SDK that verifies webhooks",
	},
}

// hookSecretProvider is an entry whose signing secret comes from the
// handshake: its configured secrets are the URL tokens.
type hookSecretProvider struct {
	*provider
	kept atomic.Pointer[string]
}

// UseSecret sets the secret kept for the source (providers.SecretReceiver).
func (p *hookSecretProvider) UseSecret(secret string) { p.kept.Store(&secret) }

// CredentialHeaders: the handshake's header is the signing secret itself.
func (p *hookSecretProvider) CredentialHeaders() []string { return []string{HookSecretHeader} }

// token checks the target URL's token against the configured ones.
func (p *hookSecretProvider) token(r *providers.Request) error {
	var got []string
	if r.URL != nil {
		got = r.URL.Query()[TokenParam]
	}
	switch {
	case len(got) == 0 || got[0] == "":
		return fmt.Errorf("%s: the target URL has no ?%s=: %w", p.entry.Name, TokenParam, providers.ErrNotSigned)
	case len(got) > 1:
		return fmt.Errorf("%s: ?%s= repeated: %w", p.entry.Name, TokenParam, providers.ErrInvalidHeader)
	}
	for _, s := range p.secrets {
		if subtle.ConstantTimeCompare([]byte(got[0]), []byte(s)) == 1 {
			return nil
		}
	}
	return fmt.Errorf("%s: wrong ?%s=: %w", p.entry.Name, TokenParam, providers.ErrNoValidSignature)
}

func (p *hookSecretProvider) Verify(_ context.Context, r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("%s: no request: %w", p.entry.Name, providers.ErrNotSigned)
	}
	if err := p.token(r); err != nil {
		return err
	}
	kept := p.kept.Load()
	if kept == nil {
		return fmt.Errorf("%s: no handshake yet, so no signing secret: %w", p.entry.Name, providers.ErrNoSecret)
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	if err := p.template.Verify(r, []string{*kept}, now); err != nil {
		return fmt.Errorf("%s: %w", p.entry.Name, err)
	}
	return nil
}

// Challenge recognises the handshake: a POST carrying X-Hook-Secret, on the
// URL with the token.
func (p *hookSecretProvider) Challenge(r *providers.Request) (providers.Challenge, bool, error) {
	vs := r.Header.Values(HookSecretHeader)
	if r.Method != http.MethodPost || len(vs) == 0 {
		return providers.Challenge{}, false, nil
	}
	if err := p.token(r); err != nil {
		return providers.Challenge{}, true, err
	}
	secret := vs[0]
	if len(vs) > 1 || secret == "" || len(secret) > maxHookSecret || strings.ContainsFunc(secret, func(c rune) bool { return c <= ' ' || c > '~' }) {
		return providers.Challenge{}, true, fmt.Errorf("%s: malformed %s: %w", p.entry.Name, HookSecretHeader, providers.ErrInvalidHeader)
	}
	return providers.Challenge{Kind: string(HandshakeHookSecret), OfferedSecret: secret,
		Reply: providers.Reply{Status: http.StatusOK, Header: http.Header{HookSecretHeader: {secret}}}}, true, nil
}

// hookSecretSigner signs with the first configured secret, which its
// handshake hands over, and adds the token to the URL.
type hookSecretSigner struct {
	templateSigner
}

func (s hookSecretSigner) withToken(u *url.URL) *url.URL {
	if u == nil {
		return nil
	}
	c := *u
	q := c.Query()
	q.Set(TokenParam, s.secret)
	c.RawQuery = q.Encode()
	return &c
}

func (s hookSecretSigner) Sign(r *providers.Request) error {
	r.URL = s.withToken(r.URL)
	return s.templateSigner.Sign(r)
}

// Handshake is Asana's handshake to u, handing over the signer's secret
// (providers.Handshaker).
func (s hookSecretSigner) Handshake(u *url.URL) *providers.Request {
	return &providers.Request{Method: http.MethodPost, URL: s.withToken(u),
		Header: http.Header{HookSecretHeader: {s.secret}, "Content-Type": {"application/json"}}, Now: time.Now()}
}

package catalogue

import (
	"context"
	"crypto"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/asymsig"
	"github.com/hookgate/hookgate/providers/basic"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
	"github.com/hookgate/hookgate/providers/jwtsig"
	"github.com/hookgate/hookgate/providers/standardwebhooks"
	"github.com/hookgate/hookgate/providers/token"
)

// Options are the `options:` a catalogue source accepts; anything else is an
// error naming it. The entry fixes the rest.
type Options struct {
	// Tolerance overrides the accepted age of a signed timestamp.
	Tolerance providers.Duration `yaml:"tolerance"`
	// SigningKey is the private key of an asymmetric scheme (ed25519), used
	// only to sign (`hookgate send`, tests); the gateway needs only the
	// public keys in secrets.
	SigningKey string `yaml:"signing_key"`
	// VerifyToken is the Verify Token entered with the callback URL in
	// Meta's App Dashboard, which Meta's subscription GET must carry.
	VerifyToken string `yaml:"verify_token"`
	// CertHosts and RootCAFile let an SNS source fetch certificates from a
	// development host (host:port) trusted through that PEM file; SNS's own
	// hosts need neither.
	CertHosts  []string `yaml:"cert_hosts"`
	RootCAFile string   `yaml:"root_ca_file"`
	// SigningKeyFile and CertURL sign as SNS against such a host (`hookgate
	// send`, tests): the RSA key and the URL of its certificate.
	SigningKeyFile string `yaml:"signing_key_file"`
	CertURL        string `yaml:"cert_url"`
}

// Factory returns the providers.Factory of the entry.
func (e Entry) Factory() providers.Factory {
	return func(spec providers.Spec) (providers.Provider, error) {
		o, ident, err := e.load(spec)
		if err != nil {
			return nil, err
		}
		if err := providers.RequireSecrets(spec.Secrets, e.Secret); err != nil {
			return nil, err
		}
		if o.SigningKey != "" && e.Family != FamilyAsymmetric {
			return nil, fmt.Errorf("options.signing_key: %s signs with a shared secret; remove it", e.Display)
		}
		switch {
		case o.VerifyToken != "" && e.Handshake != HandshakeMetaSubscribe:
			return nil, fmt.Errorf("options.verify_token: %s has no verify token; remove it", e.Display)
		case e.Family != FamilySNS && (len(o.CertHosts) > 0 || o.RootCAFile != "" || o.SigningKeyFile != "" || o.CertURL != ""):
			return nil, fmt.Errorf("options.cert_hosts, root_ca_file, signing_key_file and cert_url are Amazon SNS's; %s has none: remove them", e.Display)
		}
		p := &provider{entry: e, ident: ident, secrets: append([]string(nil), spec.Secrets...), verifyToken: o.VerifyToken,
			tolerance: o.Tolerance.Std()}
		switch e.Family {
		case FamilyHMAC:
			t := *e.HMAC
			if o.Tolerance != 0 {
				t.Tolerance = o.Tolerance.Std()
			}
			p.template = &t
		case FamilyStandardWebhooks:
			p.inner, err = standardwebhooks.New(familySpec(spec, func(v any) {
				v.(*standardwebhooks.Options).Tolerance = o.Tolerance
			}))
		case FamilyToken:
			p.inner, err = token.New(familySpec(spec, func(v any) {
				to := v.(*token.Options)
				to.Header, to.Prefix = e.TokenHeader, e.TokenPrefix
			}))
		case FamilyBasic:
			p.inner, err = basic.New(familySpec(spec, func(any) {}))
		case FamilyHMACFields:
			p.fields = e.Fields
		case FamilyJWT:
			sc := *e.JWT
			p.jwt = &sc
		case FamilyBodyToken:
			p.bodyToken = e.BodyToken
		case FamilyAsymmetric:
			sc := *e.Asymmetric
			if o.Tolerance != 0 {
				sc.Tolerance = o.Tolerance.Std()
			}
			p.asym = &sc
			p.keys, err = sc.ParseKeys(spec.Secrets)
		case FamilySNS:
			p.sns, err = newSNS(spec.Secrets, o)
		}
		if err != nil {
			return nil, err
		}
		if e.Handshake == HandshakeHookSecret {
			return &hookSecretProvider{provider: p}, nil
		}
		return p, nil
	}
}

// load decodes the source's options and compiles the entry's event rules.
func (e Entry) load(spec providers.Spec) (Options, hmacsig.Identifier, error) {
	var o Options
	if spec.Options != nil {
		if err := spec.Options(&o); err != nil {
			return o, hmacsig.Identifier{}, err
		}
	}
	if o.Tolerance < 0 {
		return o, hmacsig.Identifier{}, fmt.Errorf(`options.tolerance: must be > 0 (e.g. "5m"), got %s`, o.Tolerance)
	}
	if o.Tolerance != 0 && (!e.timestamped() || e.Family == FamilyJWT) {
		return o, hmacsig.Identifier{}, fmt.Errorf("options.tolerance: %s signs no timestamp; remove it", e.Display)
	}
	ident, err := hmacsig.EventRules{EventID: e.EventID, EventType: e.EventType}.Compile()
	return o, ident, err
}

func (e Entry) timestamped() bool {
	switch e.Family {
	case FamilyHMAC:
		return e.HMAC.Timestamped() || e.HMAC.TimestampField != ""
	case FamilyStandardWebhooks, FamilyContentful, FamilyJWT:
		// A JWT's lifetime is its exp (or its iat's age).
		return true
	case FamilyAsymmetric:
		return e.Asymmetric.Tolerance != 0
	}
	return false
}

// familySpec is spec with its options replaced by the family's, set by set.
func familySpec(spec providers.Spec, set func(v any)) providers.Spec {
	spec.Options = func(v any) error { set(v); return nil }
	return spec
}

// provider verifies with the entry's family and identifies with its rules.
type provider struct {
	entry     Entry
	template  *hmacsig.Template  // FamilyHMAC
	fields    *hmacsig.Fields    // FamilyHMACFields
	asym      *asymsig.Scheme    // FamilyAsymmetric
	jwt       *jwtsig.Scheme     // FamilyJWT
	bodyToken *BodyToken         // FamilyBodyToken
	sns       *snsVerifier       // FamilySNS
	keys      []crypto.PublicKey // FamilyAsymmetric
	inner     providers.Provider // the other families
	secrets   []string
	ident     hmacsig.Identifier
	// verifyToken is Meta's options.verify_token.
	verifyToken string
	// tolerance is options.tolerance for the bespoke schemes (Contentful).
	tolerance time.Duration
}

func (p *provider) Verify(ctx context.Context, r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("%s: no request: %w", p.entry.Name, providers.ErrNotSigned)
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	var err error
	switch {
	case p.template != nil:
		err = p.template.Verify(r, p.secrets, now)
	case p.asym != nil:
		err = p.asym.Verify(r, p.keys, now)
	case p.fields != nil:
		var doc *providers.Request
		if doc, err = p.document(r); err == nil {
			err = p.fields.Verify(doc, p.secrets)
		}
	case p.jwt != nil:
		err = p.jwt.Verify(r, p.secrets, now)
	case p.bodyToken != nil:
		err = p.bodyToken.Verify(r, p.secrets)
	case p.sns != nil:
		err = p.sns.Verify(ctx, &providers.Request{Method: r.Method, URL: r.URL, Header: r.Header, Body: r.Body, Now: now})
	case p.entry.Family == FamilyBraintree:
		err = Braintree{}.Verify(r, p.secrets)
	case p.entry.Family == FamilyContentful:
		err = Contentful{Tolerance: p.tolerance}.Verify(r, p.secrets, now)
	case p.entry.Family == FamilyPlivo:
		err = Plivo{}.Verify(r, p.secrets)
	default:
		return p.inner.Verify(ctx, r)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", p.entry.Name, err)
	}
	return nil
}

func (p *provider) Identify(r *providers.Request) (providers.Event, error) {
	identify := p.ident.Identify
	if p.entry.Family == FamilyBraintree {
		identify = Braintree{}.Identify
	}
	doc, err := p.document(r)
	if err != nil {
		return providers.Event{}, fmt.Errorf("%s: %w", p.entry.Name, err)
	}
	ev, err := identify(doc)
	if err != nil {
		return providers.Event{}, fmt.Errorf("%s: %w", p.entry.Name, err)
	}
	return ev, nil
}

func (p *provider) CredentialHeaders() []string {
	if p.inner != nil {
		return p.inner.CredentialHeaders()
	}
	return nil
}

// ExpensiveVerify reports whether verifying may make a network call (an SNS
// certificate download): providers.Expensive.
func (p *provider) ExpensiveVerify() bool { return p.entry.Family == FamilySNS }

// BodilessResponses reports whether the source's answers carry no body
// (providers.Bodiless).
func (p *provider) BodilessResponses() bool { return p.entry.Bodiless }

// Reply acks an accepted request with 200 and no body when the entry is
// Bodiless; otherwise the gateway's JSON ack (providers.Replier).
func (p *provider) Reply(*providers.Request, providers.Event) providers.Reply {
	switch {
	case p.entry.Bodiless:
		return providers.Reply{Status: http.StatusOK}
	case p.entry.Ack != "":
		return providers.Reply{Status: http.StatusOK, ContentType: "text/plain; charset=utf-8", Body: []byte(p.entry.Ack)}
	}
	return providers.Reply{}
}

// ChecksTimestamp reports whether the scheme signs a checked timestamp
// (providers.TimestampChecker).
func (p *provider) ChecksTimestamp() bool { return p.entry.timestamped() }

// Signer returns the providers.SignerFactory of the entry: it signs as the
// provider does, with the source's first secret (tests, `hookgate send`).
func (e Entry) Signer() providers.SignerFactory {
	return func(spec providers.Spec) (providers.Signer, error) {
		if err := providers.RequireSecrets(spec.Secrets, e.Secret); err != nil {
			return nil, err
		}
		switch e.Family {
		case FamilyStandardWebhooks:
			return standardwebhooks.NewSigner(familySpec(spec, func(any) {}))
		case FamilyToken:
			return token.NewSigner(familySpec(spec, func(v any) {
				to := v.(*token.Options)
				to.Header, to.Prefix = e.TokenHeader, e.TokenPrefix
			}))
		case FamilyBasic:
			return basic.NewSigner(familySpec(spec, func(any) {}))
		case FamilySNS:
			o, _, err := e.load(spec)
			if err != nil {
				return nil, err
			}
			return newSNSSigner(spec.Secrets, o)
		case FamilyAsymmetric:
			o, _, err := e.load(spec)
			if err != nil {
				return nil, err
			}
			if o.SigningKey == "" {
				return nil, fmt.Errorf("options.signing_key: required to sign as %s (the gateway itself needs only the public key)", e.Display)
			}
			key, err := e.Asymmetric.ParsePrivateKey(o.SigningKey)
			if err != nil {
				return nil, fmt.Errorf("options.%w", err)
			}
			return asymSigner{s: e.Asymmetric, key: key}, nil
		}
		switch e.Family {
		case FamilyHMACFields:
			return fieldsSigner{f: e.Fields, secret: spec.Secrets[0]}, nil
		case FamilyJWT:
			return jwtSigner{s: e.JWT, secret: spec.Secrets[0]}, nil
		case FamilyBodyToken:
			return bodyTokenSigner{b: e.BodyToken, secret: spec.Secrets[0]}, nil
		case FamilyBraintree:
			return braintreeSigner{secret: spec.Secrets[0]}, nil
		case FamilyContentful:
			return contentfulSigner{secret: spec.Secrets[0]}, nil
		case FamilyPlivo:
			return plivoSigner{secret: spec.Secrets[0]}, nil
		}
		if e.Handshake == HandshakeHookSecret {
			return hookSecretSigner{templateSigner{t: e.HMAC, secret: spec.Secrets[0]}}, nil
		}
		return templateSigner{t: e.HMAC, secret: spec.Secrets[0]}, nil
	}
}

type fieldsSigner struct {
	f      *hmacsig.Fields
	secret string
}

// Sign fills the body's signature field (hmacsig.SignaturePlaceholder).
func (s fieldsSigner) Sign(r *providers.Request) error {
	body, err := s.f.SignBody(r.Body, s.secret)
	if err != nil {
		return err
	}
	r.Body = body
	return nil
}

type jwtSigner struct {
	s      *jwtsig.Scheme
	secret string
}

func (s jwtSigner) Sign(r *providers.Request) error {
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	return s.s.Sign(r, s.secret)
}

type templateSigner struct {
	t      *hmacsig.Template
	secret string
}

// Sign signs r; a signed delivery ID is taken from r's ID header when set,
// and made up otherwise.
func (s templateSigner) Sign(r *providers.Request) error {
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	id := ""
	if s.t.IDHeader != "" {
		if id = r.Header.Get(s.t.IDHeader); id == "" {
			id = uuid.NewString()
		}
	}
	return s.t.Sign(r, s.secret, id)
}

type asymSigner struct {
	s   *asymsig.Scheme
	key crypto.Signer
}

func (s asymSigner) Sign(r *providers.Request) error {
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	return s.s.Sign(r, s.key)
}

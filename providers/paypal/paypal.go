// Package paypal verifies and identifies PayPal REST webhooks.
//
// PayPal signs transmissionId|transmissionTime|webhookId|crc32(body) with an RSA
// key whose certificate chain it publishes at the URL in PAYPAL-CERT-URL. Offline
// verification (the default) fetches that chain, only from an allowlisted PayPal
// URL, validates it against a root pool and checks the signature locally, so no
// API call is made per event. Online mode asks PayPal's
// verify-webhook-signature API instead.
//
// The webhook ID is not a secret, but it is what binds a signature to the
// operator's own subscription: every PayPal customer receives PayPal-signed
// events, each for their own webhook ID. Accepting only the configured IDs is
// what stops another account's events from being replayed here.
//
// Bespoke because no scheme family fits: the signed string is built from
// headers and a CRC32 of the body (not the body itself), the key is an RSA
// certificate chain validated against roots and a fixed leaf name, and the
// online mode is an API call; the HMAC template, Standard Webhooks and the
// static-key asymmetric family hold none of these.
package paypal

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// Name is the provider name of PayPal sources.
const Name = providers.PayPal

// The headers of a PayPal webhook delivery.
const (
	HeaderTransmissionID   = "PAYPAL-TRANSMISSION-ID"
	HeaderTransmissionTime = "PAYPAL-TRANSMISSION-TIME"
	HeaderTransmissionSig  = "PAYPAL-TRANSMISSION-SIG"
	HeaderCertURL          = "PAYPAL-CERT-URL"
	HeaderAuthAlgo         = "PAYPAL-AUTH-ALGO"
)

// AuthAlgo is the only PAYPAL-AUTH-ALGO accepted, compared exactly. The header is
// an allowlist check, never an input to choose an algorithm with.
const AuthAlgo = "SHA256withRSA"

// Mode selects how signatures are verified.
type Mode string

// Verification modes.
const (
	// ModeOffline verifies locally with the certificate at PAYPAL-CERT-URL.
	ModeOffline Mode = "offline"
	// ModeOnline asks PayPal's verify-webhook-signature API for every event.
	ModeOnline Mode = "online"
)

// Defaults of Options.
const (
	DefaultCertPathPrefix   = "/v1/notifications/certs/"
	DefaultCertFetchTimeout = 5 * time.Second
	DefaultAPIBaseURL       = "https://api-m.paypal.com"
	DefaultAPITimeout       = 10 * time.Second
	// MaxCertResponseSize caps a certificate download: a PayPal chain is ~5 KiB.
	MaxCertResponseSize = 64 << 10
)

// DefaultCertHosts returns the hosts a PAYPAL-CERT-URL may name by default:
// PayPal's live and sandbox API hosts.
func DefaultCertHosts() []string {
	return []string{"api.paypal.com", "api-m.paypal.com", "api.sandbox.paypal.com", "api-m.sandbox.paypal.com"}
}

// Options is the `options:` block of a PayPal source.
//
// What the source's secrets mean depends on the mode:
//   - offline (default): there is no shared secret (PayPal signs with a public-key
//     certificate). The secrets list holds the accepted webhook IDs, newest
//     first, so a move to a new webhook subscription can overlap; webhook_id, when
//     set, is accepted too. At least one ID is required.
//   - online: the first secret is the REST app's OAuth client secret, which must
//     never sit in options (options may be printed); webhook_id is required.
type Options struct {
	// WebhookID is the webhook (subscription) ID from the PayPal dashboard.
	WebhookID string `yaml:"webhook_id"`
	// Mode is "offline" (default) or "online".
	Mode Mode `yaml:"mode"`

	// CertHosts are the hosts PAYPAL-CERT-URL may name, matched exactly and
	// case-insensitively; a port must be absent unless the entry has one
	// (for a local dev server, "127.0.0.1:8443"). Default: DefaultCertHosts().
	CertHosts []string `yaml:"cert_hosts"`
	// CertPathPrefix is the path PAYPAL-CERT-URL must start with; one more path
	// segment (the certificate ID) must follow. Default DefaultCertPathPrefix.
	CertPathPrefix string `yaml:"cert_path_prefix"`
	// CertFetchTimeout bounds a certificate download. Default 5s.
	CertFetchTimeout providers.Duration `yaml:"cert_fetch_timeout"`
	// RootCAFile is a PEM bundle of the roots that PayPal's chain (and the TLS
	// servers hookgate calls) must chain to. Default: the system roots.
	RootCAFile string `yaml:"root_ca_file"`
	// TransmissionWindow, when non-zero, rejects deliveries whose
	// PAYPAL-TRANSMISSION-TIME is further than this from the clock, either way.
	// Off by default: PayPal documents no tolerance and retries for 3 days.
	TransmissionWindow providers.Duration `yaml:"transmission_window"`

	// APIBaseURL is PayPal's REST API (online mode). Default DefaultAPIBaseURL;
	// use https://api-m.sandbox.paypal.com for the sandbox.
	APIBaseURL string `yaml:"api_base_url"`
	// ClientID is the REST app's client ID (online mode).
	ClientID string `yaml:"client_id"`
	// ClientSecret is rejected: the client secret belongs in the secrets list.
	ClientSecret string `yaml:"client_secret"`
	// APITimeout bounds each API call (online mode). Default 10s.
	APITimeout providers.Duration `yaml:"api_timeout"`

	// SigningKeyFile is the PEM RSA private key NewSigner signs with (development
	// and tests only; PayPal's own key is never available).
	SigningKeyFile string `yaml:"signing_key_file"`
	// CertURL is the PAYPAL-CERT-URL NewSigner sends: where the certificate of
	// SigningKeyFile is served.
	CertURL string `yaml:"cert_url"`
}

// settings is a validated Options plus the secrets, ready to use.
type settings struct {
	mode         Mode
	webhookIDs   []string // offline: accepted IDs; online: exactly one
	policy       CertURLPolicy
	fetchTimeout time.Duration
	roots        *x509.CertPool // nil: the system roots
	window       time.Duration
	apiBase      *url.URL
	clientID     string
	clientSecret string
	apiTimeout   time.Duration
}

// resolve decodes and validates the options of spec. Its errors name the field
// and the fix.
func resolve(spec providers.Spec) (settings, Options, error) {
	var o Options
	if spec.Options != nil {
		if err := spec.Options(&o); err != nil {
			return settings{}, o, err
		}
	}
	s := settings{
		mode:         o.Mode,
		fetchTimeout: o.CertFetchTimeout.Std(),
		window:       o.TransmissionWindow.Std(),
		apiTimeout:   o.APITimeout.Std(),
		clientID:     o.ClientID,
		policy:       CertURLPolicy{Hosts: o.CertHosts, PathPrefix: o.CertPathPrefix},
	}
	if s.mode == "" {
		s.mode = ModeOffline
	}
	if s.fetchTimeout == 0 {
		s.fetchTimeout = DefaultCertFetchTimeout
	}
	if s.apiTimeout == 0 {
		s.apiTimeout = DefaultAPITimeout
	}
	if len(s.policy.Hosts) == 0 {
		s.policy.Hosts = DefaultCertHosts()
	}
	if s.policy.PathPrefix == "" {
		s.policy.PathPrefix = DefaultCertPathPrefix
	}
	switch {
	case s.mode != ModeOffline && s.mode != ModeOnline:
		return s, o, fmt.Errorf("options.mode: %q is not supported (use %q or %q)", s.mode, ModeOffline, ModeOnline)
	case s.fetchTimeout < 0:
		return s, o, errors.New("options.cert_fetch_timeout: must be positive (e.g. \"5s\")")
	case s.apiTimeout < 0:
		return s, o, errors.New("options.api_timeout: must be positive (e.g. \"10s\")")
	case s.window < 0:
		return s, o, errors.New("options.transmission_window: must be positive, or omitted to turn the check off")
	case !strings.HasPrefix(s.policy.PathPrefix, "/") || !strings.HasSuffix(s.policy.PathPrefix, "/"):
		return s, o, fmt.Errorf("options.cert_path_prefix: must start and end with \"/\" (default %q)", DefaultCertPathPrefix)
	case o.ClientSecret != "":
		return s, o, errors.New("options.client_secret: not accepted in options, which may be printed; put the client secret in the source's secrets (value, env or file)")
	}
	for i, h := range s.policy.Hosts {
		if h == "" || strings.ContainsAny(h, "/@?#") {
			return s, o, fmt.Errorf("options.cert_hosts[%d]: %q is not a host or host:port", i, h)
		}
	}
	if o.RootCAFile != "" {
		pem, err := os.ReadFile(o.RootCAFile)
		if err != nil {
			return s, o, fmt.Errorf("options.root_ca_file: %w", err)
		}
		s.roots = x509.NewCertPool()
		if !s.roots.AppendCertsFromPEM(pem) {
			return s, o, fmt.Errorf("options.root_ca_file: no PEM certificate in %s", o.RootCAFile)
		}
	}

	if s.mode == ModeOnline {
		if o.WebhookID == "" {
			return s, o, errors.New("options.webhook_id: required (the webhook ID from the PayPal dashboard)")
		}
		s.webhookIDs = []string{o.WebhookID}
		if s.clientID == "" {
			return s, o, errors.New("options.client_id: required in online mode (the REST app's client ID from the PayPal dashboard)")
		}
		if len(spec.Secrets) == 0 || spec.Secrets[0] == "" {
			return s, o, fmt.Errorf("secrets: the first secret must be the REST app's client secret in online mode: %w", providers.ErrNoSecret)
		}
		s.clientSecret = spec.Secrets[0]
		base := o.APIBaseURL
		if base == "" {
			base = DefaultAPIBaseURL
		}
		u, err := url.Parse(strings.TrimSuffix(base, "/"))
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return s, o, fmt.Errorf("options.api_base_url: must be an https URL without credentials or query (e.g. %q)", DefaultAPIBaseURL)
		}
		s.apiBase = u
		return s, o, nil
	}

	for _, id := range append([]string{o.WebhookID}, spec.Secrets...) {
		if id != "" && !slices.Contains(s.webhookIDs, id) {
			s.webhookIDs = append(s.webhookIDs, id)
		}
	}
	if len(s.webhookIDs) == 0 {
		return s, o, fmt.Errorf("options.webhook_id: required (the webhook ID from the PayPal dashboard; or list the accepted webhook IDs as the source's secrets): %w", providers.ErrNoSecret)
	}
	return s, o, nil
}

// Provider verifies and identifies the requests of one PayPal source. It is safe
// for concurrent use; it caches signing certificates (offline) or an OAuth token
// (online).
type Provider struct {
	s      settings
	certs  *certStore      // offline mode
	online *onlineVerifier // online mode
}

var _ providers.Provider = (*Provider)(nil)

// New builds the Provider of a PayPal source (see Options for what the secrets
// hold in each mode). It fails, wrapping providers.ErrNoSecret, when no webhook
// ID (offline) or no client secret (online) is configured.
func New(spec providers.Spec) (providers.Provider, error) {
	return newProvider(spec)
}

func newProvider(spec providers.Spec) (*Provider, error) {
	s, _, err := resolve(spec)
	if err != nil {
		return nil, fmt.Errorf("paypal source %q: %w", spec.Source, err)
	}
	p := &Provider{s: s}
	client := newHTTPClient(s.roots)
	if s.mode == ModeOnline {
		p.online = &onlineVerifier{
			base:         s.apiBase,
			clientID:     s.clientID,
			clientSecret: s.clientSecret,
			webhookID:    s.webhookIDs[0],
			client:       client,
			timeout:      s.apiTimeout,
		}
		return p, nil
	}
	p.certs = newCertStore(s.roots, s.fetchTimeout, httpFetcher(client))
	return p, nil
}

// Verify checks the PayPal signature of r.
//
// Offline, in this order: the five PAYPAL-* headers are present once each,
// PAYPAL-AUTH-ALGO is exactly SHA256withRSA, the transmission time is inside
// the optional window, PAYPAL-CERT-URL passes the allowlist, its chain (fetched or
// cached) validates at r.Now with a messageverificationcerts leaf, and the
// signature verifies for one of the accepted webhook IDs. Errors wrap
// ErrNotSigned, ErrInvalidHeader, ErrTooOld/ErrTooNew, ErrCertificate,
// ErrNoValidSignature, or ErrUnavailable when the certificate cannot be fetched
// now (network error, timeout, 5xx: the gateway answers 503 and PayPal retries).
//
// Online, after the header checks: ErrMalformedPayload when the body is not a JSON
// object, ErrNoValidSignature when PayPal answers FAILURE, ErrUnavailable when
// PayPal cannot be asked.
func (p *Provider) Verify(ctx context.Context, r *providers.Request) error {
	if len(p.s.webhookIDs) == 0 {
		return fmt.Errorf("paypal: %w", providers.ErrNoSecret)
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	h, err := ParseHeaders(r.Header)
	if err != nil {
		return err
	}
	if err := CheckTransmissionTime(h.TransmissionTime, now, p.s.window); err != nil {
		return err
	}
	if p.online != nil {
		return p.online.verify(ctx, h, r.Body, now)
	}
	if err := p.s.policy.Check(h.CertURL); err != nil {
		return err
	}
	cert, err := p.certs.get(ctx, h.CertURL, now)
	if err != nil {
		return err
	}
	return VerifySignature(cert.Key, h, p.s.webhookIDs, r.Body)
}

// Identify returns the body's `id` (WH-…) as the event ID and `event_type` as
// the type, or an error wrapping ErrMalformedPayload when either is missing.
func (p *Provider) Identify(r *providers.Request) (providers.Event, error) {
	var body struct {
		ID        string `json:"id"`
		EventType string `json:"event_type"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return providers.Event{}, fmt.Errorf("paypal: body is not a JSON object: %w", providers.ErrMalformedPayload)
	}
	if body.ID == "" || body.EventType == "" {
		return providers.Event{}, fmt.Errorf("paypal: body has no id or event_type: %w", providers.ErrMalformedPayload)
	}
	return providers.Event{ID: body.ID, Type: body.EventType}, nil
}

// CredentialHeaders is nil: the scheme's headers carry signatures, never the
// secret itself (providers.Provider).
func (p *Provider) CredentialHeaders() []string { return nil }

// ChecksTimestamp reports whether a transmission window is configured: only
// then is the signed transmission time checked (providers.TimestampChecker).
func (p *Provider) ChecksTimestamp() bool { return p.s.window > 0 }

// ExpensiveVerify is true: verification may download a certificate or call
// PayPal's API (providers.Expensive).
func (p *Provider) ExpensiveVerify() bool { return true }

// Package stripe authenticates and identifies Stripe webhooks.
//
// Stripe signs "<t>.<raw body>" with HMAC-SHA256 keyed by the endpoint's whole
// signing secret (including its "whsec_" prefix) and sends
// `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`. Any v1 signature made with
// any configured secret passes, so secrets can be rolled without downtime.
// The event ID (the dedupe key) and type are the body's `id` and `type`.
//
// The pure functions VerifyHeader and SignHeader mirror stripe-go's webhook
// package; New and NewSigner adapt them to providers.Provider and
// providers.Signer.
package stripe

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// Name is the provider name of this package in source configuration.
const Name = providers.Stripe

// SignatureHeader is the header carrying Stripe's timestamp and signatures.
const SignatureHeader = "Stripe-Signature"

// DefaultTolerance is the default maximum distance between the signed timestamp
// and the verification clock, in either direction. It matches stripe-go's
// DefaultTolerance.
const DefaultTolerance = 300 * time.Second

// signingVersion is the only signature scheme Stripe uses for live events; v0
// (test-mode, SHA-1 era) and unknown keys are ignored.
const signingVersion = "v1"

// Options are the `options:` of a Stripe source.
type Options struct {
	// Tolerance is how far the signed timestamp may be from the verification
	// clock, in the past (ErrTooOld) or the future (ErrTooNew). Default 300s.
	Tolerance providers.Duration `yaml:"tolerance"`
}

func (o *Options) setDefaults() {
	if o.Tolerance == 0 {
		o.Tolerance = providers.Duration(DefaultTolerance)
	}
}

func (o *Options) validate() error {
	if o.Tolerance < 0 {
		return fmt.Errorf(`options.tolerance: must be > 0 (e.g. "5m"), got %s`, o.Tolerance)
	}
	return nil
}

// loadOptions decodes, defaults and validates the source's options.
func loadOptions(spec providers.Spec) (Options, error) {
	var o Options
	if spec.Options != nil {
		if err := spec.Options(&o); err != nil {
			// The Spec's decoder names the options block and the field itself.
			return o, err
		}
	}
	o.setDefaults()
	return o, o.validate()
}

// checkSecrets rejects an empty secret list or an empty entry: HMAC with an
// empty key is a signature anyone can compute.
func checkSecrets(secrets []string) error {
	return providers.RequireSecrets(secrets, "signing secret (the endpoint's whsec_… secret from the Stripe dashboard)")
}

// New builds the Provider of a Stripe source (a providers.Factory). It fails with
// an error wrapping providers.ErrNoSecret when spec.Secrets is empty, and names
// the option and the fix when options are invalid.
func New(spec providers.Spec) (providers.Provider, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	o, err := loadOptions(spec)
	if err != nil {
		return nil, err
	}
	return &provider{
		secrets:   append([]string(nil), spec.Secrets...),
		tolerance: o.Tolerance.Std(),
	}, nil
}

// provider is the Stripe providers.Provider. Its zero value rejects everything.
type provider struct {
	secrets   []string
	tolerance time.Duration
}

// Verify checks the Stripe-Signature header against the raw body. A repeated
// Stripe-Signature header is ErrInvalidHeader: with two lines it is ambiguous
// which one an intermediary added. A zero r.Now means the current time.
func (p *provider) Verify(_ context.Context, r *providers.Request) error {
	if len(p.secrets) == 0 {
		return fmt.Errorf("stripe: %w", providers.ErrNoSecret)
	}
	if r == nil {
		return fmt.Errorf("stripe: no request: %w", providers.ErrNotSigned)
	}
	values := r.Header.Values(SignatureHeader)
	switch len(values) {
	case 0:
		return fmt.Errorf("stripe: missing %s header: %w", SignatureHeader, providers.ErrNotSigned)
	case 1:
	default:
		return fmt.Errorf("stripe: %d %s headers, want one: %w", len(values), SignatureHeader, providers.ErrInvalidHeader)
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	return VerifyHeader(r.Body, values[0], p.secrets, now, p.tolerance)
}

// VerifyHeader reports whether header (a Stripe-Signature value) holds a v1
// signature of payload made with one of secrets, at a timestamp within tolerance
// of now in either direction. A tolerance <= 0 means DefaultTolerance.
//
// Errors wrap providers.ErrNoSecret (no non-empty secret), ErrNotSigned (empty
// header), ErrInvalidHeader (syntax: a pair without '=', a missing, repeated or
// non-integer t), ErrNoValidSignature (no v1 matched; v1 values that are not
// 64 hex digits are skipped, as stripe-go does), ErrTooOld or ErrTooNew. The
// signature is checked before the timestamp, so a forged request is reported as
// a bad signature rather than as stale. Comparisons are constant-time.
func VerifyHeader(payload []byte, header string, secrets []string, now time.Time, tolerance time.Duration) error {
	if !anySecret(secrets) {
		return fmt.Errorf("stripe: %w", providers.ErrNoSecret)
	}
	if _, err := parseHeader(header); err != nil {
		return err
	}
	if !hasV1(header) {
		// stripe-go skips a v1 that is not 64 hex digits: none is no match.
		return fmt.Errorf("stripe: no v1 signature: %w", providers.ErrNoValidSignature)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	t := Scheme
	t.Tolerance = tolerance
	r := &providers.Request{Header: http.Header{SignatureHeader: {header}}, Body: payload}
	if err := t.Verify(r, slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return s == "" }), now); err != nil {
		return fmt.Errorf("stripe: %w", err)
	}
	return nil
}

// hasV1 reports whether header has a v1 element of 64 hex digits (after
// optional whitespace, as the family reads list items).
func hasV1(header string) bool {
	for pair := range strings.SplitSeq(header, ",") {
		key, value, _ := strings.Cut(strings.Trim(pair, " \t"), "=")
		if _, ok := providers.DecodeHex32(value); ok && key == signingVersion {
			return true
		}
	}
	return false
}

// Scheme is Stripe's signature as an instance of the HMAC template family
// (providers/hmac): "t=<unix>,v1=<hex>[,v1=…]" over "<t>.<body>",
// HMAC-SHA256 under the whole whsec_ secret. The family's code verifies the
// signatures and the timestamp; this package adds Stripe's stricter syntax
// (parseHeader) and the body's event ID and type (Identify).
var Scheme = hmacsig.Template{
	Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
	Header: SignatureHeader, PairSeparator: ",", TimestampKey: "t", SignatureKey: signingVersion,
	SignedPayload: "{timestamp}.{body}",
	Tolerance:     DefaultTolerance,
}

func anySecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}

// parseHeader validates the syntax of a Stripe-Signature value and returns its
// timestamp. Like stripe-go it splits on ',' then '=', ignores unknown keys (v0,
// future schemes) and leaves v1 values to matchAny, which skips invalid ones.
func parseHeader(header string) (int64, error) {
	if header == "" {
		return 0, fmt.Errorf("stripe: empty %s header: %w", SignatureHeader, providers.ErrNotSigned)
	}
	var (
		ts     int64
		seenTS bool
	)
	for pair := range strings.SplitSeq(header, ",") {
		// Optional whitespace around list items, as the family reads them.
		key, value, ok := strings.Cut(strings.Trim(pair, " \t"), "=")
		if !ok || strings.Contains(value, "=") {
			return 0, fmt.Errorf("stripe: %s: element is not key=value: %w", SignatureHeader, providers.ErrInvalidHeader)
		}
		if key != "t" {
			continue
		}
		if seenTS {
			// Two timestamps would let an attacker pick which one is checked.
			return 0, fmt.Errorf("stripe: %s: repeated t: %w", SignatureHeader, providers.ErrInvalidHeader)
		}
		v, err := strconv.ParseInt(value, 10, 64)
		if err != nil || v < 0 || strings.HasPrefix(value, "+") {
			return 0, fmt.Errorf("stripe: %s: t is not a unix timestamp: %w", SignatureHeader, providers.ErrInvalidHeader)
		}
		ts, seenTS = v, true
	}
	if !seenTS {
		return 0, fmt.Errorf("stripe: %s: no t element: %w", SignatureHeader, providers.ErrInvalidHeader)
	}
	return ts, nil
}

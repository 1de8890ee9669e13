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
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
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
	ts, err := parseHeader(header)
	if err != nil {
		return err
	}
	if !matchAny(payload, header, ts, secrets) {
		return fmt.Errorf("stripe: %w", providers.ErrNoValidSignature)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// Both differences are taken from their own side: Sub saturates, and
	// negating a saturated minimum duration would overflow back to negative.
	signed := time.Unix(ts, 0)
	if age := now.Sub(signed); age > tolerance {
		return fmt.Errorf("stripe: signed %s ago, tolerance %s: %w", age.Truncate(time.Second), tolerance, providers.ErrTooOld)
	}
	if ahead := signed.Sub(now); ahead > tolerance {
		return fmt.Errorf("stripe: signed %s in the future, tolerance %s: %w", ahead.Truncate(time.Second), tolerance, providers.ErrTooNew)
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
		key, value, ok := strings.Cut(pair, "=")
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
		if err != nil {
			return 0, fmt.Errorf("stripe: %s: t is not a unix timestamp: %w", SignatureHeader, providers.ErrInvalidHeader)
		}
		ts, seenTS = v, true
	}
	if !seenTS {
		return 0, fmt.Errorf("stripe: %s: no t element: %w", SignatureHeader, providers.ErrInvalidHeader)
	}
	return ts, nil
}

// matchAny reports whether any v1 element of header equals the signature of
// payload at ts under any secret. header must have passed parseHeader.
func matchAny(payload []byte, header string, ts int64, secrets []string) bool {
	matched := false
	var want [sha256.Size]byte
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(secret))
		writeSigned(mac, ts, payload)
		mac.Sum(want[:0])
		for pair := range strings.SplitSeq(header, ",") {
			key, value, _ := strings.Cut(pair, "=")
			if key != signingVersion {
				continue
			}
			got, ok := providers.DecodeHex32(value)
			if !ok {
				continue // stripe-go skips a v1 that is not valid hex
			}
			// No early return: the loop's duration must not depend on which
			// secret or signature matched.
			if hmac.Equal(got[:], want[:]) {
				matched = true
			}
		}
	}
	return matched
}

// writeSigned writes Stripe's signed bytes, "<t>.<payload>", without building
// the concatenation.
func writeSigned(h hash.Hash, ts int64, payload []byte) {
	var buf [24]byte
	b := strconv.AppendInt(buf[:0], ts, 10)
	b = append(b, '.')
	h.Write(b)
	h.Write(payload)
}

// Package standardwebhooks authenticates and identifies webhooks that follow
// the Standard Webhooks specification: Svix, Clerk, GitLab's new signing, and
// any producer using the official libraries.
//
// The producer signs "<webhook-id>.<webhook-timestamp>.<raw body>" and sends a
// space-separated list of versioned signatures in webhook-signature:
// "v1,<base64 HMAC-SHA256>" made with a whsec_ secret (the base64-decoded bytes
// after the prefix are the key), and/or "v1a,<base64 Ed25519>" checked
// against whpk_ public keys configured as options. Any signature made with any
// configured key passes. The timestamp must be within the tolerance (5 minutes
// by default) in both directions. Svix-branded headers (svix-id, …) are read
// when the webhook-* ones are absent.
//
// The event ID (the dedupe key) is webhook-id; the type is the body's `type`.
package standardwebhooks

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// Name is the provider name of this package in source configuration.
const Name = providers.StandardWebhooks

// Header names of the two families; a request is read with one family only.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"

	SvixHeaderID        = "svix-id"
	SvixHeaderTimestamp = "svix-timestamp"
	SvixHeaderSignature = "svix-signature"
)

// DefaultTolerance is the specification's replay window, applied both ways.
const DefaultTolerance = 5 * time.Minute

// Signature versions.
const (
	versionHMAC    = "v1"
	versionEd25519 = "v1a"
)

// maxSignatures caps the entries of a signature list. Producers send one per
// active key (two or three while rotating); the cap bounds the Ed25519 work an
// unauthenticated request can cause.
const maxSignatures = 16

// Lengths of padded standard base64 signatures.
const (
	hmacSigLen    = (sha256.Size + 2) / 3 * 4
	ed25519SigLen = (ed25519.SignatureSize + 2) / 3 * 4

	// Decode buffers: base64 Decode writes up to len(src)/4*3 bytes, which for an
	// unpadded entry of the right length is more than the signature itself.
	hmacDecodedLen    = hmacSigLen / 4 * 3
	ed25519DecodedLen = ed25519SigLen / 4 * 3
)

// Options are the `options:` of a Standard Webhooks source.
type Options struct {
	// Tolerance is how far webhook-timestamp may be from the verification
	// clock, in the past (ErrTooOld) or the future (ErrTooNew). Default 5m.
	Tolerance providers.Duration `yaml:"tolerance"`
	// PublicKeys are whpk_ Ed25519 public keys that verify v1a signatures.
	// A source may use them instead of, or beside, whsec_ secrets.
	PublicKeys []string `yaml:"public_keys"`
	// SigningKey is a whsk_ Ed25519 secret key. It is used only by NewSigner
	// (hookgate send, tests), which then signs v1a instead of v1; the gateway
	// never needs it.
	SigningKey string `yaml:"signing_key"`
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
	if o.SigningKey != "" {
		if _, err := ParseSigningKey(o.SigningKey); err != nil {
			return fmt.Errorf("options.signing_key: %w", err)
		}
	}
	return nil
}

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

// New builds the Provider of a Standard Webhooks source (a providers.Factory).
// It needs at least one whsec_ secret or one options.public_keys entry;
// without either it fails with an error wrapping providers.ErrNoSecret that
// names `secrets`. A source verified only by Ed25519 may leave secrets empty,
// since a public key is its verification material.
func New(spec providers.Spec) (providers.Provider, error) {
	o, err := loadOptions(spec)
	if err != nil {
		return nil, err
	}
	if len(spec.Secrets) == 0 && len(o.PublicKeys) == 0 {
		return nil, fmt.Errorf("secrets: at least one %s… signing secret is required (or options.public_keys for v1a signatures): %w", SecretPrefix, providers.ErrNoSecret)
	}
	keys, err := ParseKeys(spec.Secrets, o.PublicKeys)
	if err != nil {
		return nil, err
	}
	return &provider{keys: keys, tolerance: o.Tolerance.Std()}, nil
}

// provider is the Standard Webhooks providers.Provider. Its zero value rejects
// everything.
type provider struct {
	keys      Keys
	tolerance time.Duration
}

// Headers are the three signature headers of one request.
type Headers struct {
	ID, Timestamp, Signature string
}

// HeadersFrom reads the webhook-* headers, or the svix-* ones when no
// webhook-* header is present; families are never mixed. A header missing
// from the chosen family wraps providers.ErrNotSigned; a repeated one wraps
// providers.ErrInvalidHeader.
func HeadersFrom(h http.Header) (Headers, error) {
	// Indexing the map with canonical keys avoids canonicalizing the
	// lower-case spec names on every request.
	family, names := canonicalWebhook, [3]string{HeaderID, HeaderTimestamp, HeaderSignature}
	if len(h[family[0]])+len(h[family[1]])+len(h[family[2]]) == 0 {
		family, names = canonicalSvix, [3]string{SvixHeaderID, SvixHeaderTimestamp, SvixHeaderSignature}
	}
	var vals [3]string
	for i, key := range family {
		v := h[key]
		switch {
		case len(v) == 0 || v[0] == "":
			return Headers{}, fmt.Errorf("standardwebhooks: missing %s header: %w", names[i], providers.ErrNotSigned)
		case len(v) > 1:
			return Headers{}, fmt.Errorf("standardwebhooks: %d %s headers, want one: %w", len(v), names[i], providers.ErrInvalidHeader)
		}
		vals[i] = v[0]
	}
	return Headers{ID: vals[0], Timestamp: vals[1], Signature: vals[2]}, nil
}

// The header families as net/http stores them (Webhook-Id, …).
var (
	canonicalWebhook = [3]string{http.CanonicalHeaderKey(HeaderID), http.CanonicalHeaderKey(HeaderTimestamp), http.CanonicalHeaderKey(HeaderSignature)}
	canonicalSvix    = [3]string{http.CanonicalHeaderKey(SvixHeaderID), http.CanonicalHeaderKey(SvixHeaderTimestamp), http.CanonicalHeaderKey(SvixHeaderSignature)}
)

// Verify checks the request's signature headers against the raw body. A zero
// r.Now means the current time.
func (p *provider) Verify(_ context.Context, r *providers.Request) error {
	if p.keys.empty() {
		return fmt.Errorf("standardwebhooks: %w", providers.ErrNoSecret)
	}
	if r == nil {
		return fmt.Errorf("standardwebhooks: no request: %w", providers.ErrNotSigned)
	}
	h, err := HeadersFrom(r.Header)
	if err != nil {
		return err
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	return VerifyHeaders(r.Body, h, p.keys, now, p.tolerance)
}

// VerifyHeaders reports whether h carries a signature of payload made with one
// of keys, with a timestamp within tolerance of now in either direction. A
// tolerance <= 0 means DefaultTolerance. Entries with unknown versions are
// skipped.
//
// Errors wrap providers.ErrNoSecret (keys empty), ErrNotSigned (a header is
// empty), ErrInvalidHeader (a timestamp that is not decimal digits, an ID
// containing '.', which would make the signed bytes ambiguous, a signature list
// with no "version,signature" entry or more than 16 entries),
// ErrNoValidSignature, ErrTooOld or ErrTooNew. The signature is checked before
// the timestamp, so a forged request is reported as a bad signature. HMAC
// comparisons are constant-time.
func VerifyHeaders(payload []byte, h Headers, keys Keys, now time.Time, tolerance time.Duration) error {
	if keys.empty() {
		return fmt.Errorf("standardwebhooks: %w", providers.ErrNoSecret)
	}
	ts, err := parseHeaders(h)
	if err != nil {
		return err
	}
	if !matchAny(payload, h, keys) {
		return fmt.Errorf("standardwebhooks: %w", providers.ErrNoValidSignature)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	// Both differences are taken from their own side: Sub saturates, and
	// negating a saturated minimum duration would overflow back to negative.
	signed := time.Unix(ts, 0)
	if age := now.Sub(signed); age > tolerance {
		return fmt.Errorf("standardwebhooks: signed %s ago, tolerance %s: %w", age.Truncate(time.Second), tolerance, providers.ErrTooOld)
	}
	if ahead := signed.Sub(now); ahead > tolerance {
		return fmt.Errorf("standardwebhooks: signed %s in the future, tolerance %s: %w", ahead.Truncate(time.Second), tolerance, providers.ErrTooNew)
	}
	return nil
}

// parseHeaders validates the three header values and returns the timestamp.
func parseHeaders(h Headers) (int64, error) {
	if h.ID == "" || h.Timestamp == "" || h.Signature == "" {
		return 0, fmt.Errorf("standardwebhooks: empty id, timestamp or signature: %w", providers.ErrNotSigned)
	}
	if strings.Contains(h.ID, ".") {
		// The spec forbids '.' in IDs: "a.1" + "." + ts could be re-split
		// into another (id, timestamp, body) with the same signature.
		return 0, fmt.Errorf("standardwebhooks: id contains '.': %w", providers.ErrInvalidHeader)
	}
	ts, err := parseTimestamp(h.Timestamp)
	if err != nil {
		return 0, err
	}
	n, err := countSignatures(h.Signature)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("standardwebhooks: signature list has no version,signature entry: %w", providers.ErrInvalidHeader)
	}
	return ts, nil
}

// parseTimestamp accepts only decimal digits: the signed bytes contain the
// header text, so "+1", "01" and "1" must not all verify as one signature.
func parseTimestamp(s string) (int64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("standardwebhooks: timestamp is not a unix time in seconds: %w", providers.ErrInvalidHeader)
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("standardwebhooks: timestamp has leading zeros: %w", providers.ErrInvalidHeader)
	}
	ts, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("standardwebhooks: timestamp out of range: %w", providers.ErrInvalidHeader)
	}
	return ts, nil
}

// countSignatures counts the "version,signature" entries of a signature list
// (space-separated; empty entries from repeated spaces are skipped).
func countSignatures(list string) (int, error) {
	n := 0
	for entry := range strings.SplitSeq(list, " ") {
		if _, _, ok := strings.Cut(entry, ","); !ok {
			continue
		}
		n++
		if n > maxSignatures {
			return n, fmt.Errorf("standardwebhooks: more than %d signatures: %w", maxSignatures, providers.ErrInvalidHeader)
		}
	}
	return n, nil
}

// matchAny reports whether any v1 or v1a entry of h.Signature verifies.
func matchAny(payload []byte, h Headers, keys Keys) bool {
	matched := false
	var (
		macBuf [4][sha256.Size]byte
		macs   [][sha256.Size]byte // computed lazily, once per key
		signed []byte              // the full signed message, only for Ed25519
	)
	for entry := range strings.SplitSeq(h.Signature, " ") {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok {
			continue
		}
		switch version {
		case versionHMAC:
			if len(keys.HMAC) == 0 || len(sig) != hmacSigLen {
				continue
			}
			// Decode may write DecodedLen(len(sig)) bytes, more than the digest
			// when the entry is unpadded: size the buffer for that, not the digest.
			var got [hmacDecodedLen]byte
			if n, err := base64.StdEncoding.Strict().Decode(got[:], []byte(sig)); err != nil || n != sha256.Size {
				continue
			}
			if macs == nil {
				macs = macBuf[:0]
				for _, key := range keys.HMAC {
					mac := hmac.New(sha256.New, key)
					writeSigned(mac, h, payload)
					var sum [sha256.Size]byte
					mac.Sum(sum[:0])
					macs = append(macs, sum)
				}
			}
			for i := range macs {
				// No early return: timing must not reveal which key matched.
				if hmac.Equal(macs[i][:], got[:sha256.Size]) {
					matched = true
				}
			}
		case versionEd25519:
			if len(keys.Ed25519) == 0 || len(sig) != ed25519SigLen {
				continue
			}
			var got [ed25519DecodedLen]byte
			if n, err := base64.StdEncoding.Strict().Decode(got[:], []byte(sig)); err != nil || n != ed25519.SignatureSize {
				continue
			}
			if signed == nil {
				signed = signedBytes(h, payload)
			}
			for _, pub := range keys.Ed25519 {
				if ed25519.Verify(pub, signed, got[:ed25519.SignatureSize]) {
					matched = true
				}
			}
		}
	}
	return matched
}

// writeSigned streams "<id>.<timestamp>.<payload>" into a MAC without
// building the concatenation.
func writeSigned(w hash.Hash, h Headers, payload []byte) {
	var buf [64]byte // fits a usual "<id>.<timestamp>." prefix
	prefix := append(buf[:0], h.ID...)
	prefix = append(prefix, '.')
	prefix = append(prefix, h.Timestamp...)
	prefix = append(prefix, '.')
	w.Write(prefix)
	w.Write(payload)
}

// signedBytes returns "<id>.<timestamp>.<payload>" (Ed25519 needs the whole
// message).
func signedBytes(h Headers, payload []byte) []byte {
	b := make([]byte, 0, len(h.ID)+len(h.Timestamp)+2+len(payload))
	b = append(b, h.ID...)
	b = append(b, '.')
	b = append(b, h.Timestamp...)
	b = append(b, '.')
	return append(b, payload...)
}

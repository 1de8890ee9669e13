// Package hmacsig (folder providers/hmac) is the generic, configurable HMAC
// scheme, for providers without a dedicated package: the signature is
// HMAC-<algorithm>(secret, signed payload), encoded as hex or base64, in a
// configured header with an optional prefix ("sha256="). Optionally a
// timestamp header is part of the signed payload ("{timestamp}.{body}") and
// checked against a tolerance.
//
// It also holds the event ID and type rules (EventRules) that the other
// generic schemes, providers/token and providers/basic, share.
package hmacsig

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// Name is the provider name of this package in source configuration.
const Name = providers.HMAC

// Algorithm is the HMAC hash function.
type Algorithm string

// Supported algorithms. SHA-1 is offered only because some providers still
// sign with it (Intercom, Vercel).
const (
	SHA1   Algorithm = "sha1"
	SHA256 Algorithm = "sha256"
	SHA512 Algorithm = "sha512"
)

// Encoding is how the digest is written in the header.
type Encoding string

// Supported encodings: lowercase or uppercase hex, or standard padded base64.
const (
	Hex    Encoding = "hex"
	Base64 Encoding = "base64"
)

// Placeholders of a signed-payload template.
const (
	PlaceholderBody      = "{body}"
	PlaceholderTimestamp = "{timestamp}"
)

// DefaultTolerance is the timestamp window when timestamp_header is set.
const DefaultTolerance = 5 * time.Minute

// Options are the `options:` of a generic HMAC source.
type Options struct {
	// Algorithm is sha1, sha256 (default) or sha512.
	Algorithm Algorithm `yaml:"algorithm"`
	// Encoding is hex (default) or base64.
	Encoding Encoding `yaml:"encoding"`
	// Header carries the signature. Required.
	Header string `yaml:"header"`
	// Prefix precedes the encoded digest in Header, e.g. "sha256=".
	Prefix string `yaml:"prefix"`
	// TimestampHeader, when set, carries a unix time in seconds that is part
	// of the signed payload and must be within Tolerance of now.
	TimestampHeader string `yaml:"timestamp_header"`
	// SignedPayload is the template of the signed bytes: "{body}" (default),
	// or with a timestamp e.g. "{timestamp}.{body}" (default when
	// TimestampHeader is set). Other text is literal.
	SignedPayload string `yaml:"signed_payload"`
	// Tolerance is the timestamp window in both directions; default 5m. Only
	// valid with TimestampHeader.
	Tolerance providers.Duration `yaml:"tolerance"`

	EventRules `yaml:",inline"`
}

func (o *Options) setDefaults() {
	if o.Algorithm == "" {
		o.Algorithm = SHA256
	}
	if o.Encoding == "" {
		o.Encoding = Hex
	}
	if o.SignedPayload == "" {
		o.SignedPayload = PlaceholderBody
		if o.TimestampHeader != "" {
			o.SignedPayload = PlaceholderTimestamp + "." + PlaceholderBody
		}
	}
	if o.TimestampHeader != "" && o.Tolerance == 0 {
		o.Tolerance = providers.Duration(DefaultTolerance)
	}
}

func (o *Options) validate() error {
	if o.Header == "" {
		return fmt.Errorf(`options.header: required: the header carrying the signature (e.g. "X-Signature")`)
	}
	if err := validHeaderName(o.Header); err != nil {
		return fmt.Errorf("options.header: %w", err)
	}
	if _, ok := hashes[o.Algorithm]; !ok {
		return fmt.Errorf("options.algorithm: must be sha1, sha256 or sha512, got %q", o.Algorithm)
	}
	if o.Encoding != Hex && o.Encoding != Base64 {
		return fmt.Errorf("options.encoding: must be hex or base64, got %q", o.Encoding)
	}
	if err := validTemplate(o.SignedPayload); err != nil {
		return fmt.Errorf("options.signed_payload: %w", err)
	}
	hasTS := strings.Contains(o.SignedPayload, PlaceholderTimestamp)
	switch {
	case o.TimestampHeader == "" && hasTS:
		return fmt.Errorf("options.signed_payload: uses %s but options.timestamp_header is not set", PlaceholderTimestamp)
	case o.TimestampHeader != "" && !hasTS:
		// An unsigned timestamp can be replaced at will: the tolerance would
		// protect nothing.
		return fmt.Errorf("options.signed_payload: must contain %s when options.timestamp_header is set (e.g. %q)", PlaceholderTimestamp, PlaceholderTimestamp+"."+PlaceholderBody)
	case o.TimestampHeader == "" && o.Tolerance != 0:
		return fmt.Errorf("options.tolerance: only used with options.timestamp_header; set both or neither")
	case o.Tolerance < 0:
		return fmt.Errorf(`options.tolerance: must be > 0 (e.g. "5m"), got %s`, o.Tolerance)
	}
	if o.TimestampHeader != "" {
		if err := validHeaderName(o.TimestampHeader); err != nil {
			return fmt.Errorf("options.timestamp_header: %w", err)
		}
		if http.CanonicalHeaderKey(o.TimestampHeader) == http.CanonicalHeaderKey(o.Header) {
			return fmt.Errorf("options.timestamp_header: must differ from options.header")
		}
	}
	return nil
}

func validHeaderName(name string) error {
	if strings.ContainsAny(name, " \t:\r\n") {
		return fmt.Errorf("%q is not a valid HTTP header name", name)
	}
	return nil
}

// validTemplate requires exactly one {body}, at most one {timestamp}, and no
// other {placeholder}, so a typo such as "{timestmp}" is not silently signed
// as literal text.
func validTemplate(t string) error {
	if n := strings.Count(t, PlaceholderBody); n != 1 {
		return fmt.Errorf("must contain %s exactly once, found %d", PlaceholderBody, n)
	}
	if strings.Count(t, PlaceholderTimestamp) > 1 {
		return fmt.Errorf("must contain %s at most once", PlaceholderTimestamp)
	}
	rest := strings.ReplaceAll(strings.ReplaceAll(t, PlaceholderBody, ""), PlaceholderTimestamp, "")
	if i := strings.IndexByte(rest, '{'); i >= 0 {
		if j := strings.IndexByte(rest[i:], '}'); j > 0 {
			return fmt.Errorf("unknown placeholder %s: use %s and %s", rest[i:i+j+1], PlaceholderBody, PlaceholderTimestamp)
		}
	}
	return nil
}

func loadOptions(spec providers.Spec) (Options, Identifier, error) {
	var o Options
	if spec.Options != nil {
		if err := spec.Options(&o); err != nil {
			// The Spec's decoder names the options block and the field itself.
			return o, Identifier{}, err
		}
	}
	o.setDefaults()
	if err := o.validate(); err != nil {
		return o, Identifier{}, err
	}
	id, err := o.EventRules.Compile()
	return o, id, err
}

// checkSecrets rejects an empty secret list or an empty entry: HMAC with an
// empty key is a signature anyone can compute.
func checkSecrets(secrets []string) error {
	return providers.RequireSecrets(secrets, "signing secret")
}

var hashes = map[Algorithm]func() hash.Hash{
	SHA1:   sha1.New,
	SHA256: sha256.New,
	SHA512: sha512.New,
}

// Scheme is a configured HMAC signature format. Build it from validated
// Options (New does), or fill it directly for the pure functions.
type Scheme struct {
	Algorithm Algorithm
	Encoding  Encoding
	// Prefix precedes the encoded digest in the header value.
	Prefix string
	// SignedPayload is the template of the signed bytes; "" means "{body}".
	SignedPayload string
}

// Sign returns the header value for body (and timestamp, substituted for
// {timestamp}) under secret: Prefix + encoded digest. It panics on an unknown
// Algorithm, a programming error that New rules out.
func (s Scheme) Sign(body []byte, timestamp, secret string) string {
	mac := s.mac(secret, body, timestamp)
	sum := mac.Sum(nil)
	if s.Encoding == Base64 {
		return s.Prefix + base64.StdEncoding.EncodeToString(sum)
	}
	return s.Prefix + hex.EncodeToString(sum)
}

// encodeDigest writes a digest in the scheme's encoding, without prefix.
func (s Scheme) encodeDigest(sum []byte) string {
	if s.Encoding == Base64 {
		return base64.StdEncoding.EncodeToString(sum)
	}
	return hex.EncodeToString(sum)
}

// Verify reports whether header is the signature of body (and timestamp)
// under one of secrets. Errors wrap providers.ErrNoSecret (no non-empty
// secret), ErrNotSigned (empty header), ErrInvalidHeader (missing prefix, or
// a digest that does not decode to the algorithm's size) or
// ErrNoValidSignature. It does not check the timestamp's age: see
// CheckTimestamp. The comparison is constant-time.
func (s Scheme) Verify(body []byte, timestamp, header string, secrets []string) error {
	newHash, ok := hashes[s.Algorithm]
	if !ok {
		return fmt.Errorf("hmac: unknown algorithm %q: %w", s.Algorithm, providers.ErrNoSecret)
	}
	if !anySecret(secrets) {
		return fmt.Errorf("hmac: %w", providers.ErrNoSecret)
	}
	if header == "" {
		return fmt.Errorf("hmac: empty signature header: %w", providers.ErrNotSigned)
	}
	encoded, ok := strings.CutPrefix(header, s.Prefix)
	if !ok {
		return fmt.Errorf("hmac: signature does not start with the configured prefix %q: %w", s.Prefix, providers.ErrInvalidHeader)
	}
	size := newHash().Size()
	var buf [sha512.Size + 2]byte
	got, ok := s.decode(buf[:], encoded, size)
	if !ok {
		return fmt.Errorf("hmac: signature is not a %s-encoded %s digest: %w", s.Encoding, s.Algorithm, providers.ErrInvalidHeader)
	}
	matched := false
	var want [sha512.Size]byte
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := s.mac(secret, body, timestamp)
		// No early return: timing must not reveal which secret matched.
		if hmac.Equal(mac.Sum(want[:0]), got) {
			matched = true
		}
	}
	if !matched {
		return fmt.Errorf("hmac: %w", providers.ErrNoValidSignature)
	}
	return nil
}

// decode decodes an encoded digest of exactly size bytes into buf.
func (s Scheme) decode(buf []byte, encoded string, size int) ([]byte, bool) {
	switch s.Encoding {
	case Base64:
		// The exact length check also rejects CR/LF, which the decoder skips.
		if len(encoded) != base64.StdEncoding.EncodedLen(size) {
			return nil, false
		}
		n, err := base64.StdEncoding.Strict().Decode(buf, []byte(encoded))
		if err != nil || n != size {
			return nil, false
		}
		return buf[:n], true
	default:
		if len(encoded) != 2*size {
			return nil, false
		}
		for i := 0; i < size; i++ {
			hi, ok1 := providers.HexNibble(encoded[2*i])
			lo, ok2 := providers.HexNibble(encoded[2*i+1])
			if !ok1 || !ok2 {
				return nil, false
			}
			buf[i] = hi<<4 | lo
		}
		return buf[:size], true
	}
}

// mac returns the MAC of the expanded template, streamed without building it.
func (s Scheme) mac(secret string, body []byte, timestamp string) hash.Hash {
	mac := hmac.New(hashes[s.Algorithm], []byte(secret))
	t := s.SignedPayload
	if t == "" {
		t = PlaceholderBody
	}
	for t != "" {
		i := strings.IndexByte(t, '{')
		switch {
		case i < 0:
			mac.Write([]byte(t))
			return mac
		case strings.HasPrefix(t[i:], PlaceholderBody):
			mac.Write([]byte(t[:i]))
			mac.Write(body)
			t = t[i+len(PlaceholderBody):]
		case strings.HasPrefix(t[i:], PlaceholderTimestamp):
			mac.Write([]byte(t[:i]))
			mac.Write([]byte(timestamp))
			t = t[i+len(PlaceholderTimestamp):]
		default:
			mac.Write([]byte(t[:i+1]))
			t = t[i+1:]
		}
	}
	return mac
}

func anySecret(secrets []string) bool {
	for _, s := range secrets {
		if s != "" {
			return true
		}
	}
	return false
}

// CheckTimestamp parses ts (a unix time in seconds, decimal digits only) and
// reports whether it is within tolerance of now in either direction. Errors
// wrap providers.ErrNotSigned (empty), ErrInvalidHeader, ErrTooOld or ErrTooNew.
func CheckTimestamp(ts string, now time.Time, tolerance time.Duration) error {
	if ts == "" {
		return fmt.Errorf("hmac: empty timestamp: %w", providers.ErrNotSigned)
	}
	for i := 0; i < len(ts); i++ {
		if ts[i] < '0' || ts[i] > '9' {
			return fmt.Errorf("hmac: timestamp is not a unix time in seconds: %w", providers.ErrInvalidHeader)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("hmac: timestamp out of range: %w", providers.ErrInvalidHeader)
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	return within(time.Unix(sec, 0), now, tolerance)
}

// New builds the Provider of a generic HMAC source (a providers.Factory). It
// fails with an error wrapping providers.ErrNoSecret when spec.Secrets is
// empty, and with an error naming the option otherwise (options.header is
// required).
func New(spec providers.Spec) (providers.Provider, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	o, ident, err := loadOptions(spec)
	if err != nil {
		return nil, err
	}
	return &provider{
		scheme:          schemeOf(o),
		header:          http.CanonicalHeaderKey(o.Header),
		timestampHeader: canonicalOrEmpty(o.TimestampHeader),
		tolerance:       o.Tolerance.Std(),
		secrets:         append([]string(nil), spec.Secrets...),
		ident:           ident,
	}, nil
}

func schemeOf(o Options) Scheme {
	return Scheme{Algorithm: o.Algorithm, Encoding: o.Encoding, Prefix: o.Prefix, SignedPayload: o.SignedPayload}
}

func canonicalOrEmpty(name string) string {
	if name == "" {
		return ""
	}
	return http.CanonicalHeaderKey(name)
}

// provider is the generic HMAC providers.Provider. Its zero value rejects
// everything.
type provider struct {
	scheme          Scheme
	header          string // canonical
	timestampHeader string // canonical; "" when unused
	tolerance       time.Duration
	secrets         []string
	ident           Identifier
}

// Verify checks the configured signature header (and timestamp header) against
// the raw body. A missing header is ErrNotSigned; a repeated one
// ErrInvalidHeader. The signature is checked before the timestamp's age. A
// zero r.Now means the current time.
func (p *provider) Verify(_ context.Context, r *providers.Request) error {
	if len(p.secrets) == 0 || p.header == "" {
		return fmt.Errorf("hmac: %w", providers.ErrNoSecret)
	}
	if r == nil {
		return fmt.Errorf("hmac: no request: %w", providers.ErrNotSigned)
	}
	sig, err := single(r.Header, p.header)
	if err != nil {
		return err
	}
	var ts string
	if p.timestampHeader != "" {
		if ts, err = single(r.Header, p.timestampHeader); err != nil {
			return err
		}
	}
	if err := p.scheme.Verify(r.Body, ts, sig, p.secrets); err != nil {
		return err
	}
	if p.timestampHeader == "" {
		return nil
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	return CheckTimestamp(ts, now, p.tolerance)
}

// single returns the one value of a canonical header name.
func single(h http.Header, name string) (string, error) {
	v := h[name]
	switch {
	case len(v) == 0 || v[0] == "":
		return "", fmt.Errorf("hmac: missing %s header: %w", name, providers.ErrNotSigned)
	case len(v) > 1:
		return "", fmt.Errorf("hmac: %d %s headers, want one: %w", len(v), name, providers.ErrInvalidHeader)
	}
	return v[0], nil
}

// Identify applies the source's event_id and event_type rules (see
// Identifier.Identify).
func (p *provider) Identify(r *providers.Request) (providers.Event, error) {
	ev, err := p.ident.Identify(r)
	if err != nil {
		return providers.Event{}, fmt.Errorf("hmac: %w", err)
	}
	return ev, nil
}

// CredentialHeaders is nil: the scheme's headers carry signatures, never the
// secret itself (providers.Provider).
func (p *provider) CredentialHeaders() []string { return nil }

// ChecksTimestamp reports whether a signed timestamp header is configured: it
// is then checked against the tolerance (providers.TimestampChecker).
func (p *provider) ChecksTimestamp() bool { return p.timestampHeader != "" }

package hmacsig

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// Template is the HMAC scheme family of the provider catalogue: one
// description covers a provider that signs the raw body (GitHub, Shopify), a
// timestamp and the body (Slack's "v0:{timestamp}:{body}"), a delivery ID, a
// timestamp and the body (Twitch), or the URL and the body (Square), with the
// signature alone in its header, in a list (PagerDuty's "v1=…,v1=…"), or in a
// key=value header that also carries the timestamp (Stripe's "t=…,v1=…",
// Paddle's "ts=…;h1=…").
//
// A Template is data: the catalogue fills one per provider, Validate checks
// it once, and Verify and Sign are pure functions of the request.
type Template struct {
	Algorithm Algorithm
	// Encoding of the digest: hex (either case accepted), base64 (padded) or
	// base64url (unpadded).
	Encoding Encoding
	// KeyEncoding says how a configured secret becomes the HMAC key: raw
	// bytes (default), base64 or hex (Airtable's macSecretBase64).
	KeyEncoding KeyEncoding
	// Construction is how the key enters the digest: an HMAC (default), or
	// a plain hash of the payload followed by the secret (Cloudinary's
	// SHA-1(body + timestamp + api_secret)).
	Construction Construction

	// Header carries the signature(s).
	Header string
	// SecondHeader, when set, is a further header with a signature in the
	// same form, sent alongside Header during a key rotation (Box's
	// BOX-SIGNATURE-SECONDARY, under the secondary key). It may be absent.
	SecondHeader string
	// Repeated lets Header come more than once, each value a signature in
	// the same form (Mollie sends one per secret during a rotation, and its
	// SDKs check every value); otherwise a repeated Header is refused.
	Repeated bool
	// FixedHeaders are headers the provider sends with a fixed value that
	// names the scheme's version (Box's BOX-SIGNATURE-VERSION: 1). Verify
	// refuses a request where one differs (a version this template does not
	// know) and Sign sets them.
	FixedHeaders map[string]string
	// Prefix precedes each digest ("sha256=", "v0="). In a key=value header it
	// is unused: SignatureKey names the digests.
	Prefix string
	// Separator splits Header into several signatures (rotation), each with
	// Prefix ("," for PagerDuty, " " for lists of "v1,<sig>"); "" means one.
	Separator string

	// PairSeparator, when set, makes Header a list of key=value pairs split
	// on it ("," or ";"), with the timestamp under TimestampKey and one or
	// more digests under SignatureKey; pairs with other keys are ignored
	// (a provider's new scheme version).
	PairSeparator string
	TimestampKey  string
	SignatureKey  string

	// TimestampHeader carries the timestamp when it is not in Header.
	TimestampHeader string
	// TimestampFormat is how the timestamp is written: unix seconds
	// (default), unix milliseconds, or RFC 3339.
	TimestampFormat TimestampFormat
	// Tolerance is the accepted age of the timestamp, and how far ahead it
	// may be (default DefaultTolerance when the payload is timestamped).
	Tolerance time.Duration

	// TimestampField, when set, is the JSON path of the signed body's member
	// that holds the timestamp, written in TimestampFormat (Linear's
	// webhookTimestamp, unix milliseconds; Plain's
	// webhookMetadata.webhookDeliveryAttemptTimestamp, RFC 3339): the body
	// is signed, so its timestamp is, and Verify checks it against the
	// tolerance after the signature.
	TimestampField string

	// IDHeader carries the delivery ID signed as {id}.
	IDHeader string
	// SignedPayload is the template of the signed bytes: {body} once, and any
	// of {timestamp}, {id}, {url} (the public URL the provider posted to) and
	// {method}; other text is literal. Default "{body}".
	SignedPayload string
}

// Construction is how a secret keys the digest.
type Construction string

// Constructions.
const (
	ConstructHMAC         Construction = ""
	ConstructSecretSuffix Construction = "hash-secret-suffix"
)

// KeyEncoding is how a secret is turned into an HMAC key.
type KeyEncoding string

// Key encodings.
const (
	KeyRaw    KeyEncoding = ""
	KeyBase64 KeyEncoding = "base64"
	KeyHex    KeyEncoding = "hex"
)

// Base64URL is the unpadded URL-safe base64 digest encoding (Sanity).
const Base64URL Encoding = "base64url"

// TimestampFormat is how a signed timestamp is written.
type TimestampFormat string

// Timestamp formats.
const (
	UnixSeconds TimestampFormat = ""
	UnixMillis  TimestampFormat = "unix_ms"
	RFC3339     TimestampFormat = "rfc3339"
	// UTCNoZone is an ISO 8601 date and time in UTC written without a zone
	// ("2024-05-01T12:00:00.123456", Orb); one with a zone is read too.
	UTCNoZone TimestampFormat = "utc_no_zone"
	// HTTPDate is an HTTP date ("Tue, 08 Dec 2026 01:32:52 GMT", RFC 9110;
	// Metronome): the three formats http.ParseTime reads are accepted, and
	// the signed text is the header's own.
	HTTPDate TimestampFormat = "http_date"
)

// utcNoZoneLayout reads UTCNoZone timestamps (any fraction of a second).
const utcNoZoneLayout = "2006-01-02T15:04:05.999999999"

// Further placeholders of a Template's signed payload.
const (
	PlaceholderID     = "{id}"
	PlaceholderURL    = "{url}"
	PlaceholderMethod = "{method}"
)

var templatePlaceholders = []string{PlaceholderBody, PlaceholderTimestamp, PlaceholderID, PlaceholderURL, PlaceholderMethod}

// Timestamped reports whether the template signs a timestamp (which Verify
// then checks against the tolerance).
func (t *Template) Timestamped() bool {
	return strings.Contains(t.payload(), PlaceholderTimestamp)
}

// SignedPayloadOrBody is the signed payload's template, "{body}" when unset.
func (t *Template) SignedPayloadOrBody() string { return t.payload() }

func (t *Template) payload() string {
	if t.SignedPayload == "" {
		return PlaceholderBody
	}
	return t.SignedPayload
}

// Validate checks that the template is complete and consistent. Errors name
// the field; a catalogue test runs it over every entry.
func (t *Template) Validate() error {
	if _, ok := hashes[t.Algorithm]; !ok {
		return fmt.Errorf("algorithm: must be sha1, sha256 or sha512, got %q", t.Algorithm)
	}
	switch t.Encoding {
	case Hex, Base64, Base64URL:
	default:
		return fmt.Errorf("encoding: must be hex, base64 or base64url, got %q", t.Encoding)
	}
	switch t.KeyEncoding {
	case KeyRaw, KeyBase64, KeyHex:
	default:
		return fmt.Errorf("key encoding: must be raw, base64 or hex, got %q", t.KeyEncoding)
	}
	if t.Construction != ConstructHMAC && t.Construction != ConstructSecretSuffix {
		return fmt.Errorf("construction: must be hmac or %s, got %q", ConstructSecretSuffix, t.Construction)
	}
	switch t.TimestampFormat {
	case UnixSeconds, UnixMillis, RFC3339, UTCNoZone, HTTPDate:
	default:
		return fmt.Errorf("timestamp format %q is unknown", t.TimestampFormat)
	}
	if err := validHeaderName(t.Header); err != nil || t.Header == "" {
		return fmt.Errorf("header: a signature header is required: %q", t.Header)
	}
	if t.Repeated && (t.PairSeparator != "" || t.Separator != "" || t.SecondHeader != "") {
		return errors.New("repeated: a repeated header holds one prefixed signature per value (no separator, pairs or second header)")
	}
	if t.SecondHeader != "" {
		if err := validHeaderName(t.SecondHeader); err != nil {
			return fmt.Errorf("second header: %w", err)
		}
	}
	for name, v := range t.FixedHeaders {
		if err := validHeaderName(name); err != nil || name == "" || v == "" {
			return fmt.Errorf("fixed headers: %q: %q is not a header and its value", name, v)
		}
	}
	p := t.payload()
	if n := strings.Count(p, PlaceholderBody); n != 1 {
		return fmt.Errorf("signed payload: must contain %s exactly once, found %d", PlaceholderBody, n)
	}
	rest := p
	for _, ph := range templatePlaceholders {
		if ph != PlaceholderBody && strings.Count(p, ph) > 1 {
			return fmt.Errorf("signed payload: %s at most once", ph)
		}
		rest = strings.ReplaceAll(rest, ph, "")
	}
	if i := strings.IndexByte(rest, '{'); i >= 0 && strings.IndexByte(rest[i:], '}') > 0 {
		return fmt.Errorf("signed payload: unknown placeholder in %q", p)
	}
	tsInHeader := t.PairSeparator != "" && t.TimestampKey != ""
	switch {
	case t.PairSeparator != "" && t.SignatureKey == "":
		return errors.New("a key=value signature header needs the key of its signatures")
	case t.Timestamped() && !tsInHeader && t.TimestampHeader == "":
		return errors.New("signed payload: signs {timestamp}, but no timestamp header or key is set")
	case !t.Timestamped() && (tsInHeader || t.TimestampHeader != ""):
		// An unsigned timestamp can be replaced at will.
		return errors.New("a timestamp is read but the signed payload does not contain {timestamp}")
	case t.TimestampField != "" && (t.Timestamped() || tsInHeader || t.TimestampHeader != ""):
		return errors.New("a timestamp field in the body excludes a signed {timestamp}")
	case t.TimestampField != "" && !validPath(t.TimestampField):
		return fmt.Errorf("timestamp field: %q is not a JSON path", t.TimestampField)
	case strings.Contains(p, PlaceholderID) != (t.IDHeader != ""):
		return errors.New("signed payload: {id} and the ID header go together")
	case t.Tolerance < 0:
		return errors.New("tolerance: must not be negative")
	}
	return nil
}

// parts are the values a request gives the template.
type parts struct {
	sigs      []string // encoded digests, prefixes removed
	timestamp string
	id        string
	backing   [4]string // sigs' storage for the usual one to four
}

// digestSize is each algorithm's digest length (hashes[alg]().Size(),
// without building a hash per request).
var digestSize = map[Algorithm]int{SHA1: 20, SHA256: 32, SHA512: 64}

// Verify checks r against the template under any of secrets (newest first):
// the signature over the exact bytes, then the timestamp's age. Errors wrap
// the providers sentinels: ErrNotSigned (a header missing), ErrInvalidHeader
// (repeated or malformed), ErrNoValidSignature, ErrTooOld, ErrTooNew.
func (t *Template) Verify(r *providers.Request, secrets []string, now time.Time) error {
	if !anySecret(secrets) {
		return fmt.Errorf("hmac: %w", providers.ErrNoSecret)
	}
	var p parts
	if err := t.read(r.Header, &p); err != nil {
		return err
	}
	size := digestSize[t.Algorithm]
	var buf [sha512.Size + 2]byte
	var want [sha512.Size]byte
	matched, decoded := false, false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		key, err := t.key(secret)
		if err != nil {
			return err
		}
		mac := t.mac(key, r, &p)
		sum := mac.Sum(want[:0])
		for _, enc := range p.sigs {
			got, ok := t.decode(buf[:], enc, size)
			if !ok {
				continue
			}
			decoded = true
			// No early return: timing must not reveal which matched.
			if hmac.Equal(sum, got) {
				matched = true
			}
		}
	}
	switch {
	case !decoded:
		return fmt.Errorf("hmac: %s holds no %s-encoded %s digest: %w", t.Header, t.Encoding, t.Algorithm, providers.ErrInvalidHeader)
	case !matched:
		return fmt.Errorf("hmac: %w", providers.ErrNoValidSignature)
	}
	if t.TimestampField != "" {
		ts, found, err := LookupJSON(r.Body, strings.Split(t.TimestampField, "."))
		switch {
		case err != nil:
			return fmt.Errorf("hmac: %w", err)
		case !found:
			return fmt.Errorf("hmac: the body has no %s: %w", t.TimestampField, providers.ErrMalformedPayload)
		}
		return t.checkTime(ts, now)
	}
	if !t.Timestamped() {
		return nil
	}
	return t.checkTime(p.timestamp, now)
}

// read extracts the signatures, the timestamp and the ID from the headers.
// ows is HTTP's optional whitespace (RFC 9110, 5.6.3) around list items: only
// it is trimmed, so that a digest has one spelling (no CR or LF, which a
// base64 decoder would skip).
const ows = " \t"

func (t *Template) read(h http.Header, p *parts) error {
	p.sigs = p.backing[:0]
	if t.Repeated && len(h[http.CanonicalHeaderKey(t.Header)]) > 1 {
		return t.readRepeated(h, p)
	}
	raw, err := single(h, http.CanonicalHeaderKey(t.Header))
	if err != nil {
		return err
	}
	if t.PairSeparator != "" {
		for item := range strings.SplitSeq(raw, t.PairSeparator) {
			k, v, ok := strings.Cut(strings.Trim(item, ows), "=")
			switch {
			case !ok:
				continue
			case k == t.SignatureKey:
				p.sigs = append(p.sigs, v)
			case k == t.TimestampKey && t.TimestampKey != "":
				if p.timestamp != "" {
					return fmt.Errorf("hmac: %s has two %s= values: %w", t.Header, k, providers.ErrInvalidHeader)
				}
				p.timestamp = v
			}
		}
		if len(p.sigs) == 0 {
			return fmt.Errorf("hmac: %s has no %s= signature: %w", t.Header, t.SignatureKey, providers.ErrInvalidHeader)
		}
		if t.TimestampKey != "" && p.timestamp == "" {
			return fmt.Errorf("hmac: %s has no %s= timestamp: %w", t.Header, t.TimestampKey, providers.ErrInvalidHeader)
		}
	} else {
		// Split on Separator without allocating; one item when unset.
		for rest, more := raw, true; more; {
			item := rest
			if t.Separator != "" {
				item, rest, more = strings.Cut(rest, t.Separator)
			} else {
				more = false
			}
			if enc, ok := strings.CutPrefix(strings.Trim(item, ows), t.Prefix); ok && enc != "" {
				p.sigs = append(p.sigs, enc)
			}
		}
		if len(p.sigs) == 0 {
			return fmt.Errorf("hmac: %s does not start with %q: %w", t.Header, t.Prefix, providers.ErrInvalidHeader)
		}
	}
	if t.SecondHeader != "" && len(h.Values(t.SecondHeader)) > 0 {
		second, err := single(h, http.CanonicalHeaderKey(t.SecondHeader))
		if err != nil {
			return err
		}
		if enc, ok := strings.CutPrefix(strings.Trim(second, ows), t.Prefix); ok && enc != "" {
			p.sigs = append(p.sigs, enc)
		}
	}
	for name, want := range t.FixedHeaders {
		got, err := single(h, http.CanonicalHeaderKey(name))
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("hmac: %s is %q, this scheme is %q: %w", name, got, want, providers.ErrInvalidHeader)
		}
	}
	if t.TimestampHeader != "" {
		if p.timestamp, err = single(h, http.CanonicalHeaderKey(t.TimestampHeader)); err != nil {
			return err
		}
	}
	if t.IDHeader != "" {
		if p.id, err = single(h, http.CanonicalHeaderKey(t.IDHeader)); err != nil {
			return err
		}
	}
	return nil
}

// readRepeated reads every value of a Repeated header: each must have the
// template's Prefix and a digest, or the request is refused.
func (t *Template) readRepeated(h http.Header, p *parts) error {
	for _, v := range h[http.CanonicalHeaderKey(t.Header)] {
		enc, ok := strings.CutPrefix(strings.Trim(v, ows), t.Prefix)
		if !ok || enc == "" {
			return fmt.Errorf("hmac: a %s value does not start with %q: %w", t.Header, t.Prefix, providers.ErrInvalidHeader)
		}
		p.sigs = append(p.sigs, enc)
	}
	return nil
}

// key turns a configured secret into the HMAC key.
func (t *Template) key(secret string) ([]byte, error) {
	switch t.KeyEncoding {
	case KeyBase64:
		k, err := base64.StdEncoding.DecodeString(secret)
		if err != nil {
			return nil, fmt.Errorf("hmac: the secret must be base64, as the provider shows it: %w", providers.ErrNoSecret)
		}
		return k, nil
	case KeyHex:
		k, err := hex.DecodeString(secret)
		if err != nil {
			return nil, fmt.Errorf("hmac: the secret must be hex, as the provider shows it: %w", providers.ErrNoSecret)
		}
		return k, nil
	}
	return []byte(secret), nil
}

// decode decodes one encoded digest of exactly size bytes into buf.
func (t *Template) decode(buf []byte, enc string, size int) ([]byte, bool) {
	if t.Encoding == Base64URL {
		if len(enc) != base64.RawURLEncoding.EncodedLen(size) {
			return nil, false
		}
		n, err := base64.RawURLEncoding.Strict().Decode(buf, []byte(enc))
		return buf[:n], err == nil && n == size
	}
	return Scheme{Encoding: t.Encoding}.decode(buf, enc, size)
}

// mac streams the expanded template into an HMAC keyed by key.
func (t *Template) mac(key []byte, r *providers.Request, p *parts) hash.Hash {
	if t.Construction == ConstructSecretSuffix {
		return secretSuffix{Hash: t.unkeyed(r, p), key: key}
	}
	return t.write(hmac.New(hashes[t.Algorithm], key), r, p)
}

// unkeyed streams the expanded template into a plain hash.
func (t *Template) unkeyed(r *providers.Request, p *parts) hash.Hash {
	return t.write(hashes[t.Algorithm](), r, p)
}

// secretSuffix is a plain hash whose Sum first appends the secret.
type secretSuffix struct {
	hash.Hash
	key []byte
}

func (s secretSuffix) Sum(b []byte) []byte {
	s.Hash.Write(s.key)
	return s.Hash.Sum(b)
}

// write streams the expanded template into mac.
func (t *Template) write(mac hash.Hash, r *providers.Request, p *parts) hash.Hash {
	tpl := t.payload()
	for tpl != "" {
		i := strings.IndexByte(tpl, '{')
		if i < 0 {
			mac.Write([]byte(tpl))
			break
		}
		mac.Write([]byte(tpl[:i]))
		tpl = tpl[i:]
		switch {
		case strings.HasPrefix(tpl, PlaceholderBody):
			mac.Write(r.Body)
			tpl = tpl[len(PlaceholderBody):]
		case strings.HasPrefix(tpl, PlaceholderTimestamp):
			mac.Write([]byte(p.timestamp))
			tpl = tpl[len(PlaceholderTimestamp):]
		case strings.HasPrefix(tpl, PlaceholderID):
			mac.Write([]byte(p.id))
			tpl = tpl[len(PlaceholderID):]
		case strings.HasPrefix(tpl, PlaceholderURL):
			if r.URL != nil {
				mac.Write([]byte(r.URL.String()))
			}
			tpl = tpl[len(PlaceholderURL):]
		case strings.HasPrefix(tpl, PlaceholderMethod):
			mac.Write([]byte(r.Method))
			tpl = tpl[len(PlaceholderMethod):]
		default:
			mac.Write([]byte{'{'})
			tpl = tpl[1:]
		}
	}
	return mac
}

// checkTime parses the signed timestamp and checks it is within the
// tolerance of now, either way.
func (t *Template) checkTime(ts string, now time.Time) error {
	tol := t.Tolerance
	if tol == 0 {
		tol = DefaultTolerance
	}
	switch t.TimestampFormat {
	case UnixMillis:
		if ts == "" || strings.Trim(ts, "0123456789") != "" {
			return fmt.Errorf("hmac: timestamp is not a unix time in milliseconds: %w", providers.ErrInvalidHeader)
		}
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return fmt.Errorf("hmac: timestamp out of range: %w", providers.ErrInvalidHeader)
		}
		return within(time.UnixMilli(ms), now, tol)
	case RFC3339:
		at, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return fmt.Errorf("hmac: timestamp is not RFC 3339: %w", providers.ErrInvalidHeader)
		}
		return within(at, now, tol)
	case UTCNoZone:
		at, err := time.Parse(utcNoZoneLayout, ts)
		if err != nil {
			if at, err = time.Parse(time.RFC3339Nano, ts); err != nil {
				return fmt.Errorf("hmac: timestamp is not an ISO 8601 UTC time: %w", providers.ErrInvalidHeader)
			}
		}
		return within(at, now, tol)
	case HTTPDate:
		at, err := http.ParseTime(ts)
		if err != nil {
			return fmt.Errorf("hmac: timestamp is not an HTTP date: %w", providers.ErrInvalidHeader)
		}
		return within(at, now, tol)
	}
	return CheckTimestamp(ts, now, tol)
}

func within(signed, now time.Time, tol time.Duration) error {
	if err := providers.CheckAge(signed, now, tol); err != nil {
		return fmt.Errorf("hmac: %w", err)
	}
	return nil
}

// Sign sets on r the headers the provider sends: the signature under secret
// over r as the template reads it, with r.Now as the timestamp and id as the
// delivery ID when they are signed. It is used by tests and `hookgate send`.
func (t *Template) Sign(r *providers.Request, secret, id string) error {
	key, err := t.key(secret)
	if err != nil {
		return err
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	p := parts{id: id}
	if t.Timestamped() {
		switch t.TimestampFormat {
		case UnixMillis:
			p.timestamp = strconv.FormatInt(r.Now.UnixMilli(), 10)
		case RFC3339:
			p.timestamp = r.Now.UTC().Format(time.RFC3339Nano)
		case UTCNoZone:
			p.timestamp = r.Now.UTC().Format("2006-01-02T15:04:05.000000")
		case HTTPDate:
			p.timestamp = r.Now.UTC().Format(http.TimeFormat)
		default:
			p.timestamp = strconv.FormatInt(r.Now.Unix(), 10)
		}
	}
	if t.IDHeader != "" {
		r.Header.Set(t.IDHeader, id)
	}
	if t.TimestampHeader != "" {
		r.Header.Set(t.TimestampHeader, p.timestamp)
	}
	for name, v := range t.FixedHeaders {
		r.Header.Set(name, v)
	}
	if t.TimestampField != "" {
		body, err := setTimestampField(r.Body, strings.Split(t.TimestampField, "."), t.bodyTimestamp(r.Now))
		if err != nil {
			return err
		}
		r.Body = body
	}
	sum := t.mac(key, r, &p).Sum(nil)
	var enc string
	switch t.Encoding {
	case Base64:
		enc = base64.StdEncoding.EncodeToString(sum)
	case Base64URL:
		enc = base64.RawURLEncoding.EncodeToString(sum)
	default:
		enc = hex.EncodeToString(sum)
	}
	if t.PairSeparator != "" {
		v := t.SignatureKey + "=" + enc
		if t.TimestampKey != "" {
			v = t.TimestampKey + "=" + p.timestamp + t.PairSeparator + v
		}
		r.Header.Set(t.Header, v)
		return nil
	}
	r.Header.Set(t.Header, t.Prefix+enc)
	return nil
}

// validPath reports whether path is a dotted JSON path without an empty
// segment.
func validPath(path string) bool {
	_, err := ParseRule("json:" + path)
	return err == nil
}

// bodyTimestamp is now as a JSON value in the template's format: a number
// of milliseconds, or a string.
func (t *Template) bodyTimestamp(now time.Time) json.RawMessage {
	var v any = now.UnixMilli()
	switch t.TimestampFormat {
	case UnixSeconds:
		v = now.Unix()
	case RFC3339:
		v = now.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	case UTCNoZone:
		v = now.UTC().Format("2006-01-02T15:04:05.000000")
	case HTTPDate:
		v = now.UTC().Format(http.TimeFormat)
	}
	b, _ := json.Marshal(v)
	return b
}

// setTimestampField sets the member at path of the JSON object body
// to value (creating objects on the way), as a provider stamps a delivery it
// signs. The members are written back in sorted order.
func setTimestampField(body []byte, path []string, value json.RawMessage) ([]byte, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("hmac: the body must be a JSON object to carry %s: %w", strings.Join(path, "."), providers.ErrMalformedPayload)
	}
	if len(path) > 1 {
		inner := obj[path[0]]
		if len(inner) == 0 {
			inner = json.RawMessage("{}")
		}
		v, err := setTimestampField(inner, path[1:], value)
		if err != nil {
			return nil, err
		}
		value = v
	}
	obj[path[0]] = value
	return json.Marshal(obj)
}

package catalogue

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// Contentful is the scheme of Contentful's request verification (webhooks
// and app requests), kept bespoke because no family fits it: an HMAC-SHA256
// (hex) of a canonical request — the method, the encoded path and query, the
// headers the sender chose to sign (named in x-contentful-signed-headers,
// which always include it and x-contentful-timestamp) as sorted "key:value"
// pairs joined by ";", and the body — under the 64-character signing
// secret, in x-contentful-signature; the timestamp (unix ms) must be within
// the tolerance (30 s, as Contentful's toolkit checks).
type Contentful struct {
	Tolerance time.Duration
}

// Contentful's headers.
const (
	cfSignature     = "x-contentful-signature"
	cfSignedHeaders = "x-contentful-signed-headers"
	cfTimestamp     = "x-contentful-timestamp"
)

// maxContentfulSignedHeaders bounds the headers a signature may name.
const maxContentfulSignedHeaders = 64

// Verify checks r's canonical request under any of secrets. Errors wrap
// ErrNotSigned (no signature), ErrInvalidHeader (a header repeated or
// malformed), ErrNoValidSignature, ErrTooOld or ErrTooNew.
func (c Contentful) Verify(r *providers.Request, secrets []string, now time.Time) error {
	sig, err := providers.OneHeader(r.Header, http.CanonicalHeaderKey(cfSignature))
	if err != nil {
		return fmt.Errorf("contentful: %w", err)
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("contentful: %s is not a hex SHA-256 HMAC: %w", cfSignature, providers.ErrInvalidHeader)
	}
	ts, err := providers.OneHeader(r.Header, http.CanonicalHeaderKey(cfTimestamp))
	if err != nil {
		return fmt.Errorf("contentful: %w", err)
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms <= 0 {
		return fmt.Errorf("contentful: %s is not a unix time in milliseconds: %w", cfTimestamp, providers.ErrInvalidHeader)
	}
	list, err := providers.OneHeader(r.Header, http.CanonicalHeaderKey(cfSignedHeaders))
	if err != nil {
		return fmt.Errorf("contentful: %w", err)
	}
	names := strings.Split(list, ",")
	if len(names) > maxContentfulSignedHeaders {
		return fmt.Errorf("contentful: %d signed headers, at most %d: %w", len(names), maxContentfulSignedHeaders, providers.ErrInvalidHeader)
	}
	picked := map[string]string{}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		if vs := r.Header.Values(n); len(vs) > 0 {
			if len(vs) > 1 {
				return fmt.Errorf("contentful: signed header %s repeated: %w", n, providers.ErrInvalidHeader)
			}
			picked[n] = strings.TrimSpace(vs[0])
		}
	}
	canon := contentfulCanonical(r, picked, ts)
	matched := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(canon)
		if hmac.Equal(mac.Sum(nil), got) {
			matched = true
		}
	}
	if !matched {
		return fmt.Errorf("contentful: %w", providers.ErrNoValidSignature)
	}
	tol := c.Tolerance
	if tol == 0 {
		tol = 30 * time.Second
	}
	if err := providers.CheckAge(time.UnixMilli(ms), now, tol); err != nil {
		return fmt.Errorf("contentful: %w", err)
	}
	return nil
}

// contentfulCanonical is the signed string: method, encoded path, headers
// and body joined by "\n". The signed-headers and timestamp headers are
// always signed, the former as the sorted list of the signed names.
func contentfulCanonical(r *providers.Request, headers map[string]string, ts string) []byte {
	headers[cfTimestamp] = ts
	headers[cfSignedHeaders] = ""
	keys := make([]string, 0, len(headers))
	for k := range headers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	headers[cfSignedHeaders] = strings.Join(keys, ",")
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = k + ":" + headers[k]
	}
	path := "/"
	if r.URL != nil {
		path = r.URL.EscapedPath()
		if r.URL.RawQuery != "" {
			path += "?" + jsEncodeURIComponent(r.URL.RawQuery)
		}
	}
	return []byte(strings.Join([]string{r.Method, jsEncodeURI(path), strings.Join(pairs, ";"), string(r.Body)}, "\n"))
}

// jsEncodeURIComponent and jsEncodeURI escape as JavaScript's functions of
// those names do, which Contentful's signer applies to the path and query.
func jsEncodeURIComponent(s string) string { return jsEscape(s, "-_.!~*'()") }
func jsEncodeURI(s string) string          { return jsEscape(s, "-_.!~*'();/?:@&=+$,#") }

func jsEscape(s, keep string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// Sign signs r as Contentful does, over the two Contentful headers every
// signature covers, at r.Now (tests, `hookgate send`).
func (Contentful) Sign(r *providers.Request, secret string) error {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	ts := strconv.FormatInt(r.Now.UnixMilli(), 10)
	picked := map[string]string{}
	canon := contentfulCanonical(r, picked, ts)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(canon)
	r.Header.Set(cfSignature, hex.EncodeToString(mac.Sum(nil)))
	r.Header.Set(cfSignedHeaders, picked[cfSignedHeaders])
	r.Header.Set(cfTimestamp, ts)
	return nil
}

type contentfulSigner struct{ secret string }

func (s contentfulSigner) Sign(r *providers.Request) error {
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	return Contentful{}.Sign(r, s.secret)
}

// contentfulEntries is Contentful, the one provider of its scheme.
var contentfulEntries = []Entry{
	{
		Name: "contentful", Display: "Contentful", Family: FamilyContentful,
		Docs:   "https://www.contentful.com/developers/docs/webhooks/request-verification/",
		Secret: "signing secret (64 characters; Settings → Webhooks → Request verification)",
		// Deduplicated by content: an entity's publish carries its sys.version.
		EventType: "header:X-Contentful-Topic",
	},
}

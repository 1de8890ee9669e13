package catalogue

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/twilio"
)

// Plivo is the scheme of Plivo's signature V3, kept bespoke because no
// family fits it: X-Plivo-Signature-V3 holds one or more base64
// HMAC-SHA256s (comma-separated; one per auth token in use) under the
// account's auth token of
//
//	<base URL>.<X-Plivo-Signature-V3-Nonce>
//
// where, for a POST, the base URL is the URL Plivo posted to (scheme, host
// and port, path as sent), then "?" and its query parameters decoded and
// sorted as "k=v&k=v" (a "." after them when the body has parameters too),
// then the form body's parameters sorted as "kv" pairs; for a GET, the body
// has none and the query is all. Keys sort by name and each key's values
// among themselves, as plivo-node's validateV3Signature does.
//
// The form body is what is signed: a POST whose body is not a form is
// refused (its body would be covered by nothing). The nonce is not a
// timestamp: a replay is stopped by deduplication, not by age.
type Plivo struct{}

// Plivo's headers.
const (
	plivoSignature = "X-Plivo-Signature-V3"
	plivoNonce     = "X-Plivo-Signature-V3-Nonce"
)

// maxPlivoSignatures bounds the signatures one header may list.
const maxPlivoSignatures = 8

// Verify checks r's V3 signature under any of secrets (auth tokens). Errors
// wrap ErrNotSigned (no signature or nonce), ErrInvalidHeader (a header
// repeated or malformed), ErrMalformedPayload (a POST body that is not a
// valid form) or ErrNoValidSignature.
func (Plivo) Verify(r *providers.Request, secrets []string) error {
	list, err := providers.OneHeader(r.Header, plivoSignature)
	if err != nil {
		return fmt.Errorf("plivo: %w", err)
	}
	nonce, err := providers.OneHeader(r.Header, plivoNonce)
	if err != nil {
		return fmt.Errorf("plivo: %w", err)
	}
	parts := strings.Split(list, ",")
	if len(parts) > maxPlivoSignatures {
		return fmt.Errorf("plivo: %d signatures, at most %d: %w", len(parts), maxPlivoSignatures, providers.ErrInvalidHeader)
	}
	var sigs [][]byte
	for _, p := range parts {
		sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p))
		if err != nil || len(sig) != sha256.Size {
			return fmt.Errorf("plivo: %s is not a list of base64 HMAC-SHA256s: %w", plivoSignature, providers.ErrInvalidHeader)
		}
		sigs = append(sigs, sig)
	}
	signed, err := plivoSigned(r, nonce)
	if err != nil {
		return err
	}
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(signed)
		sum := mac.Sum(nil)
		for _, sig := range sigs {
			if hmac.Equal(sum, sig) {
				return nil
			}
		}
	}
	return fmt.Errorf("plivo: signature does not match the URL and parameters: %w", providers.ErrNoValidSignature)
}

// plivoSigned is the signed string of r: its base URL, ".", the nonce.
func plivoSigned(r *providers.Request, nonce string) ([]byte, error) {
	if r.URL == nil {
		return nil, fmt.Errorf("plivo: the public URL is unknown: %w", providers.ErrNoValidSignature)
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("plivo: query does not parse: %w", providers.ErrMalformedPayload)
	}
	params := url.Values{}
	if r.Method != http.MethodGet && len(r.Body) > 0 {
		ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		if !strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded") {
			return nil, fmt.Errorf("plivo: a signed POST body must be a form, not %q: %w", ct, providers.ErrMalformedPayload)
		}
		if params, err = twilio.ParseForm(r.Body); err != nil {
			return nil, fmt.Errorf("plivo: %w", err)
		}
	}
	var b strings.Builder
	b.WriteString(r.URL.Scheme + "://" + r.URL.Host + r.URL.EscapedPath())
	if r.Method == http.MethodGet {
		for k, vs := range params {
			query[k] = append(query[k], vs...)
		}
		if q := plivoPairs(query, "=", "&"); q != "" {
			b.WriteString("?" + q)
		}
	} else {
		q := plivoPairs(query, "=", "&")
		if q != "" || len(params) > 0 {
			b.WriteString("?" + q)
		}
		if q != "" && len(params) > 0 {
			b.WriteString(".")
		}
		b.WriteString(plivoPairs(params, "", ""))
	}
	b.WriteString("." + nonce)
	return []byte(b.String()), nil
}

// plivoPairs writes v's keys in order, each key's values in order, as
// key+eq+value joined by sep.
func plivoPairs(v url.Values, eq, sep string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, val := range slices.Sorted(slices.Values(v[k])) {
			out = append(out, k+eq+val)
		}
	}
	return strings.Join(out, sep)
}

// Sign signs r as Plivo does, with a fresh nonce (tests, `hookgate send`).
func (Plivo) Sign(r *providers.Request, secret string) error {
	if r.Header == nil {
		r.Header = http.Header{}
	}
	n, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil))
	if err != nil {
		return err
	}
	nonce := fmt.Sprintf("%020d", n)
	signed, err := plivoSigned(r, nonce)
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(signed)
	r.Header.Set(plivoSignature, base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	r.Header.Set(plivoNonce, nonce)
	return nil
}

type plivoSigner struct{ secret string }

func (s plivoSigner) Sign(r *providers.Request) error {
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	return Plivo{}.Sign(r, s.secret)
}

// plivoEntries is Plivo, the one provider of its scheme.
var plivoEntries = []Entry{
	{
		Name: "plivo", Display: "Plivo (signature V3)", Family: FamilyPlivo,
		Docs:   "https://www.plivo.com/docs/voice/concepts/signature-validation",
		Secret: "auth token (Console → Overview → Account; a subaccount's own token for its callbacks)",
		// A callback carries no delivery ID, and Plivo resends the same form:
		// deduplicated by content.
	},
}

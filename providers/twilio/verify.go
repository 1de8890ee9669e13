package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/hookgate/hookgate/providers"
)

// ComputeSignature returns the X-Twilio-Signature Twilio sends for a request to
// publicURL with form params: base64(HMAC-SHA1(token, publicURL + for each key in
// sorted order, key + value for each of its values in sorted order)). Pass nil
// params for a JSON body (the URL then carries bodySHA256) or a GET.
func ComputeSignature(token, publicURL string, params url.Values) string {
	return base64.StdEncoding.EncodeToString(sign([]byte(token), publicURL, params))
}

// sign returns the raw HMAC-SHA1 over the signed data.
func sign(key []byte, publicURL string, params url.Values) []byte {
	mac := hmac.New(sha1.New, key)
	mac.Write([]byte(publicURL))
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		vals := params[k]
		if len(vals) > 1 {
			// Sort a copy: the caller's values keep their order.
			vals = slices.Sorted(slices.Values(vals))
		}
		for _, v := range vals {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return mac.Sum(nil)
}

// VerifyForm checks signature (the X-Twilio-Signature value) against publicURL
// and the form params, for each token, with publicURL as given and with its
// default port added or removed. It returns nil on the first match; otherwise an
// error wrapping ErrNoSecret (no token), ErrInvalidHeader (not base64 of an
// HMAC-SHA1) or ErrNoValidSignature.
func VerifyForm(publicURL string, params url.Values, signature string, tokens []string) error {
	want, err := decodeSignature(signature)
	if err != nil {
		return err
	}
	if len(tokens) == 0 {
		return fmt.Errorf("twilio: %w", providers.ErrNoSecret)
	}
	for _, u := range urlVariants(publicURL) {
		for _, tok := range tokens {
			if tok == "" {
				continue
			}
			if hmac.Equal(sign([]byte(tok), u, params), want) {
				return nil
			}
		}
	}
	return fmt.Errorf("twilio: signature does not match the URL and parameters: %w", providers.ErrNoValidSignature)
}

// VerifyBodyHash checks a request with a JSON body: publicURL must carry exactly
// one bodySHA256 parameter, signature must be valid for publicURL alone, and the
// SHA-256 of body must equal that parameter. Errors wrap the same sentinels as
// VerifyForm's.
func VerifyBodyHash(publicURL string, body []byte, signature string, tokens []string) error {
	u, err := url.Parse(publicURL)
	if err != nil {
		return fmt.Errorf("twilio: public URL does not parse: %w", providers.ErrNoValidSignature)
	}
	hashes := u.Query()[BodyHashParam]
	if len(hashes) != 1 {
		return fmt.Errorf("twilio: URL must carry exactly one %s: %w", BodyHashParam, providers.ErrNoValidSignature)
	}
	wantHash, err := hex.DecodeString(hashes[0])
	if err != nil || len(wantHash) != sha256.Size {
		return fmt.Errorf("twilio: %s is not a hex SHA-256: %w", BodyHashParam, providers.ErrNoValidSignature)
	}
	// The URL (with the hash) is what is signed; the body is bound through it.
	if err := VerifyForm(publicURL, nil, signature, tokens); err != nil {
		return err
	}
	got := sha256.Sum256(body)
	if !hmac.Equal(got[:], wantHash) {
		return fmt.Errorf("twilio: body does not match %s: %w", BodyHashParam, providers.ErrNoValidSignature)
	}
	return nil
}

// decodeSignature decodes a base64 HMAC-SHA1.
func decodeSignature(signature string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(signature)
	if err != nil || len(raw) != sha1.Size {
		return nil, fmt.Errorf("twilio: %s is not a base64 HMAC-SHA1: %w", SignatureHeader, providers.ErrInvalidHeader)
	}
	return raw, nil
}

// defaultPorts are the ports Twilio may add to, or leave out of, the signed URL.
var defaultPorts = map[string]string{"https": "443", "http": "80"}

// urlVariants returns publicURL followed by the same URL with the scheme's default
// port added (when it has none) or its port removed (when it has one, default or
// not). Twilio signs either form depending on the product, and its own
// validator (twilio-go's RequestValidator) accepts exactly these two: the URL
// with a port (the default one added when none is given) and the URL without
// any port.
func urlVariants(publicURL string) []string {
	out := []string{publicURL}
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return out
	}
	def, ok := defaultPorts[u.Scheme]
	if !ok {
		return out
	}
	alt := *u
	switch u.Port() {
	case "":
		alt.Host = net.JoinHostPort(u.Hostname(), def)
	default:
		// Trimming the suffix keeps an IPv6 literal's brackets.
		alt.Host = strings.TrimSuffix(u.Host, ":"+u.Port())
	}
	if s := alt.String(); s != publicURL {
		out = append(out, s)
	}
	return out
}

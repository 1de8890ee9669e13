package hmacsig

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"errors"
	"fmt"
	"strings"

	"github.com/hookgate/hookgate/providers"
)

// Fields is the keyed-hash-over-fields scheme family: the signature and the
// signed values are JSON fields of the body, and the HMAC covers the signed
// values joined, not the raw body (Mailgun signs its timestamp and token).
// What the HMAC does not cover is not authenticated: the catalogue entry's
// event ID should then be a signed field, so that a captured signature
// replayed with other content is a duplicate, not a new event.
type Fields struct {
	Algorithm Algorithm
	// Encoding of the signature: hex or base64.
	Encoding Encoding
	// Signature is the JSON path of the signature ("signature.signature").
	Signature string
	// Signed are the JSON paths of the signed values, in order.
	Signed []string
	// Separator joins the signed values ("" for Mailgun).
	Separator string
}

// SignaturePlaceholder is the value a fixture gives the signature field; the
// signer replaces it (SignBody).
const SignaturePlaceholder = "{signature}"

// Validate checks the parameters; errors name the field.
func (f *Fields) Validate() error {
	if _, ok := hashes[f.Algorithm]; !ok {
		return fmt.Errorf("algorithm: must be sha1, sha256 or sha512, got %q", f.Algorithm)
	}
	if f.Encoding != Hex && f.Encoding != Base64 {
		return fmt.Errorf("encoding: must be hex or base64, got %q", f.Encoding)
	}
	if f.Signature == "" || len(f.Signed) == 0 {
		return errors.New("fields: the signature's path and the signed paths are required")
	}
	for _, p := range append([]string{f.Signature}, f.Signed...) {
		if _, err := ParseRule("json:" + p); err != nil {
			return fmt.Errorf("fields: %w", err)
		}
	}
	return nil
}

// values reads the signature and the signed values from the body.
func (f *Fields) values(body []byte) (sig string, signed []string, err error) {
	lookup := func(path string) (string, error) {
		v, found, err := LookupJSON(body, strings.Split(path, "."))
		switch {
		case err != nil:
			return "", fmt.Errorf("hmac: body: %w: %w", providers.ErrInvalidHeader, err)
		case !found:
			return "", fmt.Errorf("hmac: body has no %s: %w", path, providers.ErrNotSigned)
		}
		return v, nil
	}
	if sig, err = lookup(f.Signature); err != nil {
		return "", nil, err
	}
	for _, p := range f.Signed {
		v, err := lookup(p)
		if err != nil {
			return "", nil, err
		}
		signed = append(signed, v)
	}
	return sig, signed, nil
}

// Verify checks the body's signature field against any of secrets. Errors
// wrap ErrNotSigned (a field missing), ErrInvalidHeader (a body that is not
// JSON, or a signature that does not decode) or ErrNoValidSignature.
func (f *Fields) Verify(r *providers.Request, secrets []string) error {
	if !anySecret(secrets) {
		return fmt.Errorf("hmac: %w", providers.ErrNoSecret)
	}
	sig, signed, err := f.values(r.Body)
	if err != nil {
		return err
	}
	var buf [sha512.Size + 2]byte
	got, ok := Scheme{Encoding: f.Encoding}.decode(buf[:], sig, digestSize[f.Algorithm])
	if !ok {
		return fmt.Errorf("hmac: the signature field is not a %s-encoded %s digest: %w", f.Encoding, f.Algorithm, providers.ErrInvalidHeader)
	}
	msg := []byte(strings.Join(signed, f.Separator))
	matched := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		mac := hmac.New(hashes[f.Algorithm], []byte(secret))
		mac.Write(msg)
		if hmac.Equal(mac.Sum(nil), got) {
			matched = true
		}
	}
	if !matched {
		return fmt.Errorf("hmac: %w", providers.ErrNoValidSignature)
	}
	return nil
}

// SignBody returns body with its signature field, whose value is
// SignaturePlaceholder, set to the signature of the signed values under
// secret, as the provider sends it (tests, `hookgate send`).
func (f *Fields) SignBody(body []byte, secret string) ([]byte, error) {
	signed := make([]string, 0, len(f.Signed))
	for _, p := range f.Signed {
		v, found, err := LookupJSON(body, strings.Split(p, "."))
		if err != nil || !found {
			return nil, fmt.Errorf("hmac: body has no %s to sign", p)
		}
		signed = append(signed, v)
	}
	mac := hmac.New(hashes[f.Algorithm], []byte(secret))
	mac.Write([]byte(strings.Join(signed, f.Separator)))
	sig := Scheme{Encoding: f.Encoding}.encodeDigest(mac.Sum(nil))
	ph := []byte(`"` + SignaturePlaceholder + `"`)
	if !bytes.Contains(body, ph) {
		return nil, fmt.Errorf("hmac: body has no %s signature field to fill", ph)
	}
	return bytes.Replace(body, ph, []byte(`"`+sig+`"`), 1), nil
}

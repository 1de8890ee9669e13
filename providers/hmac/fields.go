package hmacsig

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/json"
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
	// Items, when set, is the path of an array of notifications each signed
	// on its own (Adyen's notificationItems): Signature and Signed are then
	// relative to an item, and every item must verify.
	Items string
	// KeyEncoding says how a configured secret becomes the HMAC key (Adyen's
	// keys are hex).
	KeyEncoding KeyEncoding
	// MissingAsEmpty signs a missing field as "" (Adyen signs an absent
	// originalReference so); otherwise a missing field is an error.
	MissingAsEmpty bool
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
	switch f.KeyEncoding {
	case KeyRaw, KeyBase64, KeyHex:
	default:
		return fmt.Errorf("key encoding: must be raw, base64 or hex, got %q", f.KeyEncoding)
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
		case !found && (path == f.Signature || !f.MissingAsEmpty):
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

// Verify checks the body's signature field against any of secrets (with
// Items, every item's). Errors wrap ErrNotSigned (no signature field, or no
// items), ErrInvalidHeader (not a digest, or not JSON) or
// ErrNoValidSignature.
func (f *Fields) Verify(r *providers.Request, secrets []string) error {
	if !anySecret(secrets) {
		return fmt.Errorf("hmac: %w", providers.ErrNoSecret)
	}
	keys := make([][]byte, 0, len(secrets))
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		k, err := (&Template{KeyEncoding: f.KeyEncoding}).key(secret)
		if err != nil {
			return err
		}
		keys = append(keys, k)
	}
	items, err := f.items(r.Body)
	if err != nil {
		return err
	}
	for i, item := range items {
		if err := f.verifyOne(item, keys); err != nil {
			if len(items) > 1 {
				return fmt.Errorf("item %d: %w", i, err)
			}
			return err
		}
	}
	return nil
}

// maxFieldItems bounds the items one body may carry.
const maxFieldItems = 1000

// items returns the signed units of body: the body itself, or each element
// of the Items array.
func (f *Fields) items(body []byte) ([][]byte, error) {
	if f.Items == "" {
		return [][]byte{body}, nil
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, fmt.Errorf("hmac: empty body: %w", providers.ErrNotSigned)
		}
		return nil, fmt.Errorf("hmac: body is not a JSON object: %w", providers.ErrInvalidHeader)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(doc[f.Items], &items); err != nil || len(items) == 0 {
		return nil, fmt.Errorf("hmac: body has no %s: %w", f.Items, providers.ErrNotSigned)
	}
	if len(items) > maxFieldItems {
		return nil, fmt.Errorf("hmac: %d items, at most %d: %w", len(items), maxFieldItems, providers.ErrInvalidHeader)
	}
	out := make([][]byte, len(items))
	for i, it := range items {
		out[i] = it
	}
	return out, nil
}

// verifyOne checks one signed unit under any of keys.
func (f *Fields) verifyOne(unit []byte, keys [][]byte) error {
	sig, signed, err := f.values(unit)
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
	for _, key := range keys {
		mac := hmac.New(hashes[f.Algorithm], key)
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

// SignBody returns body with its signature field (with Items, each item's),
// whose value is the placeholder "{signature}" in the body, filled in under
// secret: the body a provider sends. It is used by tests and `hookgate send`.
func (f *Fields) SignBody(body []byte, secret string) ([]byte, error) {
	key, err := (&Template{KeyEncoding: f.KeyEncoding}).key(secret)
	if err != nil {
		return nil, err
	}
	items, err := f.items(body)
	if err != nil {
		return nil, err
	}
	ph := []byte(`"` + SignaturePlaceholder + `"`)
	out := body
	for _, item := range items {
		signed := make([]string, 0, len(f.Signed))
		for _, p := range f.Signed {
			v, found, err := LookupJSON(item, strings.Split(p, "."))
			if err != nil || (!found && !f.MissingAsEmpty) {
				return nil, fmt.Errorf("hmac: body has no %s to sign", p)
			}
			signed = append(signed, v)
		}
		mac := hmac.New(hashes[f.Algorithm], key)
		mac.Write([]byte(strings.Join(signed, f.Separator)))
		sig := Scheme{Encoding: f.Encoding}.encodeDigest(mac.Sum(nil))
		if !bytes.Contains(out, ph) {
			return nil, fmt.Errorf("hmac: body has no %s signature field to fill", ph)
		}
		out = bytes.Replace(out, ph, []byte(`"`+sig+`"`), 1)
	}
	return out, nil
}

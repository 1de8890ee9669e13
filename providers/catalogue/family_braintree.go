package catalogue

import (
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // Braintree's scheme: HMAC-SHA1 keyed with SHA-1 of the private key
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"

	"github.com/hookgate/hookgate/providers"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// Braintree is the scheme of Braintree's webhooks, kept bespoke because no
// family fits it: the request is a form whose bt_payload field is a base64
// XML notification and whose bt_signature field is a list of
// "<public key>|<hex HMAC-SHA1>" pairs joined by "&", each HMAC keyed with
// the SHA-1 digest of a private key and taken over bt_payload (Braintree's
// SDKs also accept it over bt_payload plus a newline). A source's secrets
// are private keys; any pair that one of them verifies is accepted.
type Braintree struct{}

// Braintree's form fields.
const (
	btSignature = "bt_signature"
	btPayload   = "bt_payload"
)

// maxBraintreePairs bounds the signature pairs examined.
const maxBraintreePairs = 16

// Verify checks the form's signature. Errors wrap ErrNotSigned (no
// bt_signature or bt_payload), ErrInvalidHeader (a field repeated, no pair,
// a payload that is not base64) or ErrNoValidSignature.
func (Braintree) Verify(r *providers.Request, secrets []string) error {
	form, err := url.ParseQuery(string(r.Body))
	if err != nil {
		return fmt.Errorf("braintree: the body is not a form: %w", providers.ErrInvalidHeader)
	}
	sig, payload, err := braintreeFields(form)
	if err != nil {
		return err
	}
	var sigs [][]byte
	for pair := range strings.SplitSeq(sig, "&") {
		if len(sigs) == maxBraintreePairs {
			break
		}
		if _, h, ok := strings.Cut(pair, "|"); ok {
			if d, err := hex.DecodeString(h); err == nil && len(d) == sha1.Size {
				sigs = append(sigs, d)
			}
		}
	}
	if len(sigs) == 0 {
		return fmt.Errorf("braintree: %s has no <public key>|<hex> pair: %w", btSignature, providers.ErrInvalidHeader)
	}
	matched := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		key := sha1.Sum([]byte(secret))
		for _, data := range []string{payload, payload + "\n"} {
			mac := hmac.New(sha1.New, key[:])
			mac.Write([]byte(data))
			sum := mac.Sum(nil)
			for _, s := range sigs {
				if hmac.Equal(sum, s) {
					matched = true
				}
			}
		}
	}
	if !matched {
		return fmt.Errorf("braintree: %w", providers.ErrNoValidSignature)
	}
	return nil
}

// braintreeFields returns the form's one bt_signature and one bt_payload.
func braintreeFields(form url.Values) (sig, payload string, err error) {
	for _, f := range []string{btSignature, btPayload} {
		switch v := form[f]; {
		case len(v) == 0 || v[0] == "":
			return "", "", fmt.Errorf("braintree: no %s: %w", f, providers.ErrNotSigned)
		case len(v) > 1:
			return "", "", fmt.Errorf("braintree: %s repeated: %w", f, providers.ErrInvalidHeader)
		}
	}
	return form.Get(btSignature), form.Get(btPayload), nil
}

// braintreeNotification is the part of the payload's XML read to identify
// a notification.
type braintreeNotification struct {
	Kind      string `xml:"kind"`
	Timestamp string `xml:"timestamp"`
}

// Identify returns the notification's kind as its type; Braintree gives a
// notification no ID, so a redelivery (the same payload) is recognised by
// the payload's hash.
func (Braintree) Identify(r *providers.Request) (providers.Event, error) {
	form, err := url.ParseQuery(string(r.Body))
	if err != nil {
		return providers.Event{}, fmt.Errorf("braintree: the body is not a form: %w", providers.ErrMalformedPayload)
	}
	_, payload, err := braintreeFields(form)
	if err != nil {
		return providers.Event{}, fmt.Errorf("%w: %w", providers.ErrMalformedPayload, err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(payload, "\n", ""))
	if err != nil {
		return providers.Event{}, fmt.Errorf("braintree: bt_payload is not base64: %w", providers.ErrMalformedPayload)
	}
	var n braintreeNotification
	if err := xml.Unmarshal(raw, &n); err != nil || n.Kind == "" {
		return providers.Event{}, fmt.Errorf("braintree: bt_payload is not a notification: %w", providers.ErrMalformedPayload)
	}
	return providers.Event{ID: hmacsig.ContentHashID([]byte(payload)), Type: n.Kind}, nil
}

// Sign fills r's form with bt_signature for its bt_payload under the private
// key secret, paired with the public key "hookgate" (tests, `hookgate
// send`); the other fields are kept. A bt_payload that is the notification's
// XML itself (as a fixture writes it, so its placeholders can be filled) is
// base64-encoded first, as Braintree sends it.
func (Braintree) Sign(r *providers.Request, secret string) error {
	form, err := url.ParseQuery(string(r.Body))
	if err != nil || form.Get(btPayload) == "" {
		return fmt.Errorf("braintree: the body must be a form with %s: %w", btPayload, providers.ErrMalformedPayload)
	}
	if p := form.Get(btPayload); strings.HasPrefix(strings.TrimSpace(p), "<") {
		form.Set(btPayload, base64.StdEncoding.EncodeToString([]byte(p)))
	}
	key := sha1.Sum([]byte(secret))
	mac := hmac.New(sha1.New, key[:])
	mac.Write([]byte(form.Get(btPayload)))
	form.Set(btSignature, "hookgate|"+hex.EncodeToString(mac.Sum(nil)))
	r.Body = []byte(form.Encode())
	return nil
}

type braintreeSigner struct{ secret string }

func (s braintreeSigner) Sign(r *providers.Request) error { return Braintree{}.Sign(r, s.secret) }

// braintreeEntries is Braintree, the one provider of its scheme.
var braintreeEntries = []Entry{
	{
		Name: "braintree", Display: "Braintree", Family: FamilyBraintree,
		Docs:   "https://developer.paypal.com/braintree/docs/guides/webhooks/parse",
		Secret: "private key of the API key pair (Settings → API)",
	},
}

package twilio

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/hookgate/hookgate/providers"
)

// Signer signs requests the way Twilio does, with the source's first auth token.
type Signer struct {
	token string
}

var _ providers.Signer = (*Signer)(nil)

// NewSigner builds the Signer of a Twilio source from the same Spec as New; it
// signs with the first non-empty secret and fails with ErrNoSecret without one.
func NewSigner(spec providers.Spec) (providers.Signer, error) {
	p, err := newProvider(spec)
	if err != nil {
		return nil, err
	}
	return &Signer{token: p.tokens[0]}, nil
}

// Sign sets X-Twilio-Signature on r for r.URL and r.Body. A form body
// (application/x-www-form-urlencoded) is signed with its parameters. For a JSON
// body, Sign first appends bodySHA256=<hex sha256(body)> to r.URL's query when it
// is absent, as Twilio does, so the request must then be sent to r.URL as
// modified. Other content types are an error.
func (s *Signer) Sign(r *providers.Request) error {
	if r.URL == nil {
		return fmt.Errorf("twilio: sign: request has no URL")
	}
	if r.Header == nil {
		return fmt.Errorf("twilio: sign: request has no header map")
	}
	switch mediaType(r.Header) {
	case mediaForm:
		params, err := ParseForm(r.Body)
		if err != nil {
			return fmt.Errorf("twilio: sign: %w", err)
		}
		r.Header.Set(SignatureHeader, ComputeSignature(s.token, r.URL.String(), params))
	case mediaJSON:
		if !r.URL.Query().Has(BodyHashParam) {
			sum := sha256.Sum256(r.Body)
			// Append rather than re-encode the query: Twilio signs the URL as
			// configured, in its original parameter order.
			param := BodyHashParam + "=" + hex.EncodeToString(sum[:])
			if r.URL.RawQuery == "" {
				r.URL.RawQuery = param
			} else {
				r.URL.RawQuery += "&" + param
			}
		}
		r.Header.Set(SignatureHeader, ComputeSignature(s.token, r.URL.String(), nil))
	default:
		return fmt.Errorf("twilio: sign: content type must be %s or %s", mediaForm, mediaJSON)
	}
	return nil
}

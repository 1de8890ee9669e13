package hmacsig

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// NewSigner builds the providers.Signer of a generic HMAC source (a
// providers.SignerFactory): it signs with the first secret and sets the
// configured header, and the timestamp header (r.Now, or the current time when
// zero) when one is configured.
func NewSigner(spec providers.Spec) (providers.Signer, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	o, _, err := loadOptions(spec)
	if err != nil {
		return nil, err
	}
	return signer{
		scheme:          schemeOf(o),
		header:          http.CanonicalHeaderKey(o.Header),
		timestampHeader: canonicalOrEmpty(o.TimestampHeader),
		secret:          spec.Secrets[0],
	}, nil
}

type signer struct {
	scheme          Scheme
	header          string
	timestampHeader string
	secret          string
}

// Sign sets the signature header (and timestamp header), replacing earlier
// values.
func (s signer) Sign(r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("hmac: sign: nil request")
	}
	if s.secret == "" || s.header == "" {
		return fmt.Errorf("hmac: sign: %w", providers.ErrNoSecret)
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	var ts string
	if s.timestampHeader != "" {
		now := r.Now
		if now.IsZero() {
			now = time.Now()
		}
		ts = strconv.FormatInt(now.Unix(), 10)
		r.Header.Set(s.timestampHeader, ts)
	}
	r.Header.Set(s.header, s.scheme.Sign(r.Body, ts, s.secret))
	return nil
}

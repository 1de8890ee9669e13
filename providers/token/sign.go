package token

import (
	"fmt"
	"net/http"

	"github.com/hookgate/hookgate/providers"
)

// NewSigner builds the providers.Signer of a token source (a
// providers.SignerFactory): it sets the configured header to prefix + the
// first secret.
func NewSigner(spec providers.Spec) (providers.Signer, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	o, _, err := loadOptions(spec)
	if err != nil {
		return nil, err
	}
	return signer{header: http.CanonicalHeaderKey(o.Header), value: o.Prefix + spec.Secrets[0]}, nil
}

type signer struct{ header, value string }

// Sign sets the token header, replacing an earlier value.
func (s signer) Sign(r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("token: sign: nil request")
	}
	if s.header == "" || s.value == "" {
		return fmt.Errorf("token: sign: %w", providers.ErrNoSecret)
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	r.Header.Set(s.header, s.value)
	return nil
}

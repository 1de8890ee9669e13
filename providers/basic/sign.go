package basic

import (
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/hookgate/hookgate/providers"
)

// Authorization returns the Authorization value for a "user:password"
// credential.
func Authorization(credential string) string {
	return scheme + " " + base64.StdEncoding.EncodeToString([]byte(credential))
}

// NewSigner builds the providers.Signer of a Basic source (a
// providers.SignerFactory): it sets Authorization from the first secret.
func NewSigner(spec providers.Spec) (providers.Signer, error) {
	if err := checkSecrets(spec.Secrets); err != nil {
		return nil, err
	}
	if _, err := loadOptions(spec); err != nil {
		return nil, err
	}
	return signer{value: Authorization(spec.Secrets[0])}, nil
}

type signer struct{ value string }

// Sign sets r.Header's Authorization, replacing an earlier value.
func (s signer) Sign(r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("basic: sign: nil request")
	}
	if s.value == "" {
		return fmt.Errorf("basic: sign: %w", providers.ErrNoSecret)
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	r.Header.Set(AuthorizationHeader, s.value)
	return nil
}

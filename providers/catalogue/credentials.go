package catalogue

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"

	"github.com/hookgate/hookgate/providers/asymsig"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// NewCredentials returns fresh credentials in the form the entry's provider
// issues them: the secret a source configures (a whsec_ key, a base64 or hex
// key, or an asymmetric scheme's public key) and, for an asymmetric entry,
// the private key its signer takes as options.signing_key ("" otherwise).
// `hookgate dev --sources` and the tests use it.
func (e Entry) NewCredentials() (secret, signingKey string, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", "", err
	}
	switch {
	case e.Family == FamilySNS:
		// The source's "secret" is the topic it accepts; SNS signs with its key.
		return "arn:aws:sns:us-east-1:123456789012:hookgate-" + hex.EncodeToString(raw[:6]), "", nil
	case e.Family == FamilyAsymmetric && e.Asymmetric.Algorithm == asymsig.ECDSAP256:
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", "", err
		}
		pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return "", "", err
		}
		priv, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return "", "", err
		}
		return e.Asymmetric.EncodeKey(pub), e.Asymmetric.EncodeKey(priv), nil
	case e.Family == FamilyAsymmetric:
		key := ed25519.NewKeyFromSeed(raw)
		return e.Asymmetric.EncodeKey(key.Public().(ed25519.PublicKey)), e.Asymmetric.EncodeKey(raw), nil
	case e.Family == FamilyStandardWebhooks:
		return "whsec_" + base64.StdEncoding.EncodeToString(raw), "", nil
	case e.Family == FamilyBasic:
		return "hookgate-" + hex.EncodeToString(raw[:4]) + ":" + base64.RawURLEncoding.EncodeToString(raw), "", nil
	case e.JWT != nil && e.JWT.KeyedSecrets:
		return "API" + hex.EncodeToString(raw[:6]) + ":" + base64.RawURLEncoding.EncodeToString(raw), "", nil
	case e.HMAC != nil && e.HMAC.KeyEncoding == hmacsig.KeyBase64:
		return base64.StdEncoding.EncodeToString(raw), "", nil
	}
	return hex.EncodeToString(raw), "", nil
}

package standardwebhooks

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/hookgate/hookgate/providers"
)

// Sign returns the v1 entry ("v1,<base64>") for payload with message id, at t,
// under the decoded HMAC key (see ParseSecret).
func Sign(payload []byte, id string, t time.Time, key []byte) string {
	h := Headers{ID: id, Timestamp: strconv.FormatInt(t.Unix(), 10)}
	mac := hmac.New(sha256.New, key)
	writeSigned(mac, h, payload)
	return versionHMAC + "," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignEd25519 returns the v1a entry ("v1a,<base64>") for payload with message
// id, at t, under priv (see ParseSigningKey).
func SignEd25519(payload []byte, id string, t time.Time, priv ed25519.PrivateKey) string {
	h := Headers{ID: id, Timestamp: strconv.FormatInt(t.Unix(), 10)}
	return versionEd25519 + "," + base64.StdEncoding.EncodeToString(ed25519.Sign(priv, signedBytes(h, payload)))
}

// NewSigner builds the providers.Signer of a Standard Webhooks source (a
// providers.SignerFactory). With options.signing_key it signs v1a (Ed25519);
// otherwise v1 with the first secret, and it then fails with
// providers.ErrNoSecret when there is none.
func NewSigner(spec providers.Spec) (providers.Signer, error) {
	o, err := loadOptions(spec)
	if err != nil {
		return nil, err
	}
	if o.SigningKey != "" {
		priv, err := ParseSigningKey(o.SigningKey)
		if err != nil {
			return nil, fmt.Errorf("options.signing_key: %w", err)
		}
		return signer{ed25519: priv}, nil
	}
	if len(spec.Secrets) == 0 {
		return nil, fmt.Errorf("secrets: at least one %s… signing secret is required to sign (or options.signing_key for v1a): %w", SecretPrefix, providers.ErrNoSecret)
	}
	key, err := ParseSecret(spec.Secrets[0])
	if err != nil {
		return nil, fmt.Errorf("secrets[0]: %w", err)
	}
	return signer{hmac: key}, nil
}

type signer struct {
	hmac    []byte
	ed25519 ed25519.PrivateKey
}

// Sign sets the id, timestamp (r.Now, or the current time when zero) and
// signature headers. It keeps an ID the request already carries (a fixture's
// webhook-id or svix-id) and otherwise generates a random msg_ ID, as a
// producer does for a new message. It writes the svix-* family when the
// request carries svix-id and no webhook-id, the webhook-* family otherwise.
func (s signer) Sign(r *providers.Request) error {
	if r == nil {
		return fmt.Errorf("standardwebhooks: sign: nil request")
	}
	if len(s.hmac) == 0 && len(s.ed25519) == 0 {
		return fmt.Errorf("standardwebhooks: sign: %w", providers.ErrNoSecret)
	}
	if r.Header == nil {
		r.Header = make(map[string][]string)
	}
	idName, tsName, sigName := HeaderID, HeaderTimestamp, HeaderSignature
	if r.Header.Get(HeaderID) == "" && r.Header.Get(SvixHeaderID) != "" {
		idName, tsName, sigName = SvixHeaderID, SvixHeaderTimestamp, SvixHeaderSignature
	}
	id := r.Header.Get(idName)
	if id == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("standardwebhooks: sign: message id: %w", err)
		}
		id = "msg_" + hex.EncodeToString(b[:])
	}
	now := r.Now
	if now.IsZero() {
		now = time.Now()
	}
	var sig string
	if len(s.ed25519) != 0 {
		sig = SignEd25519(r.Body, id, now, s.ed25519)
	} else {
		sig = Sign(r.Body, id, now, s.hmac)
	}
	r.Header.Set(idName, id)
	r.Header.Set(tsName, strconv.FormatInt(now.Unix(), 10))
	r.Header.Set(sigName, sig)
	return nil
}

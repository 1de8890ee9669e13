package standardwebhooks

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Key prefixes defined by the Standard Webhooks specification.
const (
	// SecretPrefix introduces a symmetric (v1, HMAC-SHA256) signing secret.
	SecretPrefix = "whsec_"
	// PublicKeyPrefix introduces an Ed25519 public key (v1a verification).
	PublicKeyPrefix = "whpk_"
	// SigningKeyPrefix introduces an Ed25519 secret key (v1a signing).
	SigningKeyPrefix = "whsk_"
)

// errKeyFormat is returned by the key parsers; callers add which entry failed,
// never the key itself.
var errKeyFormat = errors.New("bad key format")

// Keys is the verification material of a source: HMAC keys for v1 signatures
// and Ed25519 public keys for v1a signatures. Build it once with ParseKeys.
type Keys struct {
	// HMAC holds decoded whsec_ secrets, newest first.
	HMAC [][]byte
	// Ed25519 holds whpk_ public keys.
	Ed25519 []ed25519.PublicKey
}

// empty reports whether k can verify nothing (fail closed).
func (k Keys) empty() bool { return len(k.HMAC) == 0 && len(k.Ed25519) == 0 }

// ParseKeys decodes secrets (whsec_<base64>; the prefix is optional, as in the
// official libraries) and public keys (whpk_<base64 of 32 bytes>). Errors name
// the offending entry (secrets[1], options.public_keys[0]) but not its value.
func ParseKeys(secrets, publicKeys []string) (Keys, error) {
	var k Keys
	for i, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			return Keys{}, fmt.Errorf("secrets[%d]: %w", i, err)
		}
		k.HMAC = append(k.HMAC, key)
	}
	for i, s := range publicKeys {
		pub, err := ParsePublicKey(s)
		if err != nil {
			return Keys{}, fmt.Errorf("options.public_keys[%d]: %w", i, err)
		}
		k.Ed25519 = append(k.Ed25519, pub)
	}
	return k, nil
}

// ParseSecret decodes a whsec_ secret into its HMAC key: the prefix is removed,
// then the rest is standard base64.
func ParseSecret(secret string) ([]byte, error) {
	if strings.HasPrefix(secret, PublicKeyPrefix) || strings.HasPrefix(secret, SigningKeyPrefix) {
		return nil, fmt.Errorf("%w: an Ed25519 key is not a signing secret (public keys go in options.public_keys)", errKeyFormat)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("%w: want %s followed by base64", errKeyFormat, SecretPrefix)
	}
	return key, nil
}

// ParsePublicKey decodes a whpk_ Ed25519 public key (the prefix is optional).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	if strings.HasPrefix(s, SecretPrefix) || strings.HasPrefix(s, SigningKeyPrefix) {
		return nil, fmt.Errorf("%w: want a public key (%s…), not a secret", errKeyFormat, PublicKeyPrefix)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(strings.TrimPrefix(s, PublicKeyPrefix))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: want %s followed by the base64 of a %d-byte Ed25519 public key", errKeyFormat, PublicKeyPrefix, ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

// ParseSigningKey decodes a whsk_ Ed25519 secret key (the prefix is optional):
// the base64 of either the 32-byte seed or the 64-byte private key. A 64-byte
// key whose public half does not match its seed is rejected.
func ParseSigningKey(s string) (ed25519.PrivateKey, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(strings.TrimPrefix(s, SigningKeyPrefix))
	if err != nil {
		return nil, fmt.Errorf("%w: want %s followed by base64", errKeyFormat, SigningKeyPrefix)
	}
	switch len(b) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(b), nil
	case ed25519.PrivateKeySize:
		priv := ed25519.NewKeyFromSeed(b[:ed25519.SeedSize])
		if !priv.Equal(ed25519.PrivateKey(b)) {
			return nil, fmt.Errorf("%w: the public half of the %d-byte key does not match its seed", errKeyFormat, ed25519.PrivateKeySize)
		}
		return priv, nil
	}
	return nil, fmt.Errorf("%w: want the base64 of a %d-byte seed or a %d-byte private key", errKeyFormat, ed25519.SeedSize, ed25519.PrivateKeySize)
}

// EncodePublicKey returns the whpk_ form of pub.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return PublicKeyPrefix + base64.StdEncoding.EncodeToString(pub)
}

// EncodeSigningKey returns the whsk_ form of priv's seed.
func EncodeSigningKey(priv ed25519.PrivateKey) string {
	return SigningKeyPrefix + base64.StdEncoding.EncodeToString(priv.Seed())
}

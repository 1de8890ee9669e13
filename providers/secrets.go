package providers

import "fmt"

// RequireSecrets rejects an empty secret list or an empty entry, for factories
// whose sources sign with shared secrets: an HMAC with an empty key is a
// signature anyone can compute. what names the secret and where to find it
// ("webhook secret (the hook's Secret in GitHub's webhook settings)"). The error
// wraps ErrNoSecret and never contains a secret.
func RequireSecrets(secrets []string, what string) error {
	if len(secrets) == 0 {
		return fmt.Errorf("secrets: at least one %s is required: %w", what, ErrNoSecret)
	}
	for i, s := range secrets {
		if s == "" {
			return fmt.Errorf("secrets[%d]: must not be empty: %w", i, ErrNoSecret)
		}
	}
	return nil
}

// DecodeHex32 decodes exactly 64 hex digits (a SHA-256 digest) without
// allocating; upper- and lower-case digits are accepted.
func DecodeHex32(s string) (out [32]byte, ok bool) {
	if len(s) != 64 {
		return out, false
	}
	for i := range out {
		hi, ok1 := HexNibble(s[2*i])
		lo, ok2 := HexNibble(s[2*i+1])
		if !ok1 || !ok2 {
			return out, false
		}
		out[i] = hi<<4 | lo
	}
	return out, true
}

// HexNibble decodes one hex digit.
func HexNibble(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

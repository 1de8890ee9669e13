// Package jwtsig is the JWT scheme family of the provider catalogue: the
// provider sends a JWT (JWS compact serialisation) in a header, HMAC-signed
// (HS256, HS384 or HS512) with the shared secret, whose claims bind it to the
// request: a hash of the body (Bird's payload_hash, Upstash QStash's body),
// a hash of the URL (Bird's url_hash) or the URL itself (QStash's sub), an
// issuer, and a validity window (exp, nbf, iat). Like the HMAC template
// (providers/hmac), a Scheme is data and Verify and Sign are pure functions
// of the request; github.com/golang-jwt/jwt/v5 parses and checks the token.
//
// Public: catalogue entries (providers/catalogue) carry a Scheme, so a team
// adding a JWT-signing provider fills one in.
package jwtsig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/hookgate/hookgate/providers"
)

// Encoding is how a claim writes a SHA-256 hash.
type Encoding string

// Hash encodings. Base64URL is compared with or without padding.
const (
	Hex       Encoding = "hex"
	Base64    Encoding = "base64"
	Base64URL Encoding = "base64url"
)

// methods are the JWS algorithms a scheme accepts: HMAC only, so a token
// signed with "none" or a public-key algorithm is refused before any key is
// tried.
var methods = []string{"HS256", "HS384", "HS512"}

// Scheme is one provider's JWT signature format.
type Scheme struct {
	// Header carries the token, after Prefix ("Bearer ") when set.
	Header, Prefix string
	// Issuer, when set, is the iss claim every token must carry.
	Issuer string
	// KeyedSecrets: each configured secret is "<key>:<secret>", and a token
	// is verified with the secret whose key is its iss (LiveKit's API key
	// and secret pairs).
	KeyedSecrets bool
	// BodyHashClaim names the claim holding SHA-256 of the raw body in
	// BodyHashEncoding. With BodyHashOptional the claim is absent exactly when
	// the body is empty (Bird); otherwise it is required.
	BodyHashClaim    string
	BodyHashEncoding Encoding
	BodyHashOptional bool
	// URLHashClaim names a claim holding the hex SHA-256 of the public URL
	// the provider posted to (Bird's url_hash); URLClaim one holding the URL
	// itself (QStash's sub).
	URLHashClaim, URLClaim string
	// RequireExpiry: a token without exp is refused.
	RequireExpiry bool
	// MaxAge, when set, bounds the age of the token's iat (for providers
	// whose tokens carry no exp); it also requires iat.
	MaxAge time.Duration
	// Leeway is the clock skew allowed on exp, nbf and iat.
	Leeway time.Duration
}

// Validate checks the scheme once; a catalogue test runs it over every entry.
func (s *Scheme) Validate() error {
	switch {
	case s.Header == "":
		return errors.New("jwtsig: the token's header is required")
	case s.BodyHashClaim == "":
		return errors.New("jwtsig: a body hash claim is required (a token that does not bind the body proves nothing about it)")
	case s.BodyHashEncoding != Hex && s.BodyHashEncoding != Base64 && s.BodyHashEncoding != Base64URL:
		return fmt.Errorf("jwtsig: body hash encoding must be hex, base64 or base64url, got %q", s.BodyHashEncoding)
	case !s.RequireExpiry && s.MaxAge == 0:
		return errors.New("jwtsig: a token needs a lifetime: require exp or set a maximum age")
	case s.KeyedSecrets && s.Issuer != "":
		return errors.New("jwtsig: with keyed secrets the issuer is the key")
	case s.Leeway < 0 || s.MaxAge < 0:
		return errors.New("jwtsig: leeway and maximum age must not be negative")
	}
	return nil
}

// Verify checks r's token under any of secrets (newest first): its HMAC
// signature, issuer and validity window, then the body and URL claims.
// Errors wrap ErrNotSigned (no header), ErrInvalidHeader (repeated, without
// the prefix, or not a JWT), ErrNoValidSignature (no secret verifies it, or
// a claim does not match the request), ErrTooOld or ErrTooNew.
func (s *Scheme) Verify(r *providers.Request, secrets []string, now time.Time) error {
	raw, err := providers.OneHeader(r.Header, http.CanonicalHeaderKey(s.Header))
	if err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	tok, ok := strings.CutPrefix(raw, s.Prefix)
	if !ok || strings.Count(tok, ".") != 2 {
		return fmt.Errorf("jwt: %s is not a %sJWT: %w", s.Header, s.Prefix, providers.ErrInvalidHeader)
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods(methods), jwt.WithLeeway(s.Leeway),
		jwt.WithTimeFunc(func() time.Time { return now }), jwt.WithIssuedAt()}
	if s.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(s.Issuer))
	}
	if s.RequireExpiry {
		opts = append(opts, jwt.WithExpirationRequired())
	}
	var claims jwt.MapClaims
	var lastErr error
	verified := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		parser := jwt.NewParser(opts...)
		if s.KeyedSecrets {
			id, sec, ok := strings.Cut(secret, ":")
			if !ok || id == "" || sec == "" {
				return fmt.Errorf("jwt: a secret must be <key>:<secret>: %w", providers.ErrNoSecret)
			}
			parser = jwt.NewParser(append(opts, jwt.WithIssuer(id))...)
			secret = sec
		}
		key := []byte(secret)
		claims = jwt.MapClaims{}
		_, err := parser.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return key, nil })
		if err == nil {
			verified = true
			break
		}
		lastErr = err
		if !errors.Is(err, jwt.ErrTokenSignatureInvalid) && !(s.KeyedSecrets && errors.Is(err, jwt.ErrTokenInvalidIssuer)) {
			break // the token itself is wrong: another key changes nothing
		}
	}
	if !verified {
		return classify(lastErr)
	}
	if err := s.checkAge(claims, now); err != nil {
		return err
	}
	return s.checkBinding(r, claims)
}

// classify maps a parse failure to the providers sentinels.
func classify(err error) error {
	switch {
	case err == nil:
		return fmt.Errorf("jwt: %w", providers.ErrNoSecret)
	case errors.Is(err, jwt.ErrTokenExpired):
		return fmt.Errorf("jwt: %v: %w", err, providers.ErrTooOld)
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return fmt.Errorf("jwt: %v: %w", err, providers.ErrTooNew)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fmt.Errorf("jwt: %v: %w", err, providers.ErrInvalidHeader)
	}
	return fmt.Errorf("jwt: %v: %w", err, providers.ErrNoValidSignature)
}

// checkAge applies MaxAge to iat.
func (s *Scheme) checkAge(claims jwt.MapClaims, now time.Time) error {
	if s.MaxAge == 0 {
		return nil
	}
	iat, err := claims.GetIssuedAt()
	if err != nil || iat == nil {
		return fmt.Errorf("jwt: the token has no iat: %w", providers.ErrNoValidSignature)
	}
	if err := providers.CheckAge(iat.Time, now, s.MaxAge+s.Leeway); err != nil {
		return fmt.Errorf("jwt: %w", err)
	}
	return nil
}

// checkBinding compares the body and URL claims with the request.
func (s *Scheme) checkBinding(r *providers.Request, claims jwt.MapClaims) error {
	got, present := claims[s.BodyHashClaim].(string)
	switch {
	case s.BodyHashOptional && !present && len(r.Body) == 0:
	case s.BodyHashOptional && present && len(r.Body) == 0:
		return fmt.Errorf("jwt: the token hashes a body the request does not carry: %w", providers.ErrNoValidSignature)
	case !present:
		return fmt.Errorf("jwt: the token has no %s claim: %w", s.BodyHashClaim, providers.ErrNoValidSignature)
	default:
		sum := sha256.Sum256(r.Body)
		if !hashEqual(s.BodyHashEncoding, got, sum[:]) {
			return fmt.Errorf("jwt: %s does not match the body: %w", s.BodyHashClaim, providers.ErrNoValidSignature)
		}
	}
	if s.URLHashClaim == "" && s.URLClaim == "" {
		return nil
	}
	if r.URL == nil {
		return fmt.Errorf("jwt: the request has no public URL to compare: %w", providers.ErrNoValidSignature)
	}
	u := r.URL.String()
	if s.URLHashClaim != "" {
		got, _ := claims[s.URLHashClaim].(string)
		sum := sha256.Sum256([]byte(u))
		if !hashEqual(Hex, got, sum[:]) {
			return fmt.Errorf("jwt: %s does not match %s: %w", s.URLHashClaim, u, providers.ErrNoValidSignature)
		}
	}
	if s.URLClaim != "" {
		if got, _ := claims[s.URLClaim].(string); got != u {
			return fmt.Errorf("jwt: %s is %q, not %s: %w", s.URLClaim, got, u, providers.ErrNoValidSignature)
		}
	}
	return nil
}

// hashEqual compares an encoded claim with a digest in constant time.
func hashEqual(enc Encoding, claim string, sum []byte) bool {
	var got []byte
	var err error
	switch enc {
	case Hex:
		got, err = hex.DecodeString(claim)
	case Base64:
		got, err = base64.StdEncoding.DecodeString(claim)
	case Base64URL:
		got, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(claim, "="))
	}
	return err == nil && hmac.Equal(got, sum)
}

func encodeHash(enc Encoding, sum []byte) string {
	switch enc {
	case Base64:
		return base64.StdEncoding.EncodeToString(sum)
	case Base64URL:
		return base64.URLEncoding.EncodeToString(sum)
	}
	return hex.EncodeToString(sum)
}

// Sign sets on r the token the provider sends: HS256 under secret, issued
// at r.Now, valid for five minutes, bound to r's body and public URL. It is
// used by tests and `hookgate send`.
func (s *Scheme) Sign(r *providers.Request, secret string) error {
	claims := jwt.MapClaims{
		"iat": r.Now.Unix(),
		"nbf": r.Now.Unix(),
		"exp": r.Now.Add(5 * time.Minute).Unix(),
		"jti": uuid.NewString(),
	}
	if s.Issuer != "" {
		claims["iss"] = s.Issuer
	}
	if s.KeyedSecrets {
		id, sec, ok := strings.Cut(secret, ":")
		if !ok {
			return fmt.Errorf("jwt: a secret must be <key>:<secret>: %w", providers.ErrNoSecret)
		}
		claims["iss"], secret = id, sec
	}
	if len(r.Body) > 0 || !s.BodyHashOptional {
		sum := sha256.Sum256(r.Body)
		claims[s.BodyHashClaim] = encodeHash(s.BodyHashEncoding, sum[:])
	}
	if r.URL != nil {
		if s.URLHashClaim != "" {
			sum := sha256.Sum256([]byte(r.URL.String()))
			claims[s.URLHashClaim] = hex.EncodeToString(sum[:])
		}
		if s.URLClaim != "" {
			claims[s.URLClaim] = r.URL.String()
		}
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		return fmt.Errorf("jwt: sign: %w", err)
	}
	if r.Header == nil {
		r.Header = http.Header{}
	}
	r.Header.Set(s.Header, s.Prefix+tok)
	return nil
}

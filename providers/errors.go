package providers

import "errors"

// Sentinel errors. Verifiers wrap them with fmt.Errorf("...: %w", Err...) and never
// include a secret or an expected signature in the message.
var (
	// ErrNoSecret: the source has no secret configured; everything is rejected.
	ErrNoSecret = errors.New("no secret configured")
	// ErrNotSigned: the signature header (or another required header) is missing.
	ErrNotSigned = errors.New("request not signed")
	// ErrInvalidHeader: a signature header is present but malformed or repeated.
	ErrInvalidHeader = errors.New("invalid signature header")
	// ErrNoValidSignature: no signature matched any configured secret.
	ErrNoValidSignature = errors.New("no valid signature")
	// ErrTooOld: the signed timestamp is older than the tolerance.
	ErrTooOld = errors.New("timestamp too old")
	// ErrTooNew: the signed timestamp is further in the future than the tolerance.
	ErrTooNew = errors.New("timestamp in the future")
	// ErrCertificate: a signing certificate failed validation (PayPal).
	ErrCertificate = errors.New("invalid signing certificate")
	// ErrMalformedPayload: the body verified but is not a valid event.
	ErrMalformedPayload = errors.New("malformed payload")
	// ErrUnavailable: verification could not be completed because of an
	// infrastructure failure (the provider should retry later: 503).
	ErrUnavailable = errors.New("verification temporarily unavailable")
)

// Reason is a bounded label describing why a request was rejected, for metrics and
// the audit log.
type Reason string

// Reasons, one per sentinel error.
const (
	ReasonNoSecret         Reason = "no_secret"
	ReasonNotSigned        Reason = "not_signed"
	ReasonInvalidHeader    Reason = "invalid_header"
	ReasonNoValidSignature Reason = "bad_signature"
	ReasonTooOld           Reason = "too_old"
	ReasonTooNew           Reason = "too_new"
	ReasonCertificate      Reason = "bad_certificate"
	ReasonMalformed        Reason = "malformed_payload"
	ReasonUnavailable      Reason = "unavailable"
	ReasonOther            Reason = "other"
)

// ReasonOf maps a verification or identification error to its Reason.
func ReasonOf(err error) Reason {
	switch {
	case errors.Is(err, ErrNoSecret):
		return ReasonNoSecret
	case errors.Is(err, ErrNotSigned):
		return ReasonNotSigned
	case errors.Is(err, ErrInvalidHeader):
		return ReasonInvalidHeader
	case errors.Is(err, ErrNoValidSignature):
		return ReasonNoValidSignature
	case errors.Is(err, ErrTooOld):
		return ReasonTooOld
	case errors.Is(err, ErrTooNew):
		return ReasonTooNew
	case errors.Is(err, ErrCertificate):
		return ReasonCertificate
	case errors.Is(err, ErrMalformedPayload):
		return ReasonMalformed
	case errors.Is(err, ErrUnavailable):
		return ReasonUnavailable
	default:
		return ReasonOther
	}
}

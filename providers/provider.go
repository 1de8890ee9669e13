// Package providers defines how hookgate authenticates and identifies an inbound
// webhook. Each provider lives in its own sub-package (providers/stripe,
// providers/github, …) and exposes a Factory; providers/builtin registers them all.
//
// A Provider works on the raw request bytes only: verification happens before any
// parsing, over exactly the bytes received, and fails closed.
//
// Public: a team implementing a provider whose scheme no family of the
// catalogue fits imports it (Provider, Factory, the sentinel errors), and so
// does every provider package.
package providers

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// Name identifies a signing scheme (the `provider:` of a source in the config).
type Name string

// The built-in provider names.
const (
	Stripe           Name = "stripe"
	GitHub           Name = "github"
	PayPal           Name = "paypal"
	Twilio           Name = "twilio"
	Shopify          Name = "shopify"
	StandardWebhooks Name = "standardwebhooks" // also Svix, Clerk
	HMAC             Name = "hmac"             // generic configurable HMAC
	Token            Name = "token"            // generic shared-token header
	Basic            Name = "basic"            // generic HTTP Basic
)

// Request is the part of an HTTP request a provider may look at. Body holds the raw
// bytes exactly as received; a provider must not modify it.
type Request struct {
	Method string
	// URL is the public URL the provider posted to: the source's configured public
	// base URL joined with the request path and query (never derived from Host alone).
	URL    *url.URL
	Header http.Header
	Body   []byte
	// Now is the verification clock, injected so tests control it.
	Now time.Time
}

// Event is what a provider reads from a verified request.
type Event struct {
	// ID is the provider's event identifier, the dedupe key (unique per source).
	ID string
	// Type is the provider's own event type (e.g. "push", "payment_intent.succeeded").
	Type string
}

// Reply is a provider-specific answer to an accepted request (a TwiML document, a
// challenge echo). The zero Reply means "200 with the gateway's default JSON body".
type Reply struct {
	Status      int
	ContentType string
	Body        []byte
	// Header holds extra response headers (a handshake's echoed secret,
	// X-Content-Type-Options on an echoed challenge).
	Header http.Header
}

// Provider authenticates and identifies requests for one configured source.
//
// Verify returns nil only when the request is proven to come from the provider.
// Its errors wrap one of the sentinel errors of this package (ErrNotSigned,
// ErrInvalidHeader, ErrNoValidSignature, ErrTooOld, ErrTooNew, ErrNoSecret, …) so the
// gateway can map them to a status and a metric reason; an infrastructure failure
// (a certificate that cannot be fetched right now) wraps ErrUnavailable.
//
// Identify is called only after Verify succeeded. It returns ErrMalformedPayload
// (wrapped) when the verified body cannot yield an event ID and type.
//
// CredentialHeaders names the request headers that carry the source's secret
// itself (a shared token, Basic credentials), as opposed to a signature derived
// from it. The gateway redacts them before a request is stored or logged, for
// accepted and rejected requests alike, so anyone who can read the store cannot
// forge deliveries. A scheme whose headers carry only signatures (every HMAC and
// public-key scheme) returns nil. The list is fixed when the provider is built.
type Provider interface {
	Verify(ctx context.Context, r *Request) error
	Identify(r *Request) (Event, error)
	CredentialHeaders() []string
}

// TimestampChecker is implemented by providers whose scheme signs a timestamp
// that Verify checks against a tolerance (Stripe, Standard Webhooks, HMAC with
// a timestamp header, PayPal with a transmission window): a captured request
// stops verifying once it is older than that. A provider that does not
// implement it, or answers false, signs no checked timestamp: a captured
// request verifies forever, and the gateway then deduplicates by the signed
// content as well (a source's dedupe.content, on by default for it).
type TimestampChecker interface {
	ChecksTimestamp() bool
}

// Expensive is implemented by providers whose verification may make a network
// call (PayPal: a certificate download, or the online verify API). The
// gateway then refuses, before verifying, requests from an IP that spent its
// failure budget for the source (429); every other scheme is verified first,
// so an authentic delivery is accepted whatever its IP's record.
type Expensive interface {
	ExpensiveVerify() bool
}

// Bodiless is implemented by providers whose sender fails a check on any
// response body (Xero's intent to receive): the gateway then answers every
// request of the source, accepted or refused, with its status and headers only.
type Bodiless interface {
	BodilessResponses() bool
}

// Replier is implemented by providers that must answer accepted requests in a
// specific way (Twilio's TwiML, a challenge echo).
type Replier interface {
	Reply(r *Request, ev Event) Reply
}

// Decoder is implemented by providers whose body is not plain JSON for handlers
// (GitHub's form-encoded `payload=`, Twilio's form parameters): Decode returns the
// JSON document handlers receive.
type Decoder interface {
	Decode(contentType string, body []byte) ([]byte, error)
}

// Spec is the configuration of one source, as a provider factory receives it.
type Spec struct {
	// Source is the source name (the {source} of /webhooks/{source}).
	Source string
	// Secrets are the resolved signing secrets, newest first; any may verify.
	// They must never be logged or returned in an error.
	Secrets []string
	// Options decodes the provider-specific `options:` block of the source into v
	// (a pointer to the provider's own options struct). It is never nil.
	Options func(v any) error
}

// Factory builds the Provider of one source. It returns an error naming the field
// and the fix when the spec is invalid (for example an empty secret list).
type Factory func(spec Spec) (Provider, error)

// Challenge is a provider's check of an endpoint (a URL verification, a
// challenge to echo, a liveness probe), recognised by a Challenger. The
// gateway answers it with Reply, audits it, and stores no receipt for it.
type Challenge struct {
	// Kind names the check in the audit log and metrics
	// ("slack_url_verification").
	Kind string
	// Signed: the check is a signed request, answered only once Verify has
	// accepted it. Otherwise Challenge itself authenticated it, or it reveals
	// nothing (an echo of the caller's own value).
	Signed bool
	// Reply is the answer the provider expects.
	Reply Reply
	// Confirm, when set, is an action the check asks for (AWS SNS: call the
	// SubscribeURL), run once the request is verified and before Reply is
	// sent; its error fails the check (ErrUnavailable: 503, so the provider
	// retries; any other: refused as unverified).
	Confirm func(ctx context.Context) error
	// OfferedSecret, when set, is a signing secret the check hands over
	// (Asana's X-Hook-Secret) for a SecretReceiver: the gateway keeps the
	// first one offered for the source, and answers with Reply only when the
	// one kept is this one (409 otherwise: the operator forgets the kept one
	// before the provider's webhook is created again).
	OfferedSecret string
}

// SecretReceiver is implemented by providers whose signing secret is handed
// over in a handshake instead of configured (Asana). The gateway keeps the
// secret in the store, so that every replica verifies with it, and gives it
// to the provider with UseSecret (at start, after a handshake, and when
// Verify fails with ErrNoSecret and the store holds a newer one); without
// one, Verify fails with ErrNoSecret.
type SecretReceiver interface {
	UseSecret(secret string)
}

// Challenger is implemented by providers whose endpoint must answer checks
// the provider makes before, or while, it sends events. The gateway calls
// Challenge for every request to the source (a POST with its body; a GET or
// HEAD without) before verifying it. ok is false for an ordinary delivery
// (and the gateway answers a GET or HEAD with 405). An error means the
// request claims to be a check but fails its own authentication (a wrong
// verify token); it wraps ErrNoValidSignature or ErrNotSigned and is charged
// like a failed verification.
type Challenger interface {
	Challenge(r *Request) (c Challenge, ok bool, err error)
}

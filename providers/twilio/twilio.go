// Package twilio verifies and identifies Twilio webhooks: incoming messages and
// calls, and their status callbacks.
//
// Twilio signs a request with X-Twilio-Signature, the base64 HMAC-SHA1 (keyed with
// the account's auth token) of the public URL it posted to followed by the form
// parameters sorted by name. For JSON bodies the URL carries bodySHA256=<hex> and
// the signature covers the URL only. There is no timestamp, so there is no replay
// window: deduplication is what absorbs replays.
//
// Bespoke because no scheme family fits: the signed bytes are the URL followed
// by the form's parameters sorted by name (each name then value), with the URL
// checked in its port and no-port spellings, and JSON bodies bound through a
// SHA-256 in the query; the HMAC template signs raw bytes, not a parsed,
// sorted form.
package twilio

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"

	"github.com/hookgate/hookgate/providers"
)

// Name is the provider name of Twilio sources.
const Name = providers.Twilio

// Header and parameter names Twilio uses.
const (
	// SignatureHeader carries the base64 HMAC-SHA1 signature.
	SignatureHeader = "X-Twilio-Signature"
	// IdempotencyHeader carries a token that is the same on every retry of one
	// delivery; when present it is the dedupe key.
	IdempotencyHeader = "I-Twilio-Idempotency-Token"
	// BodyHashParam is the URL query parameter holding the hex SHA-256 of a JSON body.
	BodyHashParam = "bodySHA256"
)

// Event types reported by Identify. Twilio has no event type field: the type is
// implied by which parameters are present.
const (
	// TypeSMSStatus is a message status callback (MessageStatus present).
	TypeSMSStatus = "sms.status"
	// TypeCallStatus is a voice call webhook or status callback (CallStatus present).
	TypeCallStatus = "call.status"
	// TypeSMSIncoming is an incoming message (MessageSid and Body, no status).
	TypeSMSIncoming = "sms.incoming"
	// TypeUnknown is any other verified Twilio request.
	TypeUnknown = "twilio.unknown"
)

// ReplyMode selects what an accepted form-encoded request is answered with.
type ReplyMode string

// Reply modes.
const (
	// ReplyTwiML answers form-encoded webhooks with an empty TwiML document, which
	// tells Twilio "do nothing" (no auto-reply SMS, hang up a call) instead of
	// logging a parse error (code 12300) for the gateway's JSON body.
	ReplyTwiML ReplyMode = "twiml"
	// ReplyDefault answers with the gateway's default JSON body.
	ReplyDefault ReplyMode = "default"
)

// Options is the `options:` block of a Twilio source. The zero value is valid.
type Options struct {
	// Reply is "twiml" (default) or "default".
	Reply ReplyMode `yaml:"reply"`
}

// validate applies defaults and checks o, naming the field and the fix.
func (o *Options) validate() error {
	switch o.Reply {
	case "":
		o.Reply = ReplyTwiML
	case ReplyTwiML, ReplyDefault:
	default:
		return fmt.Errorf("options.reply: %q is not supported (use %q or %q)", o.Reply, ReplyTwiML, ReplyDefault)
	}
	return nil
}

// emptyTwiML is the TwiML document that asks Twilio to do nothing more.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// Media types Twilio sends.
const (
	mediaForm = "application/x-www-form-urlencoded"
	mediaJSON = "application/json"
)

// Provider verifies and identifies the requests of one Twilio source. It is safe
// for concurrent use. It implements providers.Provider, providers.Decoder and
// providers.Replier.
type Provider struct {
	tokens []string
	reply  ReplyMode
}

// Interface checks: the gateway discovers Decoder and Replier by type assertion.
var (
	_ providers.Provider = (*Provider)(nil)
	_ providers.Decoder  = (*Provider)(nil)
	_ providers.Replier  = (*Provider)(nil)
)

// New builds the Provider of a Twilio source. spec.Secrets are the accepted auth
// tokens (primary first, then the secondary during a rotation); an empty list
// fails with an error wrapping providers.ErrNoSecret.
func New(spec providers.Spec) (providers.Provider, error) {
	return newProvider(spec)
}

func newProvider(spec providers.Spec) (*Provider, error) {
	var opts Options
	if spec.Options != nil {
		if err := spec.Options(&opts); err != nil {
			return nil, fmt.Errorf("twilio source %q: options: %w", spec.Source, err)
		}
	}
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("twilio source %q: %w", spec.Source, err)
	}
	tokens, err := nonEmpty(spec.Secrets)
	if err != nil {
		return nil, fmt.Errorf("twilio source %q: secrets: required (the account auth token; add the secondary token during a rotation): %w", spec.Source, err)
	}
	return &Provider{tokens: tokens, reply: opts.Reply}, nil
}

// nonEmpty returns the non-empty secrets, or ErrNoSecret when there are none: an
// empty key would make every HMAC forgeable.
func nonEmpty(secrets []string) ([]string, error) {
	out := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, providers.ErrNoSecret
	}
	return out, nil
}

// Verify checks X-Twilio-Signature over r.
//
// Contract on r.URL: it must be the public URL Twilio was configured to call (the
// gateway joins the source's configured public base URL with the request path and
// query). It is never derived from the Host header, which a client controls and a
// proxy rewrites. The URL is signed as r.URL.String() returns it; the same URL
// with the scheme's default port added or removed is accepted too, because
// Twilio's signing is inconsistent about it.
//
// A body with a bodySHA256 URL parameter must be application/json and match that
// hash; any other body must be a non-empty application/x-www-form-urlencoded
// parameter list of valid UTF-8. Errors wrap ErrNotSigned (no header),
// ErrInvalidHeader (repeated or not a base64 HMAC-SHA1), ErrMalformedPayload (a
// body that cannot be signed data) or ErrNoValidSignature.
func (p *Provider) Verify(_ context.Context, r *providers.Request) error {
	if len(p.tokens) == 0 {
		return fmt.Errorf("twilio: %w", providers.ErrNoSecret)
	}
	sig, err := signatureHeader(r.Header)
	if err != nil {
		return err
	}
	if r.URL == nil {
		return fmt.Errorf("twilio: request has no public URL: %w", providers.ErrNoValidSignature)
	}
	publicURL := r.URL.String()
	media := mediaType(r.Header)
	if _, ok := r.URL.Query()[BodyHashParam]; ok {
		if media != mediaJSON {
			return fmt.Errorf("twilio: %s in URL but content type is not %s: %w", BodyHashParam, mediaJSON, providers.ErrMalformedPayload)
		}
		return VerifyBodyHash(publicURL, r.Body, sig, p.tokens)
	}
	if media != mediaForm {
		return fmt.Errorf("twilio: content type must be %s (or %s with %s in the URL): %w", mediaForm, mediaJSON, BodyHashParam, providers.ErrMalformedPayload)
	}
	if len(r.Body) == 0 {
		// Twilio never posts an empty form; accepting one would let a signature
		// over the bare URL be replayed with no parameters.
		return fmt.Errorf("twilio: empty body: %w", providers.ErrMalformedPayload)
	}
	params, err := ParseForm(r.Body)
	if err != nil {
		return err
	}
	return VerifyForm(publicURL, params, sig, p.tokens)
}

// signatureHeader returns the single X-Twilio-Signature value.
func signatureHeader(h http.Header) (string, error) {
	vals := h.Values(SignatureHeader)
	switch {
	case len(vals) == 0 || (len(vals) == 1 && vals[0] == ""):
		return "", fmt.Errorf("twilio: missing %s: %w", SignatureHeader, providers.ErrNotSigned)
	case len(vals) > 1:
		return "", fmt.Errorf("twilio: %s repeated: %w", SignatureHeader, providers.ErrInvalidHeader)
	}
	return vals[0], nil
}

// mediaType is the request's media type without parameters, or "" when absent or
// unparsable.
func mediaType(h http.Header) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// Identify returns the dedupe key and event type of a verified request.
//
// ID: the I-Twilio-Idempotency-Token header when present; else MessageSid, or
// CallSid, followed by ":" and its MessageStatus / CallStatus when present, so
// that each status callback of one message is its own event. Type: sms.status
// when MessageStatus is present, call.status when CallStatus is present,
// sms.incoming for MessageSid with Body, otherwise twilio.unknown. A request that
// yields no ID wraps ErrMalformedPayload.
func (p *Provider) Identify(r *providers.Request) (providers.Event, error) {
	params, err := requestParams(r)
	if err != nil {
		return providers.Event{}, err
	}
	var ev providers.Event
	msgSid, msgStatus := params.Get("MessageSid"), params.Get("MessageStatus")
	callSid, callStatus := params.Get("CallSid"), params.Get("CallStatus")
	switch {
	case msgStatus != "":
		ev.Type = TypeSMSStatus
	case callStatus != "":
		ev.Type = TypeCallStatus
	case msgSid != "" && params.Has("Body"):
		ev.Type = TypeSMSIncoming
	default:
		ev.Type = TypeUnknown
	}
	// The ID comes from the signed parameters; the idempotency token header
	// is not signed, so it only refines it (a captured request re-sent with
	// another token is caught by the gateway's content deduplication).
	var signed string
	switch {
	case msgSid != "":
		signed = joinStatus(msgSid, msgStatus)
	case callSid != "":
		signed = joinStatus(callSid, callStatus)
	}
	tok := r.Header.Get(IdempotencyHeader)
	switch {
	case signed != "" && tok != "":
		ev.ID = signed + ":" + tok
	case signed != "":
		ev.ID = signed
	case tok != "":
		ev.ID = tok
	default:
		return providers.Event{}, fmt.Errorf("twilio: no MessageSid, CallSid or %s header: %w", IdempotencyHeader, providers.ErrMalformedPayload)
	}
	return ev, nil
}

func joinStatus(sid, status string) string {
	if status == "" {
		return sid
	}
	return sid + ":" + status
}

// requestParams returns the parameters Identify reads: the form fields, or the
// top-level string fields of a JSON object.
func requestParams(r *providers.Request) (url.Values, error) {
	switch mediaType(r.Header) {
	case mediaForm:
		return ParseForm(r.Body)
	case mediaJSON:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &obj); err != nil {
			return nil, fmt.Errorf("twilio: body is not a JSON object: %w", providers.ErrMalformedPayload)
		}
		params := url.Values{}
		for k, raw := range obj {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				params.Set(k, s)
			}
		}
		return params, nil
	default:
		return nil, fmt.Errorf("twilio: unsupported content type: %w", providers.ErrMalformedPayload)
	}
}

// Reply answers form-encoded requests (SMS and voice webhooks) with an empty TwiML
// document as text/xml, unless the source's reply option is "default". JSON
// requests get the zero Reply.
func (p *Provider) Reply(r *providers.Request, _ providers.Event) providers.Reply {
	if p.reply != ReplyTwiML || mediaType(r.Header) != mediaForm {
		return providers.Reply{}
	}
	return providers.Reply{
		Status:      http.StatusOK,
		ContentType: "text/xml",
		Body:        []byte(emptyTwiML),
	}
}

// Decode returns the JSON document handlers receive: a form body becomes an object
// with sorted keys whose values are strings, or arrays of strings for repeated
// keys; a JSON body is returned as is. Other content types wrap
// ErrMalformedPayload.
func (p *Provider) Decode(contentType string, body []byte) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("twilio: content type: %w", providers.ErrMalformedPayload)
	}
	switch mt {
	case mediaForm:
		params, err := ParseForm(body)
		if err != nil {
			return nil, err
		}
		return FormJSON(params)
	case mediaJSON:
		if !json.Valid(body) {
			return nil, fmt.Errorf("twilio: body is not valid JSON: %w", providers.ErrMalformedPayload)
		}
		return body, nil
	default:
		return nil, fmt.Errorf("twilio: unsupported content type: %w", providers.ErrMalformedPayload)
	}
}

// CredentialHeaders is nil: the scheme's headers carry signatures, never the
// secret itself (providers.Provider).
func (p *Provider) CredentialHeaders() []string { return nil }

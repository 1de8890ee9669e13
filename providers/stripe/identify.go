package stripe

import (
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// maxFieldLen bounds an event ID or type: it becomes a database key and a
// workflow ID, and Stripe's own are a few dozen bytes.
const maxFieldLen = 255

// Identify reads the event ID (`id`, e.g. "evt_…") and type (`type`, e.g.
// "payment_intent.succeeded") from the JSON body. A body that is not UTF-8 JSON
// or lacks either string wraps providers.ErrMalformedPayload.
func (p *provider) Identify(r *providers.Request) (providers.Event, error) {
	if r == nil {
		return providers.Event{}, fmt.Errorf("stripe: no request: %w", providers.ErrMalformedPayload)
	}
	return IdentifyPayload(r.Body)
}

// IdentifyPayload returns the ID and type of a Stripe event body. See
// provider.Identify for the errors.
func IdentifyPayload(body []byte) (providers.Event, error) {
	// encoding/json silently replaces invalid UTF-8 with U+FFFD, which would
	// turn two different IDs into one dedupe key.
	if !utf8.Valid(body) {
		return providers.Event{}, fmt.Errorf("stripe: body is not UTF-8: %w", providers.ErrMalformedPayload)
	}
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return providers.Event{}, fmt.Errorf("stripe: body is not a JSON event (%v): %w", err, providers.ErrMalformedPayload)
	}
	if err := checkField("id", ev.ID); err != nil {
		return providers.Event{}, err
	}
	if err := checkField("type", ev.Type); err != nil {
		return providers.Event{}, err
	}
	return providers.Event{ID: ev.ID, Type: ev.Type}, nil
}

// checkField rejects values unfit for a dedupe key or a type label: empty,
// oversized, or containing control characters (log and key injection).
func checkField(name, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("stripe: body %s missing or empty: %w", name, providers.ErrMalformedPayload)
	case len(v) > maxFieldLen:
		return fmt.Errorf("stripe: body %s longer than %d bytes: %w", name, maxFieldLen, providers.ErrMalformedPayload)
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return fmt.Errorf("stripe: body %s contains a control character: %w", name, providers.ErrMalformedPayload)
		}
	}
	return nil
}

// CredentialHeaders is nil: the scheme's headers carry signatures, never the
// secret itself (providers.Provider).
func (p *provider) CredentialHeaders() []string { return nil }

// ChecksTimestamp is true: the signed timestamp is always checked against the
// tolerance (providers.TimestampChecker).
func (p *provider) ChecksTimestamp() bool { return true }

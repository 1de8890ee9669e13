package standardwebhooks

import (
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// maxFieldLen bounds an event ID or type: it becomes a database key and a
// workflow ID.
const maxFieldLen = 255

// Identify returns webhook-id (or svix-id, from the same header family Verify
// used) as the event ID and the body's `type` as the type. A body that is not
// a UTF-8 JSON object with a non-empty string `type`, or an unusable ID, wraps
// providers.ErrMalformedPayload.
func (p *provider) Identify(r *providers.Request) (providers.Event, error) {
	if r == nil {
		return providers.Event{}, fmt.Errorf("standardwebhooks: no request: %w", providers.ErrMalformedPayload)
	}
	h, err := HeadersFrom(r.Header)
	if err != nil {
		return providers.Event{}, fmt.Errorf("standardwebhooks: %v: %w", err, providers.ErrMalformedPayload)
	}
	if err := checkField("id header", h.ID); err != nil {
		return providers.Event{}, err
	}
	typ, err := EventType(r.Body)
	if err != nil {
		return providers.Event{}, err
	}
	return providers.Event{ID: h.ID, Type: typ}, nil
}

// EventType returns the `type` of a Standard Webhooks payload.
func EventType(body []byte) (string, error) {
	// encoding/json silently replaces invalid UTF-8 with U+FFFD.
	if !utf8.Valid(body) {
		return "", fmt.Errorf("standardwebhooks: body is not UTF-8: %w", providers.ErrMalformedPayload)
	}
	var ev struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return "", fmt.Errorf("standardwebhooks: body is not a JSON event (%v): %w", err, providers.ErrMalformedPayload)
	}
	if err := checkField("body type", ev.Type); err != nil {
		return "", err
	}
	return ev.Type, nil
}

// checkField rejects values unfit for a dedupe key or a type label.
func checkField(name, v string) error {
	switch {
	case v == "":
		return fmt.Errorf("standardwebhooks: %s missing or empty: %w", name, providers.ErrMalformedPayload)
	case len(v) > maxFieldLen:
		return fmt.Errorf("standardwebhooks: %s longer than %d bytes: %w", name, maxFieldLen, providers.ErrMalformedPayload)
	case !utf8.ValidString(v):
		return fmt.Errorf("standardwebhooks: %s is not UTF-8: %w", name, providers.ErrMalformedPayload)
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return fmt.Errorf("standardwebhooks: %s contains a control character: %w", name, providers.ErrMalformedPayload)
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

package github

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"unicode"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// maxFieldLen bounds an event ID or type: it becomes a database key and a
// workflow ID; GitHub's delivery GUIDs are 36 bytes.
const maxFieldLen = 255

// formContentType is the media type of hooks configured to post form data.
const formContentType = "application/x-www-form-urlencoded"

// Identify returns the delivery GUID (X-GitHub-Delivery) as the event ID and
// X-GitHub-Event as the type; "ping" needs nothing special. A missing, empty,
// repeated or unusable header wraps providers.ErrMalformedPayload: GitHub
// always sends both, and neither is covered by the signature, so their absence
// is bad input rather than an authentication failure.
func (p *provider) Identify(r *providers.Request) (providers.Event, error) {
	if r == nil {
		return providers.Event{}, fmt.Errorf("github: no request: %w", providers.ErrMalformedPayload)
	}
	id, err := singleHeader(r, DeliveryHeader)
	if err != nil {
		return providers.Event{}, err
	}
	typ, err := singleHeader(r, EventHeader)
	if err != nil {
		return providers.Event{}, err
	}
	return providers.Event{ID: id, Type: typ}, nil
}

func singleHeader(r *providers.Request, name string) (string, error) {
	values := r.Header.Values(name)
	switch {
	case len(values) == 0 || values[0] == "":
		return "", fmt.Errorf("github: missing %s header: %w", name, providers.ErrMalformedPayload)
	case len(values) > 1:
		return "", fmt.Errorf("github: %d %s headers, want one: %w", len(values), name, providers.ErrMalformedPayload)
	}
	v := values[0]
	if len(v) > maxFieldLen {
		return "", fmt.Errorf("github: %s longer than %d bytes: %w", name, maxFieldLen, providers.ErrMalformedPayload)
	}
	if !utf8.ValidString(v) {
		return "", fmt.Errorf("github: %s is not UTF-8: %w", name, providers.ErrMalformedPayload)
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return "", fmt.Errorf("github: %s contains a control character: %w", name, providers.ErrMalformedPayload)
		}
	}
	return v, nil
}

// Decode returns the JSON document handlers receive: see DecodePayload.
func (p *provider) Decode(contentType string, body []byte) ([]byte, error) {
	return DecodePayload(contentType, body)
}

// DecodePayload returns the event JSON of a GitHub delivery. For
// application/x-www-form-urlencoded bodies it is the single `payload` field,
// which must be valid JSON; any other content type (GitHub's other choice is
// application/json) returns body unchanged. Errors wrap
// providers.ErrMalformedPayload.
func DecodePayload(contentType string, body []byte) ([]byte, error) {
	if contentType == "" {
		return body, nil
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("github: invalid Content-Type: %w", providers.ErrMalformedPayload)
	}
	if mediaType != formContentType {
		return body, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("github: form body does not parse: %w", providers.ErrMalformedPayload)
	}
	payload := form["payload"]
	switch len(payload) {
	case 0:
		return nil, fmt.Errorf("github: form body has no payload field: %w", providers.ErrMalformedPayload)
	case 1:
	default:
		return nil, fmt.Errorf("github: form body has %d payload fields, want one: %w", len(payload), providers.ErrMalformedPayload)
	}
	doc := []byte(payload[0])
	// Percent-decoding can yield any bytes; JSON must be UTF-8 (RFC 8259).
	if !utf8.Valid(doc) || !json.Valid(doc) {
		return nil, fmt.Errorf("github: form payload is not JSON: %w", providers.ErrMalformedPayload)
	}
	return doc, nil
}

// CredentialHeaders is nil: the scheme's headers carry signatures, never the
// secret itself (providers.Provider).
func (p *provider) CredentialHeaders() []string { return nil }

package shopify

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// maxFieldLen bounds an event ID or type: it becomes a database key and a
// workflow ID.
const maxFieldLen = 255

// Identify returns the event ID and topic of a delivery. The ID is
// X-Shopify-Event-Id; only when that header is absent does it fall back to
// X-Shopify-Webhook-Id (older deliveries, and apps that never saw the event
// header). Prefer the event ID because Shopify may deliver one event under
// several webhook IDs. The type is X-Shopify-Topic. Every header is also read
// unprefixed (Shopify-Event-Id, …). A missing, repeated, conflicting or
// unusable header wraps providers.ErrMalformedPayload.
func (p *provider) Identify(r *providers.Request) (providers.Event, error) {
	if r == nil {
		return providers.Event{}, fmt.Errorf("shopify: no request: %w", providers.ErrMalformedPayload)
	}
	id, found, err := field(r, EventIDHeader)
	if err != nil {
		return providers.Event{}, err
	}
	if !found {
		if id, found, err = field(r, WebhookIDHeader); err != nil {
			return providers.Event{}, err
		}
		if !found {
			return providers.Event{}, fmt.Errorf("shopify: missing %s%s and %s%s headers: %w",
				prefixLegacy, EventIDHeader, prefixLegacy, WebhookIDHeader, providers.ErrMalformedPayload)
		}
	}
	topic, found, err := field(r, TopicHeader)
	if err != nil {
		return providers.Event{}, err
	}
	if !found {
		return providers.Event{}, fmt.Errorf("shopify: missing %s%s header: %w", prefixLegacy, TopicHeader, providers.ErrMalformedPayload)
	}
	return providers.Event{ID: id, Type: topic}, nil
}

// field reads one identification header; an empty value counts as absent, so
// that an empty event ID still falls back to the webhook ID.
func field(r *providers.Request, name string) (string, bool, error) {
	v, found, ok := Header(r.Header, name)
	if !ok {
		return "", true, fmt.Errorf("shopify: repeated or conflicting %s%s headers: %w", prefixLegacy, name, providers.ErrMalformedPayload)
	}
	if !found || v == "" {
		return "", false, nil
	}
	if len(v) > maxFieldLen {
		return "", true, fmt.Errorf("shopify: %s%s longer than %d bytes: %w", prefixLegacy, name, maxFieldLen, providers.ErrMalformedPayload)
	}
	if !utf8.ValidString(v) {
		return "", true, fmt.Errorf("shopify: %s%s is not UTF-8: %w", prefixLegacy, name, providers.ErrMalformedPayload)
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return "", true, fmt.Errorf("shopify: %s%s contains a control character: %w", prefixLegacy, name, providers.ErrMalformedPayload)
		}
	}
	return v, true, nil
}

// CredentialHeaders is nil: the scheme's headers carry signatures, never the
// secret itself (providers.Provider).
func (p *provider) CredentialHeaders() []string { return nil }

package catalogue

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hookgate/hookgate/providers"
)

// BodyToken is the body-token family: the provider signs nothing, but every
// notification in the body carries the secret the subscriber chose when it
// subscribed (Microsoft Graph's clientState), compared in constant time.
// Like a header token, it proves the sender knew the secret and covers no
// other content.
type BodyToken struct {
	// Items names the top-level array of notifications ("value").
	Items string
	// Field names the member of each notification that holds the secret.
	Field string
}

// maxBodyTokenItems bounds the notifications one body may carry.
const maxBodyTokenItems = 1000

// Validate checks the parameters.
func (b *BodyToken) Validate() error {
	if b.Items == "" || b.Field == "" {
		return errors.New("a body token needs the array of notifications and the member holding the secret")
	}
	return nil
}

// Verify checks that every notification carries one of secrets. Errors wrap
// ErrNotSigned (no notifications, or one without the member) or
// ErrNoValidSignature (a value that is none of the secrets).
func (b *BodyToken) Verify(r *providers.Request, secrets []string) error {
	var doc map[string]json.RawMessage
	var items []map[string]json.RawMessage
	if json.Unmarshal(r.Body, &doc) != nil || json.Unmarshal(doc[b.Items], &items) != nil || len(items) == 0 {
		return fmt.Errorf("body token: the body has no %s notifications: %w", b.Items, providers.ErrNotSigned)
	}
	if len(items) > maxBodyTokenItems {
		return fmt.Errorf("body token: %d notifications, at most %d: %w", len(items), maxBodyTokenItems, providers.ErrInvalidHeader)
	}
	for i, it := range items {
		var got string
		if json.Unmarshal(it[b.Field], &got) != nil || got == "" {
			return fmt.Errorf("body token: notification %d has no %s: %w", i, b.Field, providers.ErrNotSigned)
		}
		ok := 0
		for _, s := range secrets {
			if s != "" {
				ok |= subtle.ConstantTimeCompare([]byte(got), []byte(s))
			}
		}
		if ok != 1 {
			return fmt.Errorf("body token: notification %d: %s is not the source's secret: %w", i, b.Field, providers.ErrNoValidSignature)
		}
	}
	return nil
}

// Sign sets the member to secret in every notification of r's body, as the
// provider does for a subscription created with it; the body is written
// back compact, members in sorted order.
func (b *BodyToken) Sign(r *providers.Request, secret string) error {
	var doc map[string]json.RawMessage
	var items []map[string]json.RawMessage
	if json.Unmarshal(r.Body, &doc) != nil || json.Unmarshal(doc[b.Items], &items) != nil {
		return fmt.Errorf("body token: the body has no %s notifications: %w", b.Items, providers.ErrMalformedPayload)
	}
	v, err := json.Marshal(secret)
	if err != nil {
		return err
	}
	for _, it := range items {
		it[b.Field] = v
	}
	if doc[b.Items], err = json.Marshal(items); err != nil {
		return err
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	r.Body = body
	return nil
}

type bodyTokenSigner struct {
	b      *BodyToken
	secret string
}

func (s bodyTokenSigner) Sign(r *providers.Request) error { return s.b.Sign(r, s.secret) }

// bodyTokenEntries are the providers of the body-token family.
var bodyTokenEntries = []Entry{
	{
		Name: "msgraph", Display: "Microsoft Graph (change notifications)", Family: FamilyBodyToken,
		Docs:      "https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks",
		Secret:    "the clientState you set when creating the subscription",
		BodyToken: &BodyToken{Items: "value", Field: "clientState"},
		// A batch of notifications without a delivery ID: deduplicated by
		// content.
		EventType: "json:value.0.changeType",
		Handshake: HandshakeGraphValidationToken,
	},
}

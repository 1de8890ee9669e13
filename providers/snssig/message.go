// Package snssig verifies Amazon SNS messages delivered to an HTTP(S)
// subscription: the RSA signature of the message's canonical form, checked
// with the X.509 certificate SNS names in SigningCertURL, fetched only from an
// allowlisted SNS host, over TLS, with a timeout, a size cap and a cache.
//
// AWS's scheme (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):
// the signed string is "Key\nValue\n" for each signed key in byte order of the
// key names, SignatureVersion 1 signs it with RSA-SHA1 and 2 with
// RSA-SHA256, the signature is base64. Trust comes from the certificate's
// origin: an https URL on sns.<region>.amazonaws.com[.cn], as AWS's own
// validators check (aws-js-sns-message-validator, aws-php-sns-message-validator).
package snssig

import (
	"encoding/json"
	"fmt"

	"github.com/hookgate/hookgate/providers"
)

// Type is an SNS message type (the body's Type, and the
// x-amz-sns-message-type header).
type Type string

// Message types.
const (
	Notification             Type = "Notification"
	SubscriptionConfirmation Type = "SubscriptionConfirmation"
	UnsubscribeConfirmation  Type = "UnsubscribeConfirmation"
)

// Message is an SNS message as posted to an HTTP(S) endpoint.
type Message struct {
	Type      Type   `json:"Type"`
	MessageID string `json:"MessageId"`
	Token     string `json:"Token,omitempty"`
	TopicArn  string `json:"TopicArn"`
	// Subject is nil when the message has none (it is then not signed).
	Subject          *string `json:"Subject,omitempty"`
	Message          string  `json:"Message"`
	SubscribeURL     string  `json:"SubscribeURL,omitempty"`
	UnsubscribeURL   string  `json:"UnsubscribeURL,omitempty"`
	Timestamp        string  `json:"Timestamp"`
	SignatureVersion string  `json:"SignatureVersion"`
	Signature        string  `json:"Signature"`
	SigningCertURL   string  `json:"SigningCertURL"`
}

// maxMessageSize bounds the body parsed as a message: SNS messages are at
// most 256 KiB, and the envelope adds its fields and JSON escaping.
const maxMessageSize = 1 << 20

// Parse reads an SNS message. A body that is not a JSON object, or has no
// Signature, SignatureVersion or SigningCertURL, is not signed
// (ErrNotSigned); a signed envelope of an unknown type, or without a field
// its type signs, is malformed (ErrInvalidHeader: the envelope is SNS's
// signature "header"). A body over 1 MiB is ErrMalformedPayload.
func Parse(body []byte) (*Message, error) {
	if len(body) > maxMessageSize {
		return nil, fmt.Errorf("sns: message larger than %d bytes: %w", maxMessageSize, providers.ErrMalformedPayload)
	}
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("sns: body is not an SNS message, so not signed: %w", providers.ErrNotSigned)
	}
	if m.Signature == "" || m.SigningCertURL == "" || m.SignatureVersion == "" {
		return nil, fmt.Errorf("sns: Signature, SignatureVersion or SigningCertURL missing: %w", providers.ErrNotSigned)
	}
	missing := func(name string) error {
		return fmt.Errorf("sns: %s message without %s: %w", m.Type, name, providers.ErrInvalidHeader)
	}
	switch {
	case m.MessageID == "":
		return nil, missing("MessageId")
	case m.TopicArn == "":
		return nil, missing("TopicArn")
	case m.Timestamp == "":
		return nil, missing("Timestamp")
	}
	switch m.Type {
	case Notification:
	case SubscriptionConfirmation, UnsubscribeConfirmation:
		if m.Token == "" {
			return nil, missing("Token")
		}
		if m.SubscribeURL == "" {
			return nil, missing("SubscribeURL")
		}
	default:
		return nil, fmt.Errorf("sns: unknown message type %q: %w", m.Type, providers.ErrInvalidHeader)
	}
	return &m, nil
}

// StringToSign is the canonical form SNS signs: "Key\nValue\n" for each
// signed key, in byte order of the names. A Notification signs Message,
// MessageId, Subject (when present), Timestamp, TopicArn and Type; a
// subscription or unsubscription confirmation signs Message, MessageId,
// SubscribeURL, Timestamp, Token, TopicArn and Type.
func (m *Message) StringToSign() []byte {
	var b []byte
	add := func(k, v string) {
		b = append(b, k...)
		b = append(b, '\n')
		b = append(b, v...)
		b = append(b, '\n')
	}
	add("Message", m.Message)
	add("MessageId", m.MessageID)
	if m.Type == Notification {
		if m.Subject != nil {
			add("Subject", *m.Subject)
		}
	} else {
		add("SubscribeURL", m.SubscribeURL)
	}
	add("Timestamp", m.Timestamp)
	if m.Type != Notification {
		add("Token", m.Token)
	}
	add("TopicArn", m.TopicArn)
	add("Type", string(m.Type))
	return b
}

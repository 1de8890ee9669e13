package catalogue

import hmacsig "github.com/hookgate/hookgate/providers/hmac"

// fieldsEntries are the providers that sign JSON fields of the body rather
// than the raw body.
var fieldsEntries = []Entry{
	{
		Name: "mailgun", Display: "Mailgun", Family: FamilyHMACFields,
		Docs:   "https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks",
		Secret: "HTTP webhook signing key (Sending → Webhooks)",
		Fields: &hmacsig.Fields{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Signature: "signature.signature", Signed: []string{"signature.timestamp", "signature.token"},
		},
		// The signature covers the timestamp and the one-time token only:
		// the token is the dedupe key, so a captured signature replayed with
		// other event data is a duplicate, never a new event.
		EventID: "json:signature.token", EventType: "json:event-data.event",
	},
	{
		Name: "adyen", Display: "Adyen (standard webhooks, HMAC per notification)", Family: FamilyHMACFields,
		Docs:   "https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures/",
		Secret: "HMAC key (hex, generated on the webhook's page in the Customer Area)",
		Fields: &hmacsig.Fields{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64, KeyEncoding: hmacsig.KeyHex,
			// Each NotificationRequestItem is signed on its own, over eight
			// fields joined by ":", an absent one signed as "".
			Items:     "notificationItems",
			Signature: "NotificationRequestItem.additionalData.hmacSignature",
			Signed: []string{"NotificationRequestItem.pspReference", "NotificationRequestItem.originalReference",
				"NotificationRequestItem.merchantAccountCode", "NotificationRequestItem.merchantReference",
				"NotificationRequestItem.amount.value", "NotificationRequestItem.amount.currency",
				"NotificationRequestItem.eventCode", "NotificationRequestItem.success"},
			Separator: ":", MissingAsEmpty: true,
		},
		// A chargeback carries its payment's pspReference, so neither it
		// nor the event code alone identifies an event: deduplicated by
		// content (a retry resends the same notification).
		EventType: "json:notificationItems.0.NotificationRequestItem.eventCode",
	},
	{
		Name: "dropboxsign", Display: "Dropbox Sign (formerly HelloSign)", Family: FamilyHMACFields,
		Docs:   "https://developers.hellosign.com/docs/events/walkthrough/",
		Secret: "API key (Settings → API; the key the events' account or app belongs to)",
		Fields: &hmacsig.Fields{
			// event_hash is the hex HMAC-SHA256 of event_time and event_type
			// under the API key: the rest of the event is not signed.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Signature: "event.event_hash", Signed: []string{"event.event_time", "event.event_type"},
		},
		// The body is the event's JSON, or a multipart form whose json field
		// holds it. Two events of one type in one second share a hash, so it
		// is no dedupe key: deduplicated by content, which a retry repeats.
		FormJSON:  "json",
		EventType: "json:event.event_type",
		// Dropbox Sign counts any other answer as a failure and retries.
		Ack: "Hello API Event Received",
	},
}

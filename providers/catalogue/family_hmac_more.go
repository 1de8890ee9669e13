package catalogue

import (
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// moreHMACEntries continue hmacEntries (the same family, split so that one
// file stays readable): each row read in the provider's official
// documentation and checked against its official SDK (oracle_test.go).
var moreHMACEntries = []Entry{
	{
		Name: "cashfree", Display: "Cashfree Payments", Family: FamilyHMAC,
		Docs:   "https://www.cashfree.com/docs/payments/online/webhooks/signature-verification",
		Secret: "client secret key (Developers → API Keys; the partner API key for partner webhooks)",
		HMAC: &hmacsig.Template{
			// The timestamp (unix ms) then the raw body, no separator.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "x-webhook-signature", TimestampHeader: "x-webhook-timestamp",
			TimestampFormat: hmacsig.UnixMillis,
			SignedPayload:   "{timestamp}{body}",
		},
		// No event ID in the body: deduplicated by content.
		EventType: "json:type",
	},
	{
		Name: "easypost", Display: "EasyPost", Family: FamilyHMAC,
		Docs:   "https://docs.easypost.com/guides/webhooks-guide",
		Secret: "webhook_secret (set when the webhook is created or updated)",
		HMAC: &hmacsig.Template{
			// The SDKs key with the NFKD form of the secret: the same bytes
			// for the ASCII secrets EasyPost's dashboard takes.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Hmac-Signature", Prefix: "hmac-sha256-hex=",
		},
		EventID: "json:id", EventType: "json:description",
	},
	{
		Name: "kontentai", Display: "Kontent.ai", Family: FamilyHMAC,
		Docs:   "https://kontent.ai/learn/docs/webhooks/new-webhooks/typescript",
		Secret: "webhook secret (Environment settings → Webhooks → the webhook → Secret)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "X-Kontent-ai-Signature",
		},
		// A batch of notifications without an ID: deduplicated by content.
		EventType: "json:notifications.0.message.action",
	},
}

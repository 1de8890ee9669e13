package catalogue

import (
	"time"

	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// hmacEntries are the providers of the HMAC template family. Each row was
// read in the provider's official documentation or SDK (the Docs URL, and
// the vector or SDK cross-test in vectors_test.go).
var hmacEntries = []Entry{
	{
		Name: "slack", Display: "Slack", Family: FamilyHMAC,
		Docs:   "https://docs.slack.dev/authentication/verifying-requests-from-slack/",
		Secret: "signing secret (the app's Basic Information page)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Slack-Signature", Prefix: "v0=",
			TimestampHeader: "X-Slack-Request-Timestamp",
			SignedPayload:   "v0:{timestamp}:{body}",
			Tolerance:       5 * time.Minute,
		},
		// Events API: event_id; interactivity and slash commands (form
		// bodies) have none and are deduplicated by content.
		EventID: "json:event_id", EventType: "json:event.type",
		Handshake: HandshakeSlackURLVerification,
	},
	{
		Name: "razorpay", Display: "Razorpay", Family: FamilyHMAC,
		Docs:   "https://razorpay.com/docs/webhooks/validate-test/",
		Secret: "webhook secret (set on the webhook in the Dashboard)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Razorpay-Signature",
		},
		EventID: "header:X-Razorpay-Event-Id", EventType: "json:event",
	},
	{
		Name: "paddle", Display: "Paddle Billing", Family: FamilyHMAC,
		Docs:   "https://developer.paddle.com/webhooks/signature-verification",
		Secret: "endpoint secret key (the notification destination)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "Paddle-Signature", PairSeparator: ";", TimestampKey: "ts", SignatureKey: "h1",
			SignedPayload: "{timestamp}:{body}",
			Tolerance:     5 * time.Minute,
		},
		EventID: "json:event_id", EventType: "json:event_type",
	},
	{
		Name: "line", Display: "LINE Messaging API", Family: FamilyHMAC,
		Docs:   "https://developers.line.biz/en/docs/messaging-api/receiving-messages/#verifying-signatures",
		Secret: "channel secret (the channel's Basic settings)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "X-Line-Signature",
		},
		// One request carries a batch of events; a redelivery carries the
		// same batch, so the first event's ID identifies it.
		EventID: "json:events.0.webhookEventId", EventType: "json:events.0.type",
	},
	{
		Name: "coinbasecommerce", Display: "Coinbase Commerce", Family: FamilyHMAC,
		Docs:   "https://docs.cdp.coinbase.com/commerce/api-arcitecture/webhooks-overview",
		Secret: "shared webhook secret (Settings → Webhook subscriptions)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-CC-Webhook-Signature",
		},
		EventID: "json:event.id", EventType: "json:event.type",
	},
	{
		Name: "pagerduty", Display: "PagerDuty (webhooks v3)", Family: FamilyHMAC,
		Docs:   "https://developer.pagerduty.com/docs/ZG9jOjExMDI5NTkz-verifying-signatures",
		Secret: "subscription secret (shown once when the webhook subscription is created)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			// One v1= signature per active secret, comma-separated;
			// other versions are ignored.
			Header: "X-PagerDuty-Signature", Prefix: "v1=", Separator: ",",
		},
		EventID: "json:event.id", EventType: "json:event.event_type",
	},
	{
		Name: "square", Display: "Square", Family: FamilyHMAC,
		Docs:   "https://developer.squareup.com/docs/webhooks/step3validate",
		Secret: "signature key (the webhook subscription's page)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			// Signed over the notification URL as registered in Square:
			// set public_base_url so the gateway rebuilds it exactly.
			Header: "X-Square-Hmacsha256-Signature", SignedPayload: "{url}{body}",
		},
		EventID: "json:event_id", EventType: "json:type",
	},
	{
		Name: "mux", Display: "Mux", Family: FamilyHMAC,
		Docs:   "https://docs.mux.com/core/verify-webhook-signatures",
		Secret: "webhook signing secret (Settings → Webhooks)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			// Several v1= during a rotation; other versions are ignored.
			Header: "Mux-Signature", PairSeparator: ",", TimestampKey: "t", SignatureKey: "v1",
			SignedPayload: "{timestamp}.{body}",
			Tolerance:     5 * time.Minute,
		},
		EventID: "json:id", EventType: "json:type",
	},
}

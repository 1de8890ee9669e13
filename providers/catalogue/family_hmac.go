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
	{
		Name: "hubspot", Display: "HubSpot (webhooks, signature v3)", Family: FamilyHMAC,
		Docs:   "https://developers.hubspot.com/docs/api/webhooks/validating-requests",
		Secret: "client secret (the app's Auth page)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			// Signed over the method, the target URL as registered in
			// HubSpot (set public_base_url), the body and the timestamp.
			Header: "X-HubSpot-Signature-v3", TimestampHeader: "X-HubSpot-Request-Timestamp",
			TimestampFormat: hmacsig.UnixMillis,
			SignedPayload:   "{method}{url}{body}{timestamp}",
			Tolerance:       5 * time.Minute,
		},
		// One request carries a batch of events; a redelivery carries the
		// same batch, so the first event's ID identifies it.
		EventID: "json:0.eventId", EventType: "json:0.subscriptionType",
	},
	{
		Name: "linear", Display: "Linear", Family: FamilyHMAC,
		Docs:   "https://linear.app/developers/webhooks",
		Secret: "signing secret (shown on the webhook's page)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "Linear-Signature",
			// The timestamp is the signed body's webhookTimestamp; the SDK
			// accepts a minute either way.
			TimestampField: "webhookTimestamp", TimestampFormat: hmacsig.UnixMillis,
			Tolerance: time.Minute,
		},
		EventID: "header:Linear-Delivery", EventType: "json:type",
	},
	{
		Name: "workos", Display: "WorkOS", Family: FamilyHMAC,
		Docs:   "https://workos.com/docs/events/data-syncing/webhooks",
		Secret: "webhook secret (the webhook endpoint's page in the Dashboard)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			// "t=<unix ms>, v1=<hex>"; the SDK's default tolerance is 180 s.
			Header: "WorkOS-Signature", PairSeparator: ",", TimestampKey: "t", SignatureKey: "v1",
			TimestampFormat: hmacsig.UnixMillis,
			SignedPayload:   "{timestamp}.{body}",
			Tolerance:       3 * time.Minute,
		},
		EventID: "json:id", EventType: "json:event",
	},
	{
		Name: "box", Display: "Box (webhooks v2)", Family: FamilyHMAC,
		Docs:   "https://developer.box.com/guides/webhooks/v2/signatures-v2/",
		Secret: "primary and secondary signature keys (Webhooks → Manage signature keys)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			// The body, then the delivery timestamp; one signature per key.
			Header: "BOX-SIGNATURE-PRIMARY", SecondHeader: "BOX-SIGNATURE-SECONDARY",
			FixedHeaders:    map[string]string{"BOX-SIGNATURE-VERSION": "1", "BOX-SIGNATURE-ALGORITHM": "HmacSHA256"},
			TimestampHeader: "BOX-DELIVERY-TIMESTAMP", TimestampFormat: hmacsig.RFC3339,
			SignedPayload: "{body}{timestamp}",
			Tolerance:     10 * time.Minute,
		},
		// BOX-DELIVERY-ID changes on a retry; the body's id does not.
		EventID: "json:id", EventType: "json:trigger",
	},
	{
		Name: "gocardless", Display: "GoCardless", Family: FamilyHMAC,
		Docs:   "https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks",
		Secret: "webhook endpoint secret (Developers → Webhook endpoints)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "Webhook-Signature",
		},
		// One webhook carries a batch of events; a redelivery carries the
		// same batch, so the first event's ID identifies it.
		EventID: "json:events.0.id", EventType: "json:events.0.resource_type",
	},
	{
		Name: "zoom", Display: "Zoom", Family: FamilyHMAC,
		Docs:   "https://developers.zoom.us/docs/api/webhooks/",
		Secret: "secret token (the app's Features → Access page)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "x-zm-signature", Prefix: "v0=",
			TimestampHeader: "x-zm-request-timestamp",
			SignedPayload:   "v0:{timestamp}:{body}",
			Tolerance:       5 * time.Minute,
		},
		// Zoom events carry no event ID: deduplicated by content.
		EventType: "json:event",
		Handshake: HandshakeZoomURLValidation,
	},
	{
		Name: "notion", Display: "Notion", Family: FamilyHMAC,
		Docs:   "https://developers.notion.com/reference/webhooks",
		Secret: "verification_token (sent to the endpoint when the subscription is created)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Notion-Signature", Prefix: "sha256=",
		},
		EventID: "json:id", EventType: "json:type",
	},
	{
		Name: "pusher", Display: "Pusher Channels", Family: FamilyHMAC,
		Docs:   "https://pusher.com/docs/channels/server_api/webhooks/",
		Secret: "app secret (App Keys)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Pusher-Signature",
		},
		// A batch of events with no ID: deduplicated by content.
		EventType: "json:events.0.name",
	},
	{
		Name: "onfido", Display: "Onfido", Family: FamilyHMAC,
		Docs:   "https://documentation.onfido.com/api/latest/#webhooks",
		Secret: "webhook token (returned when the webhook is registered)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-SHA2-Signature",
		},
		// An event names its resource, not itself: deduplicated by content.
		EventType: "json:payload.action",
	},
	{
		Name: "sanity", Display: "Sanity (GROQ-powered webhooks)", Family: FamilyHMAC,
		Docs:   "https://www.sanity.io/docs/webhooks",
		Secret: "webhook secret (set when the webhook is created)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64URL,
			// "t=<unix ms>,v1=<base64url>".
			Header: "sanity-webhook-signature", PairSeparator: ",", TimestampKey: "t", SignatureKey: "v1",
			TimestampFormat: hmacsig.UnixMillis,
			SignedPayload:   "{timestamp}.{body}",
		},
		EventID: "header:idempotency-key", EventType: "header:sanity-operation",
	},
	{
		Name: "elevenlabs", Display: "ElevenLabs", Family: FamilyHMAC,
		Docs:   "https://elevenlabs.io/docs/eleven-agents/workflows/post-call-webhooks",
		Secret: "webhook HMAC secret (Webhooks settings)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			// "t=<unix s>,v0=<hex>"; the SDK accepts 30 minutes.
			Header: "ElevenLabs-Signature", PairSeparator: ",", TimestampKey: "t", SignatureKey: "v0",
			SignedPayload: "{timestamp}.{body}",
			Tolerance:     30 * time.Minute,
		},
		// No event ID: deduplicated by content.
		EventType: "json:type",
	},
	{
		Name: "webflow", Display: "Webflow", Family: FamilyHMAC,
		Docs:   "https://developers.webflow.com/data/docs/working-with-webhooks",
		Secret: "OAuth app client secret (or the webhook signing secret)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "x-webflow-signature", TimestampHeader: "x-webflow-timestamp",
			TimestampFormat: hmacsig.UnixMillis,
			SignedPayload:   "{timestamp}:{body}",
			Tolerance:       5 * time.Minute,
		},
		// No event ID: deduplicated by content.
		EventType: "json:triggerType",
	},
	{
		Name: "moderntreasury", Display: "Modern Treasury", Family: FamilyHMAC,
		Docs:   "https://docs.moderntreasury.com/platform/reference/webhooks",
		Secret: "webhook key (the webhook endpoint's page)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Signature",
		},
		// No event ID in the body: deduplicated by content.
		EventType: "json:event",
	},
	{
		Name: "orb", Display: "Orb", Family: FamilyHMAC,
		Docs:   "https://docs.withorb.com/integrations-and-exports/webhooks",
		Secret: "webhook secret (Developers → Webhooks)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			// Space-separated "v1=<hex>" during a rotation; the timestamp
			// is an ISO 8601 UTC time without a zone, signed as sent.
			Header: "X-Orb-Signature", Prefix: "v1=", Separator: " ",
			TimestampHeader: "X-Orb-Timestamp", TimestampFormat: hmacsig.UTCNoZone,
			SignedPayload: "v1:{timestamp}:{body}",
			Tolerance:     5 * time.Minute,
		},
		EventID: "json:id", EventType: "json:type",
	},
	{
		Name: "imagekit", Display: "ImageKit", Family: FamilyHMAC,
		Docs:   "https://imagekit.io/docs/webhooks",
		Secret: "webhook secret (Developer options → Webhooks)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			// "t=<unix ms>,v1=<hex>".
			Header: "x-ik-signature", PairSeparator: ",", TimestampKey: "t", SignatureKey: "v1",
			TimestampFormat: hmacsig.UnixMillis,
			SignedPayload:   "{timestamp}.{body}",
		},
		EventID: "json:id", EventType: "json:type",
	},
	{
		Name: "buildkite", Display: "Buildkite", Family: FamilyHMAC,
		Docs:   "https://buildkite.com/docs/apis/webhooks#webhook-signature",
		Secret: "webhook token (Settings → Notification services; choose Signature)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			// "timestamp=<unix s>,signature=<hex>".
			Header: "X-Buildkite-Signature", PairSeparator: ",", TimestampKey: "timestamp", SignatureKey: "signature",
			SignedPayload: "{timestamp}.{body}",
		},
		// No event ID: deduplicated by content.
		EventType: "header:X-Buildkite-Event",
	},
	{
		Name: "meta", Display: "Meta (Facebook, Instagram, WhatsApp, Messenger)", Family: FamilyHMAC,
		Docs:   "https://developers.facebook.com/docs/graph-api/webhooks/getting-started",
		Secret: "app secret (App Dashboard → App settings → Basic); options.verify_token is the Verify Token",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Hub-Signature-256", Prefix: "sha256=",
		},
		// A batch of entries without a delivery ID: deduplicated by content.
		EventType:  "json:object",
		Handshake:  HandshakeMetaSubscribe,
		Unverified: "Meta documents the scheme (X-Hub-Signature-256, HMAC-SHA256 of the payload under the app secret) but publishes no test vector and no SDK that verifies webhooks",
	},
	{
		Name: "dropbox", Display: "Dropbox", Family: FamilyHMAC,
		Docs:   "https://www.dropbox.com/developers/reference/webhooks",
		Secret: "app secret (App Console → Settings)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Dropbox-Signature",
		},
		// A notification names the accounts that changed, nothing else:
		// deduplicated by content.
		Handshake:  HandshakeDropboxChallenge,
		Unverified: "Dropbox documents the scheme (X-Dropbox-Signature, HMAC-SHA256 of the body under the app secret) but publishes no test vector, and its SDKs do not verify webhooks",
	},
	{
		Name: "x", Display: "X (Twitter) Account Activity", Family: FamilyHMAC,
		Docs:   "https://docs.x.com/x-api/webhooks/introduction",
		Secret: "consumer secret (the app's API Key Secret)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "x-twitter-webhooks-signature", Prefix: "sha256=",
		},
		// An event is named by its key (tweet_create_events, …), which no
		// rule reads: the type stays "webhook", deduplicated by content.
		Handshake:  HandshakeXCRC,
		Unverified: "X documents the scheme (x-twitter-webhooks-signature, sha256= and base64 HMAC-SHA256 of the body under the consumer secret) but publishes no test vector, and its SDKs do not verify webhooks",
	},
	{
		Name: "trello", Display: "Trello", Family: FamilyHMAC,
		Docs:   "https://developer.atlassian.com/cloud/trello/guides/rest-api/webhooks/",
		Secret: "application secret (Power-Up admin → API key → Secret)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA1, Encoding: hmacsig.Base64,
			// Signed over the body then the callback URL as registered with
			// Trello: set public_base_url so the gateway rebuilds it.
			Header: "X-Trello-Webhook", SignedPayload: "{body}{url}",
		},
		EventID: "json:action.id", EventType: "json:action.type",
		Handshake:  HandshakeTrelloHead,
		Unverified: "Trello documents the scheme (X-Trello-Webhook, base64 HMAC-SHA1 of the body and callback URL under the app secret) but publishes no test vector and no SDK that verifies webhooks",
	},
	{
		Name: "twitch", Display: "Twitch EventSub (webhooks)", Family: FamilyHMAC,
		Docs:   "https://dev.twitch.tv/docs/eventsub/handling-webhook-events/",
		Secret: "subscription secret (set when the subscription is created, 10–100 characters)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "Twitch-Eventsub-Message-Signature", Prefix: "sha256=",
			IDHeader: "Twitch-Eventsub-Message-Id", TimestampHeader: "Twitch-Eventsub-Message-Timestamp",
			TimestampFormat: hmacsig.RFC3339,
			SignedPayload:   "{id}{timestamp}{body}",
			// Twitch: reject messages older than 10 minutes.
			Tolerance: 10 * time.Minute,
		},
		EventID: "header:Twitch-Eventsub-Message-Id", EventType: "json:subscription.type",
		Handshake:  HandshakeTwitchVerification,
		Unverified: "Twitch documents the scheme (HMAC-SHA256 of message ID, timestamp and body, sha256= hex) but publishes no test vector and no SDK; its CLI that signs test events is not a Go module served here",
	},
	{
		Name: "stream", Display: "Stream (Chat)", Family: FamilyHMAC,
		Docs:   "https://getstream.io/chat/docs/node/webhooks_overview/",
		Secret: "API secret (the app's dashboard page)",
		HMAC: &hmacsig.Template{
			// Over the uncompressed JSON: keep webhook compression off (the
			// gateway refuses a Content-Encoding it would have to undo).
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Signature",
		},
		// X-Webhook-Id is the same on a retry; without it, by content.
		EventID: "header:X-Webhook-Id", EventType: "json:type",
	},
	{
		Name: "retell", Display: "Retell AI", Family: FamilyHMAC,
		Docs:   "https://docs.retellai.com/features/secure-webhook",
		Secret: "API key with the webhook badge (Dashboard → API Keys)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			// "v=<unix ms>,d=<hex>" over the body then the timestamp.
			Header: "x-retell-signature", PairSeparator: ",", TimestampKey: "v", SignatureKey: "d",
			TimestampFormat: hmacsig.UnixMillis,
			SignedPayload:   "{body}{timestamp}",
			Tolerance:       5 * time.Minute,
		},
		// A call's events carry no event ID: deduplicated by content.
		EventType: "json:event",
	},
	{
		Name: "polar", Display: "Polar", Family: FamilyHMAC,
		Docs:   "https://docs.polar.sh/integrate/webhooks/delivery",
		Secret: "webhook secret (the endpoint's page; used as it is, not base64-decoded)",
		HMAC: &hmacsig.Template{
			// The Standard Webhooks format, but keyed with the secret's own
			// bytes (Polar's SDK base64-encodes it before the library
			// decodes it), so the template, not the whsec_ family.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "webhook-signature", Prefix: "v1,", Separator: " ",
			IDHeader: "webhook-id", TimestampHeader: "webhook-timestamp",
			SignedPayload: "{id}.{timestamp}.{body}",
			Tolerance:     5 * time.Minute,
		},
		EventID: "header:webhook-id", EventType: "json:type",
	},
	{
		Name: "finch", Display: "Finch", Family: FamilyHMAC,
		Docs:   "https://developer.tryfinch.com/developer-resources/Webhooks",
		Secret: "webhook secret (base64, shown when the webhook is created)",
		HMAC: &hmacsig.Template{
			// The Standard Webhooks format under finch-* headers, keyed with
			// the base64-decoded secret.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64, KeyEncoding: hmacsig.KeyBase64,
			Header: "finch-signature", Prefix: "v1,", Separator: " ",
			IDHeader: "finch-event-id", TimestampHeader: "finch-timestamp",
			SignedPayload: "{id}.{timestamp}.{body}",
			Tolerance:     5 * time.Minute,
		},
		EventID: "header:finch-event-id", EventType: "json:event_type",
	},
	{
		Name: "gitea", Display: "Gitea", Family: FamilyHMAC,
		Docs:   "https://docs.gitea.com/usage/webhooks",
		Secret: "webhook secret (repository Settings → Webhooks)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Gitea-Signature",
		},
		EventID: "header:X-Gitea-Delivery", EventType: "header:X-Gitea-Event",
	},
	{
		Name: "cloudinary", Display: "Cloudinary", Family: FamilyHMAC,
		Docs:   "https://cloudinary.com/documentation/notifications#verifying_notification_signatures",
		Secret: "API secret (Settings → API Keys)",
		HMAC: &hmacsig.Template{
			// Not an HMAC: SHA-1 of the body, the timestamp and the API
			// secret, hex (the account's signature algorithm, SHA-1 unless
			// changed to SHA-256).
			Algorithm: hmacsig.SHA1, Encoding: hmacsig.Hex, Construction: hmacsig.ConstructSecretSuffix,
			Header: "X-Cld-Signature", TimestampHeader: "X-Cld-Timestamp",
			SignedPayload: "{body}{timestamp}",
			// Cloudinary's SDKs accept two hours.
			Tolerance: 2 * time.Hour,
		},
		// Deduplicated by content: a retry resends the same signed body.
		EventType: "json:notification_type",
	},
	{
		Name: "bitbucket", Display: "Bitbucket Cloud", Family: FamilyHMAC,
		Docs:   "https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/",
		Secret: "webhook secret (Repository settings → Webhooks → Secret)",
		HMAC: &hmacsig.Template{
			// Unlike GitHub's header of the same name, SHA-256.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Hub-Signature", Prefix: "sha256=",
		},
		EventID: "header:X-Request-UUID", EventType: "header:X-Event-Key",
		Unverified: "Bitbucket documents the scheme (X-Hub-Signature: sha256= and the hex HMAC-SHA256 of the body under the webhook secret) but publishes no test vector and no SDK that verifies webhooks",
	},
}

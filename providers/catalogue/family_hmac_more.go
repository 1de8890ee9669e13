package catalogue

import (
	"time"

	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// moreHMACEntries continue hmacEntries (the same family, split so that one
// file stays readable): each row read in the provider's official
// documentation and checked against its official SDK (oracle_test.go), or
// saying why it could not be (Unverified).
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
	{
		Name: "zendesk", Display: "Zendesk (webhooks)", Family: FamilyHMAC,
		Docs:   "https://developer.zendesk.com/documentation/webhooks/verifying/",
		Secret: "webhook signing secret (Admin Center → Webhooks → the webhook → Reveal secret)",
		HMAC: &hmacsig.Template{
			// The timestamp then the body, no separator; a GET or DELETE
			// webhook signs the timestamp alone.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "X-Zendesk-Webhook-Signature", TimestampHeader: "X-Zendesk-Webhook-Signature-Timestamp",
			TimestampFormat: hmacsig.RFC3339,
			SignedPayload:   "{timestamp}{body}",
			// Zendesk sets no window; an hour covers its retries.
			Tolerance: time.Hour,
		},
		// Event-subscription webhooks carry id and type; a trigger's body is
		// the admin's own (deduplicated by content).
		EventID: "json:id", EventType: "json:type",
		Unverified: "Zendesk documents the scheme (base64 HMAC-SHA256 of the timestamp header and the body) with a Node example, but publishes no test vector and no SDK that verifies webhooks",
	},
	{
		Name: "typeform", Display: "Typeform", Family: FamilyHMAC,
		Docs:   "https://www.typeform.com/developers/webhooks/secure-your-webhooks/",
		Secret: "webhook secret (set on the webhook with the Webhooks API or in the form's Connect panel)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "Typeform-Signature", Prefix: "sha256=",
		},
		EventID: "json:event_id", EventType: "json:event_type",
		Unverified: "Typeform documents the scheme (Typeform-Signature: sha256= and the base64 HMAC-SHA256 of the body) with code, but publishes no test vector and no SDK that verifies webhooks",
	},
	{
		Name: "checkoutcom", Display: "Checkout.com", Family: FamilyHMAC,
		Docs:   "https://www.checkout.com/docs/workflows/set-up-your-webhook-receiver",
		Secret: "signature key of the workflow's webhook action",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "Cko-Signature",
		},
		EventID: "json:id", EventType: "json:type",
		Unverified: "Checkout.com documents the scheme (Cko-Signature, hex HMAC-SHA256 of the raw body under the webhook's signature key), but publishes no test vector, and its SDKs do not verify webhooks",
	},
	{
		Name: "clickup", Display: "ClickUp", Family: FamilyHMAC,
		Docs:   "https://developer.clickup.com/docs/webhooksignature",
		Secret: "webhook secret (returned as webhook.secret when the webhook is created)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Signature",
		},
		// Each change is a history item with its own ID.
		EventID: "json:history_items.0.id", EventType: "json:event",
		Unverified: "ClickUp documents the scheme (X-Signature, hex HMAC-SHA256 of the body under the webhook's secret) with an example request whose signature is truncated, and publishes no SDK that verifies webhooks",
	},
	{
		Name: "aftership", Display: "AfterShip Tracking", Family: FamilyHMAC,
		Docs:   "https://www.aftership.com/docs/tracking/webhook/webhook-signature",
		Secret: "webhook secret (Settings → Webhooks)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "aftership-hmac-sha256",
		},
		EventID: "json:event_id", EventType: "json:event",
		Unverified: "AfterShip documents the scheme (aftership-hmac-sha256, base64 HMAC-SHA256 of the body under the webhook secret) with code, but publishes no test vector and no SDK that verifies webhooks",
	},
	{
		Name: "logto", Display: "Logto", Family: FamilyHMAC,
		Docs:   "https://docs.logto.io/developers/webhooks/secure-webhooks",
		Secret: "signing key (Console → Webhooks → the webhook)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "logto-signature-sha-256",
		},
		// No event ID: deduplicated by content.
		EventType:  "json:event",
		Unverified: "Logto documents the scheme (logto-signature-sha-256, hex HMAC-SHA256 of the raw body under the signing key) with a Node example, but publishes no test vector and no SDK that verifies webhooks",
	},
	{
		Name: "woocommerce", Display: "WooCommerce", Family: FamilyHMAC,
		Docs:   "https://woocommerce.com/document/webhooks/",
		Secret: "webhook secret (WooCommerce → Settings → Advanced → Webhooks → the webhook)",
		HMAC: &hmacsig.Template{
			// WC_Webhook::generate_signature: base64 HMAC-SHA256 of the
			// delivered JSON body under the webhook's secret.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "X-WC-Webhook-Signature",
		},
		// No event ID: X-WC-Webhook-Delivery-ID is a hash of the webhook's ID
		// and the current second, so two events of one webhook in the same
		// second share it. Deduplicated by content instead.
		EventType: "header:X-WC-Webhook-Topic",
		Handshake: HandshakeWooCommercePing,
	},
	{
		Name: "sentry", Display: "Sentry (integration platform)", Family: FamilyHMAC,
		Docs:   "https://docs.sentry.io/organization/integrations/integration-platform/webhooks/",
		Secret: "client secret (Settings → Developer Settings → the integration)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "Sentry-Hook-Signature",
		},
		// Request-ID is new on every send, so a resend would not be
		// recognised by it: deduplicated by content.
		EventType:  "header:Sentry-Hook-Resource",
		Unverified: "Sentry documents the scheme (Sentry-Hook-Signature, hex HMAC-SHA256 of the JSON body under the integration's client secret; the same construction as SentryApp.build_signature in getsentry/sentry) but publishes no test vector and no SDK that verifies webhooks",
	},
	{
		Name: "circleci", Display: "CircleCI (outbound webhooks)", Family: FamilyHMAC,
		Docs:   "https://circleci.com/docs/webhooks/",
		Secret: "secret token (Project Settings → Webhooks → the webhook)",
		HMAC: &hmacsig.Template{
			// "v1=<hex>[,v2=…]": only v1 exists; CircleCI asks receivers to
			// check the latest version only, so other versions are ignored.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "circleci-signature", PairSeparator: ",", SignatureKey: "v1",
		},
		// The body's id: CircleCI's documented dedupe key for its retries.
		EventID: "json:id", EventType: "header:circleci-event-type",
	},
	{
		Name: "xero", Display: "Xero", Family: FamilyHMAC,
		Docs:   "https://developer.xero.com/documentation/guides/webhooks/overview/",
		Secret: "webhook key (Xero developer portal → the app → Webhooks)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "x-xero-signature",
		},
		// A delivery batches events of several categories and carries no
		// delivery ID: deduplicated by content, typed "webhook".
		Handshake:  HandshakeXeroIntentToReceive,
		Bodiless:   true,
		Unverified: "Xero documents the scheme (x-xero-signature, base64 HMAC-SHA256 of the raw body under the webhook key; XeroAPI's own sample receivers, .NET and PHP, compute it so) but publishes no test vector and no SDK that verifies webhooks",
	},
	{
		Name: "mollie", Display: "Mollie (next-gen webhooks)", Family: FamilyHMAC,
		Docs:   "https://docs.mollie.com/guides/webhooks",
		Secret: "webhook signing secret (Dashboard → Developers → Webhooks, or POST /v2/webhooks)",
		HMAC: &hmacsig.Template{
			// "sha256=<hex>"; during a secret rotation one header per
			// secret, each checked, as Mollie's SDKs do. Classic webhooks
			// (a form body id=tr_… per payment) carry no signature and are
			// refused here.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Mollie-Signature", Prefix: "sha256=", Repeated: true,
		},
		EventID: "json:id", EventType: "json:type",
	},
	{
		Name: "lemonsqueezy", Display: "Lemon Squeezy", Family: FamilyHMAC,
		Docs:   "https://docs.lemonsqueezy.com/api/webhooks#signing-requests",
		Secret: "signing secret (Settings → Webhooks → the webhook)",
		HMAC: &hmacsig.Template{
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Signature",
		},
		// No event ID: deduplicated by content.
		EventType:  "json:meta.event_name",
		Unverified: "Lemon Squeezy documents the scheme (X-Signature, hex HMAC-SHA256 of the raw body under the signing secret), and its own Laravel package (VerifyWebhookSignature) and Next.js billing template verify it so, but it publishes no test vector and no SDK that runs here (the Laravel package is PHP)",
	},
	{
		Name: "hookdeck", Display: "Hookdeck (Event Gateway destinations)", Family: FamilyHMAC,
		Docs:   "https://hookdeck.com/docs/authentication",
		Secret: "project signing secret (Settings → Secrets)",
		HMAC: &hmacsig.Template{
			// While a rolled secret has not expired, Hookdeck signs with the
			// previous one too, in X-Hookdeck-Signature-2. A project that
			// changed its header prefix is configured with the generic hmac
			// provider.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "X-Hookdeck-Signature", SecondHeader: "X-Hookdeck-Signature-2",
		},
		// The same on every attempt of a Hookdeck event. The body is the
		// original provider's, unchanged, so its type is not Hookdeck's to
		// say: typed "webhook".
		EventID: "header:X-Hookdeck-Eventid",
	},
	{
		Name: "metronome", Display: "Metronome", Family: FamilyHMAC,
		Docs:   "https://docs.metronome.com/developer-resources/using-the-api/webhooks/",
		Secret: "webhook secret (Developer → Notifications → Webhooks → the webhook)",
		HMAC: &hmacsig.Template{
			// Hex HMAC-SHA256 of X-Metronome-Date, a newline and the body,
			// as Metronome's SDKs check it (5 minutes either way).
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "Metronome-Webhook-Signature", TimestampHeader: "X-Metronome-Date",
			TimestampFormat: hmacsig.HTTPDate, SignedPayload: "{timestamp}\n{body}",
		},
		// Metronome's documented dedupe key is the notification's id.
		EventID: "json:id", EventType: "json:type",
	},
	{
		// Worldline Direct and Worldline Connect (formerly Ingenico
		// ePayments) sign alike.
		Name: "worldline", Display: "Worldline (Direct and Connect)", Family: FamilyHMAC,
		Docs:   "https://docs.connect.worldline-solutions.com/documentation/webhooks/",
		Secret: "webhooks secret key (Merchant Portal → Developer → Webhooks, or Configuration Center → Webhooks keys)",
		HMAC: &hmacsig.Template{
			// X-GCS-KeyId names the key; every configured key is tried, so
			// the key ID is not needed to choose one.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Base64,
			Header: "X-GCS-Signature",
		},
		// The event's id is Worldline's documented dedupe key.
		EventID: "json:id", EventType: "json:type",
		Handshake: HandshakeWorldlineVerification,
	},
	{
		// The Merchant API's and the Business API's webhooks sign alike.
		Name: "revolut", Display: "Revolut (Merchant and Business APIs)", Family: FamilyHMAC,
		Docs:   "https://developer.revolut.com/docs/guides/accept-payments/tutorials/work-with-webhooks/verify-the-payload-signature",
		Secret: "webhook signing secret (wsk_…, returned by the webhook's details in the API)",
		HMAC: &hmacsig.Template{
			// "v1=<hex>", one per active secret, comma-separated, during a
			// rotation; the timestamp is unix milliseconds, 5 minutes.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "Revolut-Signature", Prefix: "v1=", Separator: ",",
			TimestampHeader: "Revolut-Request-Timestamp", TimestampFormat: hmacsig.UnixMillis,
			SignedPayload: "v1.{timestamp}.{body}",
		},
		// No event ID (an order event names its order, a transaction event
		// its transaction, each of which has several events): deduplicated by
		// content, which a retry repeats.
		EventType: "json:event",
	},
	{
		Name: "gr4vy", Display: "Gr4vy", Family: FamilyHMAC,
		Docs:   "https://docs.gr4vy.com/guides/features/webhooks/signatures",
		Secret: "webhook subscription secret (Webhook subscriptions → the subscription → Generate secret)",
		HMAC: &hmacsig.Template{
			// One hex signature per active secret, comma-separated.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header: "X-Gr4vy-Webhook-Signatures", Separator: ",",
			TimestampHeader: "X-Gr4vy-Webhook-Timestamp", SignedPayload: "{timestamp}.{body}",
		},
		// Gr4vy's idempotency value, the same on every retry.
		// Every body is an "event" naming its target (a transaction, a
		// payment method): typed by the target.
		EventID: "header:X-Gr4vy-Webhook-ID", EventType: "json:target.type",
	},
	{
		Name: "plain", Display: "Plain", Family: FamilyHMAC,
		Docs:   "https://www.plain.com/docs/request-signing",
		Secret: "request signing secret (Settings → Request signing; one per workspace)",
		HMAC: &hmacsig.Template{
			// The delivery attempt's timestamp is in the signed body; Plain's
			// SDK accepts 5 minutes either way.
			Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex,
			Header:         "Plain-Request-Signature",
			TimestampField: "webhookMetadata.webhookDeliveryAttemptTimestamp", TimestampFormat: hmacsig.RFC3339,
		},
		// The event's id is the same on every delivery attempt.
		EventID: "json:id", EventType: "json:type",
	},
}

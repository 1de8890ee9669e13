package catalogue

import (
	"time"

	"github.com/hookgate/hookgate/providers/asymsig"
)

// asymmetricEntries are the providers that sign with Ed25519; a source's secrets
// are the public keys the provider shows.
var asymmetricEntries = []Entry{
	{
		Name: "discord", Display: "Discord (interactions)", Family: FamilyAsymmetric,
		Docs:   "https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers",
		Secret: "application public key (hex, the app's General Information page)",
		Asymmetric: &asymsig.Scheme{
			SignatureHeader: "X-Signature-Ed25519", TimestampHeader: "X-Signature-Timestamp",
			SignedPayload: "{timestamp}{body}", Encoding: asymsig.Hex,
		},
		EventID: "json:id", EventType: "json:type",
		Handshake: HandshakeDiscordPing,
	},
	{
		Name: "sendgrid", Display: "SendGrid (Event Webhook)", Family: FamilyAsymmetric,
		Docs:   "https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features",
		Secret: "verification key (base64, shown when Signed Event Webhook Requests is enabled)",
		Asymmetric: &asymsig.Scheme{
			Algorithm:       asymsig.ECDSAP256,
			SignatureHeader: "X-Twilio-Email-Event-Webhook-Signature", TimestampHeader: "X-Twilio-Email-Event-Webhook-Timestamp",
			SignedPayload: "{timestamp}{body}", Encoding: asymsig.Base64,
		},
		// One request carries a batch of events; a redelivery carries the
		// same batch, so the first event's ID identifies it.
		EventID: "json:0.sg_event_id", EventType: "json:0.event",
	},
	{
		Name: "telnyx", Display: "Telnyx (API v2)", Family: FamilyAsymmetric,
		Docs:   "https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks",
		Secret: "public key (base64, Mission Control → Keys & Credentials → Public Key)",
		Asymmetric: &asymsig.Scheme{
			SignatureHeader: "telnyx-signature-ed25519", TimestampHeader: "telnyx-timestamp",
			SignedPayload: "{timestamp}|{body}", Encoding: asymsig.Base64,
			Tolerance: 5 * time.Minute,
		},
		EventID: "json:data.id", EventType: "json:data.event_type",
	},
}

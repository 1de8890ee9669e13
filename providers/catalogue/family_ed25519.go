package catalogue

import "github.com/hookgate/hookgate/providers/ed25519sig"

// ed25519Entries are the providers that sign with Ed25519; a source's secrets
// are the public keys the provider shows.
var ed25519Entries = []Entry{
	{
		Name: "discord", Display: "Discord (interactions)", Family: FamilyEd25519,
		Docs:   "https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers",
		Secret: "application public key (hex, the app's General Information page)",
		Ed25519: &ed25519sig.Scheme{
			SignatureHeader: "X-Signature-Ed25519", TimestampHeader: "X-Signature-Timestamp",
			SignedPayload: "{timestamp}{body}", Encoding: ed25519sig.Hex,
		},
		EventID: "json:id", EventType: "json:type",
		Handshake: HandshakeDiscordPing,
	},
}

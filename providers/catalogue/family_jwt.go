package catalogue

import (
	"time"

	"github.com/hookgate/hookgate/providers/jwtsig"
)

// jwtEntries are the providers that send an HMAC-signed JWT bound to the
// body (providers/jwtsig).
var jwtEntries = []Entry{
	{
		Name: "bird", Display: "Bird (MessageBird)", Family: FamilyJWT,
		Docs:   "https://developers.messagebird.com/api/#verifying-http-requests",
		Secret: "signing key (Dashboard → Developers → API access → Signing key)",
		JWT: &jwtsig.Scheme{
			Header: "MessageBird-Signature-JWT", Issuer: "MessageBird",
			// payload_hash is present exactly when there is a body.
			BodyHashClaim: "payload_hash", BodyHashEncoding: jwtsig.Hex, BodyHashOptional: true,
			URLHashClaim:  "url_hash",
			RequireExpiry: true, Leeway: 5 * time.Second,
		},
		// Deduplicated by content: a redelivery carries a new token (jti).
		EventType: "json:type",
	},
	{
		Name: "qstash", Display: "Upstash QStash", Family: FamilyJWT,
		Docs:   "https://upstash.com/docs/qstash/howto/signature",
		Secret: "current and next signing keys (QStash → Signing keys), newest first",
		JWT: &jwtsig.Scheme{
			Header: "Upstash-Signature", Issuer: "Upstash",
			BodyHashClaim: "body", BodyHashEncoding: jwtsig.Base64URL,
			URLClaim:      "sub",
			RequireExpiry: true,
		},
		EventID: "header:Upstash-Message-Id",
	},
	{
		Name: "livekit", Display: "LiveKit", Family: FamilyJWT,
		Docs:   "https://docs.livekit.io/home/server/webhooks/",
		Secret: "API key and secret, as <key>:<secret> (the project's Settings → Keys)",
		JWT: &jwtsig.Scheme{
			// The token alone, without "Bearer"; its iss is the API key.
			Header: "Authorization", KeyedSecrets: true,
			BodyHashClaim: "sha256", BodyHashEncoding: jwtsig.Base64,
			RequireExpiry: true, Leeway: 10 * time.Second,
		},
		EventID: "json:id", EventType: "json:event",
	},
	{
		Name: "vonage", Display: "Vonage (signed webhooks)", Family: FamilyJWT,
		Docs:   "https://developer.vonage.com/en/getting-started/concepts/signing-messages",
		Secret: "signature secret (API Settings → Signature secret)",
		JWT: &jwtsig.Scheme{
			// "Authorization: Bearer <JWT>", HS256 under the signature
			// secret, with payload_hash (hex SHA-256 of the body) and iat
			// (no exp: the age of iat is bounded instead).
			Header: "Authorization", Prefix: "Bearer ",
			BodyHashClaim: "payload_hash", BodyHashEncoding: jwtsig.Hex,
			MaxAge: 5 * time.Minute, Leeway: 10 * time.Second,
		},
		EventID: "json:message_uuid", EventType: "json:status",
	},
}

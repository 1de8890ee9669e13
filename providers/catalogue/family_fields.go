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
}

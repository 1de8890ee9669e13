package catalogue

// basicEntries are the providers that authenticate with HTTP Basic
// credentials chosen when the webhook is set up (package providers/basic
// compares them). The body is not signed: TLS and the credentials' secrecy
// are the whole of it. A source's secrets are user:password pairs; several
// let the credentials be rotated.
var basicEntries = []Entry{
	{
		Name: "chargebee", Display: "Chargebee", Family: FamilyBasic,
		Docs:   "https://www.chargebee.com/docs/webhook_settings.html",
		Secret: "username:password (Settings → Configure Chargebee → API Keys and Webhooks → Webhooks → “Protect webhook URL with basic authentication”)",
		// The event's id (ev_…) is the same on every retry of it.
		EventID: "json:id", EventType: "json:event_type",
	},
	{
		Name: "postmark", Display: "Postmark", Family: FamilyBasic,
		Docs:   "https://postmarkapp.com/developer/webhooks/webhooks-overview",
		Secret: "username:password (in the webhook URL, https://<username>:<password>@host/…, or the webhook's HttpAuth)",
		// No event or delivery ID: deduplicated by content (a later open or
		// click of the same message has its own ReceivedAt).
		EventType:  "json:RecordType",
		Unverified: "Postmark documents the scheme (HTTP Basic credentials in the webhook URL or its HttpAuth) but publishes no example request and no SDK that checks webhooks; the basic family itself passes RFC 7617's example",
	},
}

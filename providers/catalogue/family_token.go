package catalogue

// tokenEntries are the providers that authenticate with a shared token sent
// verbatim in a header (package providers/token compares it). The body is not
// signed: TLS and the token's secrecy are the whole of it.
var tokenEntries = []Entry{
	{
		Name: "gitlab", Display: "GitLab", Family: FamilyToken,
		Docs:        "https://docs.gitlab.com/user/project/integrations/webhooks/",
		Secret:      "secret token (the webhook's Secret token field)",
		TokenHeader: "X-Gitlab-Token",
		// Idempotency-Key (GitLab 17.4+) is the same on every retry of a
		// delivery; without it the body's content identifies it.
		EventID: "header:Idempotency-Key", EventType: "json:object_kind",
	},
	{
		Name: "okta", Display: "Okta event hooks", Family: FamilyToken,
		Docs:        "https://developer.okta.com/docs/concepts/event-hooks/",
		Secret:      "authorization header value (the secret set when the event hook is registered)",
		TokenHeader: "Authorization",
		// data.events[].uuid identifies each event; eventId the delivery.
		EventID: "json:eventId", EventType: "json:data.events.0.eventType",
		Handshake: HandshakeOktaVerification,
	},
}

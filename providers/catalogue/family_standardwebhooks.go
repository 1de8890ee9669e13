package catalogue

// standardWebhooksEntries are the providers that send the Standard Webhooks
// format (package providers/standardwebhooks verifies it, webhook-* or
// svix-* headers).
var standardWebhooksEntries = []Entry{
	{
		Name: "openai", Display: "OpenAI", Family: FamilyStandardWebhooks,
		Docs:    "https://platform.openai.com/docs/guides/webhooks",
		Secret:  "webhook signing secret (whsec_…, shown when the endpoint is created)",
		EventID: "header:Webhook-Id", EventType: "json:type",
	},
	{
		Name: "resend", Display: "Resend", Family: FamilyStandardWebhooks,
		Docs:    "https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests",
		Secret:  "webhook signing secret (whsec_…, on the webhook's page)",
		EventID: "header:Svix-Id", EventType: "json:type",
	},
	{
		Name: "clerk", Display: "Clerk", Family: FamilyStandardWebhooks,
		Docs:    "https://clerk.com/docs/reference/backend/verify-webhook",
		Secret:  "signing secret (whsec_…, the endpoint's page in the Clerk dashboard)",
		EventID: "header:Svix-Id", EventType: "json:type",
	},
	{
		Name: "replicate", Display: "Replicate", Family: FamilyStandardWebhooks,
		Docs:    "https://replicate.com/docs/topics/webhooks/verify-webhook",
		Secret:  "webhook signing secret (whsec_…, GET /v1/webhooks/default/secret)",
		EventID: "header:Webhook-Id", EventType: "json:status",
	},
	{
		Name: "liveblocks", Display: "Liveblocks", Family: FamilyStandardWebhooks,
		Docs:    "https://liveblocks.io/docs/platform/webhooks",
		Secret:  "webhook secret key (whsec_…, the endpoint's page in the dashboard)",
		EventID: "header:Webhook-Id", EventType: "json:type",
	},
	{
		Name: "lithic", Display: "Lithic", Family: FamilyStandardWebhooks,
		Docs:    "https://docs.lithic.com/docs/events-api#verifying-webhooks",
		Secret:  "event subscription secret (whsec_…, GET /v1/event_subscriptions/{token}/secret)",
		EventID: "header:Webhook-Id", EventType: "json:event_type",
	},
	{
		Name: "privy", Display: "Privy", Family: FamilyStandardWebhooks,
		Docs:    "https://docs.privy.io/guide/server/webhooks",
		Secret:  "webhook signing secret (whsec_…, Dashboard → Webhooks)",
		EventID: "header:Svix-Id", EventType: "json:type",
	},
	{
		Name: "whop", Display: "Whop", Family: FamilyStandardWebhooks,
		Docs:    "https://docs.whop.com/developer/guides/webhooks",
		Secret:  "webhook secret (the webhook's page in the developer dashboard)",
		EventID: "header:Webhook-Id", EventType: "json:type",
	},
	{
		Name: "dodopayments", Display: "Dodo Payments", Family: FamilyStandardWebhooks,
		Docs:    "https://docs.dodopayments.com/developer-resources/webhooks",
		Secret:  "webhook secret key (whsec_…, Developer → Webhooks)",
		EventID: "header:Webhook-Id", EventType: "json:type",
	},
	{
		// Claude Managed Agents' webhooks; the body carries the event's
		// type and the ID of the object to fetch.
		Name: "anthropic", Display: "Anthropic (Claude webhooks)", Family: FamilyStandardWebhooks,
		Docs:    "https://platform.claude.com/docs/en/managed-agents/webhooks",
		Secret:  "webhook signing secret (whsec_…, shown once when the endpoint is created in the Claude Console)",
		EventID: "header:Webhook-Id", EventType: "json:type",
	},
}

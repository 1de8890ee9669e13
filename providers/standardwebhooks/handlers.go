package standardwebhooks

import "github.com/hookgate/hookgate/handlers"

// RegisterHandlers registers the built-in Standard Webhooks mappings on r. There
// are none: the scheme is shared by many producers (Svix, Clerk, GitLab…) whose
// `type` vocabularies differ, so events of these sources are stored as
// "unhandled" until a team adds a mapping here, for example
//
//	r.Register(providers.StandardWebhooks, "user.created", handleUserCreated)
//
// with a handler that decodes the body's `data` into an events payload struct
// and returns errors wrapping handlers.ErrMalformed for missing fields.
func RegisterHandlers(r *handlers.Registry) {}

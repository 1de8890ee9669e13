package events

import "net/url"

// URI returns s when it is an absolute URI, as the schemas' "uri" format
// requires of every URL field, and "" otherwise. Handlers pass a provider's URL
// fields through it: a URL is informational, so a malformed one (invalid UTF-8
// turned into U+FFFD by the JSON decoder, a scheme with stray bytes) is dropped
// from the normalized event (every URL field is optional) rather than making
// the event fail its schema.
func URI(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() {
		return ""
	}
	return s
}

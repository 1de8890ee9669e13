package gateway

import (
	"net/http"
	"strings"

	"github.com/hookgate/hookgate/store"
)

// credentialHeaders are redacted before a request's headers are stored: they carry
// secrets themselves (unlike signature headers, which are HMACs and needed for
// forensics).
var credentialHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	"X-Gitlab-Token", "X-Webhook-Token", "X-Telegram-Bot-Api-Secret-Token",
	"X-Api-Key", "Api-Key",
}

// CredentialHeaders returns the headers redacted from src's stored requests:
// the list every source shares and src's own (Provider.CredentialHeaders), in
// canonical form. `hookgate scrub-credentials` scrubs rows stored before a
// header was on it.
func CredentialHeaders(src Source) []string {
	out := append([]string(nil), credentialHeaders...)
	for _, h := range src.Provider.CredentialHeaders() {
		out = append(out, http.CanonicalHeaderKey(h))
	}
	return out
}

// redactHeaders returns a copy of h with credential values replaced. extra names
// further headers to redact, in canonical form (a source's
// Provider.CredentialHeaders, canonicalised by New).
func redactHeaders(h http.Header, extra ...string) http.Header {
	out := make(http.Header, len(h))
	for k, v := range h {
		out[k] = v
	}
	redact := func(name string) {
		if vs, ok := out[name]; ok {
			red := make([]string, len(vs))
			for i := range red {
				red[i] = store.Redacted
			}
			out[name] = red
		}
	}
	for _, name := range credentialHeaders { // canonical already
		redact(name)
	}
	for _, name := range extra {
		redact(name)
	}
	return out
}

// truncate caps s for the audit log.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

package catalogue

import (
	"fmt"
	"strings"

	"github.com/hookgate/hookgate/providers/asymsig"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// Markers around the generated parts of README.md and docs/providers.md; a
// test fails when what is between them differs from the catalogue
// (`make docs` rewrites it).
const (
	DocsBegin = "<!-- catalogue:begin (generated from providers/catalogue; make docs) -->"
	DocsEnd   = "<!-- catalogue:end -->"
)

// Table renders the catalogue as the README's Markdown table.
func Table() string {
	var b strings.Builder
	b.WriteString("| provider | family | signature | dedupe key | type | check answered | docs |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, e := range Entries() {
		fmt.Fprintf(&b, "| `%s` (%s) | %s | %s | %s | %s | %s | [docs](%s) |\n",
			e.Name, e.Display, e.Family, strings.ReplaceAll(e.scheme(), "|", `\|`), rule(e.EventID, "hash of the body"), rule(e.EventType, "`webhook`"),
			orDash(string(e.Handshake)), e.Docs)
	}
	return b.String()
}

// Sections renders one docs/providers.md section per entry.
func Sections() string {
	var b strings.Builder
	for i, e := range Entries() {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "### %s (`provider: %s`)\n\n", e.Display, e.Name)
		fmt.Fprintf(&b, "- Official scheme: %s\n", e.Docs)
		fmt.Fprintf(&b, "- Secret: the %s.\n", e.Secret)
		fmt.Fprintf(&b, "- Verified: %s.\n", e.scheme())
		if e.Family == FamilyJWT {
			b.WriteString("- Lifetime: the token's own (`exp`, or the age of `iat`), with a small clock leeway.\n")
		} else if e.timestamped() {
			fmt.Fprintf(&b, "- Timestamp tolerance: %s either way (`options: {tolerance: …}` changes it).\n", e.tolerance())
		} else {
			b.WriteString("- No signed timestamp: captured requests verify forever, so identical signed content is deduplicated (`dedupe.content`).\n")
		}
		fmt.Fprintf(&b, "- Dedupe key: %s; event type: %s.\n", rule(e.EventID, "a hash of the body"), rule(e.EventType, "`webhook`"))
		if e.Unverified != "" {
			fmt.Fprintf(&b, "- Not checked against an official vector or SDK: %s.\n", e.Unverified)
		}
		if e.Handshake != HandshakeNone {
			fmt.Fprintf(&b, "- Check answered by the gateway: `%s`.\n", e.Handshake)
		}
		b.WriteString("\n```yaml\nsources:\n")
		fmt.Fprintf(&b, "  - name: %s\n    provider: %s\n    secrets:\n      - env: %s_SECRET\n",
			e.Name, e.Name, strings.ToUpper(string(e.Name)))
		if e.Handshake == HandshakeMetaSubscribe {
			b.WriteString("    options:\n      verify_token: <the Verify Token entered with the callback URL>\n")
		}
		b.WriteString("```\n")
	}
	return b.String()
}

// scheme describes what the entry verifies, in one line.
func (e *Entry) scheme() string {
	switch e.Family {
	case FamilyStandardWebhooks:
		return "Standard Webhooks: `webhook-id`/`webhook-timestamp`/`webhook-signature` (or `svix-*`), HMAC-SHA256 of `id.timestamp.body` with the `whsec_` key"
	case FamilyHMACFields:
		f := e.Fields
		return fmt.Sprintf("body field `%s`, HMAC-%s (%s) of the fields `%s` joined by %q; the rest of the body is not signed",
			f.Signature, strings.ToUpper(string(f.Algorithm)), f.Encoding, strings.Join(f.Signed, "`, `"), f.Separator)
	case FamilyAsymmetric:
		sc := e.Asymmetric
		alg := "Ed25519"
		if sc.Algorithm == asymsig.ECDSAP256 {
			alg = "ECDSA P-256/SHA-256"
		}
		return fmt.Sprintf("`%s: <%s>` with `%s`, %s over `%s`, checked with the provider's public key(s) (the source's secrets)",
			sc.SignatureHeader, sc.Encoding, sc.TimestampHeader, alg, sc.SignedPayload)
	case FamilySNS:
		return "the message's `Signature` (RSA-SHA1 for `SignatureVersion` 1, RSA-SHA256 for 2) over its canonical `Key\\nValue\\n` form, checked with the certificate at `SigningCertURL`, fetched only from `sns.<region>.amazonaws.com[.cn]` over TLS; `TopicArn` must be one of the source's topics"
	case FamilyPlivo:
		return "`X-Plivo-Signature-V3: <base64>[,<base64>…]` with `X-Plivo-Signature-V3-Nonce`, HMAC-SHA256 of the URL, its sorted query, the sorted form parameters and the nonce (signature V3; a POST body must be a form)"
	case FamilyContentful:
		return "`x-contentful-signature: <hex>`, HMAC-SHA256 of the canonical request (method, path, the headers named in `x-contentful-signed-headers`, body) with `x-contentful-timestamp` (ms, 30 s)"
	case FamilyBraintree:
		return "form fields `bt_signature` (`<public key>|<hex HMAC-SHA1>` pairs) and `bt_payload` (base64 XML), the HMAC keyed with SHA-1 of the private key"
	case FamilyBodyToken:
		return fmt.Sprintf("every notification in `%s` carries `%s` = the secret chosen when subscribing, compared in constant time (the body is not signed)", e.BodyToken.Items, e.BodyToken.Field)
	case FamilyJWT:
		sc := e.JWT
		binds := []string{"`" + sc.BodyHashClaim + "` = SHA-256 of the body (" + string(sc.BodyHashEncoding) + ")"}
		if sc.URLHashClaim != "" {
			binds = append(binds, "`"+sc.URLHashClaim+"` = SHA-256 of the URL")
		}
		if sc.URLClaim != "" {
			binds = append(binds, "`"+sc.URLClaim+"` = the URL")
		}
		if sc.Issuer != "" {
			binds = append(binds, "`iss` = "+sc.Issuer)
		}
		return fmt.Sprintf("`%s: %s<JWT>`, HS256/384/512 under the secret, with %s", sc.Header, sc.Prefix, strings.Join(binds, ", "))
	case FamilyBasic:
		return "`Authorization: Basic <base64(user:password)>` (RFC 7617), the credentials set with the webhook URL, compared in constant time (the body is not signed)"
	case FamilyToken:
		if e.TokenPrefix != "" {
			return fmt.Sprintf("`%s: %s<token>`, compared in constant time (the body is not signed)", e.TokenHeader, e.TokenPrefix)
		}
		return fmt.Sprintf("`%s: <token>`, compared in constant time (the body is not signed)", e.TokenHeader)
	}
	t := e.HMAC
	header := fmt.Sprintf("`%s: %s<%s>`", t.Header, t.Prefix, t.Encoding)
	if t.PairSeparator != "" {
		header = fmt.Sprintf("`%s: %s=<ts>%s%s=<%s>`", t.Header, t.TimestampKey, t.PairSeparator, t.SignatureKey, t.Encoding)
	}
	var also []string
	if t.TimestampHeader != "" {
		also = append(also, "`"+t.TimestampHeader+"`")
	}
	if t.IDHeader != "" {
		also = append(also, "`"+t.IDHeader+"`")
	}
	extra := ""
	if len(also) > 0 {
		extra = " with " + strings.Join(also, ", ")
	}
	key := ""
	if t.KeyEncoding != hmacsig.KeyRaw {
		key = fmt.Sprintf(", key %s-decoded", t.KeyEncoding)
	}
	return fmt.Sprintf("%s%s, HMAC-%s of `%s`%s", header, extra, strings.ToUpper(string(t.Algorithm)), t.SignedPayloadOrBody(), key)
}

func (e *Entry) tolerance() string {
	if e.HMAC != nil && e.HMAC.Tolerance != 0 {
		return e.HMAC.Tolerance.String()
	}
	if e.Asymmetric != nil && e.Asymmetric.Tolerance != 0 {
		return e.Asymmetric.Tolerance.String()
	}
	if e.Family == FamilyContentful {
		return "30s"
	}
	return "5m0s"
}

func rule(r, none string) string {
	if r == "" {
		return none
	}
	return "`" + r + "`"
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return "`" + s + "`"
}

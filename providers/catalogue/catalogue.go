// Package catalogue is hookgate's provider catalogue: one Entry of data per
// named provider (Slack, Linear, Razorpay, …), each an instance of a scheme
// family whose code lives elsewhere (the HMAC template of providers/hmac,
// Standard Webhooks, token). `provider: slack` in a source's config builds the
// entry's verifier from its secrets alone; `hookgate providers` lists the
// entries.
//
// Adding a provider is one Entry (in the file of its family), one fixture
// under testdata/<name>/ and one official vector in vectors_test.go; every
// entry also runs through the conformance suite (conformance_test.go). See
// docs/extending.md.
//
// Public: a team adding a provider whose scheme a family fits reads and
// extends the table here; the gateway builds sources from it through
// providers/builtin.
package catalogue

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/asymsig"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
	"github.com/hookgate/hookgate/providers/jwtsig"
)

// Family is the scheme family an entry belongs to: the code that verifies it.
type Family string

// Scheme families.
const (
	// FamilyHMAC: an HMAC over a template of the body, timestamp, delivery ID
	// or URL (hmacsig.Template).
	FamilyHMAC Family = "hmac"
	// FamilyStandardWebhooks: the Standard Webhooks format (webhook-* or
	// svix-* headers, whsec_ secrets).
	FamilyStandardWebhooks Family = "standardwebhooks"
	// FamilyToken: a shared token compared in constant time.
	FamilyToken Family = "token"
	// FamilyBasic: HTTP Basic credentials (RFC 7617), the secrets being
	// user:password pairs (package providers/basic).
	FamilyBasic Family = "basic"
	// FamilyHMACFields: an HMAC over JSON fields of the body, the signature
	// itself a field (hmacsig.Fields; Mailgun).
	FamilyHMACFields Family = "hmac-fields"
	// FamilyAsymmetric: an Ed25519 or ECDSA signature of a timestamp and
	// the body, checked with the provider's public key (asymsig.Scheme).
	FamilyAsymmetric Family = "asymmetric"
	// FamilyJWT: an HMAC-signed JWT in a header whose claims bind the body
	// and the URL (jwtsig.Scheme).
	FamilyJWT Family = "jwt"
	// FamilyBodyToken: the subscriber's secret in every notification of the
	// body (BodyToken; Microsoft Graph's clientState).
	FamilyBodyToken Family = "body-token"
	// FamilyBraintree: Braintree's signed form (Braintree), bespoke because
	// no family fits it.
	FamilyBraintree Family = "braintree"
	// FamilyContentful: Contentful's canonical-request signature
	// (Contentful), bespoke because no family fits it.
	FamilyContentful Family = "contentful"
	// FamilyPlivo: Plivo's signature V3 over the URL, form parameters and
	// a nonce (Plivo), bespoke because no family fits it.
	FamilyPlivo Family = "plivo"
)

// Handshake is how a provider checks an endpoint before (or while) sending
// it events; the gateway answers it and stores no receipt for it.
type Handshake string

// Handshakes.
const (
	HandshakeNone Handshake = ""
)

// Entry describes one named provider. Every field is data; Validate checks
// an entry, and a test runs it over the whole table.
type Entry struct {
	// Name is the `provider:` value in a source's config.
	Name providers.Name
	// Display is the provider's own name for people.
	Display string
	// Docs is the official page that specifies the scheme.
	Docs string
	// Secret says what the provider calls the secret and where it is shown.
	Secret string
	Family Family
	// HMAC holds the family's parameters for FamilyHMAC.
	HMAC *hmacsig.Template
	// Fields holds the family's parameters for FamilyHMACFields.
	Fields *hmacsig.Fields
	// Asymmetric holds the family's parameters for FamilyAsymmetric; the source's
	// secrets are then the provider's public keys.
	Asymmetric *asymsig.Scheme
	// JWT holds the family's parameters for FamilyJWT.
	JWT *jwtsig.Scheme
	// BodyToken holds the family's parameters for FamilyBodyToken.
	BodyToken *BodyToken
	// TokenHeader and TokenPrefix are the header and prefix of FamilyToken.
	TokenHeader, TokenPrefix string
	// EventID and EventType are the rules ("header:<Name>" or
	// "json:<path>") that find the dedupe key and the event type.
	EventID, EventType string
	Handshake          Handshake
	// Bodiless makes the gateway answer every request of the source with a
	// status and no body, accepted or refused (providers.Bodiless): Xero's
	// intent-to-receive check fails on any response body.
	Bodiless bool
	// FormJSON, when set, is the form field that carries the JSON document
	// when the body is a form (multipart/form-data or urlencoded): the
	// family and the event rules read that document. A JSON body is read as
	// it is (Dropbox Sign sends either).
	FormJSON string
	// Ack, when set, is the text/plain body of the 200 that acknowledges an
	// accepted request: the provider retries on any other (Dropbox Sign's
	// "Hello API Event Received").
	Ack string
	// Unverified, when set, says why the entry has no official vector and no
	// cross-test with an official SDK (the provider publishes neither); its
	// scheme is still the one its official documentation states, and the
	// conformance suite still runs. The docs and `hookgate providers` show it.
	Unverified string
}

// Validate checks that the entry is complete and its family parameters
// consistent; errors name the entry and the field.
func (e *Entry) Validate() error {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("catalogue entry %q: %s", e.Name, fmt.Sprintf(format, a...))
	}
	switch {
	case e.Name == "" || strings.ToLower(string(e.Name)) != string(e.Name) || strings.ContainsAny(string(e.Name), " /"):
		return fail("name must be lowercase, without spaces")
	case e.Display == "":
		return fail("display name is required")
	case !strings.HasPrefix(e.Docs, "https://"):
		return fail("docs must be the https URL of the official page")
	case e.Secret == "":
		return fail("say what the provider calls the secret")
	}
	if _, err := (hmacsig.EventRules{EventID: e.EventID, EventType: e.EventType}).Compile(); err != nil {
		return fail("%v", err)
	}
	if e.Ack != "" && e.Bodiless {
		return fail("an entry with an acknowledgement body cannot be bodiless")
	}
	switch e.Handshake {
	case HandshakeNone, HandshakeSlackURLVerification, HandshakeDiscordPing, HandshakeOktaVerification,
		HandshakeZoomURLValidation, HandshakeGraphValidationToken, HandshakeMetaSubscribe, HandshakeDropboxChallenge,
		HandshakeXCRC, HandshakeTrelloHead, HandshakeTwitchVerification, HandshakeSNSSubscription, HandshakeHookSecret,
		HandshakeWooCommercePing, HandshakeXeroIntentToReceive, HandshakeWorldlineVerification:
	default:
		return fail("unknown handshake %q", e.Handshake)
	}
	switch e.Family {
	case FamilyHMAC:
		if e.HMAC == nil {
			return fail("the hmac family needs its template")
		}
		if err := e.HMAC.Validate(); err != nil {
			return fail("%v", err)
		}
	case FamilyStandardWebhooks:
		if e.HMAC != nil {
			return fail("a standardwebhooks entry has no template")
		}
	case FamilyToken:
		if e.TokenHeader == "" {
			return fail("the token family needs its header")
		}
	case FamilyHMACFields:
		if e.Fields == nil {
			return fail("the hmac-fields family needs its fields")
		}
		if err := e.Fields.Validate(); err != nil {
			return fail("%v", err)
		}
	case FamilyBraintree, FamilyContentful, FamilySNS, FamilyBasic, FamilyPlivo:
	case FamilyBodyToken:
		if e.BodyToken == nil {
			return fail("the body-token family needs its parameters")
		}
		if err := e.BodyToken.Validate(); err != nil {
			return fail("%v", err)
		}
	case FamilyJWT:
		if e.JWT == nil {
			return fail("the jwt family needs its scheme")
		}
		if err := e.JWT.Validate(); err != nil {
			return fail("%v", err)
		}
	case FamilyAsymmetric:
		if e.Asymmetric == nil {
			return fail("the asymmetric family needs its scheme")
		}
		if err := e.Asymmetric.Validate(); err != nil {
			return fail("%v", err)
		}
	default:
		return fail("unknown family %q", e.Family)
	}
	return nil
}

// Entries returns the catalogue, sorted by name. The slice is a copy.
func Entries() []Entry {
	out := slices.Concat(hmacEntries, moreHMACEntries, fieldsEntries, standardWebhooksEntries, tokenEntries, basicEntries, asymmetricEntries, jwtEntries, bodyTokenEntries, braintreeEntries, contentfulEntries, plivoEntries, snsEntries, hookSecretEntries)
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(string(a.Name), string(b.Name)) })
	return out
}

// Lookup returns the entry named n.
func Lookup(n providers.Name) (Entry, bool) {
	for _, e := range Entries() {
		if e.Name == n {
			return e, true
		}
	}
	return Entry{}, false
}

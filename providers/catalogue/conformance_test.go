package catalogue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/catalogue"
	hmacsig "github.com/hookgate/hookgate/providers/hmac"
)

// cred is what a test source verifies with (secret) and what its signer
// signs with: the same shared secret, or for an asymmetric scheme the public
// key and the private key (options.signing_key).
type cred struct {
	secret     string
	signingKey string
	// sns is SNS's development certificate host, whose key signs.
	sns bool
}

func (c cred) signOptions(v any) error {
	if c.signingKey != "" {
		v.(*catalogue.Options).SigningKey = c.signingKey
	}
	if c.sns {
		o := v.(*catalogue.Options)
		o.SigningKeyFile, o.CertURL = snsDev.keyFile, snsDev.srv.CertURL()
	}
	return nil
}

// secretFor returns fresh credentials in the form the entry's provider shows.
func secretFor(t *testing.T, e catalogue.Entry) cred {
	t.Helper()
	secret, signingKey, err := e.NewCredentials()
	if err != nil {
		t.Fatal(err)
	}
	if e.Family == catalogue.FamilySNS {
		snsServer(t)
	}
	return cred{secret: secret, signingKey: signingKey, sns: e.Family == catalogue.FamilySNS}
}

// request renders the entry's first fixture at now, signed with secret.
func request(t *testing.T, e catalogue.Entry, c cred, now time.Time) *providers.Request {
	t.Helper()
	fsys := catalogue.FixtureFS(e.Name)
	if fsys == nil {
		t.Fatalf("%s has no fixture under testdata/%s", e.Name, e.Name)
	}
	names, err := fixtures.List(fsys)
	if err != nil || len(names) == 0 {
		t.Fatalf("%s has no fixture: %v", e.Name, err)
	}
	return renderFixture(t, e, c, fsys, names[0], now)
}

// fixtureRequest renders the entry's fixture named name now, signed.
func fixtureRequest(t *testing.T, e catalogue.Entry, c cred, name string) *providers.Request {
	t.Helper()
	return renderFixture(t, e, c, catalogue.FixtureFS(e.Name), name, time.Now())
}

func renderFixture(t *testing.T, e catalogue.Entry, c cred, fsys fs.FS, name string, now time.Time) *providers.Request {
	t.Helper()
	f, err := fixtures.Load(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	h, body := f.Render(fixtures.NewEventID(e.Name), now)
	u, _ := url.Parse("https://hooks.example.com/webhooks/" + string(e.Name))
	r := &providers.Request{Method: http.MethodPost, URL: u, Header: h, Body: body, Now: now}
	sign(t, e, c, r)
	return r
}

func sign(t *testing.T, e catalogue.Entry, c cred, r *providers.Request) {
	t.Helper()
	s, err := e.Signer()(providers.Spec{Source: "src", Secrets: []string{c.secret}, Options: c.signOptions})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Sign(r); err != nil {
		t.Fatal(err)
	}
}

func noOptions(any) error { return nil }

func build(t *testing.T, e catalogue.Entry, secrets ...string) providers.Provider {
	t.Helper()
	p, err := e.Factory()(providers.Spec{Source: "src", Secrets: secrets, Options: verifyOptions(t, e)})
	if err != nil {
		t.Fatal(err)
	}
	if recv, ok := p.(providers.SecretReceiver); ok && len(secrets) > 0 {
		// As if the handshake had handed over the last secret, which signs.
		recv.UseSecret(secrets[len(secrets)-1])
	}
	return p
}

// signatureHeaders are the headers the entry's signer set (the ones a
// negative case removes, repeats or garbles).
func signatureHeaders(t *testing.T, e catalogue.Entry, r *providers.Request) []string {
	t.Helper()
	switch e.Family {
	case catalogue.FamilyHMAC:
		return []string{http.CanonicalHeaderKey(e.HMAC.Header)}
	case catalogue.FamilyStandardWebhooks:
		if r.Header.Get("Svix-Id") != "" {
			return []string{"Svix-Signature"}
		}
		return []string{"Webhook-Signature"}
	case catalogue.FamilyToken:
		return []string{http.CanonicalHeaderKey(e.TokenHeader)}
	case catalogue.FamilyBasic:
		return []string{"Authorization"}
	case catalogue.FamilyAsymmetric:
		return []string{http.CanonicalHeaderKey(e.Asymmetric.SignatureHeader), http.CanonicalHeaderKey(e.Asymmetric.TimestampHeader)}
	case catalogue.FamilyHMACFields:
		return nil // the signature is a body field: see "signature field"
	case catalogue.FamilyJWT:
		return []string{http.CanonicalHeaderKey(e.JWT.Header)}
	case catalogue.FamilyBodyToken:
		return nil // the secret is in the body: see "token field"
	case catalogue.FamilyBraintree:
		return nil // the signature is a form field: see "form fields"
	case catalogue.FamilySNS:
		return nil // the signature is in the envelope: see "envelope"
	case catalogue.FamilyPlivo:
		return []string{"X-Plivo-Signature-V3", "X-Plivo-Signature-V3-Nonce"}
	case catalogue.FamilyContentful:
		// The signed-headers list names what is signed; a name of an absent
		// header changes nothing (as in Contentful's toolkit).
		return []string{"X-Contentful-Signature", "X-Contentful-Timestamp"}
	}
	t.Fatalf("family %s", e.Family)
	return nil
}

// fieldsUnit is the first signed unit of a fields entry's body: the body,
// or its first item.
func fieldsUnit(t *testing.T, e catalogue.Entry, body []byte) []byte {
	t.Helper()
	if e.Fields.Items == "" {
		return body
	}
	var doc map[string]json.RawMessage
	var items []json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || json.Unmarshal(doc[e.Fields.Items], &items) != nil || len(items) == 0 {
		t.Fatalf("the fixture has no %s: %v", e.Fields.Items, err)
	}
	return items[0]
}

// bodyStamped reports whether the entry's timestamp is a member of the signed
// body (Linear): a body without one cannot be valid, however signed.
func bodyStamped(e catalogue.Entry) bool {
	return e.Family == catalogue.FamilyHMAC && e.HMAC.TimestampField != ""
}

// signUnstamped signs r's body as it is, without the timestamp member the
// entry's signer would add.
func signUnstamped(t *testing.T, e catalogue.Entry, c cred, r *providers.Request) {
	t.Helper()
	tpl := *e.HMAC
	tpl.TimestampField = ""
	if err := tpl.Sign(r, c.secret, ""); err != nil {
		t.Fatal(err)
	}
}

func clone(r *providers.Request) *providers.Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = append([]byte(nil), r.Body...)
	return &c
}

// sentinels are the errors the gateway maps to a refusal reason; a
// verifier's error must wrap one of them.
var sentinels = []error{providers.ErrNotSigned, providers.ErrInvalidHeader, providers.ErrNoValidSignature,
	providers.ErrTooOld, providers.ErrTooNew, providers.ErrNoSecret}

func wantRefused(t *testing.T, what string, err error, want ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: verified, want refused", what)
	}
	for _, w := range want {
		if errors.Is(err, w) {
			return
		}
	}
	t.Fatalf("%s: %v, want one of %v", what, err, want)
}

// TestConformance runs every catalogue entry through the same cases, so a
// new entry gets every negative case for free.
func TestConformance(t *testing.T) {
	ctx := context.Background()
	now := time.Now().Truncate(time.Second)
	for _, e := range catalogue.Entries() {
		t.Run(string(e.Name), func(t *testing.T) {
			secret, other := secretFor(t, e), secretFor(t, e)
			p := build(t, e, secret.secret)
			r := request(t, e, secret, now)

			if err := p.Verify(ctx, clone(r)); err != nil {
				t.Fatalf("signed fixture refused: %v", err)
			}
			ev, err := p.Identify(r)
			if err != nil || ev.ID == "" || ev.Type == "" {
				t.Fatalf("identify: %+v, %v", ev, err)
			}
			if e.EventType != "" && ev.Type == hmacsig.DefaultEventType {
				t.Errorf("the fixture's event type was not found by rule %q", e.EventType)
			}
			if e.EventID != "" && len(ev.ID) > len(hmacsig.ContentHashPrefix) && ev.ID[:len(hmacsig.ContentHashPrefix)] == hmacsig.ContentHashPrefix {
				t.Errorf("the fixture's event ID was not found by rule %q", e.EventID)
			}

			t.Run("tampered body", func(t *testing.T) {
				if e.Family == catalogue.FamilyToken || e.Family == catalogue.FamilyBodyToken || e.Family == catalogue.FamilyBasic {
					// A token covers no content: what it proves is the sender.
					c := clone(r)
					c.Body = append(c.Body, ' ')
					if err := p.Verify(ctx, c); err != nil {
						t.Fatalf("a token scheme refused a changed body: %v", err)
					}
					return
				}
				c := clone(r)
				if e.Family == catalogue.FamilySNS {
					// A byte flipped at random may break the JSON: change the
					// signed Message instead.
					c.Body = bytes.Replace(c.Body, []byte(`"Message":"`), []byte(`"Message":"x`), 1)
				} else if e.Family == catalogue.FamilyHMACFields {
					// Only the signed fields are covered: change one.
					v, _, _ := hmacsig.LookupJSON(fieldsUnit(t, e, c.Body), strings.Split(e.Fields.Signed[len(e.Fields.Signed)-1], "."))
					c.Body = bytes.Replace(c.Body, []byte(`"`+v+`"`), []byte(`"`+v+`0"`), 1)
				} else {
					c.Body[len(c.Body)/2] ^= 0x01
				}
				wantRefused(t, "tampered body", p.Verify(ctx, c), providers.ErrNoValidSignature)
			})
			t.Run("wrong secret", func(t *testing.T) {
				wantRefused(t, "wrong secret", build(t, e, other.secret).Verify(ctx, clone(r)), providers.ErrNoValidSignature)
			})
			t.Run("rotated second secret", func(t *testing.T) {
				if err := build(t, e, other.secret, secret.secret).Verify(ctx, clone(r)); err != nil {
					t.Fatalf("signed with the older of two secrets: %v", err)
				}
			})
			if p.(providers.TimestampChecker).ChecksTimestamp() {
				t.Run("stale and future timestamps", func(t *testing.T) {
					for _, c := range []struct {
						at   time.Time
						want error
					}{{now.Add(-24 * time.Hour), providers.ErrTooOld}, {now.Add(24 * time.Hour), providers.ErrTooNew}} {
						c2 := request(t, e, secret, c.at)
						c2.Now = now
						wantRefused(t, "timestamp "+c.at.Sub(now).String(), p.Verify(ctx, c2), c.want)
					}
				})
			} else if e.Family == catalogue.FamilyHMAC && e.HMAC.Timestamped() {
				t.Fatal("the template signs a timestamp but the provider does not say it checks one")
			}
			for _, h := range signatureHeaders(t, e, r) {
				t.Run("missing "+h, func(t *testing.T) {
					c := clone(r)
					c.Header.Del(h)
					wantRefused(t, "missing header", p.Verify(ctx, c), providers.ErrNotSigned)
				})
				t.Run("repeated "+h, func(t *testing.T) {
					c := clone(r)
					if e.HMAC != nil && e.HMAC.Repeated {
						// One header per secret during a rotation: the
						// authentic value verifies beside another secret's,
						// a value of another form is refused, and so are
						// values that are all wrong.
						other := clone(request(t, e, cred{secret: "another secret"}, now))
						c.Header.Add(h, other.Header.Get(h))
						if err := p.Verify(ctx, c); err != nil {
							t.Fatalf("the signature beside another secret's: %v", err)
						}
						c.Header.Add(h, "garbage")
						wantRefused(t, "a garbage value", p.Verify(ctx, c), providers.ErrInvalidHeader)
						o := clone(r)
						o.Header[h] = []string{other.Header.Get(h), other.Header.Get(h)}
						wantRefused(t, "two wrong signatures", p.Verify(ctx, o), providers.ErrNoValidSignature)
						return
					}
					c.Header.Add(h, c.Header.Get(h))
					wantRefused(t, "repeated header", p.Verify(ctx, c), providers.ErrInvalidHeader)
				})
				t.Run("malformed "+h, func(t *testing.T) {
					for _, v := range []string{"garbage", "=", "v1=zz", "   ", "sha256=" + string(make([]byte, 8))} {
						c := clone(r)
						c.Header.Set(h, v)
						wantRefused(t, "header "+v, p.Verify(ctx, c), sentinels...)
					}
				})
			}
			if e.Family == catalogue.FamilyBraintree {
				t.Run("form fields", func(t *testing.T) {
					form, err := url.ParseQuery(string(r.Body))
					if err != nil {
						t.Fatal(err)
					}
					for name, c := range map[string]struct {
						set  func(f url.Values)
						want error
					}{
						"missing bt_signature":  {func(f url.Values) { f.Del("bt_signature") }, providers.ErrNotSigned},
						"missing bt_payload":    {func(f url.Values) { f.Del("bt_payload") }, providers.ErrNotSigned},
						"repeated bt_signature": {func(f url.Values) { f.Add("bt_signature", f.Get("bt_signature")) }, providers.ErrInvalidHeader},
						"no pair":               {func(f url.Values) { f.Set("bt_signature", "garbage") }, providers.ErrInvalidHeader},
						"another payload":       {func(f url.Values) { f.Set("bt_payload", "PG5vdGlmaWNhdGlvbi8+") }, providers.ErrNoValidSignature},
					} {
						f := url.Values{}
						for k, v := range form {
							f[k] = append([]string(nil), v...)
						}
						c.set(f)
						cl := clone(r)
						cl.Body = []byte(f.Encode())
						wantRefused(t, name, p.Verify(ctx, cl), c.want)
					}
					cl := clone(r)
					cl.Body = nil
					wantRefused(t, "empty body", p.Verify(ctx, cl), providers.ErrNotSigned)
				})
				return
			}
			if e.Family == catalogue.FamilyPlivo {
				t.Run("URL and form", func(t *testing.T) {
					form, err := url.ParseQuery(string(r.Body))
					if err != nil {
						t.Fatal(err)
					}
					changed := url.Values{}
					for k, v := range form {
						changed[k] = append([]string(nil), v...)
					}
					changed.Add("Extra", "1")
					cl := clone(r)
					cl.Body = []byte(changed.Encode())
					wantRefused(t, "another parameter", p.Verify(ctx, cl), providers.ErrNoValidSignature)
					cl = clone(r)
					u := *r.URL
					u.Path += "x"
					cl.URL = &u
					wantRefused(t, "another URL", p.Verify(ctx, cl), providers.ErrNoValidSignature)
					cl = clone(r)
					u = *r.URL
					u.RawQuery = "a=1"
					cl.URL = &u
					wantRefused(t, "another query", p.Verify(ctx, cl), providers.ErrNoValidSignature)
					cl = clone(r)
					cl.Header.Set("Content-Type", "application/json")
					wantRefused(t, "a body that is not a form", p.Verify(ctx, cl), providers.ErrMalformedPayload)
					cl = clone(r)
					cl.Body = []byte("To=%zz")
					wantRefused(t, "a form that does not parse", p.Verify(ctx, cl), providers.ErrMalformedPayload)
					cl = clone(r)
					cl.Body = nil
					for _, h := range signatureHeaders(t, e, r) {
						cl.Header.Del(h)
					}
					sign(t, e, secret, cl)
					if err := p.Verify(ctx, cl); err != nil {
						t.Fatalf("a signed empty body (the URL alone): %v", err)
					}
				})
				return
			}
			if e.Family == catalogue.FamilySNS {
				t.Run("envelope", func(t *testing.T) {
					var m map[string]any
					if err := json.Unmarshal(r.Body, &m); err != nil {
						t.Fatal(err)
					}
					for name, c := range map[string]struct {
						set  func(m map[string]any)
						want error
					}{
						"missing Signature":      {func(m map[string]any) { delete(m, "Signature") }, providers.ErrNotSigned},
						"missing SigningCertURL": {func(m map[string]any) { delete(m, "SigningCertURL") }, providers.ErrNotSigned},
						"malformed Signature":    {func(m map[string]any) { m["Signature"] = "%%%" }, providers.ErrInvalidHeader},
						"unknown version":        {func(m map[string]any) { m["SignatureVersion"] = "3" }, providers.ErrInvalidHeader},
						"unknown type":           {func(m map[string]any) { m["Type"] = "Other" }, providers.ErrInvalidHeader},
						"another topic":          {func(m map[string]any) { m["TopicArn"] = other.secret }, providers.ErrNoValidSignature},
						"certificate off SNS":    {func(m map[string]any) { m["SigningCertURL"] = "https://example.com/x.pem" }, providers.ErrCertificate},
					} {
						cp := map[string]any{}
						for k, v := range m {
							cp[k] = v
						}
						c.set(cp)
						cl := clone(r)
						cl.Body, _ = json.Marshal(cp)
						wantRefused(t, name, p.Verify(ctx, cl), c.want)
					}
					cl := clone(r)
					cl.Header.Set("X-Amz-Sns-Message-Type", "SubscriptionConfirmation")
					wantRefused(t, "a type header that disagrees", p.Verify(ctx, cl), providers.ErrInvalidHeader)
					for _, body := range []string{"", "not json at all", "{}"} {
						cl := clone(r)
						cl.Body = []byte(body)
						wantRefused(t, "body "+body, p.Verify(ctx, cl), providers.ErrNotSigned)
					}
				})
				return
			}
			if e.Family == catalogue.FamilyBodyToken {
				t.Run("token field", func(t *testing.T) {
					field := `"` + e.BodyToken.Field + `":"` + secret.secret + `"`
					for v, want := range map[string]error{"": providers.ErrNotSigned, "wrong": providers.ErrNoValidSignature} {
						c := clone(r)
						c.Body = bytes.Replace(c.Body, []byte(field), []byte(`"`+e.BodyToken.Field+`":"`+v+`"`), 1)
						wantRefused(t, "token field "+v, p.Verify(ctx, c), want)
					}
					for _, body := range []string{"", "not json at all", `{"` + e.BodyToken.Items + `":[]}`} {
						c := clone(r)
						c.Body = []byte(body)
						wantRefused(t, "body "+body, p.Verify(ctx, c), providers.ErrNotSigned)
					}
				})
				return
			}
			if e.Family == catalogue.FamilyHMACFields {
				t.Run("signature field", func(t *testing.T) {
					sig, _, _ := hmacsig.LookupJSON(fieldsUnit(t, e, r.Body), strings.Split(e.Fields.Signature, "."))
					wrong := strings.Repeat("0", len(sig)) // a hex digest of zeros
					if e.Fields.Encoding == hmacsig.Base64 {
						wrong = strings.Repeat("A", len(sig)-1) + "=" // a base64 one
					}
					for v, want := range map[string]error{"": providers.ErrNotSigned, "zz": providers.ErrInvalidHeader, wrong: providers.ErrNoValidSignature} {
						c := clone(r)
						c.Body = bytes.Replace(c.Body, []byte(`"`+sig+`"`), []byte(`"`+v+`"`), 1)
						wantRefused(t, "signature field "+v, p.Verify(ctx, c), want)
					}
					c := clone(r)
					c.Body = nil
					wantRefused(t, "empty body", p.Verify(ctx, c), providers.ErrNotSigned, providers.ErrInvalidHeader)
					c.Body = []byte("not json at all")
					wantRefused(t, "non-JSON body", p.Verify(ctx, c), providers.ErrInvalidHeader)
				})
				return
			}
			t.Run("empty body", func(t *testing.T) {
				c := clone(r)
				c.Body = nil
				for _, h := range signatureHeaders(t, e, r) {
					c.Header.Del(h)
				}
				if bodyStamped(e) {
					signUnstamped(t, e, secret, c)
					wantRefused(t, "a signed empty body has no timestamp", p.Verify(ctx, c), providers.ErrMalformedPayload)
					return
				}
				sign(t, e, secret, c)
				if err := p.Verify(ctx, c); err != nil {
					t.Fatalf("signed empty body: %v", err)
				}
				if _, err := p.Identify(c); err != nil && !errors.Is(err, providers.ErrMalformedPayload) {
					t.Fatalf("identify an empty body: %v, want a result or ErrMalformedPayload", err)
				}
			})
			t.Run("wrong content type", func(t *testing.T) {
				// The signature covers bytes, not their declared type.
				c := clone(r)
				c.Header.Set("Content-Type", "text/plain")
				if err := p.Verify(ctx, c); err != nil {
					t.Fatalf("content type changed: %v", err)
				}
				c.Body = []byte("not json at all")
				for _, h := range signatureHeaders(t, e, r) {
					c.Header.Del(h)
				}
				if bodyStamped(e) {
					signUnstamped(t, e, secret, c)
					wantRefused(t, "a signed non-JSON body has no timestamp", p.Verify(ctx, c), providers.ErrMalformedPayload)
					return
				}
				sign(t, e, secret, c)
				if err := p.Verify(ctx, c); err != nil {
					t.Fatalf("signed non-JSON body: %v", err)
				}
				if _, err := p.Identify(c); err != nil && !errors.Is(err, providers.ErrMalformedPayload) {
					t.Fatalf("identify a non-JSON body: %v, want a result or ErrMalformedPayload", err)
				}
			})
		})
	}
}

// TestEntries: every entry is valid, named once, and not a built-in name.
func TestEntries(t *testing.T) {
	seen := map[providers.Name]bool{}
	for _, e := range catalogue.Entries() {
		if err := e.Validate(); err != nil {
			t.Error(err)
		}
		if seen[e.Name] {
			t.Errorf("%s listed twice", e.Name)
		}
		seen[e.Name] = true
		if catalogue.FixtureFS(e.Name) == nil {
			t.Errorf("%s has no fixture under testdata/%s", e.Name, e.Name)
		}
	}
	for _, n := range []providers.Name{providers.Stripe, providers.GitHub, providers.PayPal, providers.Twilio,
		providers.Shopify, providers.StandardWebhooks, providers.HMAC, providers.Token, providers.Basic} {
		if seen[n] {
			t.Errorf("%s is a built-in provider", n)
		}
	}
	if len(seen) == 0 {
		t.Fatal("empty catalogue")
	}
}

// Unknown options stay errors; tolerance is accepted only where a timestamp
// is signed.
func TestOptions(t *testing.T) {
	strict := func(yamlKeys ...string) func(any) error {
		return func(any) error {
			if len(yamlKeys) > 0 {
				return errors.New("options: field " + yamlKeys[0] + " not found")
			}
			return nil
		}
	}
	slack, _ := catalogue.Lookup("slack")
	if _, err := slack.Factory()(providers.Spec{Secrets: []string{"s"}, Options: strict("header")}); err == nil {
		t.Fatal("an unknown option was accepted")
	}
	razorpay, _ := catalogue.Lookup("razorpay")
	withTolerance := func(v any) error { v.(*catalogue.Options).Tolerance = providers.Duration(time.Minute); return nil }
	if _, err := razorpay.Factory()(providers.Spec{Secrets: []string{"s"}, Options: withTolerance}); err == nil {
		t.Fatal("tolerance accepted for a scheme without a timestamp")
	}
	if _, err := slack.Factory()(providers.Spec{Secrets: []string{"s"}, Options: withTolerance}); err != nil {
		t.Fatalf("tolerance for Slack: %v", err)
	}
	if _, err := slack.Factory()(providers.Spec{Options: noOptions}); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("no secret: %v", err)
	}
}

// Asana's signing secret is the one its handshake handed over: without a
// handshake nothing verifies; the handshake needs the URL's token; the
// reply echoes the secret; only the kept secret verifies, whatever the
// token; the handshake header is a credential, never stored.
// https://developers.asana.com/docs/webhooks-guide
func TestAsanaHookSecret(t *testing.T) {
	e := entry(t, "asana")
	p, err := e.Factory()(providers.Spec{Source: "asana", Secrets: []string{"tok-1"}, Options: noOptions})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://example.com/receive-webhook/7654?token=tok-1")
	// Asana's own example of the handshake.
	const secret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81"
	hs := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{"X-Hook-Secret": {secret}}}
	ch, ok, err := p.(providers.Challenger).Challenge(hs)
	if err != nil || !ok || ch.OfferedSecret != secret || ch.Reply.Header.Get("X-Hook-Secret") != secret || ch.Signed {
		t.Fatalf("handshake: %+v %v %v", ch, ok, err)
	}
	noToken := *hs
	noToken.URL, _ = url.Parse("https://example.com/receive-webhook/7654")
	if _, ok, err := p.(providers.Challenger).Challenge(&noToken); !ok || !errors.Is(err, providers.ErrNotSigned) {
		t.Fatalf("a handshake without the token: %v %v", ok, err)
	}
	wrong := *hs
	wrong.URL, _ = url.Parse("https://example.com/receive-webhook/7654?token=guess")
	if _, _, err := p.(providers.Challenger).Challenge(&wrong); !errors.Is(err, providers.ErrNoValidSignature) {
		t.Fatalf("a handshake with a wrong token: %v", err)
	}
	body := []byte(`{"events":[]}`)
	ev := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{}, Body: body, Now: time.Now()}
	if err := (&hmacsig.Template{Algorithm: hmacsig.SHA256, Encoding: hmacsig.Hex, Header: "X-Hook-Signature"}).Sign(ev, secret, ""); err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(context.Background(), ev); !errors.Is(err, providers.ErrNoSecret) {
		t.Fatalf("before the handshake: %v, want ErrNoSecret", err)
	}
	p.(providers.SecretReceiver).UseSecret(secret)
	if err := p.Verify(context.Background(), ev); err != nil {
		t.Fatalf("a heartbeat signed with the kept secret: %v", err)
	}
	noTok := *ev
	noTok.URL = noToken.URL
	if err := p.Verify(context.Background(), &noTok); !errors.Is(err, providers.ErrNotSigned) {
		t.Fatalf("an event without the token: %v", err)
	}
	if got := p.CredentialHeaders(); len(got) != 1 || got[0] != "X-Hook-Secret" {
		t.Fatalf("credential headers %v", got)
	}
}

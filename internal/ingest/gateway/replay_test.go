package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/twilio"
	"github.com/hookgate/hookgate/store"
)

const (
	twToken   = "replay-test-twilio-auth-token"
	acmeToken = "replay-test-acme-token"
)

const replayConfig = `
public_base_url: https://hooks.example.com
sources:
  - {name: tw, provider: twilio, secrets: [` + twToken + `]}
  - {name: gh, provider: github, secrets: [` + ghSecret + `]}
  - name: acme
    provider: token
    secrets: [` + acmeToken + `]
    options: {header: X-Acme-Token, event_id: "header:X-Acme-Delivery"}
  - name: acme_off
    provider: token
    secrets: [` + acmeToken + `]
    options: {header: X-Acme-Token, event_id: "header:X-Acme-Delivery"}
    dedupe: {content: false}
`

// TestReplayedSignedContentIsADuplicate replays captured requests with their
// unsigned ID headers changed: the Twilio status callback posted four
// times with I-Twilio-Idempotency-Token tok-1, tok-2, tok-3 and none, a GitHub
// push with a new X-GitHub-Delivery, a token source's delivery with a new
// delivery header. Each is one receipt; a source with dedupe.content off keeps
// two.
func TestReplayedSignedContentIsADuplicate(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testReplays(t, st)
	})
	t.Run("postgres", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), testenv.PostgresURL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		testReplays(t, st)
	})
}

func testReplays(t *testing.T, st credentialStore) {
	ctx := context.Background()
	gw, gc := gatewayOver(t, st, replayConfig)
	post := func(r *http.Request) ack {
		t.Helper()
		w := serve(gw.Handler(), r)
		if w.Code != http.StatusOK {
			t.Fatalf("POST %s: %d %s", r.URL, w.Code, w.Body)
		}
		if strings.HasPrefix(w.Header().Get("Content-Type"), "text/xml") {
			return ack{Status: "twiml"}
		}
		return decode(t, w)
	}

	// Twilio: one signed status callback, four idempotency tokens.
	form := "MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=delivered&AccountSid=AC1&To=%2B15558675310"
	signer, err := twilio.NewSigner(providers.Spec{Secrets: []string{twToken}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://hooks.example.com/webhooks/tw")
	sreq := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(form)}
	if err := signer.Sign(sreq); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"tok-1", "tok-2", "tok-3", ""} {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/tw", strings.NewReader(form))
		r.Header = sreq.Header.Clone()
		if tok != "" {
			r.Header.Set(twilio.IdempotencyHeader, tok)
		}
		post(r)
	}

	// GitHub: the same push with a new delivery ID.
	body := pushOf("captured")
	post(ghRequest("delivery-1", body, true))
	dup := post(ghRequest("delivery-2", body, true))
	if dup.Status != "duplicate" {
		t.Errorf("GitHub push replayed with a new delivery ID: %+v, want duplicate", dup)
	}

	// Token sources: the same body with a new delivery header, content
	// dedupe on (default) and off.
	for _, source := range []string{"acme", "acme_off"} {
		for _, id := range []string{"a-1", "a-2"} {
			r := httptest.NewRequest(http.MethodPost, "/webhooks/"+source, strings.NewReader(`{"order":42}`))
			r.Header.Set("X-Acme-Token", acmeToken)
			r.Header.Set("X-Acme-Delivery", id)
			post(r)
		}
	}
	gw.Close()
	gc.Close()

	for source, want := range map[string]int{"tw": 1, "gh": 1, "acme": 1, "acme_off": 2} {
		page, err := st.ListReceipts(ctx, store.Filter{Source: source, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Receipts) != want {
			var ids []string
			for _, r := range page.Receipts {
				ids = append(ids, r.EventID)
			}
			t.Errorf("source %s: %d receipts %v, want %d", source, len(page.Receipts), ids, want)
		}
	}
	if r, err := st.(interface {
		ReceiptByEvent(ctx context.Context, source, eventID string) (store.Receipt, error)
	}).ReceiptByEvent(ctx, "tw", "SM0123456789abcdef0123456789abcdef:delivered:tok-1"); err != nil || r.Duplicates != 3 {
		t.Errorf("the Twilio receipt: %v, %d duplicates; want the first post's, with 3 duplicates", err, r.Duplicates)
	}
}

// One rule for every provider's event IDs and types (providers.CheckEvent):
// a signed Twilio callback whose MessageSid holds a NUL byte or is too long
// is a 400 malformed_payload, never a store error that would fail the
// neighbours of its group-commit batch.
func TestEventIDAndTypeRule(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gw, gc := gatewayOver(t, st, replayConfig)
	defer gc.Close()
	defer gw.Close()
	signer, err := twilio.NewSigner(providers.Spec{Secrets: []string{twToken}})
	if err != nil {
		t.Fatal(err)
	}
	for name, sid := range map[string]string{
		"NUL":      "SM%00bad",
		"tab":      "SM%09bad",
		"too long": "SM" + strings.Repeat("a", providers.MaxFieldLen),
	} {
		t.Run(name, func(t *testing.T) {
			form := "MessageSid=" + sid + "&MessageStatus=sent"
			u, _ := url.Parse("https://hooks.example.com/webhooks/tw")
			sreq := &providers.Request{Method: http.MethodPost, URL: u, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte(form)}
			if err := signer.Sign(sreq); err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodPost, "/webhooks/tw", strings.NewReader(form))
			r.Header = sreq.Header
			w := serve(gw.Handler(), r)
			if w.Code != http.StatusBadRequest || decode(t, w).Reason != "malformed_payload" {
				t.Errorf("%d %s, want 400 malformed_payload", w.Code, w.Body)
			}
		})
	}
}

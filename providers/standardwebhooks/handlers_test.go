package standardwebhooks_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/standardwebhooks"
)

func TestNoBuiltinHandlers(t *testing.T) {
	r := handlers.NewRegistry()
	standardwebhooks.RegisterHandlers(r)
	if got := r.Types(providers.StandardWebhooks); len(got) != 0 {
		t.Fatalf("Types = %v, want none until a mapping is added", got)
	}
}

func TestExampleFixture(t *testing.T) {
	names, err := fixtures.List(standardwebhooks.FixtureFS())
	if err != nil || len(names) != 1 || names[0] != "example" {
		t.Fatalf("List = %v, %v; want [example]", names, err)
	}
	f, err := fixtures.Load(standardwebhooks.FixtureFS(), "example")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	h, body := f.Render("msg_p5jXN8AQM9LWM0D4loKWxJek", now)
	// The signer keeps the fixture's message ID; Identify reads it from here.
	if got := h.Get("webhook-id"); got != "msg_p5jXN8AQM9LWM0D4loKWxJek" {
		t.Fatalf("webhook-id = %q", got)
	}
	for _, sig := range []string{"webhook-signature", "webhook-timestamp", "svix-signature"} {
		if h.Get(sig) != "" {
			t.Errorf("fixture carries signature header %s", sig)
		}
	}
	var msg struct {
		Type      string    `json:"type"`
		Timestamp time.Time `json:"timestamp"`
		Data      struct {
			CreatedAt int64 `json:"created_at"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatalf("body: %v", err)
	}
	if msg.Type != "user.created" || !msg.Timestamp.Equal(now) || msg.Data.CreatedAt != now.Unix() {
		t.Fatalf("message = %+v", msg)
	}
	if strings.Contains(string(body), "${") {
		t.Fatalf("unrendered placeholder in %s", body)
	}
}

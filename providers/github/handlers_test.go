package github_test

import (
	"encoding/json"
	"errors"
	"github.com/hookgate/hookgate/handlers/handlertest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/github"
)

var hNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

const hDelivery = "72d3162e-cc78-11e3-81ab-4c9367dc0958"

func hRegistry() *handlers.Registry {
	r := handlers.NewRegistry()
	github.RegisterHandlers(r)
	return r
}

// hInput renders a fixture and builds the handler input the worker would: the
// type from X-GitHub-Event, the payload through the provider's decoding (which
// unwraps form-encoded `payload=` bodies).
func hInput(t *testing.T, name string) handlers.Input {
	t.Helper()
	f, err := fixtures.Load(github.FixtureFS(), name)
	if err != nil {
		t.Fatal(err)
	}
	h, body := f.Render(hDelivery, hNow)
	payload, err := github.DecodePayload(h.Get("Content-Type"), body)
	if err != nil {
		t.Fatalf("fixture %s: decode: %v", name, err)
	}
	return handlers.Input{Source: "github", Provider: providers.GitHub, EventID: h.Get("X-GitHub-Delivery"),
		EventType: h.Get("X-GitHub-Event"), ReceivedAt: hNow, Header: h, Payload: payload}
}

func hRun(t *testing.T, in handlers.Input) ([]events.Event, error) {
	t.Helper()
	h, ok := hRegistry().Lookup(providers.GitHub, in.EventType)
	if !ok {
		t.Fatalf("no handler for %s", in.EventType)
	}
	return h(in)
}

func hTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

const (
	hC1     = "5f1c0a9e3b2d4c6e8a7b9c0d1e2f3a4b5c6d7e8f"
	hBefore = "9d2b4f6a8c0e1d3f5a7b9c2e4f6a8b0d1c3e5f7a"
)

// hC2 is the head commit: ${EVENT_SHA} of the delivery, so each push is
// distinct.
var hC2 = fixtures.EventSHA(hDelivery)

func hWantPush() events.Push {
	repo := events.Repository{FullName: "octo-org/hello-world", ID: "873456120", URL: "https://github.com/octo-org/hello-world"}
	c1 := events.Commit{ID: hC1, Message: "Validate currency codes before parsing amounts", Timestamp: hTime("2025-03-14T09:20:31Z"),
		URL: "https://github.com/octo-org/hello-world/commit/" + hC1, Author: "Alice Developer", AuthorUsername: "alice-dev"}
	c2 := events.Commit{ID: hC2, Message: "Add invoice.paid schema\n\nCloses #41", Timestamp: hTime("2025-03-14T09:26:48Z"),
		URL: "https://github.com/octo-org/hello-world/commit/" + hC2, Author: "Alice Developer", AuthorUsername: "alice-dev"}
	return events.Push{Provider: "github", Repository: repo, Ref: "refs/heads/main", Before: hBefore, After: hC2,
		Pusher: "alice-dev", Sender: "alice-dev",
		CompareURL: "https://github.com/octo-org/hello-world/compare/9d2b4f6a8c0e...a3e9b7c1d5f2",
		HeadCommit: &c2, Commits: []events.Commit{c1, c2}}
}

func TestHandlersOnFixtures(t *testing.T) {
	repo := events.Repository{FullName: "octo-org/hello-world", ID: "873456120", URL: "https://github.com/octo-org/hello-world"}
	tests := []struct {
		fixture string
		want    events.Type
		subject string
		time    time.Time
		data    any
	}{
		// The JSON and form-encoded deliveries of one push give the same event.
		{"push", events.GitPush, "octo-org/hello-world", hTime("2025-03-14T10:26:48+01:00"), hWantPush()},
		{"push_form", events.GitPush, "octo-org/hello-world", hTime("2025-03-14T10:26:48+01:00"), hWantPush()},
		{"pull_request", "pull_request.opened", "octo-org/hello-world#42", hTime("2025-03-14T09:26:53Z"), events.PullRequestData{
			Provider: "github", Action: "opened", Repository: repo, Number: 42, Title: "Normalize PayPal capture events",
			State: "open", URL: "https://github.com/octo-org/hello-world/pull/42", Author: "alice-dev", Sender: "alice-dev",
			HeadRef: "feature/paypal-captures", HeadSHA: hC2, BaseRef: "main",
			CreatedAt: hTime("2025-03-14T09:26:53Z"), UpdatedAt: hTime("2025-03-14T09:26:53Z")}},
		{"issues_opened", "issue.opened", "octo-org/hello-world#41", hTime("2025-03-12T15:04:05Z"), events.IssueData{
			Provider: "github", Action: "opened", Repository: repo, Number: 41, Title: "invoice.paid events lack a schema",
			State: "open", URL: "https://github.com/octo-org/hello-world/issues/41", Author: "bob-reviewer", Sender: "bob-reviewer",
			Labels: []string{"bug", "events"}, CreatedAt: hTime("2025-03-12T15:04:05Z"), UpdatedAt: hTime("2025-03-12T15:04:05Z")}},
		{"issues_closed", "issue.closed", "octo-org/hello-world#41", hTime("2025-03-14T09:27:01Z"), events.IssueData{
			Provider: "github", Action: "closed", Repository: repo, Number: 41, Title: "invoice.paid events lack a schema",
			State: "closed", StateReason: "completed", URL: "https://github.com/octo-org/hello-world/issues/41",
			Author: "bob-reviewer", Sender: "alice-dev", Labels: []string{"bug", "events"},
			CreatedAt: hTime("2025-03-12T15:04:05Z"), UpdatedAt: hTime("2025-03-14T09:27:01Z"), ClosedAt: hTime("2025-03-14T09:27:01Z")}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			evs, err := hRun(t, hInput(t, tt.fixture))
			ev := handlertest.One(t, evs, err, tt.want, tt.subject, tt.time)
			handlertest.DataEquals(t, ev, tt.data)
		})
	}
}

func TestUnmappedIssueActionsYieldNothing(t *testing.T) {
	evs, err := hRun(t, hInput(t, "issues_edited"))
	if err != nil || len(evs) != 0 {
		t.Fatalf("issues edited = %d events, %v; want none", len(evs), err)
	}
	for _, action := range []string{"labeled", "assigned", "reopened", "deleted", "transferred"} {
		in := hInput(t, "issues_opened")
		in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) { m["action"] = action })
		if evs, err := hRun(t, in); err != nil || len(evs) != 0 {
			t.Errorf("issues %s = %d events, %v; want none", action, len(evs), err)
		}
	}
}

func TestPingHasNoHandler(t *testing.T) {
	if _, ok := hRegistry().Lookup(providers.GitHub, hInput(t, "ping").EventType); ok {
		t.Fatal("ping has a handler; it must stay unhandled")
	}
}

// Every pull_request action maps to pull_request.<action>.
func TestPullRequestActions(t *testing.T) {
	for _, action := range []string{"opened", "closed", "reopened", "synchronize", "edited", "review_requested",
		"ready_for_review", "converted_to_draft", "labeled", "auto_merge_enabled", "enqueued"} {
		in := hInput(t, "pull_request")
		in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) { m["action"] = action })
		evs, err := hRun(t, in)
		if err != nil || len(evs) != 1 || evs[0].Type != events.PullRequest(action) {
			t.Fatalf("action %s: %v %v", action, evs, err)
		}
		if err := events.Validate(evs[0]); err != nil {
			t.Fatalf("action %s: %v", action, err)
		}
	}
}

func TestMergedPullRequest(t *testing.T) {
	in := hInput(t, "pull_request")
	in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) {
		m["action"] = "closed"
		pr := m["pull_request"].(map[string]any)
		pr["state"], pr["merged"] = "closed", true
		pr["closed_at"], pr["merged_at"], pr["updated_at"] = "2025-03-15T08:00:00Z", "2025-03-15T08:00:00Z", "2025-03-15T08:00:01Z"
	})
	evs, err := hRun(t, in)
	if err != nil {
		t.Fatal(err)
	}
	var pr events.PullRequestData
	if err := json.Unmarshal(evs[0].Data, &pr); err != nil {
		t.Fatal(err)
	}
	if evs[0].Type != "pull_request.closed" || !pr.Merged || !pr.MergedAt.Equal(hTime("2025-03-15T08:00:00Z")) ||
		!evs[0].Time.Equal(hTime("2025-03-15T08:00:01Z")) {
		t.Fatalf("merged PR = %s %+v at %v", evs[0].Type, pr, evs[0].Time)
	}
}

func TestDeletedBranchPush(t *testing.T) {
	in := hInput(t, "push")
	in.Payload = handlertest.EditJSON(t, in.Payload, func(m map[string]any) {
		m["after"] = strings.Repeat("0", 40)
		m["deleted"], m["head_commit"], m["commits"] = true, nil, []any{}
	})
	evs, err := hRun(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if !evs[0].Time.IsZero() {
		t.Errorf("Time = %v, want zero (received at) without a head commit", evs[0].Time)
	}
	if err := events.Validate(evs[0]); err != nil {
		t.Fatalf("schema: %v", err)
	}
	var p events.Push
	if err := json.Unmarshal(evs[0].Data, &p); err != nil {
		t.Fatal(err)
	}
	if !p.Deleted || p.HeadCommit != nil || p.Commits == nil || len(p.Commits) != 0 {
		t.Fatalf("push = %+v", p)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		edit    func(m map[string]any)
	}{
		{"push without repository", "push", func(m map[string]any) { delete(m, "repository") }},
		{"push repo name without owner", "push", func(m map[string]any) {
			m["repository"].(map[string]any)["full_name"] = "hello-world"
		}},
		{"push without ref", "push", func(m map[string]any) { delete(m, "ref") }},
		{"push bad after", "push", func(m map[string]any) { m["after"] = "HEAD" }},
		{"push bad commit time", "push", func(m map[string]any) {
			m["head_commit"].(map[string]any)["timestamp"] = "last tuesday"
		}},
		{"push bad commit id", "push", func(m map[string]any) {
			m["commits"].([]any)[0].(map[string]any)["id"] = "xyz"
		}},
		{"pr without action", "pull_request", func(m map[string]any) { delete(m, "action") }},
		{"pr action with dot", "pull_request", func(m map[string]any) { m["action"] = "opened.x" }},
		{"pr action upper case", "pull_request", func(m map[string]any) { m["action"] = "Opened" }},
		{"pr without pull_request", "pull_request", func(m map[string]any) { delete(m, "pull_request") }},
		{"pr without number", "pull_request", func(m map[string]any) {
			delete(m, "number")
			delete(m["pull_request"].(map[string]any), "number")
		}},
		{"pr bad head sha", "pull_request", func(m map[string]any) {
			m["pull_request"].(map[string]any)["head"].(map[string]any)["sha"] = ""
		}},
		{"pr bad state", "pull_request", func(m map[string]any) { m["pull_request"].(map[string]any)["state"] = "merged" }},
		{"pr number is a string", "pull_request", func(m map[string]any) { m["number"] = "42" }},
		{"issue without action", "issues_opened", func(m map[string]any) { delete(m, "action") }},
		{"issue without issue", "issues_opened", func(m map[string]any) { delete(m, "issue") }},
		{"issue without number", "issues_closed", func(m map[string]any) { delete(m["issue"].(map[string]any), "number") }},
		{"issue bad updated_at", "issues_closed", func(m map[string]any) { m["issue"].(map[string]any)["updated_at"] = "soon" }},
		{"issue without repository", "issues_opened", func(m map[string]any) { delete(m, "repository") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := hInput(t, tt.fixture)
			in.Payload = handlertest.EditJSON(t, in.Payload, tt.edit)
			evs, err := hRun(t, in)
			if !errors.Is(err, handlers.ErrMalformed) {
				t.Fatalf("error = %v (events %d), want ErrMalformed", err, len(evs))
			}
		})
	}
	for _, typ := range []string{"push", "pull_request", "issues"} {
		for _, body := range []string{"", "[]", "{", "null"} {
			in := handlers.Input{Provider: providers.GitHub, EventType: typ, Payload: []byte(body)}
			if _, err := hRun(t, in); !errors.Is(err, handlers.ErrMalformed) {
				t.Errorf("%s body %q: error = %v, want ErrMalformed", typ, body, err)
			}
		}
	}
}

func TestRegisteredTypes(t *testing.T) {
	got := slices.Sorted(slices.Values(hRegistry().Types(providers.GitHub)))
	if want := []string{"issues", "pull_request", "push"}; !slices.Equal(got, want) {
		t.Fatalf("Types = %v, want %v", got, want)
	}
}

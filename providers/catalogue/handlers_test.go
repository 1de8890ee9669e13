package catalogue_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/handlers/handlertest"
	"github.com/hookgate/hookgate/providers/catalogue"
)

func gitlabPush(t *testing.T, edit func(m map[string]any)) handlers.Input {
	t.Helper()
	f, err := fixtures.Load(catalogue.FixtureFS("gitlab"), "push")
	if err != nil {
		t.Fatal(err)
	}
	_, body := f.Render("9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	if edit != nil {
		body = handlertest.EditJSON(t, body, edit)
	}
	return handlers.Input{Source: "gitlab", Provider: "gitlab", EventID: "9b0c2f4e", EventType: "push", Payload: body}
}

// A GitLab push becomes git.push, valid against its schema, with the
// project as the repository and the head commit's time.
func TestGitLabPushIsGitPush(t *testing.T) {
	r := handlers.NewRegistry()
	catalogue.RegisterHandlers(r)
	h, ok := r.Lookup("gitlab", "push")
	if !ok {
		t.Fatal("no handler for gitlab push")
	}
	evs, err := h(gitlabPush(t, nil))
	ev := handlertest.One(t, evs, err, events.GitPush, "mike/diaspora", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	var p events.Push
	if err := jsonUnmarshal(ev.Data, &p); err != nil {
		t.Fatal(err)
	}
	if p.Provider != "gitlab" || p.Repository.ID != "15" || !p.Repository.Private || p.Ref != "refs/heads/main" ||
		p.Pusher != "John Smith" || p.Sender != "jsmith" || len(p.Commits) != 1 || p.HeadCommit == nil || p.Created || p.Deleted {
		t.Fatalf("push data %+v", p)
	}

	// A deleted branch: after is all zeros, no commits.
	evs, err = h(gitlabPush(t, func(m map[string]any) {
		m["after"] = "0000000000000000000000000000000000000000"
		m["commits"] = []any{}
	}))
	if err != nil || len(evs) != 1 {
		t.Fatalf("deleted ref: %v %v", evs, err)
	}
	p = events.Push{}
	if err := jsonUnmarshal(evs[0].Data, &p); err != nil || !p.Deleted || p.HeadCommit != nil {
		t.Fatalf("deleted ref data %+v %v", p, err)
	}

	for name, edit := range map[string]func(m map[string]any){
		"no project": func(m map[string]any) { delete(m, "project") },
		"bad ref":    func(m map[string]any) { m["ref"] = "main" },
		"bad sha":    func(m map[string]any) { m["before"] = "xyz" },
	} {
		if _, err := h(gitlabPush(t, edit)); !errors.Is(err, handlers.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

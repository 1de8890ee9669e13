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
	"github.com/hookgate/hookgate/providers"
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

// A GitLab merge request event becomes pull_request.<action> in GitHub's
// vocabulary, valid against its schema; approvals yield no event.
func TestGitLabMergeRequestIsPullRequest(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	h, body := fixtureHandler(t, "gitlab", "merge_request", "merge_request", at)
	in := func(edit func(m map[string]any)) handlers.Input {
		b := body
		if edit != nil {
			b = handlertest.EditJSON(t, body, edit)
		}
		return handlers.Input{Source: "gitlab", Provider: "gitlab", EventType: "merge_request", Payload: b}
	}
	attrs := func(m map[string]any) map[string]any { return m["object_attributes"].(map[string]any) }

	evs, err := h(in(nil))
	ev := handlertest.One(t, evs, err, events.PullRequest("opened"), "gitlabhq/gitlab-test!1", at)
	var pr events.PullRequestData
	if err := json.Unmarshal(ev.Data, &pr); err != nil {
		t.Fatal(err)
	}
	if pr.Provider != "gitlab" || pr.State != "open" || pr.Number != 1 || pr.HeadRef != "ms-viewport" || pr.BaseRef != "master" ||
		pr.Repository.Private || pr.Sender != "root" || pr.Merged {
		t.Fatalf("pull request data %+v", pr)
	}
	for action, want := range map[string]string{"close": "closed", "reopen": "reopened", "update": "edited", "merge": "closed"} {
		evs, err := h(in(func(m map[string]any) {
			attrs(m)["action"] = action
			if action == "merge" {
				attrs(m)["state"] = "merged"
			}
		}))
		if err != nil || len(evs) != 1 || evs[0].Type != events.PullRequest(want) {
			t.Fatalf("action %s: %v %v, want pull_request.%s", action, evs, err, want)
		}
		if err := events.Validate(evs[0]); err != nil {
			t.Fatalf("action %s: %v", action, err)
		}
	}
	evs, err = h(in(func(m map[string]any) {
		attrs(m)["action"] = "update"
		attrs(m)["oldrev"] = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
	}))
	if err != nil || len(evs) != 1 || evs[0].Type != events.PullRequest("synchronize") {
		t.Fatalf("update with new commits: %v %v", evs, err)
	}
	if evs, err := h(in(func(m map[string]any) { attrs(m)["action"] = "approved" })); err != nil || len(evs) != 0 {
		t.Fatalf("approval: %v %v, want no event", evs, err)
	}
	for name, edit := range map[string]func(m map[string]any){
		"unknown action": func(m map[string]any) { attrs(m)["action"] = "explode" },
		"no iid":         func(m map[string]any) { delete(attrs(m), "iid") },
		"bad sha":        func(m map[string]any) { attrs(m)["last_commit"] = map[string]any{"id": "nope"} },
	} {
		if _, err := h(in(edit)); !errors.Is(err, handlers.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

// A Gitea push becomes git.push, valid against its schema, with the
// repository's full name and the head commit's time.
func TestGiteaPushIsGitPush(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	h, body := fixtureHandler(t, "gitea", "push", "push", at)
	evs, err := h(handlers.Input{Source: "gitea", Provider: "gitea", EventID: "d1", EventType: "push", Payload: body})
	ev := handlertest.One(t, evs, err, events.GitPush, "acme/webapp", at)
	var p events.Push
	if err := jsonUnmarshal(ev.Data, &p); err != nil {
		t.Fatal(err)
	}
	if p.Provider != "gitea" || p.Repository.ID != "42" || !p.Repository.Private || p.Ref != "refs/heads/main" ||
		p.Pusher != "Ana Garcia" || p.Sender != "ana" || len(p.Commits) != 1 || p.HeadCommit == nil || p.HeadCommit.AuthorUsername != "ana" {
		t.Fatalf("push data %+v", p)
	}
	if _, err := h(handlers.Input{Provider: "gitea", EventType: "push", Payload: []byte(`{"ref":"main"}`)}); !errors.Is(err, handlers.ErrMalformed) {
		t.Fatalf("a malformed push: %v, want ErrMalformed", err)
	}
}

// A Gitea pull request becomes pull_request.<action> in GitHub's vocabulary:
// opened as is, synchronized as synchronize; a review yields no event.
func TestGiteaPullRequestIsPullRequest(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	h, body := fixtureHandler(t, "gitea", "pull_request", "pull_request", at)
	evs, err := h(handlers.Input{Source: "gitea", Provider: "gitea", EventID: "d2", EventType: "pull_request", Payload: body})
	ev := handlertest.One(t, evs, err, events.PullRequest("opened"), "acme/webapp#7", at)
	var p events.PullRequestData
	if err := jsonUnmarshal(ev.Data, &p); err != nil {
		t.Fatal(err)
	}
	if p.Provider != "gitea" || p.State != "open" || p.Author != "ana" || p.HeadRef != "retry-5xx" || p.BaseRef != "main" || p.Merged {
		t.Fatalf("pull request data %+v", p)
	}
	sync := handlertest.EditJSON(t, body, func(m map[string]any) { m["action"] = "synchronized" })
	evs, err = h(handlers.Input{Provider: "gitea", EventType: "pull_request", Payload: sync})
	handlertest.One(t, evs, err, events.PullRequest("synchronize"), "acme/webapp#7", at)
	review := handlertest.EditJSON(t, body, func(m map[string]any) { m["action"] = "reviewed" })
	if evs, err := h(handlers.Input{Provider: "gitea", EventType: "pull_request", Payload: review}); err != nil || len(evs) != 0 {
		t.Fatalf("a review: %v %v, want no event", evs, err)
	}
}

// A Bitbucket push becomes one git.push per changed ref: the fixture's
// branch update, then a created tag (no old side) and a deleted branch (no
// new side).
func TestBitbucketPushIsGitPush(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	id := "9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70"
	h, body := fixtureHandler(t, "bitbucket", "repo:push", "repo_push", at)
	evs, err := h(handlers.Input{Source: "bitbucket", Provider: "bitbucket", EventID: "d3", EventType: "repo:push", Payload: body})
	ev := handlertest.One(t, evs, err, events.GitPush, "acme/webapp", at)
	var p events.Push
	if err := jsonUnmarshal(ev.Data, &p); err != nil {
		t.Fatal(err)
	}
	if p.Provider != "bitbucket" || p.Ref != "refs/heads/main" || p.After != fixtures.EventSHA(id) || p.Created || p.Deleted || !p.Repository.Private ||
		p.Sender != "ana" || p.HeadCommit == nil || p.HeadCommit.AuthorUsername != "ana" {
		t.Fatalf("push data %+v", p)
	}
	created := handlertest.EditJSON(t, body, func(m map[string]any) {
		c := m["push"].(map[string]any)["changes"].([]any)[0].(map[string]any)
		c["old"] = nil
		c["new"].(map[string]any)["type"] = "tag"
		c["new"].(map[string]any)["name"] = "v1.2.0"
		deleted := map[string]any{"old": map[string]any{"type": "branch", "name": "old-feature", "target": map[string]any{"hash": "28e1879d029cb852e4844d9c718537df08844e03"}}, "new": nil, "commits": []any{}}
		m["push"].(map[string]any)["changes"] = []any{c, deleted}
	})
	evs, err = h(handlers.Input{Provider: "bitbucket", EventType: "repo:push", Payload: created})
	if err != nil || len(evs) != 2 {
		t.Fatalf("two changes: %v %v, want two events", evs, err)
	}
	var tag, gone events.Push
	if jsonUnmarshal(evs[0].Data, &tag) != nil || jsonUnmarshal(evs[1].Data, &gone) != nil {
		t.Fatal("decode")
	}
	if tag.Ref != "refs/tags/v1.2.0" || !tag.Created || gone.Ref != "refs/heads/old-feature" || !gone.Deleted || gone.HeadCommit != nil {
		t.Fatalf("tag %+v, deleted %+v", tag, gone)
	}
	if _, err := h(handlers.Input{Provider: "bitbucket", EventType: "repo:push", Payload: []byte(`{"push":{"changes":[]}}`)}); !errors.Is(err, handlers.ErrMalformed) {
		t.Fatalf("no changes: %v, want ErrMalformed", err)
	}
}

// A Bitbucket pull request becomes pull_request.<action> in GitHub's
// vocabulary, with the 12-digit head commit Bitbucket sends: created as
// opened, fulfilled as closed and merged, rejected as closed; an approval
// yields no event.
func TestBitbucketPullRequestIsPullRequest(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	h, body := fixtureHandler(t, "bitbucket", "pullrequest:created", "pullrequest_created", at)
	evs, err := h(handlers.Input{Source: "bitbucket", Provider: "bitbucket", EventID: "d4", EventType: "pullrequest:created", Payload: body})
	ev := handlertest.One(t, evs, err, events.PullRequest("opened"), "acme/webapp#42", at)
	var p events.PullRequestData
	if err := jsonUnmarshal(ev.Data, &p); err != nil {
		t.Fatal(err)
	}
	if p.Provider != "bitbucket" || p.State != "open" || p.Author != "ana" || p.HeadRef != "retry-5xx" || p.HeadSHA != "e1f2a3b4c5d6" ||
		p.BaseRef != "main" || p.Merged || !p.Repository.Private || p.URL != "https://bitbucket.org/acme/webapp/pull-requests/42" {
		t.Fatalf("pull request data %+v", p)
	}
	merged := handlertest.EditJSON(t, body, func(m map[string]any) { m["pullrequest"].(map[string]any)["state"] = "MERGED" })
	r := handlers.NewRegistry()
	catalogue.RegisterHandlers(r)
	hf, ok := r.Lookup("bitbucket", "pullrequest:fulfilled")
	if !ok {
		t.Fatal("no handler for pullrequest:fulfilled")
	}
	evs, err = hf(handlers.Input{Provider: "bitbucket", EventType: "pullrequest:fulfilled", Payload: merged})
	ev = handlertest.One(t, evs, err, events.PullRequest("closed"), "acme/webapp#42", at)
	if err := jsonUnmarshal(ev.Data, &p); err != nil || !p.Merged || p.State != "closed" || p.MergedAt.IsZero() {
		t.Fatalf("merged: %+v %v", p, err)
	}
	if _, ok := r.Lookup("bitbucket", "pullrequest:approved"); ok {
		t.Fatal("an approval has a handler: it maps to no pull_request action")
	}
	short := handlertest.EditJSON(t, body, func(m map[string]any) {
		m["pullrequest"].(map[string]any)["source"].(map[string]any)["commit"] = map[string]any{"hash": "e1f2a"}
	})
	if _, err := h(handlers.Input{Provider: "bitbucket", EventType: "pullrequest:created", Payload: short}); !errors.Is(err, handlers.ErrMalformed) {
		t.Fatalf("a 5-digit hash: %v, want ErrMalformed", err)
	}
}

// fixtureHandler returns the catalogue's handler for provider and eventType,
// and the provider's fixture rendered with a fixed event ID at at.
func fixtureHandler(t *testing.T, provider providers.Name, eventType, fixture string, at time.Time) (handlers.Handler, []byte) {
	t.Helper()
	r := handlers.NewRegistry()
	catalogue.RegisterHandlers(r)
	h, ok := r.Lookup(provider, eventType)
	if !ok {
		t.Fatalf("no handler for %s %s", provider, eventType)
	}
	f, err := fixtures.Load(catalogue.FixtureFS(provider), fixture)
	if err != nil {
		t.Fatal(err)
	}
	_, body := f.Render("9b0c2f4e-0f1d-4c47-8a9e-2f3c4d5e6f70", at)
	return h, body
}

package catalogue

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
)

// giteaPush is the part of a Gitea push event the handler reads (Gitea's
// payload follows GitHub's).
// https://docs.gitea.com/usage/webhooks#example
type giteaPush struct {
	Ref        string       `json:"ref"`
	Before     string       `json:"before"`
	After      string       `json:"after"`
	CompareURL string       `json:"compare_url"`
	Commits    []wireCommit `json:"commits"`
	Repository struct {
		ID       *int64 `json:"id"`
		FullName string `json:"full_name"`
		HTMLURL  string `json:"html_url"`
		Private  bool   `json:"private"`
	} `json:"repository"`
	Pusher struct {
		FullName string `json:"full_name"`
		Login    string `json:"login"`
	} `json:"pusher"`
	Sender struct {
		Login string `json:"login"`
	} `json:"sender"`
}

func giteaErr(what string) error {
	return fmt.Errorf("gitea push: %s: %w", what, handlers.ErrMalformed)
}

// handleGiteaPush maps a Gitea push to git.push, like GitLab's: Gitea
// reports no forced push, and the event's time is the head commit's.
func handleGiteaPush(in handlers.Input) ([]events.Event, error) {
	var p giteaPush
	if err := json.Unmarshal(in.Payload, &p); err != nil {
		return nil, fmt.Errorf("gitea push: decode payload: %w: %w", handlers.ErrMalformed, err)
	}
	name := p.Repository.FullName
	switch {
	case !twoPartName(name):
		return nil, giteaErr("repository.full_name missing or not owner/name")
	case !strings.HasPrefix(p.Ref, "refs/"):
		return nil, giteaErr("ref missing or not refs/…")
	case !validSHA(p.Before) || !validSHA(p.After):
		return nil, giteaErr("before/after missing or not a SHA")
	}
	repo := events.Repository{FullName: name, URL: events.URI(p.Repository.HTMLURL), Private: p.Repository.Private}
	if p.Repository.ID != nil {
		repo.ID = strconv.FormatInt(*p.Repository.ID, 10)
	}
	pusher := p.Pusher.FullName
	if pusher == "" {
		pusher = p.Pusher.Login
	}
	data := events.Push{
		Provider: "gitea", Repository: repo, Ref: p.Ref, Before: p.Before, After: p.After,
		Created: zeroSHA(p.Before), Deleted: zeroSHA(p.After),
		Pusher: pusher, Sender: p.Sender.Login, CompareURL: p.CompareURL,
	}
	var at time.Time
	var err error
	if data.Commits, data.HeadCommit, at, err = pushCommits(p.Commits, p.After, giteaErr); err != nil {
		return nil, err
	}
	ev, err := events.NewEvent(events.GitPush, name, at, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

// giteaPullRequest is the part of a Gitea pull_request event the handler
// reads (GitHub's shape, with Gitea's action names).
type giteaPullRequest struct {
	Action      string `json:"action"`
	Number      int64  `json:"number"`
	PullRequest struct {
		Title   string `json:"title"`
		HTMLURL string `json:"html_url"`
		State   string `json:"state"`
		Draft   bool   `json:"draft"`
		Merged  bool   `json:"merged"`
		User    struct {
			Login string `json:"login"`
		} `json:"user"`
		Head struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
		CreatedAt time.Time  `json:"created_at"`
		UpdatedAt time.Time  `json:"updated_at"`
		ClosedAt  *time.Time `json:"closed_at"`
		MergedAt  *time.Time `json:"merged_at"`
	} `json:"pull_request"`
	Repository struct {
		ID       *int64 `json:"id"`
		FullName string `json:"full_name"`
		HTMLURL  string `json:"html_url"`
		Private  bool   `json:"private"`
	} `json:"repository"`
	Sender struct {
		Login string `json:"login"`
	} `json:"sender"`
}

// handleGiteaPullRequest maps a Gitea pull request to pull_request.<action>
// in GitHub's vocabulary (Gitea's "synchronized" is GitHub's "synchronize");
// assignments, labels and reviews yield no event, as GitLab's approvals do.
func handleGiteaPullRequest(in handlers.Input) ([]events.Event, error) {
	var m giteaPullRequest
	if err := json.Unmarshal(in.Payload, &m); err != nil {
		return nil, fmt.Errorf("gitea pull_request: decode payload: %w: %w", handlers.ErrMalformed, err)
	}
	bad := func(what string) error {
		return fmt.Errorf("gitea pull_request: %s: %w", what, handlers.ErrMalformed)
	}
	action := m.Action
	switch action {
	case "opened", "closed", "reopened", "edited":
	case "synchronized":
		action = "synchronize"
	default:
		return nil, nil
	}
	pr, name := m.PullRequest, m.Repository.FullName
	switch {
	case !twoPartName(name):
		return nil, bad("repository.full_name missing or not owner/name")
	case m.Number <= 0:
		return nil, bad("number missing")
	case pr.Head.Ref == "" || pr.Base.Ref == "":
		return nil, bad("missing head or base ref")
	case !validSHA(pr.Head.SHA):
		return nil, bad("pull_request.head.sha is not a SHA")
	case pr.State != "open" && pr.State != "closed":
		return nil, bad("pull_request.state is neither open nor closed")
	}
	repo := events.Repository{FullName: name, URL: events.URI(m.Repository.HTMLURL), Private: m.Repository.Private}
	if m.Repository.ID != nil {
		repo.ID = strconv.FormatInt(*m.Repository.ID, 10)
	}
	data := events.PullRequestData{
		Provider: "gitea", Action: action, Repository: repo, Number: m.Number, Title: pr.Title,
		State: pr.State, Draft: pr.Draft, Merged: pr.Merged, URL: events.URI(pr.HTMLURL),
		Author: pr.User.Login, Sender: m.Sender.Login,
		HeadRef: pr.Head.Ref, HeadSHA: pr.Head.SHA, BaseRef: pr.Base.Ref,
		CreatedAt: pr.CreatedAt.UTC(), UpdatedAt: pr.UpdatedAt.UTC(),
	}
	if pr.ClosedAt != nil {
		data.ClosedAt = pr.ClosedAt.UTC()
	}
	if pr.MergedAt != nil {
		data.MergedAt = pr.MergedAt.UTC()
	}
	ev, err := events.NewEvent(events.PullRequest(action), name+"#"+strconv.FormatInt(m.Number, 10), data.UpdatedAt, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

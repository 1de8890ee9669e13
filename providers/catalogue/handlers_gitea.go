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
	case !strings.Contains(name, "/") || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/"):
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

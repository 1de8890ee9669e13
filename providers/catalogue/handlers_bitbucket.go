package catalogue

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
)

// bitbucketPush is the part of a Bitbucket Cloud repo:push event the handler
// reads: one push may change several refs.
// https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/#Push
type bitbucketPush struct {
	Push struct {
		Changes []struct {
			Old     *bitbucketRef `json:"old"`
			New     *bitbucketRef `json:"new"`
			Forced  bool          `json:"forced"`
			Links   bitbucketLink `json:"links"`
			Commits []struct {
				Hash    string        `json:"hash"`
				Message string        `json:"message"`
				Date    string        `json:"date"`
				Links   bitbucketLink `json:"links"`
				Author  struct {
					Raw  string `json:"raw"`
					User *struct {
						DisplayName string `json:"display_name"`
						Nickname    string `json:"nickname"`
					} `json:"user"`
				} `json:"author"`
			} `json:"commits"`
		} `json:"changes"`
	} `json:"push"`
	Repository struct {
		FullName  string        `json:"full_name"`
		UUID      string        `json:"uuid"`
		IsPrivate bool          `json:"is_private"`
		Links     bitbucketLink `json:"links"`
	} `json:"repository"`
	Actor struct {
		DisplayName string `json:"display_name"`
		Nickname    string `json:"nickname"`
	} `json:"actor"`
}

// bitbucketRef is a branch or tag and the commit it points at.
type bitbucketRef struct {
	Type   string `json:"type"` // "branch" or "tag"
	Name   string `json:"name"`
	Target struct {
		Hash string `json:"hash"`
	} `json:"target"`
}

type bitbucketLink struct {
	HTML struct {
		Href string `json:"href"`
	} `json:"html"`
}

const zeroCommit = "0000000000000000000000000000000000000000"

func bitbucketErr(what string) error {
	return fmt.Errorf("bitbucket repo:push: %s: %w", what, handlers.ErrMalformed)
}

// fullRef is the git ref of a Bitbucket branch or tag.
func (r *bitbucketRef) fullRef() (string, error) {
	switch {
	case r.Name == "":
		return "", bitbucketErr("a change's ref has no name")
	case r.Type == "branch":
		return "refs/heads/" + r.Name, nil
	case r.Type == "tag", r.Type == "annotated_tag":
		return "refs/tags/" + r.Name, nil
	}
	return "", bitbucketErr("a change's ref is neither a branch nor a tag")
}

// handleBitbucketPush maps each ref change of a push to one git.push, as
// GitHub reports one push per ref: a created ref has no old side (before is
// all zeros), a deleted one no new side (after is all zeros).
func handleBitbucketPush(in handlers.Input) ([]events.Event, error) {
	var p bitbucketPush
	if err := json.Unmarshal(in.Payload, &p); err != nil {
		return nil, fmt.Errorf("bitbucket repo:push: decode payload: %w: %w", handlers.ErrMalformed, err)
	}
	name := p.Repository.FullName
	if !twoPartName(name) {
		return nil, bitbucketErr("repository.full_name missing or not workspace/repo")
	}
	if len(p.Push.Changes) == 0 {
		return nil, bitbucketErr("push.changes is empty")
	}
	repo := events.Repository{ID: p.Repository.UUID, FullName: name, URL: events.URI(p.Repository.Links.HTML.Href), Private: p.Repository.IsPrivate}
	out := make([]events.Event, 0, len(p.Push.Changes))
	for _, c := range p.Push.Changes {
		before, after := zeroCommit, zeroCommit
		var ref string
		var err error
		if c.Old != nil {
			before = c.Old.Target.Hash
			ref, err = c.Old.fullRef()
		}
		if c.New != nil {
			after = c.New.Target.Hash
			ref, err = c.New.fullRef()
		}
		switch {
		case err != nil:
			return nil, err
		case ref == "":
			return nil, bitbucketErr("a change has neither an old nor a new ref")
		case !validSHA(before) || !validSHA(after):
			return nil, bitbucketErr("a change's commit hash is not a full SHA")
		}
		data := events.Push{
			Provider: "bitbucket", Repository: repo, Ref: ref, Before: before, After: after,
			Created: c.Old == nil, Deleted: c.New == nil, Forced: c.Forced,
			Pusher: p.Actor.DisplayName, Sender: p.Actor.Nickname, CompareURL: events.URI(c.Links.HTML.Href),
		}
		commits := make([]wireCommit, len(c.Commits))
		for i, cm := range c.Commits {
			w := wireCommit{ID: cm.Hash, Message: cm.Message, Timestamp: cm.Date, URL: cm.Links.HTML.Href}
			w.Author.Name = cm.Author.Raw
			if u := cm.Author.User; u != nil {
				w.Author.Name, w.Author.Username = u.DisplayName, u.Nickname
			}
			commits[i] = w
		}
		var at time.Time
		if data.Commits, data.HeadCommit, at, err = pushCommits(commits, after, bitbucketErr); err != nil {
			return nil, err
		}
		ev, err := events.NewEvent(events.GitPush, name, at, data)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// bitbucketPullRequest is the part of a Bitbucket Cloud pullrequest:* event
// the handler reads.
// https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/#Pull-request-events
type bitbucketPullRequest struct {
	PullRequest struct {
		ID     int64  `json:"id"`
		Title  string `json:"title"`
		State  string `json:"state"` // OPEN, MERGED, DECLINED, SUPERSEDED
		Draft  bool   `json:"draft"`
		Author struct {
			Nickname string `json:"nickname"`
		} `json:"author"`
		Source      bitbucketPREnd `json:"source"`
		Destination bitbucketPREnd `json:"destination"`
		CreatedOn   time.Time      `json:"created_on"`
		UpdatedOn   time.Time      `json:"updated_on"`
		Links       bitbucketLink  `json:"links"`
	} `json:"pullrequest"`
	Repository struct {
		FullName  string        `json:"full_name"`
		UUID      string        `json:"uuid"`
		IsPrivate bool          `json:"is_private"`
		Links     bitbucketLink `json:"links"`
	} `json:"repository"`
	Actor struct {
		Nickname string `json:"nickname"`
	} `json:"actor"`
}

// bitbucketPREnd is a pull request's source or destination.
type bitbucketPREnd struct {
	Branch struct {
		Name string `json:"name"`
	} `json:"branch"`
	Commit struct {
		Hash string `json:"hash"`
	} `json:"commit"`
}

// bitbucketPRActions maps a pullrequest:* event key to the pull_request
// action: Bitbucket's "updated" covers both new commits and edits (the head
// commit says which), "fulfilled" is a merge and "rejected" a decline.
var bitbucketPRActions = map[string]string{
	"pullrequest:created":   "opened",
	"pullrequest:updated":   "edited",
	"pullrequest:fulfilled": "closed",
	"pullrequest:rejected":  "closed",
}

// validShortSHA reports whether s is a commit hash of 12 to 40 lowercase
// hex digits: Bitbucket abbreviates a pull request's commits to 12.
func validShortSHA(s string) bool {
	if len(s) < 12 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// handleBitbucketPullRequest maps pullrequest:created, :updated,
// :fulfilled and :rejected to pull_request.opened, .edited and .closed
// (merged for a fulfilled one); approvals and comments map to nothing.
func handleBitbucketPullRequest(in handlers.Input) ([]events.Event, error) {
	action, ok := bitbucketPRActions[in.EventType]
	if !ok {
		return nil, nil
	}
	bad := func(what string) error {
		return fmt.Errorf("bitbucket %s: %s: %w", in.EventType, what, handlers.ErrMalformed)
	}
	var m bitbucketPullRequest
	if err := json.Unmarshal(in.Payload, &m); err != nil {
		return nil, fmt.Errorf("bitbucket %s: decode payload: %w: %w", in.EventType, handlers.ErrMalformed, err)
	}
	pr, name := m.PullRequest, m.Repository.FullName
	state := "closed"
	switch {
	case !twoPartName(name):
		return nil, bad("repository.full_name missing or not workspace/repo")
	case pr.ID <= 0:
		return nil, bad("pullrequest.id missing")
	case pr.Source.Branch.Name == "" || pr.Destination.Branch.Name == "":
		return nil, bad("missing source or destination branch")
	case !validShortSHA(pr.Source.Commit.Hash):
		return nil, bad("pullrequest.source.commit.hash is not a commit hash")
	case pr.State == "OPEN":
		state = "open"
	case pr.State != "MERGED" && pr.State != "DECLINED" && pr.State != "SUPERSEDED":
		return nil, bad("pullrequest.state is unknown")
	}
	merged := pr.State == "MERGED"
	data := events.PullRequestData{
		Provider: "bitbucket", Action: action, Number: pr.ID, Title: pr.Title,
		Repository: events.Repository{ID: m.Repository.UUID, FullName: name, URL: events.URI(m.Repository.Links.HTML.Href), Private: m.Repository.IsPrivate},
		State:      state, Draft: pr.Draft, Merged: merged, URL: events.URI(pr.Links.HTML.Href),
		Author: pr.Author.Nickname, Sender: m.Actor.Nickname,
		HeadRef: pr.Source.Branch.Name, HeadSHA: pr.Source.Commit.Hash, BaseRef: pr.Destination.Branch.Name,
		CreatedAt: pr.CreatedOn.UTC(), UpdatedAt: pr.UpdatedOn.UTC(),
	}
	if state == "closed" {
		data.ClosedAt = data.UpdatedAt
		if merged {
			data.MergedAt = data.UpdatedAt
		}
	}
	ev, err := events.NewEvent(events.PullRequest(action), name+"#"+strconv.FormatInt(pr.ID, 10), data.UpdatedAt, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

package catalogue

import (
	"encoding/json"
	"fmt"
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

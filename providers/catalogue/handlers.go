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

// RegisterHandlers registers the catalogue's normalization handlers on r:
//
//	gitlab push          → git.push                 subject: the project's path_with_namespace
//	gitlab merge_request → pull_request.<action>    subject: "<path_with_namespace>!<iid>"
//	gitea push           → git.push                 subject: the repository's full_name
//	gitea pull_request   → pull_request.<action>    subject: "<full_name>#<number>"
//	bitbucket repo:push  → git.push, one per ref    subject: the repository's full_name
//	bitbucket pullrequest:created, :updated, :fulfilled, :rejected
//	                     → pull_request.opened, .edited, .closed (merged for :fulfilled)
//	                                                subject: "<full_name>#<id>"
//
// GitLab's merge request actions are named as GitHub names pull request
// actions, so consumers see one vocabulary: open → opened, close → closed,
// reopen → reopened, merge → closed with merged true, update → synchronize
// (new commits: oldrev is set) or edited. Approvals yield no event (GitHub
// reports them as reviews, a different event). Every other catalogue event
// is stored as unhandled until someone maps it; the payment providers'
// handlers are listed in handlers_payments.go.
func RegisterHandlers(r *handlers.Registry) {
	r.Register("gitlab", "push", handleGitLabPush)
	r.Register("gitlab", "merge_request", handleGitLabMergeRequest)
	r.Register("gitea", "push", handleGiteaPush)
	r.Register("gitea", "pull_request", handleGiteaPullRequest)
	r.Register("bitbucket", "repo:push", handleBitbucketPush)
	for key := range bitbucketPRActions {
		r.Register("bitbucket", key, handleBitbucketPullRequest)
	}
	registerPaymentHandlers(r)
}

// gitlabPush is the part of a GitLab push event the handler reads.
// https://docs.gitlab.com/user/project/integrations/webhook_events/#push-events
type gitlabPush struct {
	ObjectKind   string `json:"object_kind"`
	Before       string `json:"before"`
	After        string `json:"after"`
	Ref          string `json:"ref"`
	UserName     string `json:"user_name"`
	UserUsername string `json:"user_username"`
	Project      struct {
		ID                *int64 `json:"id"`
		PathWithNamespace string `json:"path_with_namespace"`
		WebURL            string `json:"web_url"`
		// VisibilityLevel: 0 private, 10 internal, 20 public.
		VisibilityLevel *int `json:"visibility_level"`
	} `json:"project"`
	Commits []wireCommit `json:"commits"`
}

// wireCommit is a pushed commit as GitLab and Gitea list it.
type wireCommit struct {
	ID        string `json:"id"`
	Message   string `json:"message"`
	Timestamp string `json:"timestamp"`
	URL       string `json:"url"`
	Author    struct {
		Name     string `json:"name"`
		Username string `json:"username"`
	} `json:"author"`
}

// pushCommits converts a push's commits, finding the head commit (the one
// whose ID is after) and its time; bad is the provider's malformed error.
func pushCommits(commits []wireCommit, after string, bad func(string) error) ([]events.Commit, *events.Commit, time.Time, error) {
	out := make([]events.Commit, 0, len(commits))
	var head *events.Commit
	var at time.Time
	for _, c := range commits {
		if !validSHA(c.ID) {
			return nil, nil, time.Time{}, bad("commit id is not a SHA")
		}
		var ts time.Time
		if c.Timestamp != "" {
			t, err := time.Parse(time.RFC3339, c.Timestamp)
			if err != nil {
				return nil, nil, time.Time{}, bad("commit timestamp is not RFC 3339")
			}
			ts = t.UTC()
		}
		cc := events.Commit{ID: c.ID, Message: c.Message, Timestamp: ts, URL: events.URI(c.URL),
			Author: c.Author.Name, AuthorUsername: c.Author.Username}
		out = append(out, cc)
		if c.ID == after {
			h := cc
			head, at = &h, ts
		}
	}
	return out, head, at, nil
}

func gitlabErr(what string) error {
	return fmt.Errorf("gitlab push: %s: %w", what, handlers.ErrMalformed)
}

// twoPartName reports whether a repository name is "<owner>/<repo>" (a
// GitLab group path may have more parts): not empty on either side.
func twoPartName(name string) bool {
	return strings.Contains(name, "/") && !strings.HasPrefix(name, "/") && !strings.HasSuffix(name, "/")
}

// zeroSHA is how GitLab writes the missing side of a created or deleted ref.
func zeroSHA(s string) bool { return strings.Trim(s, "0") == "" }

func validSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

// handleGitLabPush maps a push to git.push. GitLab reports no forced push,
// so Forced is false; the event's time is the head commit's.
func handleGitLabPush(in handlers.Input) ([]events.Event, error) {
	var p gitlabPush
	if err := json.Unmarshal(in.Payload, &p); err != nil {
		return nil, fmt.Errorf("gitlab push: decode payload: %w: %w", handlers.ErrMalformed, err)
	}
	name := p.Project.PathWithNamespace
	switch {
	case !twoPartName(name):
		return nil, gitlabErr("project.path_with_namespace missing or not group/project")
	case !strings.HasPrefix(p.Ref, "refs/"):
		return nil, gitlabErr("ref missing or not refs/…")
	case !validSHA(p.Before) || !validSHA(p.After):
		return nil, gitlabErr("before/after missing or not a SHA")
	}
	repo := events.Repository{FullName: name, URL: events.URI(p.Project.WebURL),
		Private: p.Project.VisibilityLevel != nil && *p.Project.VisibilityLevel == 0}
	if p.Project.ID != nil {
		repo.ID = strconv.FormatInt(*p.Project.ID, 10)
	}
	data := events.Push{
		Provider: "gitlab", Repository: repo, Ref: p.Ref, Before: p.Before, After: p.After,
		Created: zeroSHA(p.Before), Deleted: zeroSHA(p.After),
		Pusher: p.UserName, Sender: p.UserUsername,
	}
	var at time.Time
	var err error
	if data.Commits, data.HeadCommit, at, err = pushCommits(p.Commits, p.After, gitlabErr); err != nil {
		return nil, err
	}
	ev, err := events.NewEvent(events.GitPush, name, at, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

// gitlabMergeRequest is the part of a GitLab merge request event the handler
// reads.
// https://docs.gitlab.com/user/project/integrations/webhook_events/#merge-request-events
type gitlabMergeRequest struct {
	User struct {
		Username string `json:"username"`
	} `json:"user"`
	Project struct {
		ID                *int64 `json:"id"`
		PathWithNamespace string `json:"path_with_namespace"`
		WebURL            string `json:"web_url"`
		VisibilityLevel   *int   `json:"visibility_level"`
	} `json:"project"`
	Attrs struct {
		IID          int64  `json:"iid"`
		Title        string `json:"title"`
		State        string `json:"state"`
		Action       string `json:"action"`
		OldRev       string `json:"oldrev"`
		SourceBranch string `json:"source_branch"`
		TargetBranch string `json:"target_branch"`
		URL          string `json:"url"`
		Draft        bool   `json:"draft"`
		CreatedAt    string `json:"created_at"`
		UpdatedAt    string `json:"updated_at"`
		LastCommit   struct {
			ID string `json:"id"`
		} `json:"last_commit"`
	} `json:"object_attributes"`
}

// gitlabTime parses GitLab's timestamps: RFC 3339, or the older
// "2006-01-02 15:04:05 UTC"; anything else is left out (zero).
func gitlabTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func handleGitLabMergeRequest(in handlers.Input) ([]events.Event, error) {
	var m gitlabMergeRequest
	if err := json.Unmarshal(in.Payload, &m); err != nil {
		return nil, fmt.Errorf("gitlab merge_request: decode payload: %w: %w", handlers.ErrMalformed, err)
	}
	mrErr := func(what string) error {
		return fmt.Errorf("gitlab merge_request: %s: %w", what, handlers.ErrMalformed)
	}
	a := m.Attrs
	action, merged := "", a.State == "merged"
	switch a.Action {
	case "open":
		action = "opened"
	case "close":
		action = "closed"
	case "reopen":
		action = "reopened"
	case "merge":
		action, merged = "closed", true
	case "update":
		action = "edited"
		if a.OldRev != "" {
			action = "synchronize"
		}
	case "approved", "unapproved", "approval", "unapproval":
		return nil, nil
	default:
		return nil, mrErr("unknown action " + strconv.Quote(a.Action))
	}
	name := m.Project.PathWithNamespace
	switch {
	case !twoPartName(name):
		return nil, mrErr("project.path_with_namespace missing or not group/project")
	case a.IID <= 0:
		return nil, mrErr("object_attributes.iid missing")
	case a.SourceBranch == "" || a.TargetBranch == "":
		return nil, mrErr("missing source or target branch")
	case !validSHA(a.LastCommit.ID):
		return nil, mrErr("object_attributes.last_commit.id is not a SHA")
	}
	state := "closed"
	if a.State == "opened" {
		state = "open"
	}
	repo := events.Repository{FullName: name, URL: events.URI(m.Project.WebURL),
		Private: m.Project.VisibilityLevel != nil && *m.Project.VisibilityLevel == 0}
	if m.Project.ID != nil {
		repo.ID = strconv.FormatInt(*m.Project.ID, 10)
	}
	data := events.PullRequestData{
		Provider: "gitlab", Action: action, Repository: repo, Number: a.IID, Title: a.Title,
		State: state, Draft: a.Draft, Merged: merged, URL: events.URI(a.URL), Sender: m.User.Username,
		HeadRef: a.SourceBranch, HeadSHA: a.LastCommit.ID, BaseRef: a.TargetBranch,
		CreatedAt: gitlabTime(a.CreatedAt), UpdatedAt: gitlabTime(a.UpdatedAt),
	}
	ev, err := events.NewEvent(events.PullRequest(action), name+"!"+strconv.FormatInt(a.IID, 10), data.UpdatedAt, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

package github

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
)

// GitHub event types (X-GitHub-Event) with a built-in handler.
const (
	EventPush        = "push"
	EventPullRequest = "pull_request"
	EventIssues      = "issues"
)

// RegisterHandlers registers the built-in GitHub mappings on r:
//
//	push                    → git.push               subject: "owner/repo"
//	pull_request (any action) → pull_request.<action>  subject: "owner/repo#<number>"
//	issues opened / closed  → issue.opened / issue.closed  subject: "owner/repo#<number>"
//
// Other issues actions yield no event (not an error). Time is the head commit's
// timestamp for a push (zero, meaning "received at", for a deleted ref) and the
// pull request's or issue's updated_at otherwise. The payload is JSON: for
// form-encoded hooks the provider's Decode has already extracted it. A payload
// missing a required field wraps handlers.ErrMalformed.
func RegisterHandlers(r *handlers.Registry) {
	r.Register(providers.GitHub, EventPush, handlePush)
	r.Register(providers.GitHub, EventPullRequest, handlePullRequest)
	r.Register(providers.GitHub, EventIssues, handleIssues)
}

// issueActions are the issues actions that produce an event.
var issueActions = map[string]bool{"opened": true, "closed": true}

type wireRepo struct {
	ID       *int64 `json:"id"`
	FullName string `json:"full_name"`
	HTMLURL  string `json:"html_url"`
	Private  bool   `json:"private"`
	// created_at and pushed_at are deliberately not decoded: push payloads send
	// them as Unix seconds, every other event as RFC 3339 strings.
}

type wireUser struct {
	Login string `json:"login"`
}

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

type wirePush struct {
	Ref        string   `json:"ref"`
	Before     string   `json:"before"`
	After      string   `json:"after"`
	Created    bool     `json:"created"`
	Deleted    bool     `json:"deleted"`
	Forced     bool     `json:"forced"`
	Compare    string   `json:"compare"`
	Repository wireRepo `json:"repository"`
	Pusher     struct {
		Name string `json:"name"`
	} `json:"pusher"`
	Sender     wireUser     `json:"sender"`
	HeadCommit *wireCommit  `json:"head_commit"`
	Commits    []wireCommit `json:"commits"`
}

type wirePullRequest struct {
	Action      string   `json:"action"`
	Number      int64    `json:"number"`
	Repository  wireRepo `json:"repository"`
	Sender      wireUser `json:"sender"`
	PullRequest *struct {
		Number  int64    `json:"number"`
		Title   string   `json:"title"`
		State   string   `json:"state"`
		Draft   bool     `json:"draft"`
		Merged  bool     `json:"merged"`
		HTMLURL string   `json:"html_url"`
		User    wireUser `json:"user"`
		Head    struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
		CreatedAt *string `json:"created_at"`
		UpdatedAt *string `json:"updated_at"`
		ClosedAt  *string `json:"closed_at"`
		MergedAt  *string `json:"merged_at"`
	} `json:"pull_request"`
}

type wireIssues struct {
	Action     string   `json:"action"`
	Repository wireRepo `json:"repository"`
	Sender     wireUser `json:"sender"`
	Issue      *struct {
		Number      int64    `json:"number"`
		Title       string   `json:"title"`
		State       string   `json:"state"`
		StateReason *string  `json:"state_reason"`
		HTMLURL     string   `json:"html_url"`
		User        wireUser `json:"user"`
		Labels      []struct {
			Name string `json:"name"`
		} `json:"labels"`
		CreatedAt *string `json:"created_at"`
		UpdatedAt *string `json:"updated_at"`
		ClosedAt  *string `json:"closed_at"`
	} `json:"issue"`
}

// handlerErr reports a payload the handler cannot map; what names the field,
// never its value.
func handlerErr(eventType, what string) error {
	return fmt.Errorf("github %s: %s: %w", eventType, what, handlers.ErrMalformed)
}

func unmarshalPayload(in handlers.Input, v any) error {
	if err := json.Unmarshal(in.Payload, v); err != nil {
		return fmt.Errorf("github %s: decode payload: %w: %w", in.EventType, handlers.ErrMalformed, err)
	}
	return nil
}

// repository converts and checks the repository every handled event carries.
func repository(eventType string, r wireRepo) (events.Repository, error) {
	if !validFullName(r.FullName) {
		return events.Repository{}, handlerErr(eventType, "repository.full_name missing or not owner/name")
	}
	out := events.Repository{FullName: r.FullName, URL: events.URI(r.HTMLURL), Private: r.Private}
	if r.ID != nil {
		out.ID = strconv.FormatInt(*r.ID, 10)
	}
	return out, nil
}

func validFullName(s string) bool {
	slash := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			if slash >= 0 {
				return false
			}
			slash = i
		}
	}
	return slash > 0 && slash < len(s)-1
}

// validSHA accepts SHA-1 (40) and SHA-256 (64) object names in lower-case hex.
func validSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9') && !('a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// optionalTime parses an optional RFC 3339 timestamp into UTC.
func optionalTime(eventType, field string, s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		return time.Time{}, handlerErr(eventType, field+" is not an RFC 3339 time")
	}
	return t.UTC(), nil
}

func convertCommit(eventType string, c wireCommit) (events.Commit, error) {
	if !validSHA(c.ID) {
		return events.Commit{}, handlerErr(eventType, "commit id is not a SHA")
	}
	ts, err := optionalTime(eventType, "commit timestamp", &c.Timestamp)
	if err != nil {
		return events.Commit{}, err
	}
	return events.Commit{ID: c.ID, Message: c.Message, Timestamp: ts, URL: events.URI(c.URL),
		Author: c.Author.Name, AuthorUsername: c.Author.Username}, nil
}

func handlePush(in handlers.Input) ([]events.Event, error) {
	var p wirePush
	if err := unmarshalPayload(in, &p); err != nil {
		return nil, err
	}
	repo, err := repository(in.EventType, p.Repository)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Ref == "":
		return nil, handlerErr(in.EventType, "missing ref")
	case !validSHA(p.Before) || !validSHA(p.After):
		return nil, handlerErr(in.EventType, "before/after missing or not a SHA")
	}
	data := events.Push{
		Provider:   string(providers.GitHub),
		Repository: repo,
		Ref:        p.Ref,
		Before:     p.Before,
		After:      p.After,
		Created:    p.Created,
		Deleted:    p.Deleted,
		Forced:     p.Forced,
		Pusher:     p.Pusher.Name,
		Sender:     p.Sender.Login,
		CompareURL: events.URI(p.Compare),
		Commits:    make([]events.Commit, 0, len(p.Commits)),
	}
	for _, c := range p.Commits {
		cc, err := convertCommit(in.EventType, c)
		if err != nil {
			return nil, err
		}
		data.Commits = append(data.Commits, cc)
	}
	var at time.Time
	if p.HeadCommit != nil {
		hc, err := convertCommit(in.EventType, *p.HeadCommit)
		if err != nil {
			return nil, err
		}
		data.HeadCommit = &hc
		at = hc.Timestamp
	}
	ev, err := events.NewEvent(events.GitPush, repo.FullName, at, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

// validAction mirrors events.SchemaName: the action becomes part of the routing
// key, so it must be lower-case letters and underscores.
func validAction(a string) bool {
	if a == "" {
		return false
	}
	for i := 0; i < len(a); i++ {
		if !('a' <= a[i] && a[i] <= 'z') && a[i] != '_' {
			return false
		}
	}
	return true
}

func handlePullRequest(in handlers.Input) ([]events.Event, error) {
	var p wirePullRequest
	if err := unmarshalPayload(in, &p); err != nil {
		return nil, err
	}
	if !validAction(p.Action) {
		return nil, handlerErr(in.EventType, "action missing or not lower_snake_case")
	}
	repo, err := repository(in.EventType, p.Repository)
	if err != nil {
		return nil, err
	}
	pr := p.PullRequest
	switch {
	case pr == nil:
		return nil, handlerErr(in.EventType, "missing pull_request")
	case p.Number <= 0 && pr.Number <= 0:
		return nil, handlerErr(in.EventType, "missing number")
	case pr.State != "open" && pr.State != "closed":
		return nil, handlerErr(in.EventType, "pull_request.state is not open or closed")
	case pr.Head.Ref == "" || pr.Base.Ref == "":
		return nil, handlerErr(in.EventType, "missing head or base ref")
	case !validSHA(pr.Head.SHA):
		return nil, handlerErr(in.EventType, "pull_request.head.sha is not a SHA")
	}
	number := p.Number
	if number <= 0 {
		number = pr.Number
	}
	data := events.PullRequestData{
		Provider:   string(providers.GitHub),
		Action:     p.Action,
		Repository: repo,
		Number:     number,
		Title:      pr.Title,
		State:      pr.State,
		Draft:      pr.Draft,
		Merged:     pr.Merged,
		URL:        events.URI(pr.HTMLURL),
		Author:     pr.User.Login,
		Sender:     p.Sender.Login,
		HeadRef:    pr.Head.Ref,
		HeadSHA:    pr.Head.SHA,
		BaseRef:    pr.Base.Ref,
	}
	times := []struct {
		field string
		src   *string
		dst   *time.Time
	}{
		{"created_at", pr.CreatedAt, &data.CreatedAt},
		{"updated_at", pr.UpdatedAt, &data.UpdatedAt},
		{"closed_at", pr.ClosedAt, &data.ClosedAt},
		{"merged_at", pr.MergedAt, &data.MergedAt},
	}
	for _, tm := range times {
		if *tm.dst, err = optionalTime(in.EventType, "pull_request."+tm.field, tm.src); err != nil {
			return nil, err
		}
	}
	subject := repo.FullName + "#" + strconv.FormatInt(number, 10)
	ev, err := events.NewEvent(events.PullRequest(p.Action), subject, data.UpdatedAt, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

func handleIssues(in handlers.Input) ([]events.Event, error) {
	var p wireIssues
	if err := unmarshalPayload(in, &p); err != nil {
		return nil, err
	}
	if p.Action == "" {
		return nil, handlerErr(in.EventType, "missing action")
	}
	if !issueActions[p.Action] {
		// Edited, labeled, assigned…: known, deliberately not published.
		return nil, nil
	}
	repo, err := repository(in.EventType, p.Repository)
	if err != nil {
		return nil, err
	}
	is := p.Issue
	switch {
	case is == nil:
		return nil, handlerErr(in.EventType, "missing issue")
	case is.Number <= 0:
		return nil, handlerErr(in.EventType, "missing issue.number")
	case is.State != "open" && is.State != "closed":
		return nil, handlerErr(in.EventType, "issue.state is not open or closed")
	}
	data := events.IssueData{
		Provider:   string(providers.GitHub),
		Action:     p.Action,
		Repository: repo,
		Number:     is.Number,
		Title:      is.Title,
		State:      is.State,
		URL:        events.URI(is.HTMLURL),
		Author:     is.User.Login,
		Sender:     p.Sender.Login,
		Labels:     make([]string, 0, len(is.Labels)),
	}
	if is.StateReason != nil {
		data.StateReason = *is.StateReason
	}
	for _, l := range is.Labels {
		if l.Name == "" {
			return nil, handlerErr(in.EventType, "label without name")
		}
		data.Labels = append(data.Labels, l.Name)
	}
	times := []struct {
		field string
		src   *string
		dst   *time.Time
	}{
		{"created_at", is.CreatedAt, &data.CreatedAt},
		{"updated_at", is.UpdatedAt, &data.UpdatedAt},
		{"closed_at", is.ClosedAt, &data.ClosedAt},
	}
	for _, tm := range times {
		if *tm.dst, err = optionalTime(in.EventType, "issue."+tm.field, tm.src); err != nil {
			return nil, err
		}
	}
	subject := repo.FullName + "#" + strconv.FormatInt(is.Number, 10)
	ev, err := events.NewEvent(events.Issue(p.Action), subject, data.UpdatedAt, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

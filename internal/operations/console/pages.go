package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookgate/hookgate/store"
)

// localPath returns next when it is a path on this host, "/receipts"
// otherwise: a sign-in never redirects elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/receipts"
	}
	return next
}

func (c *Console) signInForm(w http.ResponseWriter, r *http.Request) {
	nonce := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: nonce, Path: "/sign-in", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 600})
	c.render(w, r, "signin", http.StatusOK, map[string]any{"CSRF": nonce, "Next": localPath(r.URL.Query().Get("next"))})
}

func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	lc, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), lc.Value) {
		http.Error(w, "missing or wrong CSRF token: reload the sign-in page", http.StatusForbidden)
		return
	}
	tok, ok := c.token(r.PostFormValue("token"))
	if !ok {
		nonce := randomToken()
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: nonce, Path: "/sign-in", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 600})
		c.render(w, r, "signin", http.StatusUnauthorized, map[string]any{"CSRF": nonce, "Next": localPath(r.PostFormValue("next")),
			"Error": "That is not an admin token."})
		return
	}
	name := tok.name
	id, se := c.sessions.create(tok)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, Expires: se.expires})
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/sign-in", MaxAge: -1})
	c.o.Logger.Info("console sign-in", "actor", name, "remote", r.RemoteAddr)
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, se session) {
	c.sessions.end(r)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.o.Logger.Info("console sign-out", "actor", se.actor)
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

// base is the data every signed-in page has.
func base(se session, title string) map[string]any {
	return map[string]any{"Actor": se.actor, "CSRF": se.csrf, "Title": title, "CanReplayAny": se.replay}
}

func (c *Console) receipts(w http.ResponseWriter, r *http.Request, se session) {
	q := r.URL.Query()
	f := store.Filter{Source: q.Get("source"), Status: store.Status(q.Get("status")), EventType: q.Get("event_type"),
		EventID: q.Get("event_id"), Text: q.Get("q"), Cursor: q.Get("cursor"), Limit: 50}
	if f.Status != "" && !f.Status.Valid() {
		c.fail(w, r, fmt.Errorf("%w: unknown status %q", store.ErrInvalid, f.Status))
		return
	}
	page, err := c.o.Store.ListReceipts(r.Context(), f)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := base(se, "Receipts")
	d["Filter"] = f
	// Live: the first page reloads itself every few seconds (no script; a
	// later page keeps still so that paging works).
	if q.Get("live") == "1" && f.Cursor == "" {
		d["Refresh"] = "5"
		d["Live"] = true
	}
	live := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "live" {
			live[k] = vs
		}
	}
	if q.Get("live") != "1" {
		live.Set("live", "1")
	}
	d["LiveToggle"] = "/receipts?" + live.Encode()
	d["Statuses"] = statuses
	d["Receipts"] = page.Receipts
	if page.Next != "" {
		next := url.Values{}
		for k, vs := range q {
			if k != "cursor" {
				next[k] = vs
			}
		}
		next.Set("cursor", page.Next)
		d["Next"] = "/receipts?" + next.Encode()
	}
	c.render(w, r, "receipts", http.StatusOK, d)
}

func (c *Console) receipt(w http.ResponseWriter, r *http.Request, se session) {
	id := r.PathValue("id")
	rc, err := c.o.Store.Receipt(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	attempts, err := c.o.Store.Attempts(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	evs, err := c.o.Store.Events(r.Context(), store.EventFilter{ReceiptID: id, Limit: 1000})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	replays, err := c.o.Store.Replays(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := base(se, "Receipt "+rc.ID)
	d["R"] = rc
	d["Attempts"] = attempts
	d["Events"] = evs
	d["Replays"] = replays
	d["Bodies"] = se.bodies
	d["CanReplay"] = se.replay && rc.Status.Terminal()
	if se.bodies {
		d["Headers"] = redact(rc.Header)
		d["Body"] = renderBody(rc.ContentType, rc.Body)
	}
	d["Timeline"] = timeline(rc)
	if c.o.TemporalUI != "" && rc.WorkflowID != "" {
		d["WorkflowURL"] = strings.TrimSuffix(c.o.TemporalUI, "/") + "/namespaces/" + url.PathEscape(c.o.Namespace) +
			"/workflows/" + url.PathEscape(rc.WorkflowID)
	}
	c.render(w, r, "receipt", http.StatusOK, d)
}

func (c *Console) rejected(w http.ResponseWriter, r *http.Request, se session) {
	recs, err := c.o.Store.ListAudit(r.Context(), store.AuditFilter{Source: r.URL.Query().Get("source"), Outcome: store.OutcomeRejected, Limit: 200})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := base(se, "Rejected requests")
	d["Records"] = recs
	d["Source"] = r.URL.Query().Get("source")
	c.render(w, r, "rejected", http.StatusOK, d)
}

// statuses are the receipt statuses the filter offers, in lifecycle order.
var statuses = []store.Status{store.StatusVerified, store.StatusQueued, store.StatusProcessing, store.StatusRetrying,
	store.StatusCompleted, store.StatusUnhandled, store.StatusDead}

// step is one point of a receipt's status timeline.
type step struct {
	Name  string
	At    time.Time
	After time.Duration // since the receipt was received
}

func timeline(r store.Receipt) []step {
	out := []step{{Name: "received", At: r.ReceivedAt}}
	for _, s := range []struct {
		name string
		at   time.Time
	}{{"queued", r.QueuedAt}, {"processing", r.StartedAt}, {string(r.Status), r.CompletedAt}} {
		if !s.at.IsZero() {
			out = append(out, step{Name: s.name, At: s.at, After: s.at.Sub(r.ReceivedAt)})
		}
	}
	return out
}

// secretHeaders are shown as "redacted" whatever the store kept.
var secretHeaders = []string{"Authorization", "Cookie", "Proxy-Authorization", "X-Api-Key", "X-Auth-Token", "X-Gitlab-Token"}

// header is one stored header line for display.
type header struct{ Name, Value string }

func redact(h map[string][]string) []header {
	var out []header
	for name, vs := range h {
		for _, v := range vs {
			if slices.ContainsFunc(secretHeaders, func(s string) bool { return strings.EqualFold(s, name) }) {
				v = "(redacted)"
			}
			out = append(out, header{Name: name, Value: v})
		}
	}
	slices.SortStableFunc(out, func(a, b header) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// body is a stored body ready for display: pretty JSON, a form's fields, or
// the text as received (escaped by the template like everything else).
type body struct {
	Kind   string // "json", "form", "text" or "binary"
	Text   string
	Fields []header
	Size   int
}

func renderBody(contentType string, b []byte) body {
	out := body{Size: len(b)}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case !utf8.Valid(b):
		out.Kind = "binary"
		return out
	case mt == "application/x-www-form-urlencoded":
		if form, err := url.ParseQuery(string(b)); err == nil {
			out.Kind = "form"
			for k, vs := range form {
				for _, v := range vs {
					out.Fields = append(out.Fields, header{Name: k, Value: v})
				}
			}
			slices.SortStableFunc(out.Fields, func(a, b header) int { return strings.Compare(a.Name, b.Name) })
			return out
		}
	case json.Valid(b):
		var buf bytes.Buffer
		if json.Indent(&buf, b, "", "  ") == nil {
			out.Kind, out.Text = "json", buf.String()
			return out
		}
	}
	out.Kind, out.Text = "text", string(b)
	return out
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
	},
	"dur": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}

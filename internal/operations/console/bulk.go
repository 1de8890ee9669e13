package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/store"
)

// BulkReplays runs bulk replays (runs.BulkReplays, a Temporal workflow).
type BulkReplays interface {
	Start(ctx context.Context, in runs.BulkReplayInput) (string, error)
	Progress(ctx context.Context, id string) (runs.BulkReplayProgress, string, error)
	Cancel(ctx context.Context, id string) error
	List(ctx context.Context, n int) ([]runs.BulkReplaySummary, error)
}

// bulkForm is the bulk replay form's filter, as typed.
type bulkForm struct {
	Source, Status, EventType, Since, Until, Reason string
}

func readBulkForm(r *http.Request) bulkForm {
	v := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	return bulkForm{Source: v("source"), Status: v("status"), EventType: v("event_type"), Since: v("since"), Until: v("until"), Reason: v("reason")}
}

// filter is the form's replay filter; until defaults to now, so receipts
// arriving during the replay are not swept in.
func (f bulkForm) filter(now time.Time) (runs.ReplayFilter, error) {
	st := store.Status(f.Status)
	if st != "" && !st.Valid() {
		return runs.ReplayFilter{}, fmt.Errorf("%w: unknown status %q", store.ErrInvalid, f.Status)
	}
	since, err := runs.ParseWhen(f.Since, "since", now)
	if err != nil {
		return runs.ReplayFilter{}, err
	}
	until, err := runs.ParseWhen(f.Until, "until", now)
	if err != nil {
		return runs.ReplayFilter{}, err
	}
	if until.IsZero() {
		until = now
	}
	return runs.ReplayFilter{Source: f.Source, Status: st, EventType: f.EventType, Since: since, Until: until}, nil
}

// bulk is the Bulk replay screen: the form and the past bulk replays.
func (c *Console) bulk(w http.ResponseWriter, r *http.Request, se session) {
	d := base(se, "Bulk replay")
	d["Form"] = bulkForm{Status: string(store.StatusDead)}
	d["Statuses"] = statuses
	c.bulkPage(w, r, d, http.StatusOK)
}

func (c *Console) bulkPage(w http.ResponseWriter, r *http.Request, d map[string]any, status int) {
	d["Available"] = c.o.BulkReplays != nil
	if c.o.BulkReplays != nil {
		past, err := c.o.BulkReplays.List(r.Context(), 20)
		if err != nil {
			c.o.Logger.Warn("console: list bulk replays", "err", err)
			d["PastError"] = "the list of past bulk replays is unavailable"
		}
		d["Past"] = past
	}
	c.render(w, r, "bulk", status, d)
}

// bulkPost counts what the form matches (action=count, changing nothing) or
// starts the bulk replay (action=run, the replay scope and a reason needed).
func (c *Console) bulkPost(w http.ResponseWriter, r *http.Request, se session) {
	form := readBulkForm(r)
	d := base(se, "Bulk replay")
	d["Form"], d["Statuses"] = form, statuses
	f, err := form.filter(c.o.Now())
	if err != nil {
		d["Error"] = err.Error()
		c.bulkPage(w, r, d, http.StatusBadRequest)
		return
	}
	switch r.FormValue("action") {
	case "count":
		n, err := runs.CountMatching(r.Context(), c.o.Store, f)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		d["Matched"], d["Counted"] = n, true
		c.bulkPage(w, r, d, http.StatusOK)
	case "run":
		switch {
		case !se.replay:
			http.Error(w, "your token lacks the replay scope", http.StatusForbidden)
			return
		case form.Reason == "" || len(form.Reason) > 1000:
			d["Error"] = "a bulk replay needs a reason (at most 1000 bytes)"
			c.bulkPage(w, r, d, http.StatusBadRequest)
			return
		case c.o.BulkReplays == nil:
			http.Error(w, "bulk replay needs Temporal", http.StatusServiceUnavailable)
			return
		}
		id, err := c.o.BulkReplays.Start(r.Context(), runs.BulkReplayInput{Filter: f, Actor: se.actor, Reason: form.Reason})
		if err != nil {
			c.o.Logger.Error("console: start bulk replay", "err", err)
			http.Error(w, "the bulk replay did not start", http.StatusServiceUnavailable)
			return
		}
		c.o.Logger.Info("bulk replay started from the console", "id", id, "actor", se.actor)
		http.Redirect(w, r, "/bulk/progress?id="+url.QueryEscape(id), http.StatusSeeOther)
	default:
		http.Error(w, "unknown action", http.StatusBadRequest)
	}
}

// bulkProgress shows a bulk replay's progress, reloading itself while it runs.
func (c *Console) bulkProgress(w http.ResponseWriter, r *http.Request, se session) {
	id := r.URL.Query().Get("id")
	if c.o.BulkReplays == nil || !strings.HasPrefix(id, "bulk-replay/") {
		c.fail(w, r, errNotFound)
		return
	}
	p, status, err := c.o.BulkReplays.Progress(r.Context(), id)
	if err != nil && status == "" {
		if errors.Is(err, runs.ErrUnknownReplay) {
			c.fail(w, r, errNotFound)
			return
		}
		c.fail(w, r, err)
		return
	}
	d := base(se, "Bulk replay")
	d["ID"], d["P"], d["Status"] = id, p, status
	percent := 0
	if p.Matched > 0 {
		percent = 100 * (p.Replayed + p.Failed) / p.Matched
	}
	if p.Done {
		percent = 100
	}
	d["Percent"] = percent
	if status == "Running" {
		d["Refresh"] = "2"
	}
	c.render(w, r, "bulkprogress", http.StatusOK, d)
}

// bulkCancel asks a running bulk replay to stop.
func (c *Console) bulkCancel(w http.ResponseWriter, r *http.Request, se session) {
	id := r.PostFormValue("id")
	switch {
	case !se.replay:
		http.Error(w, "your token lacks the replay scope", http.StatusForbidden)
		return
	case c.o.BulkReplays == nil || !strings.HasPrefix(id, "bulk-replay/"):
		c.fail(w, r, errNotFound)
		return
	}
	if err := c.o.BulkReplays.Cancel(r.Context(), id); err != nil {
		c.fail(w, r, err)
		return
	}
	c.o.Logger.Info("bulk replay cancelled from the console", "id", id, "actor", se.actor)
	http.Redirect(w, r, "/bulk/progress?id="+url.QueryEscape(id), http.StatusSeeOther)
}

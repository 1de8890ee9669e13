package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/store"
)

// deadLimit bounds the dead receipts the Dead letters screen groups; more
// are reached through the receipts list (status dead) or a bulk replay.
const deadLimit = 500

// maxReplaySelection bounds the receipts one form replays.
const maxReplaySelection = 500

// deadGroup is the dead receipts of one source that failed with one error.
type deadGroup struct {
	Source, Error string
	Receipts      []store.Receipt
}

// dead is the Dead letters screen: dead receipts grouped by source and error.
func (c *Console) dead(w http.ResponseWriter, r *http.Request, se session) {
	page, err := c.o.Store.ListReceipts(r.Context(), store.Filter{Status: store.StatusDead, Source: r.URL.Query().Get("source"), Limit: deadLimit})
	if err != nil {
		c.fail(w, r, err)
		return
	}
	var groups []deadGroup
	for _, rc := range page.Receipts {
		i := slices.IndexFunc(groups, func(g deadGroup) bool { return g.Source == rc.Source && g.Error == rc.LastError })
		if i < 0 {
			groups = append(groups, deadGroup{Source: rc.Source, Error: rc.LastError})
			i = len(groups) - 1
		}
		groups[i].Receipts = append(groups[i].Receipts, rc)
	}
	slices.SortStableFunc(groups, func(a, b deadGroup) int {
		if a.Source != b.Source {
			return strings.Compare(a.Source, b.Source)
		}
		return len(b.Receipts) - len(a.Receipts)
	})
	d := base(se, "Dead letters")
	d["Groups"] = groups
	d["More"] = page.Next != ""
	c.render(w, r, "dead", http.StatusOK, d)
}

// replayOutcome is one receipt's result on the replayed page.
type replayOutcome struct {
	ID, Source, EventID, Result string
	OK                          bool
}

// replay replays the receipts named by the form's id fields, each once,
// recording the session's actor and the form's reason, which is required.
func (c *Console) replay(w http.ResponseWriter, r *http.Request, se session) {
	if !se.replay {
		http.Error(w, "your token lacks the replay scope", http.StatusForbidden)
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	ids := slices.Compact(slices.Sorted(slices.Values(r.PostForm["id"])))
	switch {
	case reason == "":
		http.Error(w, "a replay needs a reason", http.StatusBadRequest)
		return
	case len(reason) > 1000:
		http.Error(w, "reason longer than 1000 bytes", http.StatusBadRequest)
		return
	case len(ids) == 0:
		http.Error(w, "select at least one receipt", http.StatusBadRequest)
		return
	case len(ids) > maxReplaySelection:
		http.Error(w, fmt.Sprintf("at most %d receipts at once: use a bulk replay", maxReplaySelection), http.StatusBadRequest)
		return
	}
	var out []replayOutcome
	for _, id := range ids {
		o := replayOutcome{ID: id}
		rc, err := c.o.Store.Receipt(r.Context(), id)
		if err == nil {
			o.Source, o.EventID = rc.Source, rc.EventID
			_, err = relay.Replay(r.Context(), c.o.Store, c.o.Starter, rc, store.Replay{At: c.o.Now(), Actor: se.actor, Reason: reason}, store.ModeResume)
		}
		switch {
		case err == nil:
			o.OK, o.Result = true, "started"
		case errors.Is(err, relay.ErrNotStarted):
			o.OK, o.Result = true, "requeued: the relay starts it"
		case errors.Is(err, store.ErrConflict):
			o.Result = "refused: its run has not ended"
		case errors.Is(err, store.ErrNotFound):
			o.Result = "no such receipt"
		default:
			c.o.Logger.Error("console replay failed", "receipt_id", id, "err", err)
			o.Result = "failed"
		}
		if o.OK {
			c.o.Logger.Info("receipt replayed from the console", "receipt_id", id, "actor", se.actor)
		}
		out = append(out, o)
	}
	d := base(se, "Replayed")
	d["Outcomes"] = out
	d["Reason"] = reason
	c.render(w, r, "replayed", http.StatusOK, d)
}

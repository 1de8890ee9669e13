package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/store"
)

// BulkReplayer runs bulk replays (runs.BulkReplays).
type BulkReplayer interface {
	Start(ctx context.Context, in runs.BulkReplayInput) (string, error)
	Progress(ctx context.Context, id string) (runs.BulkReplayProgress, string, error)
	Cancel(ctx context.Context, id string) error
}

type bulkRequest struct {
	Source    string       `json:"source"`
	Status    store.Status `json:"status"`
	EventType string       `json:"event_type"`
	Since     string       `json:"since"`
	Until     string       `json:"until"`
	DryRun    bool         `json:"dry_run"`
	PerSecond int          `json:"per_second"`
	Reason    string       `json:"reason"`
	// Mode is resume (default) or redo (store.ReplayMode).
	Mode store.ReplayMode `json:"mode"`
}

// checkMode accepts a replay mode, or none (relay.Replay then resumes).
func checkMode(m store.ReplayMode) error {
	if m != "" && !m.Valid() {
		return fmt.Errorf("%w: mode must be resume (finish what is unfinished) or redo (run the handler again and publish its new output)", errBadRequest)
	}
	return nil
}

// startBulkReplay handles POST /v1/replays. A dry run counts the matching receipts
// and changes nothing; a real run starts a BulkReplay workflow and returns its ID.
func (a *API) startBulkReplay(c *gin.Context) {
	var req bulkRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		a.fail(c, fmt.Errorf("%w: body must be a JSON object (source, status, event_type, since, until, dry_run, per_second, reason)", errBadRequest))
		return
	}
	if req.Status != "" && !req.Status.Valid() {
		a.fail(c, fmt.Errorf("%w: unknown status %q", errBadRequest, req.Status))
		return
	}
	if err := checkMode(req.Mode); err != nil {
		a.fail(c, err)
		return
	}
	if req.PerSecond < 0 || req.PerSecond > 10_000 || len(req.Reason) > 1000 {
		a.fail(c, fmt.Errorf("%w: per_second must be 0..10000 and reason at most 1000 bytes", errBadRequest))
		return
	}
	now := a.o.Now()
	since, err := runs.ParseWhen(req.Since, "since", now)
	if err != nil {
		a.fail(c, err)
		return
	}
	until, err := runs.ParseWhen(req.Until, "until", now)
	if err != nil {
		a.fail(c, err)
		return
	}
	if until.IsZero() {
		until = now // receipts arriving during the replay are not swept in
	}
	f := runs.ReplayFilter{Source: req.Source, Status: req.Status, EventType: req.EventType, Since: since, Until: until}
	if req.DryRun {
		n, err := runs.CountMatching(c.Request.Context(), a.o.Store, f)
		if err != nil {
			a.fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"dry_run": true, "matched": n})
		return
	}
	if a.o.BulkReplays == nil {
		a.fail(c, fmt.Errorf("%w: bulk replay needs Temporal", errUnavailable))
		return
	}
	id, err := a.o.BulkReplays.Start(c.Request.Context(), runs.BulkReplayInput{
		Filter: f, PerSecond: req.PerSecond, Actor: c.GetString(actorKey), Reason: req.Reason, Mode: req.Mode,
	})
	if err != nil {
		a.fail(c, fmt.Errorf("%w: %w", errUnavailable, err))
		return
	}
	a.o.Logger.Info("bulk replay started", "replay_id", id, "actor", c.GetString(actorKey))
	c.JSON(http.StatusAccepted, gin.H{"id": id})
}

func (a *API) bulkReplayProgress(c *gin.Context) {
	if a.o.BulkReplays == nil {
		a.fail(c, fmt.Errorf("%w: bulk replay needs Temporal", errUnavailable))
		return
	}
	id := "bulk-replay/" + c.Param("id")
	p, status, err := a.o.BulkReplays.Progress(c.Request.Context(), id)
	if err != nil {
		if errors.Is(err, runs.ErrUnknownReplay) {
			a.fail(c, fmt.Errorf("%w: %s", store.ErrNotFound, id))
			return
		}
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "status": status, "progress": p})
}

func (a *API) cancelBulkReplay(c *gin.Context) {
	if a.o.BulkReplays == nil {
		a.fail(c, fmt.Errorf("%w: bulk replay needs Temporal", errUnavailable))
		return
	}
	id := "bulk-replay/" + c.Param("id")
	if err := a.o.BulkReplays.Cancel(c.Request.Context(), id); err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"id": id, "status": "cancel requested"})
}

package admin

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/store"
)

// StatsStore is what GET /v1/stats needs from the store.
type StatsStore interface {
	Stats(ctx context.Context, f store.StatsFilter) ([]store.StatusStats, error)
}

// DefaultStatsWindow is the range /v1/stats covers when since is not given.
const DefaultStatsWindow = 24 * time.Hour

// StatusStatsView is one status's line of a source's statistics. Processing
// times are in seconds, over the receipts that reached a terminal status.
type StatusStatsView struct {
	Status               store.Status `json:"status"`
	Count                int          `json:"count"`
	Processed            int          `json:"processed"`
	AvgProcessingSeconds float64      `json:"avg_processing_seconds"`
	P95ProcessingSeconds float64      `json:"p95_processing_seconds"`
}

// SourceStatsView is one source's statistics. ErrorRate is the share of the
// source's receipts that are dead (exhausted their retries), 0 without receipts.
type SourceStatsView struct {
	Source    string            `json:"source"`
	Total     int               `json:"total"`
	Dead      int               `json:"dead"`
	ErrorRate float64           `json:"error_rate"`
	Statuses  []StatusStatsView `json:"statuses"`
}

// StatsView is the answer of GET /v1/stats.
type StatsView struct {
	Since   time.Time         `json:"since"`
	Until   *time.Time        `json:"until,omitempty"`
	Sources []SourceStatsView `json:"sources"`
}

// stats serves GET /v1/stats?since=&until=&source=: receipts received in the
// range, per source and status.
func (a *API) stats(c *gin.Context) {
	if a.o.Stats == nil {
		a.fail(c, fmt.Errorf("%w: statistics are not available with this store", store.ErrNotFound))
		return
	}
	f := store.StatsFilter{Source: c.Query("source")}
	if f.Source != "" && !config.ValidSourceName(f.Source) {
		a.fail(c, fmt.Errorf("%w: invalid source name", errBadRequest))
		return
	}
	var err error
	if f.Since, err = parseTime(c, "since"); err != nil {
		a.fail(c, err)
		return
	}
	if f.Until, err = parseTime(c, "until"); err != nil {
		a.fail(c, err)
		return
	}
	if f.Since.IsZero() {
		f.Since = a.o.Now().Add(-DefaultStatsWindow)
	}
	if !f.Until.IsZero() && !f.Until.After(f.Since) {
		a.fail(c, fmt.Errorf("%w: until must be after since", errBadRequest))
		return
	}
	rows, err := a.o.Stats.Stats(c.Request.Context(), f)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, StatsView{Since: f.Since, Until: opt(f.Until), Sources: summarize(rows)})
}

// summarize groups the store's rows (ordered by source) per source.
func summarize(rows []store.StatusStats) []SourceStatsView {
	out := []SourceStatsView{}
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Source != r.Source {
			out = append(out, SourceStatsView{Source: r.Source, Statuses: []StatusStatsView{}})
		}
		s := &out[len(out)-1]
		s.Total += r.Count
		if r.Status == store.StatusDead {
			s.Dead += r.Count
		}
		s.Statuses = append(s.Statuses, StatusStatsView{
			Status: r.Status, Count: r.Count, Processed: r.Processed,
			AvgProcessingSeconds: r.AvgProcessing.Seconds(), P95ProcessingSeconds: r.P95Processing.Seconds(),
		})
	}
	for i := range out {
		if out[i].Total > 0 {
			out[i].ErrorRate = float64(out[i].Dead) / float64(out[i].Total)
		}
	}
	return out
}

package console

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hookgate/hookgate/store"
)

// window is one source's figures over one period of the Overview.
type window struct {
	Received, Completed, Unhandled, Dead, Backlog int
	P95                                           time.Duration
	Rejected                                      int
	// ByReason counts the rejected requests per reason, most frequent first.
	ByReason []reasonCount
	// ErrorRate is dead and rejected over everything the source was sent.
	ErrorRate float64
}

type reasonCount struct {
	Reason string
	Count  int
}

// sourceRow is one source's line of the Overview.
type sourceRow struct {
	Source       string
	Hour, Day    window
	LastReceived time.Time
	Alerts       []string
}

// overviewAuditLimit bounds the rejected requests the Overview reads per
// period: a flood is reported as "at least" this many.
const overviewAuditLimit = 1000

// overview is the Overview screen: per source, the last hour and day.
func (c *Console) overview(w http.ResponseWriter, r *http.Request, se session) {
	now := c.o.Now()
	rows := map[string]*sourceRow{}
	row := func(src string) *sourceRow {
		if rows[src] == nil {
			rows[src] = &sourceRow{Source: src}
		}
		return rows[src]
	}
	for _, s := range c.o.Sources {
		row(s.Name)
	}
	for _, p := range []struct {
		since time.Duration
		pick  func(*sourceRow) *window
	}{{time.Hour, func(s *sourceRow) *window { return &s.Hour }}, {24 * time.Hour, func(s *sourceRow) *window { return &s.Day }}} {
		stats, err := c.o.Store.Stats(r.Context(), store.StatsFilter{Since: now.Add(-p.since)})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for _, st := range stats {
			win := p.pick(row(st.Source))
			win.Received += st.Count
			switch {
			case st.Status == store.StatusCompleted:
				win.Completed += st.Count
			case st.Status == store.StatusUnhandled:
				win.Unhandled += st.Count
			case st.Status == store.StatusDead:
				win.Dead += st.Count
			case !st.Status.Terminal():
				win.Backlog += st.Count
			}
			win.P95 = max(win.P95, st.P95Processing)
		}
		recs, err := c.o.Store.ListAudit(r.Context(), store.AuditFilter{Outcome: store.OutcomeRejected, Since: now.Add(-p.since), Limit: overviewAuditLimit})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		counts := map[string]map[string]int{}
		for _, rec := range recs {
			if counts[rec.Source] == nil {
				counts[rec.Source] = map[string]int{}
			}
			counts[rec.Source][rec.Reason]++
		}
		for src, byReason := range counts {
			win := p.pick(row(src))
			for reason, n := range byReason {
				win.Rejected += n
				win.ByReason = append(win.ByReason, reasonCount{Reason: reason, Count: n})
			}
			slices.SortFunc(win.ByReason, func(a, b reasonCount) int {
				if a.Count != b.Count {
					return b.Count - a.Count
				}
				return strings.Compare(a.Reason, b.Reason)
			})
		}
	}
	var out []sourceRow
	for _, s := range rows {
		for _, win := range []*window{&s.Hour, &s.Day} {
			if total := win.Received + win.Rejected; total > 0 {
				win.ErrorRate = float64(win.Dead+win.Rejected) / float64(total)
			}
		}
		page, err := c.o.Store.ListReceipts(r.Context(), store.Filter{Source: s.Source, Limit: 1})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		if len(page.Receipts) > 0 {
			s.LastReceived = page.Receipts[0].ReceivedAt
		}
		s.Alerts = alerts(s, now)
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b sourceRow) int { return strings.Compare(a.Source, b.Source) })
	d := base(se, "Overview")
	d["Sources"] = out
	d["Now"] = now
	c.render(w, r, "overview", http.StatusOK, d)
}

// alerts are the Overview's warnings for a source: what an operator should
// look at first.
func alerts(s *sourceRow, now time.Time) []string {
	var out []string
	if s.Hour.Received+s.Hour.Rejected >= 10 && s.Hour.ErrorRate >= 0.1 {
		out = append(out, "error rate above 10% in the last hour")
	}
	if s.Hour.Dead > 0 {
		out = append(out, "dead letters in the last hour")
	}
	if s.Day.Received > 0 && s.Hour.Received == 0 && now.Sub(s.LastReceived) > time.Hour {
		out = append(out, "no webhook for over an hour")
	}
	return out
}

// sources is the Sources screen.
func (c *Console) sources(w http.ResponseWriter, r *http.Request, se session) {
	d := base(se, "Sources")
	d["Sources"] = c.o.Sources
	c.render(w, r, "sources", http.StatusOK, d)
}

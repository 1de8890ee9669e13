package chaos

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/hookgate/hookgate/bench/load"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/store"
)

// line is one row of the books: a figure, and when the design fixes it, the
// figure it must equal.
type line struct {
	name  string
	got   int
	want  int
	check bool
}

// books are the counts printed after each fault.
type books struct {
	lines []line
	notes []string
}

func (b *books) info(name string, got int) { b.lines = append(b.lines, line{name: name, got: got}) }
func (b *books) must(name string, got, want int) {
	b.lines = append(b.lines, line{name: name, got: got, want: want, check: true})
}

// report prints the table and fails t on every mismatch.
func (b *books) report(t *testing.T, title string) {
	t.Helper()
	var sb strings.Builder
	fmt.Fprintf(&sb, "books after %s:\n", title)
	bad := 0
	for _, l := range b.lines {
		switch {
		case !l.check:
			fmt.Fprintf(&sb, "  %-58s %8d\n", l.name, l.got)
		case l.got == l.want:
			fmt.Fprintf(&sb, "  %-58s %8d  ok\n", l.name, l.got)
		default:
			bad++
			fmt.Fprintf(&sb, "  %-58s %8d  MISMATCH: want %d\n", l.name, l.got, l.want)
		}
	}
	for _, n := range b.notes {
		fmt.Fprintf(&sb, "  note: %s\n", n)
	}
	t.Log(sb.String())
	if bad > 0 {
		t.Errorf("%s: %d figures of the books do not balance (see the table)", title, bad)
	}
}

// receipt is a receipt's row as the books need it.
type receiptRow struct {
	id, eventID string
	status      store.Status
}

func (s *stack) receipts(ctx context.Context) (map[string]receiptRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, event_id, status FROM receipts WHERE source = 'github'`)
	if err != nil {
		return nil, fmt.Errorf("receipts: %w", err)
	}
	defer rows.Close()
	out := map[string]receiptRow{}
	for rows.Next() {
		var r receiptRow
		if err := rows.Scan(&r.id, &r.eventID, &r.status); err != nil {
			return nil, fmt.Errorf("receipts: %w", err)
		}
		out[r.eventID] = r
	}
	return out, rows.Err()
}

// eventRow is a normalized event: its message ID, receipt and publication.
type eventRow struct {
	id, receiptID string
	published     bool
}

func (s *stack) events(ctx context.Context) ([]eventRow, error) {
	rows, err := s.db.Query(ctx, `SELECT id, receipt_id, published_at IS NOT NULL FROM events`)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	defer rows.Close()
	var out []eventRow
	for rows.Next() {
		var e eventRow
		if err := rows.Scan(&e.id, &e.receiptID, &e.published); err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func terminal(st store.Status) bool {
	return st == store.StatusCompleted || st == store.StatusDead || st == store.StatusUnhandled
}

// settle waits until every receipt is terminal and every event's message has
// reached the consumer, or the deadline passes; it returns what is missing.
// Progress is logged every progressEvery.
func (s *stack) settle(within time.Duration) string {
	const progressEvery = 30 * time.Second
	deadline := time.Now().Add(within)
	next := time.Now().Add(progressEvery)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		why := s.missing(ctx)
		cancel()
		if why == "" || time.Now().After(deadline) {
			return why
		}
		if time.Now().After(next) {
			s.t.Logf("settling: %s", why)
			next = time.Now().Add(progressEvery)
		}
		time.Sleep(time.Second)
	}
}

func (s *stack) missing(ctx context.Context) string {
	rs, err := s.receipts(ctx)
	if err != nil {
		return err.Error()
	}
	open := 0
	for _, r := range rs {
		if !terminal(r.status) {
			open++
		}
	}
	es, err := s.events(ctx)
	if err != nil {
		return err.Error()
	}
	seen := s.consumer.seen()
	unseen := 0
	for _, e := range es {
		if seen[e.id] == 0 {
			unseen++
		}
	}
	if open == 0 && unseen == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d receipts not finished, %d of %d messages not consumed", open, len(rs), unseen, len(es))
}

// workflowRuns lists every ProcessWebhook run by workflow ID, with the status
// of each run.
func (s *stack) workflowRuns(ctx context.Context) (map[string][]enumspb.WorkflowExecutionStatus, error) {
	c, err := s.temporalClient()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := map[string][]enumspb.WorkflowExecutionStatus{}
	var token []byte
	for {
		// Small pages, each tried a few times: on the SQLite visibility store a
		// page of 10,000 runs can outlast the client's RPC deadline.
		var resp *workflowservice.ListWorkflowExecutionsResponse
		for try := 0; ; try++ {
			resp, err = c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
				PageSize: 200, NextPageToken: token, Query: fmt.Sprintf("WorkflowType = %q", runs.Name)})
			if err == nil {
				break
			}
			if try == 4 || ctx.Err() != nil {
				return nil, fmt.Errorf("list workflows: %w", err)
			}
			time.Sleep(time.Second)
		}
		for _, e := range resp.Executions {
			id := e.GetExecution().GetWorkflowId()
			out[id] = append(out[id], e.GetStatus())
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return out, nil
		}
	}
}

// balance computes the books of one fault run and fails t on any mismatch.
// extra lines (fault-specific checks) are added to the table.
func (s *stack) balance(t *testing.T, title string, snd *sender, extra func(*books)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var b books
	answers, pending := snd.results()

	// What was sent, and how it was answered.
	valid, forged := map[string]bool{}, map[string]bool{}
	kinds := map[load.Kind]int{}
	for _, d := range snd.plan {
		kinds[d.kind]++
		if d.kind == load.Forged {
			forged[d.id] = true
		} else {
			valid[d.id] = true
		}
	}
	var accepted, duplicate, unauthorized, unavailable, connErr, other, retries int
	acceptedPer := map[string]int{}
	acked := map[string]map[string]bool{} // event ID → receipt IDs named by its 2xx answers
	lastForged := map[int]int{}           // forged delivery → status of its last answer
	var forged2xx int
	for _, a := range answers {
		d := snd.plan[a.delivery]
		if a.retry {
			retries++
		}
		switch {
		case a.status == 0:
			connErr++
		case a.status/100 == 2 && a.outcome == "duplicate":
			duplicate++
		case a.status/100 == 2:
			accepted++
			acceptedPer[d.id]++
		case a.status == http.StatusUnauthorized:
			unauthorized++
		case a.status == http.StatusServiceUnavailable:
			unavailable++
		default:
			other++
		}
		if a.status/100 == 2 {
			if d.kind == load.Forged {
				forged2xx++
			}
			if acked[d.id] == nil {
				acked[d.id] = map[string]bool{}
			}
			acked[d.id][a.receiptID] = true
		}
		if d.kind == load.Forged && a.status != 0 {
			if prev, ok := lastForged[a.delivery]; !ok || final(a.status) || !final(prev) {
				lastForged[a.delivery] = a.status
			}
		}
	}
	b.info("deliveries planned: fresh", kinds[load.Fresh])
	b.info("deliveries planned: duplicate (resend of an earlier event)", kinds[load.Duplicate])
	b.info("deliveries planned: forged", kinds[load.Forged])
	b.info("requests sent (first tries + retries)", len(answers))
	b.info("  of which retries of a 503 or a connection error", retries)
	b.info("answered 2xx accepted", accepted)
	b.info("answered 2xx duplicate", duplicate)
	b.info("answered 401", unauthorized)
	b.info("answered 503", unavailable)
	b.info("connection errors", connErr)
	b.must("answered anything else", other, 0)
	b.must("deliveries without a final answer after retries", pending, 0)

	rs, err := s.receipts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Every 2xx is in the store, under the receipt ID it named.
	noCommit := 0
	for id, ids := range acked {
		r, ok := rs[id]
		for rid := range ids {
			if !ok || rid != r.id {
				noCommit++
			}
		}
	}
	twice := 0
	for _, n := range acceptedPer {
		if n > 1 {
			twice++
		}
	}
	b.info("unique valid events sent", len(valid))
	b.must("unique valid events answered 2xx", len(acked)-forged2xxIDs(acked, forged), len(valid))
	b.must("receipts in the store", len(rs), len(valid))
	b.must("2xx answers without a matching committed receipt", noCommit, 0)
	b.must("events answered \"accepted\" more than once", twice, 0)
	stray := 0
	for id := range rs {
		if !valid[id] {
			stray++
		}
	}
	b.must("receipts of events never sent validly", stray, 0)

	// Forgeries.
	forgedIn, forgedNot401 := 0, 0
	for id := range forged {
		if _, ok := rs[id]; ok {
			forgedIn++
		}
	}
	for i, d := range snd.plan {
		if d.kind == load.Forged && lastForged[i] != http.StatusUnauthorized {
			forgedNot401++
		}
	}
	b.must("forgeries answered 2xx", forged2xx, 0)
	b.must("forgeries whose final answer is not 401", forgedNot401, 0)
	b.must("forgeries in the store", forgedIn, 0)

	// Processing.
	byStatus := map[store.Status]int{}
	for _, r := range rs {
		byStatus[r.status]++
	}
	b.must("receipts completed + dead", byStatus[store.StatusCompleted]+byStatus[store.StatusDead], len(valid))
	b.info("  of which dead", byStatus[store.StatusDead])
	b.must("receipts unhandled or unfinished", len(rs)-byStatus[store.StatusCompleted]-byStatus[store.StatusDead], 0)

	// Workflows: exactly one run per event, none for anything else.
	// A receipt is marked completed by the run's last activity, so the run
	// itself closes a moment later, and visibility trails it: wait (cheaply,
	// by counting) until no run is open, then list them all once.
	s.waitRunsClosed(ctx, len(rs))
	byID, err := s.workflowRuns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	totalRuns, notOne, missing, notCompleted := 0, 0, 0, 0
	for _, st := range byID {
		totalRuns += len(st)
		if len(st) != 1 {
			notOne++
		}
		for _, x := range st {
			if x != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				notCompleted++
			}
		}
	}
	for id := range rs {
		if _, ok := byID[runs.ID("github", id)]; !ok {
			missing++
		}
	}
	b.must("workflow IDs in Temporal visibility", len(byID), len(rs))
	b.must("workflow runs", totalRuns, len(rs))
	b.must("workflow IDs with other than exactly one run", notOne, 0)
	b.must("receipts without a workflow", missing, 0)
	b.must("runs not completed", notCompleted, 0)

	// Messages: one deterministic ID per event, each seen by the consumer.
	es, err := s.events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ours := map[string]bool{}
	for _, r := range rs {
		ours[r.id] = true
	}
	withEvent := map[string]bool{}
	unpublished := 0
	for _, e := range es {
		withEvent[e.receiptID] = true
		if !e.published {
			unpublished++
		}
	}
	seen := s.consumer.seen()
	s.consumer.mu.Lock()
	distinct, deliveries, redelivered, unknown := 0, 0, s.consumer.redelivered, 0
	expected := map[string]bool{}
	for _, e := range es {
		expected[e.id] = true
	}
	for id, n := range seen {
		if !ours[s.consumer.receiptOf[id]] {
			continue // another test's message on the shared exchange
		}
		if !expected[id] {
			unknown++
			continue
		}
		distinct++
		deliveries += n
	}
	s.consumer.mu.Unlock()
	missingMsg := 0
	for id := range expected {
		if seen[id] == 0 {
			missingMsg++
		}
	}
	b.must("receipts with a normalized event", len(withEvent), len(rs))
	b.info("normalized events (expected message IDs)", len(es))
	b.must("events not marked published", unpublished, 0)
	b.must("distinct message IDs seen by the consumer", distinct, len(es))
	b.must("expected message IDs never seen", missingMsg, 0)
	b.must("messages of our receipts with an unexpected ID", unknown, 0)
	b.info("deliveries to the consumer", deliveries)
	b.info("  of which repeats of an ID already seen", deliveries-distinct)
	b.info("  of which flagged redelivered by the broker", redelivered)
	if deliveries > distinct {
		b.notes = append(b.notes, "repeats are at-least-once publishing: a publish whose outcome was not recorded "+
			"(confirm lost, worker killed, or the store down when marking it published) is retried under the same "+
			"message ID, which consumers dedupe on")
	}
	if extra != nil {
		extra(&b)
	}
	b.report(t, title)
}

// waitRunsClosed waits (at most two minutes) until visibility counts at least
// want closed ProcessWebhook runs and no open one.
func (s *stack) waitRunsClosed(ctx context.Context, want int) {
	c, err := s.temporalClient()
	if err != nil {
		return // workflowRuns reports it
	}
	defer c.Close()
	count := func(status string) int64 {
		resp, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Query: fmt.Sprintf("WorkflowType = %q AND ExecutionStatus = %q", runs.Name, status)})
		if err != nil {
			return -1
		}
		return resp.GetCount()
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if count("Running") == 0 && count("Completed") >= int64(want) {
			return
		}
		time.Sleep(time.Second)
	}
}

// forged2xxIDs counts the forged event IDs among the acked ones (zero unless a
// forgery got through, which its own line reports).
func forged2xxIDs(acked map[string]map[string]bool, forged map[string]bool) int {
	n := 0
	for id := range acked {
		if forged[id] {
			n++
		}
	}
	return n
}

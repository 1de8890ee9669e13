package chaos

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/bench/load"
	"github.com/hookgate/hookgate/internal/testing/testenv"
)

// Shares of the load, from issue #4.
const (
	dupShare    = 0.20
	forgedShare = 0.10
)

// fault is one injected failure. inject runs while the load is being sent and
// returns once the failed part is back; check adds fault-specific lines to the
// books.
type fault struct {
	name   string
	inject func(t *testing.T, s *stack, p params, w *window)
	check  func(s *stack, snd *sender, w *window) func(*books)
}

// window is the span during which a service was down.
type window struct {
	mu         sync.Mutex
	from, till time.Time
}

// outage stops a service, keeps it down for d, records that span and starts
// it again.
func (w *window) outage(d time.Duration, stop, start func()) {
	stop()
	from := time.Now()
	time.Sleep(d)
	w.mu.Lock()
	w.from, w.till = from, time.Now()
	w.mu.Unlock()
	start()
}

// TestChaos runs the bounded load against a fresh stack once per fault and
// checks that the books balance after each (issue #4).
func TestChaos(t *testing.T) {
	p, err := current()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parameters: %s", p)
	for _, f := range faults() {
		t.Run(f.name, func(t *testing.T) { runFault(t, p, f) })
	}
}

func faults() []fault {
	return []fault{
		{name: "worker-kill-9", inject: func(t *testing.T, s *stack, p params, _ *window) {
			s.waitProcessing(5 * time.Second) // mid-activity
			s.worker.kill()
			time.Sleep(p.restartIn)
			s.start(s.worker)
		}},
		{name: "rabbitmq-down", inject: func(t *testing.T, s *stack, p params, w *window) {
			w.outage(p.outage, func() { testenv.Stop(t, testenv.RabbitMQ) }, func() { testenv.Start(t, testenv.RabbitMQ) })
		}},
		{name: "temporal-down", inject: func(t *testing.T, s *stack, p params, w *window) {
			w.outage(p.outage, s.stopTemporal, s.startTemporal)
		}},
		{name: "postgres-down", inject: func(t *testing.T, s *stack, p params, w *window) {
			w.outage(p.pgOutage, func() { testenv.Stop(t, testenv.Postgres) }, func() { testenv.Start(t, testenv.Postgres) })
		}, check: postgresDownAnswers},
		// RabbitMQ's memory alarm blocks the worker's publisher for the
		// outage: events wait and are published once each when it clears.
		{name: "rabbitmq-memory-alarm", inject: func(t *testing.T, s *stack, p params, w *window) {
			var clear func()
			w.outage(p.alarm, func() { clear = testenv.MemoryAlarm(t) }, func() { clear() })
		}, check: publishedOnce},
		{name: "gateway-kill-9", inject: func(t *testing.T, s *stack, p params, _ *window) {
			s.gateway.kill()
			time.Sleep(p.restartIn)
			s.startGateway()
		}},
	}
}

// postgresDownAnswers: while PostgreSQL is down, a new valid webhook is never
// acknowledged nor refused: it gets a 503 (or no answer at all). Two answers
// need no database and stay right: a resend of an event this gateway saw
// committed before the outage is acked "duplicate" from its memory of recent
// events (internal/ingest/gateway/known.go), and a forgery is told 401.
func postgresDownAnswers(_ *stack, snd *sender, w *window) func(*books) {
	return func(b *books) {
		answers, _ := snd.results()
		w.mu.Lock()
		from, till := w.from, w.till
		w.mu.Unlock()
		ackedBefore := map[string]bool{} // events acked before the outage
		for _, a := range answers {
			if a.status/100 == 2 && a.at.Before(from) {
				ackedBefore[snd.plan[a.delivery].id] = true
			}
		}
		var during, valid503, validConn, knownDup, validWrong, forgedWrong int
		for _, a := range answers {
			if a.sent.Before(from) || a.at.After(till) {
				continue
			}
			during++
			d := snd.plan[a.delivery]
			forged := d.kind == load.Forged
			switch {
			case forged && a.status != http.StatusUnauthorized && a.status != 0:
				forgedWrong++
			case forged:
			case a.status == http.StatusServiceUnavailable:
				valid503++
			case a.status == 0:
				validConn++
			case a.status/100 == 2 && a.outcome == "duplicate" && ackedBefore[d.id]:
				knownDup++
			default:
				validWrong++
			}
		}
		b.info("answers sent and received while PostgreSQL was down", during)
		b.info("  valid ones answered 503", valid503)
		b.info("  valid ones with a connection error", validConn)
		b.info("  resends of events acked before the outage, answered duplicate", knownDup)
		b.must("  valid ones answered anything else", validWrong, 0)
		b.must("  forgeries answered anything but 401", forgedWrong, 0)
		if during == 0 {
			b.must("requests during the outage (the window saw none)", 0, 1)
		}
	}
}

// publishedOnce: every message of the run's receipts reached the consumer
// once: as many deliveries as message IDs (a publish is repeated only when
// its channel closed without a confirm, which a memory alarm does not do).
func publishedOnce(s *stack, _ *sender, _ *window) func(*books) {
	return func(b *books) {
		rs, err := s.receipts(context.Background())
		if err != nil {
			b.must("receipts readable for the exactly-once check", 0, 1)
			return
		}
		ours := map[string]bool{}
		for _, r := range rs {
			ours[r.id] = true
		}
		seen := s.consumer.seen()
		s.consumer.mu.Lock()
		ids, deliveries := 0, 0
		for id, n := range seen {
			if !ours[s.consumer.receiptOf[id]] {
				continue
			}
			ids++
			deliveries += n
		}
		s.consumer.mu.Unlock()
		b.info("message IDs of this run's receipts at the consumer", ids)
		b.must("deliveries of them beyond one per ID (published twice)", deliveries-ids, 0)
	}
}

func runFault(t *testing.T, p params, f fault) {
	s := setup(t)
	n := int(p.rate * p.duration.Seconds())
	snd := newSender("http://"+s.ingest+"/webhooks/github", []byte(s.secret),
		plan(n, dupShare, forgedShare, uint64(time.Now().UnixNano())))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sent := make(chan struct{})
	// Retries go on until every delivery has its final answer: the outage may
	// outlast the load.
	go func() { defer close(sent); snd.run(ctx, p.rate, p.outage+p.pgOutage+p.alarm+2*time.Minute) }()

	time.Sleep(p.faultAt)
	var w window
	t0 := time.Now()
	f.inject(t, s, p, &w)
	t.Logf("%s: fault injected at +%s and repaired after %s", f.name, p.faultAt, time.Since(t0).Round(100*time.Millisecond))
	<-sent
	t1 := time.Now()
	if why := s.settle(p.settle); why != "" {
		t.Errorf("not settled within %s: %s", p.settle, why)
	}
	t.Logf("%s: settled %s after the last answer", f.name, time.Since(t1).Round(100*time.Millisecond))
	var extra func(*books)
	if f.check != nil {
		extra = f.check(s, snd, &w)
	}
	s.balance(t, fmt.Sprintf("%s (%s)", f.name, p), snd, extra)
}

// waitProcessing waits until some receipt is being processed (at most d), so a
// kill lands mid-activity.
func (s *stack) waitProcessing(d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		var n int
		err := s.db.QueryRow(context.Background(),
			`SELECT count(*) FROM receipts WHERE status IN ('processing', 'retrying')`).Scan(&n)
		if err == nil && n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package publisher

import (
	"context"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Flow control and late confirms.
//
// A broker under a resource alarm (memory or disk) blocks the connections
// that publish: it stops reading from them, so what is written stays in the
// socket and is delivered when the alarm clears. Two rules keep that from
// turning into duplicates:
//
//   - while the connection is blocked (connection.blocked), nothing is written:
//     a call waits for connection.unblocked, or fails with ErrUnavailable having
//     sent nothing;
//   - a message whose confirm did not come in time stays pending on its channel,
//     which is kept open; a later call with the same message ID waits for that
//     confirm instead of publishing the message again. Only a message whose
//     channel closed without a confirm is published again (and then the broker
//     may hold it twice: consumers deduplicate by message ID).

// pendingTTL is how long the outcome of a late confirm is remembered for a
// retry of its message.
const pendingTTL = 15 * time.Minute

// maxPending bounds the remembered late confirms.
const maxPending = 100_000

// flow tracks the connection's blocked state.
type flow struct {
	mu      sync.Mutex
	blocked bool
	reason  string
	since   time.Time
	// unblocked is closed when the connection is unblocked (or replaced).
	unblocked chan struct{}
}

func newFlow() *flow {
	c := make(chan struct{})
	close(c)
	return &flow{unblocked: c}
}

// set records a connection.blocked or connection.unblocked notification; it
// reports whether the state changed.
func (f *flow) set(b amqp.Blocking) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b.Active == f.blocked {
		return false
	}
	f.blocked = b.Active
	if b.Active {
		f.reason, f.since = b.Reason, time.Now()
		f.unblocked = make(chan struct{})
	} else {
		close(f.unblocked)
	}
	return true
}

// reset clears the state for a new connection (a fresh one starts unblocked).
func (f *flow) reset() { f.set(amqp.Blocking{Active: false}) }

// wait returns nil once the connection is not blocked, or ErrUnavailable
// when ctx ends first.
func (f *flow) wait(ctx context.Context) error {
	f.mu.Lock()
	ch, reason, since := f.unblocked, f.reason, f.since
	f.mu.Unlock()
	select {
	case <-ch:
		return nil
	default:
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: the broker has blocked publishing since %s (%s); nothing was sent: %w",
			ErrUnavailable, since.UTC().Format(time.RFC3339), reason, ctx.Err())
	}
}

// state reports whether the connection is blocked, why and since when.
func (f *flow) state() (bool, string, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.blocked, f.reason, f.since
}

// watchBlocked follows conn's connection.blocked notifications until it
// closes.
func (p *AMQP) watchBlocked(blocks <-chan amqp.Blocking) {
	for b := range blocks {
		if !p.flow.set(b) {
			continue
		}
		if b.Active {
			p.log.Warn("amqp connection blocked by the broker: publishing paused until it is unblocked", "host", p.host, "reason", b.Reason)
		} else {
			p.log.Info("amqp connection unblocked: publishing resumes", "host", p.host)
		}
		if p.opts.OnBlocked != nil {
			p.opts.OnBlocked(b.Active, b.Reason)
		}
	}
}

// Blocked reports whether the broker has blocked the connection (a resource
// alarm), with its reason and since when: for readiness and metrics.
func (p *AMQP) Blocked() (bool, string, time.Time) { return p.flow.state() }

// pendingMsg is a message written on a channel whose confirm had not come
// when its call gave up.
type pendingMsg struct {
	dc *amqp.DeferredConfirmation
	ch *amqp.Channel
	at time.Time
}

// closedUnconfirmed reports whether the message's channel closed before its
// confirm (the library then resolves it as a nack): it may or may not have
// reached the broker, and is published again.
func (pm pendingMsg) closedUnconfirmed() bool { return !pm.dc.Acked() && pm.ch.IsClosed() }

// pendingSet remembers messages awaiting a late confirm, by message ID.
type pendingSet struct {
	mu sync.Mutex
	m  map[string]pendingMsg
}

func (s *pendingSet) add(id string, pm pendingMsg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]pendingMsg{}
	}
	// Full (only a broker that never confirms gets here): drop entries,
	// which at worst lets a retry publish a message again.
	for k := range s.m {
		if len(s.m) < maxPending {
			break
		}
		delete(s.m, k)
	}
	s.m[id] = pm
}

// take removes and returns the pending publication of id, if any.
func (s *pendingSet) take(id string, now time.Time) (pendingMsg, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pm, ok := s.m[id]
	if !ok {
		return pendingMsg{}, false
	}
	delete(s.m, id)
	return pm, now.Sub(pm.at) <= pendingTTL
}

// settle waits, within ctx, for the late confirms of msgs written before and
// returns the messages to publish now: those without a pending publication,
// and those whose channel closed without a confirm. A message confirmed late
// is not published again; one the broker nacked is an error. When ctx ends
// first, every pending publication of the call is kept for the next one and
// the call fails with ErrNotConfirmed, having sent nothing.
func (p *AMQP) settle(ctx context.Context, msgs []Message) ([]Message, error) {
	now := time.Now()
	type taken struct {
		id string
		pm pendingMsg
	}
	var held []taken
	var todo []Message
	for _, m := range msgs {
		if pm, ok := p.pending.take(m.ID, now); ok {
			held = append(held, taken{m.ID, pm})
			continue
		}
		todo = append(todo, m)
	}
	for i, h := range held {
		select {
		case <-h.pm.dc.Done():
		case <-ctx.Done():
			for _, back := range held {
				p.pending.add(back.id, back.pm)
			}
			return nil, fmt.Errorf("%w: still waiting for the late confirm of message %s (%d of %d pending): %w",
				ErrNotConfirmed, h.id, i+1, len(held), ctx.Err())
		}
	}
	for _, h := range held {
		switch {
		case h.pm.dc.Acked():
			// Confirmed late: the broker has it; not published again.
		case h.pm.closedUnconfirmed():
			for _, m := range msgs {
				if m.ID == h.id {
					todo = append(todo, m)
				}
			}
		default:
			return nil, fmt.Errorf("%w: message %s (a late nack)", ErrNacked, h.id)
		}
	}
	return todo, nil
}

// park keeps c open after its call gave up waiting for confirms: its
// unconfirmed messages are remembered for a retry, and c is closed once every
// one of them is confirmed, nacked or lost with the channel.
func (p *AMQP) park(c *confirmChannel, msgs []Message, pending []*amqp.DeferredConfirmation) {
	now := time.Now()
	var wait []*amqp.DeferredConfirmation
	for i, dc := range pending {
		if dc == nil {
			continue
		}
		select {
		case <-dc.Done():
			if dc.Acked() {
				continue // confirmed in the meantime: nothing to wait for
			}
		default:
		}
		p.pending.add(msgs[i].ID, pendingMsg{dc: dc, ch: c.ch, at: now})
		wait = append(wait, dc)
	}
	if len(wait) == 0 {
		c.discard()
		return
	}
	go func() {
		for _, dc := range wait {
			<-dc.Done() // resolved by the confirm, or by the channel's close
		}
		c.discard()
	}()
}

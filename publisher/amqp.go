// Package publisher delivers hookgate's normalized events to internal services
// over RabbitMQ, with publisher confirms.
//
// Delivery is at least once: Publish returns nil only after the broker has
// confirmed every message (written it to its durable queues, or to the unroutable
// queue when nothing is bound for its routing key). On any error the caller
// retries the whole batch with the same message IDs, and consumers deduplicate by
// message ID.
//
// Public: consumers declare their queues with Options.DeclareConsumerQueue, a
// team's own worker builds its publisher here, and the next adapter (HTTP
// destinations) implements the same contract and passes publishertest.
package publisher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/trace"
)

// heartbeat is the AMQP heartbeat we ask for: a dead broker behind a silent
// network is noticed within two intervals.
const heartbeat = 10 * time.Second

// AMQP publishes messages to RabbitMQ. It is safe for concurrent use: up to
// Options.Channels calls publish at once, each on a confirm-mode channel of its
// own, and further calls wait for a free channel.
//
// It survives broker restarts: a lost connection is noticed (NotifyClose) and the
// next call dials again, with Options.DialTimeout per attempt, instead of failing
// forever. Calls made while the broker is down fail with ErrUnavailable.
type AMQP struct {
	url   string
	host  string // for logs: the URL without credentials
	opts  Options
	log   *slog.Logger
	slots chan struct{} // one token per channel that may be in use at once

	mu     sync.Mutex
	conn   *amqp.Connection
	idle   []*confirmChannel // channels of conn not in use
	closed bool

	flow    *flow      // the connection's connection.blocked state
	pending pendingSet // messages awaiting a late confirm (flow.go)
}

// Dial connects to the broker at url (amqp://user:password@host:port/vhost),
// declares the topology (Options.Declare) and returns a publisher. opts is
// completed with WithDefaults and validated. A nil log discards log records.
//
// Dial fails with ErrUnavailable when the broker cannot be reached: a service
// that must start while RabbitMQ is down retries Dial, or starts without it.
func Dial(ctx context.Context, url string, opts Options, log *slog.Logger) (*AMQP, error) {
	opts = opts.WithDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	uri, err := amqp.ParseURI(url)
	if err != nil {
		// The parser's message may quote the URL, password included.
		return nil, errors.New("publisher: AMQP URL is not valid: want amqp://user:password@host:port/vhost")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &AMQP{
		url:   url,
		host:  net.JoinHostPort(uri.Host, fmt.Sprint(uri.Port)),
		opts:  opts,
		log:   log,
		slots: make(chan struct{}, opts.Channels),
		flow:  newFlow(),
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.connectLocked(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// Publish publishes msgs to the events exchange, each with its RoutingKey, and
// returns when the broker has confirmed all of them. Messages are persistent and
// mandatory; the AMQP properties are message-id=ID, correlation-id, type=routing
// key, app-id=Options.AppID, content-type, timestamp and headers. When ctx
// holds a valid span (tracing on), the call is an amqp.publish producer span,
// child of it, and every message's headers also carry that span's W3C
// traceparent (and tracestate) for consumers to continue the trace
// (HeaderCarrier); otherwise no header is added.
//
// Errors (see errors.go): ErrInvalidMessage before anything is sent;
// ErrUnavailable, ErrNacked, ErrReturned, ErrNotConfirmed (ctx done or
// Options.ConfirmTimeout passed), ErrClosed; or the broker's channel error
// (e.g. the exchange does not exist). After an error some messages may have been
// delivered: retry the whole batch with the same IDs.
func (p *AMQP) Publish(ctx context.Context, msgs ...Message) error {
	return p.publish(ctx, p.opts.Exchange, msgs)
}

// PublishDeadLetter publishes m to the dead-letter exchange (its queue collects
// what consumers reject) with the same guarantees and errors as Publish.
func (p *AMQP) PublishDeadLetter(ctx context.Context, m Message) error {
	return p.publish(ctx, p.opts.DeadLetterExchange, []Message{m})
}

// Ping checks that the broker answers, reconnecting if needed; for readiness
// probes. It fails with ErrUnavailable or ErrClosed.
func (p *AMQP) Ping(ctx context.Context) error {
	p.mu.Lock()
	conn, err := p.connectLocked(ctx)
	p.mu.Unlock()
	if err != nil {
		return err
	}
	// A round trip, not just "the socket looks open": a broker that stopped
	// answering is only noticed by heartbeats, seconds later.
	done := make(chan error, 1)
	go func() {
		ch, err := conn.Channel()
		if err == nil {
			err = ch.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%w: open channel: %w", ErrUnavailable, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: ping: %w", ErrUnavailable, ctx.Err())
	}
}

// Close closes the connection; calls in flight fail, later ones return ErrClosed.
// Closing twice is a no-op.
func (p *AMQP) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	conn, idle := p.conn, p.idle
	p.conn, p.idle = nil, nil
	p.mu.Unlock()
	for _, c := range idle {
		c.discard()
	}
	if conn == nil {
		return nil
	}
	if err := conn.Close(); err != nil && !errors.Is(err, amqp.ErrClosed) {
		return fmt.Errorf("publisher: close connection: %w", err)
	}
	return nil
}

func (p *AMQP) publish(ctx context.Context, exchange string, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	for _, m := range msgs {
		if err := m.validate(); err != nil {
			return err
		}
	}
	if trace.SpanContextFromContext(ctx).IsValid() {
		return p.publishTraced(ctx, exchange, msgs)
	}
	return p.send(ctx, exchange, msgs)
}

// send publishes valid msgs and waits for their confirms.
func (p *AMQP) send(ctx context.Context, exchange string, msgs []Message) error {
	ctx, cancel := context.WithTimeout(ctx, p.opts.ConfirmTimeout)
	defer cancel()
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%w: waiting for a free channel: %w", ErrNotConfirmed, ctx.Err())
	}
	defer func() { <-p.slots }()

	// What an earlier call wrote and gave up on is waited for, not sent again.
	msgs, err := p.settle(ctx, msgs)
	if err != nil || len(msgs) == 0 {
		return err
	}
	c, err := p.channel(ctx)
	if err != nil {
		return err
	}
	// Nothing is written while the broker blocks the connection: it would sit
	// in the socket and be delivered when the alarm clears, after a retry.
	if err := p.flow.wait(ctx); err != nil {
		p.release(c)
		return err
	}
	pending, err := c.publish(ctx, exchange, msgs, p.opts.AppID)
	switch {
	case err == nil:
		p.release(c)
	case errors.Is(err, ErrNotConfirmed) && !c.ch.IsClosed():
		// Written but not confirmed in time (a blocked connection, a slow
		// broker): the confirms may still come. The channel is kept, not
		// reused, and a retry of these messages waits for them.
		p.park(c, msgs, pending)
	default:
		// The channel may be closed or hold unconfirmed messages: a late
		// confirm must not be taken for a later call's.
		c.discard()
	}
	return err
}

// channel returns an idle channel of the live connection, or opens one,
// reconnecting first if the connection is gone.
func (p *AMQP) channel(ctx context.Context) (*confirmChannel, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	conn, err := p.connectLocked(ctx)
	if err != nil {
		return nil, err
	}
	for len(p.idle) > 0 {
		c := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if !c.ch.IsClosed() {
			return c, nil
		}
		c.discard()
	}
	c, err := openConfirmChannel(conn)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// release returns a healthy channel to the idle list.
func (p *AMQP) release(c *confirmChannel) {
	p.mu.Lock()
	if !p.closed && c.conn == p.conn && !c.ch.IsClosed() {
		p.idle = append(p.idle, c)
		c = nil
	}
	p.mu.Unlock()
	if c != nil {
		c.discard()
	}
}

// connectLocked returns the live connection, dialing (and declaring the topology)
// if there is none. p.mu is held.
func (p *AMQP) connectLocked(ctx context.Context) (*amqp.Connection, error) {
	if p.closed {
		return nil, ErrClosed
	}
	if p.conn != nil && !p.conn.IsClosed() {
		return p.conn, nil
	}
	if p.conn != nil {
		// Closed, and the watcher has not run yet.
		p.dropLocked(p.conn)
	}
	timeout := p.opts.DialTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: connect to %s: %w", ErrUnavailable, p.host, err)
	}
	if timeout <= 0 {
		return nil, fmt.Errorf("%w: connect to %s: %w", ErrUnavailable, p.host, context.DeadlineExceeded)
	}
	cfg := amqp.Config{
		Heartbeat:  heartbeat,
		Locale:     "en_US",
		Properties: amqp.Table{"connection_name": p.opts.AppID + " publisher"},
		Dial: func(network, addr string) (net.Conn, error) {
			d := net.Dialer{Timeout: timeout}
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// Bounds the AMQP handshake too; the library clears it once open.
			if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		},
	}
	conn, err := amqp.DialConfig(p.url, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: connect to %s: %w", ErrUnavailable, p.host, err)
	}
	if err := p.declare(conn); err != nil {
		conn.Close()
		return nil, err
	}
	closes := conn.NotifyClose(make(chan *amqp.Error, 1))
	go p.watch(conn, closes)
	p.flow.reset()
	go p.watchBlocked(conn.NotifyBlocked(make(chan amqp.Blocking, 4)))
	p.conn = conn
	p.log.Info("amqp connected", "host", p.host, "exchange", p.opts.Exchange)
	return conn, nil
}

// declare declares the topology on a short-lived channel: on every connect, so a
// broker that lost its definitions gets them back before the first publish.
func (p *AMQP) declare(conn *amqp.Connection) error {
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("%w: open channel: %w", ErrUnavailable, err)
	}
	if err := p.opts.Declare(ch); err != nil {
		return fmt.Errorf("publisher: %w", err)
	}
	if err := ch.Close(); err != nil {
		return fmt.Errorf("%w: close channel: %w", ErrUnavailable, err)
	}
	return nil
}

// watch waits for conn to close and forgets it, so that the next call dials.
func (p *AMQP) watch(conn *amqp.Connection, closes <-chan *amqp.Error) {
	reason, lost := <-closes
	p.mu.Lock()
	p.dropLocked(conn)
	p.mu.Unlock()
	if lost && reason != nil {
		p.log.Warn("amqp connection lost; the next publish reconnects", "host", p.host, "error", reason.Error())
	}
}

// dropLocked forgets conn and its idle channels if it is the current connection.
func (p *AMQP) dropLocked(conn *amqp.Connection) {
	if p.conn != conn {
		return
	}
	for _, c := range p.idle {
		c.discard()
	}
	p.conn, p.idle = nil, nil
	// Waiters for an unblock move on: the next connection starts unblocked.
	p.flow.reset()
}

// confirmChannel is a channel in confirm mode, used by one publish call at a time.
type confirmChannel struct {
	conn   *amqp.Connection
	ch     *amqp.Channel
	closes chan *amqp.Error
	// flush asks the return collector for the returns received so far.
	flush chan chan []amqp.Return
	stop  chan struct{}
	once  sync.Once
}

func openConfirmChannel(conn *amqp.Connection) (*confirmChannel, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("%w: open channel: %w", ErrUnavailable, err)
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, fmt.Errorf("%w: confirm mode: %w", ErrUnavailable, err)
	}
	c := &confirmChannel{
		conn:   conn,
		ch:     ch,
		closes: ch.NotifyClose(make(chan *amqp.Error, 1)),
		flush:  make(chan chan []amqp.Return),
		stop:   make(chan struct{}),
	}
	// Unbuffered on purpose, see collectReturns.
	go c.collectReturns(ch.NotifyReturn(make(chan amqp.Return)))
	return c, nil
}

// collectReturns gathers basic.return frames until stop. The broker sends a
// mandatory message's return before its confirm, and the library hands frames over
// in order; with an unbuffered channel the hand-over of a return completes before
// the confirm is processed. This goroutine serves a flush only between two
// returns, so a flush made after the confirms sees every return that preceded
// them.
func (c *confirmChannel) collectReturns(returns <-chan amqp.Return) {
	var got []amqp.Return
	for {
		select {
		case r, ok := <-returns:
			if !ok {
				returns = nil // channel closed: keep serving flushes until stop
				continue
			}
			got = append(got, r)
		case reply := <-c.flush:
			reply <- got
			got = nil
		case <-c.stop:
			return
		}
	}
}

func (c *confirmChannel) returned() []amqp.Return {
	reply := make(chan []amqp.Return, 1)
	c.flush <- reply
	return <-reply
}

// discard closes the channel and stops its collector.
func (c *confirmChannel) discard() {
	c.once.Do(func() {
		close(c.stop)
		// Best effort: the channel may already be closed with its connection, and
		// nothing more is sent on it either way.
		_ = c.ch.Close()
	})
}

// publish writes msgs and waits for their confirms. With ErrNotConfirmed it
// also returns the deferred confirmations of the messages it wrote (nil for
// those it did not), so that the caller can wait for them later.
func (c *confirmChannel) publish(ctx context.Context, exchange string, msgs []Message, appID string) ([]*amqp.DeferredConfirmation, error) {
	now := time.Now()
	pending := make([]*amqp.DeferredConfirmation, len(msgs))
	for i, m := range msgs {
		dc, err := c.ch.PublishWithDeferredConfirmWithContext(ctx, exchange, m.RoutingKey, true, false, m.publishing(appID, now))
		if err != nil {
			if ctx.Err() != nil {
				return pending, fmt.Errorf("%w: sent %d of %d: %w", ErrNotConfirmed, i, len(msgs), ctx.Err())
			}
			return nil, c.failure(fmt.Sprintf("send message %s", m.ID), err)
		}
		pending[i] = dc
	}
	for i, dc := range pending {
		select {
		case <-dc.Done():
		case <-ctx.Done():
			return pending, fmt.Errorf("%w: %d of %d confirmed: %w", ErrNotConfirmed, i, len(msgs), ctx.Err())
		}
		if !dc.Acked() {
			if c.ch.IsClosed() {
				// The library nacks what is pending when the channel closes.
				return nil, c.failure(fmt.Sprintf("confirm message %s", msgs[i].ID), amqp.ErrClosed)
			}
			return nil, fmt.Errorf("%w: message %s (%d of %d)", ErrNacked, msgs[i].ID, i+1, len(msgs))
		}
	}
	if rs := c.returned(); len(rs) > 0 {
		r := rs[0]
		return nil, fmt.Errorf("%w: %d of %d messages, first %s (routing key %q): %d %s",
			ErrReturned, len(rs), len(msgs), r.MessageId, r.RoutingKey, r.ReplyCode, r.ReplyText)
	}
	return nil, nil
}

// failure explains why the channel stopped working: a lost connection is
// ErrUnavailable; a channel the broker closed carries the broker's reason.
func (c *confirmChannel) failure(what string, err error) error {
	var reason *amqp.Error
	if c.ch.IsClosed() {
		// The library marks the channel closed before it sends the reason, then
		// closes c.closes: this wait is short.
		select {
		case reason = <-c.closes:
		case <-time.After(time.Second):
		}
	}
	if c.conn.IsClosed() {
		if reason != nil {
			return fmt.Errorf("%w: %s: connection lost: %w", ErrUnavailable, what, reason)
		}
		return fmt.Errorf("%w: %s: connection lost: %w", ErrUnavailable, what, err)
	}
	if reason != nil {
		return fmt.Errorf("publisher: %s: channel closed by the broker: %w", what, reason)
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
}

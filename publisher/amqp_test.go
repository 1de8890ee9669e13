package publisher_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/publisher"
)

// bundle is what setup gives a test: a publisher on a topology of its own, and a
// separate connection to inspect queues with.
type bundle struct {
	url  string
	opts publisher.Options
	pub  *publisher.AMQP
	ch   *amqp.Channel
}

// uniqueOptions names every exchange and queue for one test, so tests share the
// broker without seeing each other's messages.
func uniqueOptions() publisher.Options {
	return publisher.Options{
		Exchange:           testenv.Unique("events"),
		UnroutableExchange: testenv.Unique("unroutable"),
		UnroutableQueue:    testenv.Unique("unroutable_q"),
		DeadLetterExchange: testenv.Unique("dlx"),
		DeadLetterQueue:    testenv.Unique("dlq"),
	}
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), nil))
}

func setup(t testing.TB) *bundle {
	t.Helper()
	url := testenv.AMQPURL(t)
	opts := uniqueOptions()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pub, err := publisher.Dial(ctx, url, opts, testLogger(t))
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() {
		if err := pub.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatalf("inspection connection: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteTopology(t, url, opts) })
	return &bundle{url: url, opts: opts, pub: pub, ch: ch}
}

// deleteTopology removes a test's durable exchanges and queues, on a connection of
// its own (the test's channel may have been closed by a broker error).
func deleteTopology(t testing.TB, url string, o publisher.Options) {
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Logf("delete topology: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Logf("delete topology: %v", err)
		return
	}
	for _, q := range []string{o.UnroutableQueue, o.DeadLetterQueue} {
		if _, err := ch.QueueDelete(q, false, false, false); err != nil {
			t.Logf("delete queue %s: %v", q, err)
			return
		}
	}
	for _, x := range []string{o.Exchange, o.UnroutableExchange, o.DeadLetterExchange} {
		if err := ch.ExchangeDelete(x, false, false); err != nil {
			t.Logf("delete exchange %s: %v", x, err)
			return
		}
	}
}

// consumerQueue declares a consumer queue bound with keys, deleted at the end.
func (b *bundle) consumerQueue(t testing.TB, keys ...string) string {
	t.Helper()
	q := testenv.Unique("consumer")
	if err := b.opts.DeclareConsumerQueue(b.ch, q, keys); err != nil {
		t.Fatalf("DeclareConsumerQueue: %v", err)
	}
	t.Cleanup(func() {
		conn, err := amqp.Dial(b.url)
		if err != nil {
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			if _, err := ch.QueueDelete(q, false, false, false); err != nil {
				t.Logf("delete queue %s: %v", q, err)
			}
		}
	})
	return q
}

// get waits for the next message on queue.
func get(t testing.TB, ch *amqp.Channel, queue string) amqp.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d, ok, err := ch.Get(queue, false)
		if err != nil {
			t.Fatalf("get from %s: %v", queue, err)
		}
		if ok {
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no message on %s after 10s", queue)
	return amqp.Delivery{}
}

// depth returns how many messages wait on queue.
func depth(t testing.TB, ch *amqp.Channel, queue string) int {
	t.Helper()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		t.Fatalf("inspect %s: %v", queue, err)
	}
	return q.Messages
}

func msg(id, key string) publisher.Message {
	return publisher.Message{
		ID:          id,
		RoutingKey:  key,
		ContentType: "application/json",
		Body:        []byte(`{"id":"` + id + `"}`),
	}
}

func TestPublishDeliversEveryProperty(t *testing.T) {
	b := setup(t)
	q := b.consumerQueue(t, "payment.*")
	ts := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	want := publisher.Message{
		ID:            "stripe/evt_123/0",
		CorrelationID: "receipt-42",
		RoutingKey:    "payment.completed",
		ContentType:   "application/cloudevents+json",
		Body:          []byte(`{"specversion":"1.0"}`),
		Headers:       map[string]any{"source": "stripe", "attempt": int32(2)},
		Timestamp:     ts,
	}
	if err := b.pub.Publish(context.Background(), want); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	d := get(t, b.ch, q)
	checks := []struct {
		name      string
		got, want any
	}{
		{"exchange", d.Exchange, b.opts.Exchange},
		{"routing key", d.RoutingKey, want.RoutingKey},
		{"message id", d.MessageId, want.ID},
		{"correlation id", d.CorrelationId, want.CorrelationID},
		{"type", d.Type, want.RoutingKey},
		{"app id", d.AppId, "hookgate"},
		{"content type", d.ContentType, want.ContentType},
		{"delivery mode", d.DeliveryMode, amqp.Persistent},
		{"timestamp", d.Timestamp.UTC(), ts},
		{"body", string(d.Body), string(want.Body)},
		{"header source", d.Headers["source"], "stripe"},
		{"header attempt", d.Headers["attempt"], int32(2)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if err := d.Ack(false); err != nil {
		t.Fatal(err)
	}
}

func TestPublishRoutesByBindingKey(t *testing.T) {
	b := setup(t)
	payments := b.consumerQueue(t, "payment.*")
	pushes := b.consumerQueue(t, "git.push")
	all := b.consumerQueue(t, "#")
	msgs := []publisher.Message{
		msg("a", "payment.completed"),
		msg("b", "git.push"),
		msg("c", "payment.failed"),
		msg("d", "order.created"),
	}
	if err := b.pub.Publish(context.Background(), msgs...); err != nil {
		t.Fatalf("Publish: %v", err)
	}
	tests := []struct {
		queue string
		ids   []string
	}{
		{payments, []string{"a", "c"}},
		{pushes, []string{"b"}},
		{all, []string{"a", "b", "c", "d"}},
	}
	for _, tt := range tests {
		var got []string
		for range tt.ids {
			d := get(t, b.ch, tt.queue)
			got = append(got, d.MessageId)
			d.Ack(false)
		}
		if strings.Join(got, ",") != strings.Join(tt.ids, ",") {
			t.Errorf("queue bound for %v got %v, want %v (in order)", tt.queue, got, tt.ids)
		}
		if n := depth(t, b.ch, tt.queue); n != 0 {
			t.Errorf("%s has %d extra messages", tt.queue, n)
		}
	}
	// With a "#" queue bound, nothing was unroutable.
	if n := depth(t, b.ch, b.opts.UnroutableQueue); n != 0 {
		t.Errorf("unroutable queue has %d messages, want 0", n)
	}
}

func TestUnroutableMessageLandsInUnroutableQueue(t *testing.T) {
	b := setup(t)
	b.consumerQueue(t, "payment.*")
	if err := b.pub.Publish(context.Background(), msg("lost-1", "nobody.listens")); err != nil {
		t.Fatalf("Publish of an unroutable message: %v (the alternate exchange should take it)", err)
	}
	d := get(t, b.ch, b.opts.UnroutableQueue)
	if d.MessageId != "lost-1" || d.RoutingKey != "nobody.listens" {
		t.Errorf("unroutable queue got %s/%s, want lost-1/nobody.listens", d.MessageId, d.RoutingKey)
	}
}

func TestReturnedWhenTheUnroutableQueueIsGone(t *testing.T) {
	b := setup(t)
	if _, err := b.ch.QueueDelete(b.opts.UnroutableQueue, false, false, false); err != nil {
		t.Fatal(err)
	}
	err := b.pub.Publish(context.Background(), msg("r-1", "payment.completed"), msg("r-2", "nobody.listens"))
	if !errors.Is(err, publisher.ErrReturned) {
		t.Fatalf("Publish = %v, want ErrReturned", err)
	}
	if !strings.Contains(err.Error(), "2 of 2") {
		t.Errorf("error %q should count both returned messages", err)
	}
	// The channel was discarded; the publisher goes on working.
	q := b.consumerQueue(t, "payment.*")
	if err := b.pub.Publish(context.Background(), msg("r-3", "payment.completed")); err != nil {
		t.Fatalf("Publish after a return: %v", err)
	}
	if d := get(t, b.ch, q); d.MessageId != "r-3" {
		t.Errorf("got %s, want r-3", d.MessageId)
	}
}

func TestRejectedMessageLandsInDeadLetterQueue(t *testing.T) {
	b := setup(t)
	q := b.consumerQueue(t, "payment.*")
	if err := b.pub.Publish(context.Background(), msg("bad-1", "payment.failed")); err != nil {
		t.Fatal(err)
	}
	d := get(t, b.ch, q)
	if err := d.Reject(false); err != nil {
		t.Fatal(err)
	}
	dead := get(t, b.ch, b.opts.DeadLetterQueue)
	if dead.MessageId != "bad-1" || dead.RoutingKey != "payment.failed" {
		t.Errorf("dead letter %s/%s, want bad-1/payment.failed", dead.MessageId, dead.RoutingKey)
	}
	deaths, _ := dead.Headers["x-death"].([]any)
	if len(deaths) != 1 {
		t.Fatalf("x-death = %#v, want one entry", dead.Headers["x-death"])
	}
	death, _ := deaths[0].(amqp.Table)
	if death["reason"] != "rejected" || death["queue"] != q {
		t.Errorf("x-death = %v, want reason rejected from %s", death, q)
	}
	if n := depth(t, b.ch, q); n != 0 {
		t.Errorf("consumer queue still holds %d messages", n)
	}
}

func TestPublishDeadLetter(t *testing.T) {
	b := setup(t)
	m := msg("dead-1", "git.push")
	m.Headers = map[string]any{"hookgate-error": "schema validation failed"}
	if err := b.pub.PublishDeadLetter(context.Background(), m); err != nil {
		t.Fatalf("PublishDeadLetter: %v", err)
	}
	d := get(t, b.ch, b.opts.DeadLetterQueue)
	if d.MessageId != "dead-1" || d.Exchange != b.opts.DeadLetterExchange || d.Headers["hookgate-error"] != "schema validation failed" {
		t.Errorf("got %s via %s headers %v", d.MessageId, d.Exchange, d.Headers)
	}
}

func TestInvalidMessagesPublishNothing(t *testing.T) {
	b := setup(t)
	q := b.consumerQueue(t, "#")
	tests := []struct {
		name string
		bad  publisher.Message
	}{
		{"no id", msg("", "payment.completed")},
		{"no routing key", msg("x", "")},
		{"routing key too long", msg("x", strings.Repeat("k", 256))},
		{"header of no AMQP type", func() publisher.Message {
			m := msg("x", "payment.completed")
			m.Headers = map[string]any{"s": struct{}{}}
			return m
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The valid message first: a batch is checked before anything is sent.
			err := b.pub.Publish(context.Background(), msg("ok", "payment.completed"), tt.bad)
			if !errors.Is(err, publisher.ErrInvalidMessage) {
				t.Fatalf("Publish = %v, want ErrInvalidMessage", err)
			}
		})
	}
	if n := depth(t, b.ch, q); n != 0 {
		t.Errorf("%d messages published from invalid batches", n)
	}
}

func TestPublishToMissingExchangeFailsThenRecovers(t *testing.T) {
	b := setup(t)
	if err := b.ch.ExchangeDelete(b.opts.DeadLetterExchange, false, false); err != nil {
		t.Fatal(err)
	}
	err := b.pub.PublishDeadLetter(context.Background(), msg("d-1", "x"))
	if err == nil || errors.Is(err, publisher.ErrUnavailable) || !strings.Contains(err.Error(), "NOT_FOUND") {
		t.Fatalf("PublishDeadLetter to a deleted exchange = %v, want the broker's NOT_FOUND", err)
	}
	q := b.consumerQueue(t, "#")
	if err := b.pub.Publish(context.Background(), msg("d-2", "y")); err != nil {
		t.Fatalf("Publish after a channel error: %v", err)
	}
	if d := get(t, b.ch, q); d.MessageId != "d-2" {
		t.Errorf("got %s", d.MessageId)
	}
}

func TestPublishWithEndedContext(t *testing.T) {
	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := b.pub.Publish(ctx, msg("c-1", "payment.completed"))
	if !errors.Is(err, publisher.ErrNotConfirmed) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Publish with a cancelled context = %v, want ErrNotConfirmed wrapping context.Canceled", err)
	}
}

func TestConcurrentPublishAllConfirmed(t *testing.T) {
	b := setup(t)
	q := b.consumerQueue(t, "#")
	const workers, batches, perBatch = 25, 8, 5 // 1000 messages
	var wg sync.WaitGroup
	errs := make(chan error, workers*batches)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range batches {
				batch := make([]publisher.Message, perBatch)
				for j := range batch {
					batch[j] = msg(fmt.Sprintf("w%d-b%d-m%d", w, i, j), "payment.completed")
				}
				if err := b.pub.Publish(context.Background(), batch...); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Publish: %v", err)
	}
	const total = workers * batches * perBatch
	// Every confirmed message is on the queue, each once.
	seen := map[string]bool{}
	deliveries, err := b.ch.Consume(q, "", true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	timeout := time.After(30 * time.Second)
	for len(seen) < total {
		select {
		case d := <-deliveries:
			if seen[d.MessageId] {
				t.Fatalf("message %s delivered twice", d.MessageId)
			}
			seen[d.MessageId] = true
		case <-timeout:
			t.Fatalf("got %d of %d messages", len(seen), total)
		}
	}
}

func TestPingAndClose(t *testing.T) {
	b := setup(t)
	if err := b.pub.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := b.pub.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := b.pub.Publish(context.Background(), msg("x", "y")); !errors.Is(err, publisher.ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
	if err := b.pub.Ping(context.Background()); !errors.Is(err, publisher.ErrClosed) {
		t.Errorf("Ping after Close = %v, want ErrClosed", err)
	}
}

// TestSurvivesBrokerRestart stops the test broker: it must not run in parallel with
// other tests of this package (see testenv.Stop).
func TestSurvivesBrokerRestart(t *testing.T) {
	b := setup(t)
	q := b.consumerQueue(t, "#")
	ctx := context.Background()
	if err := b.pub.Publish(ctx, msg("before", "payment.completed")); err != nil {
		t.Fatalf("Publish before the restart: %v", err)
	}

	testenv.Stop(t, testenv.RabbitMQ)
	short, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := b.pub.Publish(short, msg("during", "payment.completed")); !errors.Is(err, publisher.ErrUnavailable) {
		t.Errorf("Publish with the broker down = %v, want ErrUnavailable", err)
	}
	if err := b.pub.Ping(short); !errors.Is(err, publisher.ErrUnavailable) {
		t.Errorf("Ping with the broker down = %v, want ErrUnavailable", err)
	}
	testenv.Start(t, testenv.RabbitMQ)

	// The same publisher, no retry loop: the first call after the restart works.
	if err := b.pub.Publish(ctx, msg("after", "payment.completed")); err != nil {
		t.Fatalf("Publish after the restart: %v", err)
	}
	if err := b.pub.Ping(ctx); err != nil {
		t.Errorf("Ping after the restart: %v", err)
	}
	conn, err := amqp.Dial(b.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	// Persistent messages in a durable queue outlive the restart.
	for _, want := range []string{"before", "after"} {
		if d := get(t, ch, q); d.MessageId != want {
			t.Errorf("got %s, want %s", d.MessageId, want)
		}
	}
}

func TestDialErrorsKeepThePasswordOut(t *testing.T) {
	tests := []struct {
		name, url string
		want      error
	}{
		{"refused", "amqp://user:s3cret-pw@127.0.0.1:1/", publisher.ErrUnavailable},
		{"unparsable", "amqp://user:s3cret-pw@host:notaport/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			p, err := publisher.Dial(ctx, tt.url, publisher.Options{}, nil)
			if err == nil {
				p.Close()
				t.Fatal("Dial succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Dial = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret-pw") {
				t.Errorf("error reveals the password: %v", err)
			}
		})
	}
}

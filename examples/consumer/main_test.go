package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/publisher"
)

func cloudEvent(t *testing.T, id string, typ events.Type) []byte {
	t.Helper()
	b, err := json.Marshal(events.Envelope{
		SpecVersion:     events.SpecVersion,
		ID:              id,
		Source:          "hookgate/stripe",
		Type:            typ,
		Time:            time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Subject:         "pi_" + id,
		DataContentType: events.ContentTypeJSON,
		Data:            json.RawMessage(`{"amount":{"amount":1234,"currency":"EUR"}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recorder is a Work that records each attempt and fails transiently the first
// time it sees an event ID listed in flaky.
type recorder struct {
	mu       sync.Mutex
	attempts map[string]int
	flaky    map[string]bool
	out      bytes.Buffer
}

func (r *recorder) work(ctx context.Context, ev events.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[ev.ID]++
	if r.flaky[ev.ID] && r.attempts[ev.ID] == 1 {
		return errors.New("database briefly unavailable")
	}
	return printEvent(&r.out)(ctx, ev)
}

func (r *recorder) snapshot() (map[string]int, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string]int{}
	for k, v := range r.attempts {
		m[k] = v
	}
	return m, r.out.String()
}

func TestConsumeAgainstRabbitMQ(t *testing.T) {
	url := testenv.AMQPURL(t)
	topo := publisher.Options{
		Exchange:           testenv.Unique("events"),
		UnroutableExchange: testenv.Unique("unroutable"),
		UnroutableQueue:    testenv.Unique("unroutable_q"),
		DeadLetterExchange: testenv.Unique("dlx"),
		DeadLetterQueue:    testenv.Unique("dlq"),
	}
	cfg := config{
		URL:        url,
		Queue:      testenv.Unique("billing"),
		Keys:       []string{"payment.*", "git.push"},
		Prefetch:   4,
		Topology:   topo,
		RetryDelay: 50 * time.Millisecond,
		DedupeSize: 100,
	}
	ctx := context.Background()
	pub, err := publisher.Dial(ctx, url, topo, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, q := range []string{cfg.Queue, topo.UnroutableQueue, topo.DeadLetterQueue} {
			ch.QueueDelete(q, false, false, false)
		}
		for _, x := range []string{topo.Exchange, topo.UnroutableExchange, topo.DeadLetterExchange} {
			ch.ExchangeDelete(x, false, false)
		}
	})
	// Declared before publishing, as a deployed service would have done, so that
	// nothing is published before the queue is bound.
	if err := topo.DeclareConsumerQueue(ch, cfg.Queue, cfg.Keys); err != nil {
		t.Fatal(err)
	}

	rec := &recorder{attempts: map[string]int{}, flaky: map[string]bool{"evt-flaky": true}}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- consume(cctx, cfg, rec.work, slog.New(slog.NewTextHandler(t.Output(), nil)))
	}()

	publish := func(id, key string, body []byte) {
		t.Helper()
		err := pub.Publish(ctx, publisher.Message{ID: id, RoutingKey: key, ContentType: "application/cloudevents+json", Body: body})
		if err != nil {
			t.Fatalf("publish %s: %v", id, err)
		}
	}
	publish("evt-1", "payment.completed", cloudEvent(t, "evt-1", events.PaymentCompleted))
	publish("evt-1", "payment.completed", cloudEvent(t, "evt-1", events.PaymentCompleted)) // a retried publish
	publish("evt-flaky", "git.push", cloudEvent(t, "evt-flaky", events.GitPush))
	publish("evt-garbage", "payment.failed", []byte("not a cloud event"))
	publish("evt-order", "order.created", cloudEvent(t, "evt-order", events.OrderCreated)) // not bound
	publish("evt-2", "payment.failed", cloudEvent(t, "evt-2", events.PaymentFailed))

	// The garbage lands in the dead-letter queue.
	var dead amqp.Delivery
	deadline := time.Now().Add(15 * time.Second)
	for {
		d, ok, err := ch.Get(topo.DeadLetterQueue, true)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			dead = d
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("nothing in the dead-letter queue after 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if dead.MessageId != "evt-garbage" {
		t.Errorf("dead letter %s, want evt-garbage", dead.MessageId)
	}

	want := map[string]int{"evt-1": 1, "evt-flaky": 2, "evt-2": 1}
	var (
		got map[string]int
		out string
	)
	for time.Now().Before(deadline) {
		got, out = rec.snapshot()
		if fmt.Sprint(got) == fmt.Sprint(want) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("work attempts %v, want %v (duplicate handled once, flaky retried once, unbound never)", got, want)
	}
	for _, line := range []string{
		"2026-01-02T03:04:05Z payment.completed id=evt-1 subject=pi_evt-1",
		"git.push id=evt-flaky",
		"payment.failed id=evt-2",
	} {
		if strings.Count(out, line) != 1 {
			t.Errorf("output should hold %q once:\n%s", line, out)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("consume: %v", err)
	}
	// Everything was settled: nothing waits or was left unacked in the queue.
	q, err := ch.QueueDeclarePassive(cfg.Queue, true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q.Messages != 0 {
		t.Errorf("%d messages left in %s", q.Messages, cfg.Queue)
	}
}

func TestParseConfig(t *testing.T) {
	env := func(url string) func(string) string {
		return func(k string) string {
			if k == "AMQP_URL" {
				return url
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		args    []string
		url     string
		wantErr string
		check   func(t *testing.T, c config)
	}{
		{name: "defaults", url: "amqp://x", check: func(t *testing.T, c config) {
			if c.Queue != "example-consumer" || strings.Join(c.Keys, "|") != "payment.*|git.push" || c.Prefetch != 16 {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{name: "events list", url: "amqp://x", args: []string{"-events", " order.* , ,invoice.paid"}, check: func(t *testing.T, c config) {
			if strings.Join(c.Keys, "|") != "order.*|invoice.paid" {
				t.Errorf("keys %q", c.Keys)
			}
		}},
		{name: "no url", wantErr: "AMQP_URL"},
		{name: "no events", url: "amqp://x", args: []string{"-events", ","}, wantErr: "-events"},
		{name: "bad prefetch", url: "amqp://x", args: []string{"-prefetch", "0"}, wantErr: "-prefetch"},
		{name: "unknown flag", url: "amqp://x", args: []string{"-nope"}, wantErr: "flags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, env(tt.url))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestLRUForgetsTheOldest(t *testing.T) {
	l := newLRU(2)
	l.Add("a")
	l.Add("b")
	l.Contains("a") // a is now more recent than b
	l.Add("c")      // evicts b
	for key, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if got := l.Contains(key); got != want {
			t.Errorf("Contains(%s) = %v, want %v", key, got, want)
		}
	}
}

func TestDecodeRejectsWhatIsNotACloudEvent(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"not json", "hello"},
		{"wrong specversion", `{"specversion":"0.3","id":"1","type":"t","source":"s"}`},
		{"no id", `{"specversion":"1.0","type":"t","source":"s"}`},
		{"no type", `{"specversion":"1.0","id":"1","source":"s"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decode([]byte(tt.body)); !errors.Is(err, ErrPermanent) {
				t.Errorf("decode = %v, want ErrPermanent", err)
			}
		})
	}
	if _, err := decode([]byte(`{"specversion":"1.0","id":"1","type":"t","source":"s","data":{}}`)); err != nil {
		t.Errorf("valid event rejected: %v", err)
	}
}

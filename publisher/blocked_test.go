package publisher_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/publisher"
)

// TestBlockedBrokerPublishesEachMessageOnce raises RabbitMQ's memory alarm
// while messages are published by callers that retry as the workflow's
// activities do (a short deadline per call, the same message ID each
// time): the publisher reports the blocked connection, a message written
// before the block is waited for rather than published again, and once the
// alarm clears every message is in the queue exactly once. It changes the
// broker's state: it must not run in parallel with this package's other
// tests (see testenv.MemoryAlarm).
func TestBlockedBrokerPublishesEachMessageOnce(t *testing.T) {
	url := testenv.AMQPURL(t)
	opts := uniqueOptions()
	opts.ConfirmTimeout = 2 * time.Second
	var blockedEvents, unblockedEvents atomic.Int64
	opts.OnBlocked = func(blocked bool, _ string) {
		if blocked {
			blockedEvents.Add(1)
		} else {
			unblockedEvents.Add(1)
		}
	}
	ctx := context.Background()
	pub, err := publisher.Dial(ctx, url, opts, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pub.Close() })
	b := &bundle{url: url, opts: opts, pub: pub}
	inspect := setup(t) // its own connection, for the queue
	b.ch = inspect.ch
	t.Cleanup(func() { deleteTopology(t, url, opts) })
	q := b.consumerQueue(t, "#")

	const before, during = 20, 30
	for i := range before {
		if err := pub.Publish(ctx, msg(fmt.Sprintf("m-%03d", i), "payment.completed")); err != nil {
			t.Fatalf("before the alarm: %v", err)
		}
	}
	clear := testenv.MemoryAlarm(t)

	// Callers retry like activities: every failed call is tried again,
	// same ID, until it succeeds.
	var wg sync.WaitGroup
	var attempts, failures atomic.Int64
	for i := range during {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := msg(fmt.Sprintf("m-%03d", before+i), "payment.completed")
			for {
				attempts.Add(1)
				call, cancel := context.WithTimeout(ctx, 3*time.Second)
				err := pub.Publish(call, m)
				cancel()
				if err == nil {
					return
				}
				failures.Add(1)
				if !errors.Is(err, publisher.ErrUnavailable) && !errors.Is(err, publisher.ErrNotConfirmed) {
					t.Errorf("%s: %v, want unavailable or not confirmed", m.ID, err)
					return
				}
				time.Sleep(500 * time.Millisecond)
			}
		}()
		time.Sleep(50 * time.Millisecond)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if blocked, reason, _ := pub.Blocked(); blocked {
			t.Logf("blocked: %s", reason)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the publisher never saw connection.blocked")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(8 * time.Second) // the alarm lasts: calls fail and are retried
	if failures.Load() == 0 {
		t.Fatal("no call failed while the broker blocked publishing")
	}
	clear()
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(60 * time.Second):
		t.Fatal("calls still failing a minute after the alarm cleared")
	}
	if blocked, _, _ := pub.Blocked(); blocked {
		t.Fatal("still blocked after the alarm cleared")
	}
	if blockedEvents.Load() == 0 || unblockedEvents.Load() == 0 {
		t.Fatalf("OnBlocked told %d blocks and %d unblocks", blockedEvents.Load(), unblockedEvents.Load())
	}
	// Every message exactly once: as many messages as message IDs.
	seen := map[string]int{}
	for range before + during {
		d := get(t, b.ch, q)
		seen[d.MessageId]++
		_ = d.Ack(false)
	}
	time.Sleep(time.Second)
	if extra := depth(t, b.ch, q); extra != 0 || len(seen) != before+during {
		t.Fatalf("%d distinct IDs and %d more messages, want %d messages for %d IDs (attempts %d, failures %d)",
			len(seen), extra, before+during, before+during, attempts.Load(), failures.Load())
	}
	t.Logf("%d messages once each; %d calls, %d failed during the alarm", before+during, attempts.Load(), failures.Load())
}

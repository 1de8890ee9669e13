package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/store"
)

// sendMany posts n fresh GitHub pushes concurrently and returns their event
// IDs; every one must be acked 200.
func (s *stack) sendMany(t *testing.T, n int) []string {
	t.Helper()
	ids := make([]string, n)
	codes := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		ids[i] = fixtures.NewEventID("github")
		req := s.request(t, "github", "push", ids[i], false)
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], errs[i] = s.post(req)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || codes[i] != http.StatusOK {
			t.Fatalf("delivery %d: status %d, err %v; want 200", i, codes[i], errs[i])
		}
	}
	return ids
}

// Webhooks arriving while Temporal is down are acked, and processed once it is
// back: the relay's sweep starts their workflows.
func TestTemporalOutageLosesNothing(t *testing.T) {
	s := setup(t, options{})
	s.stopTemporal(t)
	ids := s.sendMany(t, 20)
	s.startTemporal(t)
	for _, id := range ids {
		s.waitStatus(t, "github", id, store.StatusCompleted)
	}
}

// Events processed while RabbitMQ is down are retried, not lost, and delivered
// exactly once when it is back.
// While RabbitMQ is down, publishes fail and are retried on the source's
// schedule; once it is back every receipt completes and its message arrives.
// Publishing is at least once: a confirm lost in flight (the publisher
// suite's case) can deliver an ID twice, which consumers deduplicate; this
// outage, with no publish in flight when the broker stops, delivers each
// once, and the test checks that.
func TestPublishesDuringARabbitMQOutageAreRetried(t *testing.T) {
	// The schedule outlasts the outage: 31 s of retries.
	s := setup(t, options{retry: []string{"1s", "2s", "4s", "8s", "16s"}})
	testenv.Stop(t, testenv.RabbitMQ)
	ids := s.sendMany(t, 5)
	for _, id := range ids {
		s.waitStatus(t, "github", id, store.StatusRetrying)
	}
	testenv.Start(t, testenv.RabbitMQ)
	receipts := make([]store.Receipt, len(ids))
	for i, id := range ids {
		receipts[i] = s.waitStatus(t, "github", id, store.StatusCompleted)
	}
	s.record(t, receipts[0].WorkflowID, "history_retry") // retried publishes, then success
	eventually(t, "a message per receipt", func() (bool, string) {
		msgs, _ := s.messages()
		for _, r := range receipts {
			if len(byCorrelation(msgs, r.ID)) == 0 {
				return false, fmt.Sprintf("none yet for %s (%d messages)", r.ID, len(msgs))
			}
		}
		return true, ""
	})
	msgs, _ := s.messages()
	perID := map[string]int{}
	for _, m := range msgs {
		perID[m.MessageId]++
	}
	for id, n := range perID {
		if n != 1 {
			t.Errorf("message %s delivered %d times, want once", id, n)
		}
	}
	for _, r := range receipts {
		if got := byCorrelation(msgs, r.ID); len(got) != 1 {
			t.Errorf("receipt %s: %d messages, want 1", r.ID, len(got))
		}
	}
}

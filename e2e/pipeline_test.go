package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/store"
)

// A signed GitHub push travels the whole pipeline and reaches a consumer as
// one CloudEvent.
func TestGitHubPushIsPublishedAsOneCloudEvent(t *testing.T) {
	s := setup(t, options{})
	id := s.send(t, "github", "push", http.StatusOK)
	r := s.waitStatus(t, "github", id, store.StatusCompleted)

	var got []amqp.Delivery
	eventually(t, "one message for the receipt", func() (bool, string) {
		msgs, _ := s.messages()
		got = byCorrelation(msgs, r.ID)
		return len(got) >= 1, fmt.Sprintf("%d messages", len(msgs))
	})
	// The receipt is completed only after its publish was confirmed, so nothing
	// more can arrive: a second message now would be a duplicate publish.
	msgs, _ := s.messages()
	if got = byCorrelation(msgs, r.ID); len(got) != 1 {
		t.Fatalf("%d messages for the receipt, want 1", len(got))
	}
	m := got[0]
	var ce struct {
		SpecVersion     string          `json:"specversion"`
		ID              string          `json:"id"`
		Type            string          `json:"type"`
		Source          string          `json:"source"`
		Subject         string          `json:"subject"`
		DataContentType string          `json:"datacontenttype"`
		Data            json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(m.Body, &ce); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, m.Body)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"specversion", ce.SpecVersion, "1.0"},
		{"id = AMQP message-id", ce.ID, m.MessageId},
		{"type", ce.Type, "git.push"},
		{"source", ce.Source, "/hookgate/sources/github"},
		{"datacontenttype", ce.DataContentType, "application/json"},
		{"routing key", m.RoutingKey, "git.push"},
		{"correlation id", m.CorrelationId, r.ID},
		{"delivery mode", m.DeliveryMode, amqp.Persistent},
		{"content type", m.ContentType, "application/cloudevents+json"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if m.MessageId == "" {
		t.Error("empty message-id")
	}
	if tp, ts := m.Headers["traceparent"], m.Headers["tracestate"]; tp != nil || ts != nil {
		t.Errorf("tracing off, yet the message carries trace headers %v %v", tp, ts)
	}
	if ce.Subject == "" {
		t.Error("empty subject")
	}
	var data map[string]any
	if err := json.Unmarshal(ce.Data, &data); err != nil || len(data) == 0 {
		t.Errorf("data is not a JSON object: %v: %s", err, ce.Data)
	}
	s.record(t, r.WorkflowID, "history_success")
}

// With the relay in the worker (relay.process: worker), the gateway's commit
// reaches it through PostgreSQL's NOTIFY and the workflow starts eagerly. The
// worker's sweeps are pushed an hour out, so only a wake can start it: the
// commit's NOTIFY, or the catch-up wake after LISTEN connects (internal/storage/postgres's
// listen_test checks that a commit notifies).
func TestRelayInWorkerStartsOnTheCommitNotification(t *testing.T) {
	s := setup(t, options{workerRelay: &relay.Options{Interval: time.Hour, Grace: time.Hour}})
	id := s.send(t, "github", "push", http.StatusOK)
	r := s.waitStatus(t, "github", id, store.StatusCompleted)
	eventually(t, "the event published", func() (bool, string) {
		msgs, _ := s.messages()
		n := len(byCorrelation(msgs, r.ID))
		return n == 1, fmt.Sprintf("%d messages", n)
	})
}

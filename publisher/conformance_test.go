package publisher_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/publisher/publishertest"
	"github.com/hookgate/hookgate/store"
)

// drainIDs takes every message waiting on queue and returns their IDs.
func drainIDs(t *testing.T, ch *amqp.Channel, queue string) []string {
	t.Helper()
	var out []string
	for {
		d, ok, err := ch.Get(queue, true)
		if err != nil {
			t.Fatalf("get from %s: %v", queue, err)
		}
		if !ok {
			return out
		}
		out = append(out, d.MessageId)
	}
}

func amqpHarness(t *testing.T) publishertest.Harness {
	b := setup(t)
	events := b.consumerQueue(t, "#")
	return publishertest.Harness{
		Publisher: b.pub,
		Delivered: func(t *testing.T) ([]string, []string) {
			// Publish returns after the broker's confirms: the messages are routed.
			return drainIDs(t, b.ch, events), drainIDs(t, b.ch, b.opts.DeadLetterQueue)
		},
		Outage: func(t *testing.T) func() {
			testenv.Stop(t, testenv.RabbitMQ)
			return func() {
				testenv.Start(t, testenv.RabbitMQ)
				// The inspection channel died with the broker: a new one.
				conn, err := amqp.Dial(b.url)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { conn.Close() })
				if b.ch, err = conn.Channel(); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
}

// The RabbitMQ adapter passes the publisher suite, an outage included.
func TestConformance(t *testing.T) {
	publishertest.Run(t, amqpHarness)
	publishertest.RunOutage(t, amqpHarness)
}

// busStore is what the store harness needs of a store.
type busStore interface {
	publisher.Bus
	Ingest(ctx context.Context, ds []store.Delivery) ([]store.IngestResult, error)
	Events(ctx context.Context, f store.EventFilter) ([]store.Event, error)
	Migrate(ctx context.Context) error
}

// storeHarness is the store publisher over st: Prepare stores each batch's
// receipt and events as the handle step does; delivered are the events
// marked published, and the dead letters saved.
func storeHarness(t *testing.T, st busStore) publishertest.Harness {
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	receipt := func(id string) {
		if id == "" || seen[id] {
			return
		}
		seen[id] = true
		now := time.Now()
		if _, err := st.Ingest(ctx, []store.Delivery{{
			Receipt: store.Receipt{ID: id, Source: "s", Provider: "stripe", EventID: id, EventType: "x", Body: []byte(`{}`), ReceivedAt: now},
			Audit:   store.AuditRecord{ID: uuid.NewString(), At: now, Source: "s", Method: http.MethodPost, Status: http.StatusOK},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	return publishertest.Harness{
		Publisher: publisher.NewStore(st),
		Prepare: func(t *testing.T, msgs []publisher.Message) {
			var es []store.Event
			for i, m := range msgs {
				receipt(m.CorrelationID)
				if m.ID != "" {
					es = append(es, store.Event{ID: m.ID, ReceiptID: m.CorrelationID, Seq: i, Type: m.RoutingKey, Time: time.Now(), Envelope: m.Body})
				}
			}
			if err := st.SaveEvents(ctx, es); err != nil {
				t.Fatal(err)
			}
		},
		Delivered: func(t *testing.T) ([]string, []string) {
			all, err := st.Events(ctx, store.EventFilter{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var events, dead []string
			for _, e := range all {
				switch {
				case e.PublishedAt.IsZero():
				case e.Seq < 0:
					dead = append(dead, e.ID)
				default:
					events = append(events, e.ID)
				}
			}
			return events, dead
		},
	}
}

// The store publisher passes the same suite, on both dialects.
func TestStoreConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		publishertest.Run(t, func(t *testing.T) publishertest.Harness {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return storeHarness(t, st)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		publishertest.Run(t, func(t *testing.T) publishertest.Harness {
			st, err := postgres.Open(context.Background(), testenv.PostgresURL(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			return storeHarness(t, st)
		})
	})
}

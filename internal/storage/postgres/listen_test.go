package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/store"
)

func delivery(eventID string) store.Delivery {
	now := time.Now()
	return store.Delivery{
		Receipt: store.Receipt{ID: uuid.Must(uuid.NewV7()).String(), Source: "gh", Provider: "github",
			EventID: eventID, EventType: "push", Body: []byte(`{}`), ReceivedAt: now},
		Audit: store.AuditRecord{ID: uuid.Must(uuid.NewV7()).String(), At: now, Source: "gh", Method: "POST",
			Path: "/webhooks/gh", Status: 200, EventID: eventID},
	}
}

func TestListenReceiptsWakesOnNewReceiptsOnly(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	writer, err := postgres.Open(ctx, url, postgres.WithNotify())
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if err := writer.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// The listener is another store, as in another process.
	listener, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()

	wakes := make(chan struct{}, 100)
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- listener.ListenReceipts(lctx, func() { wakes <- struct{}{} }) }()
	expect := func(what string, want bool) {
		t.Helper()
		select {
		case <-wakes:
			if !want {
				t.Fatalf("woken %s", what)
			}
		case <-time.After(map[bool]time.Duration{true: 10 * time.Second, false: 500 * time.Millisecond}[want]):
			if want {
				t.Fatalf("not woken %s", what)
			}
		}
	}
	expect("once listening (notifications before it are lost)", true)

	if _, err := writer.Ingest(ctx, []store.Delivery{delivery("e1"), delivery("e2")}); err != nil {
		t.Fatal(err)
	}
	expect("by a batch of new receipts", true)
	expect("twice for one batch", false)

	if _, err := writer.Ingest(ctx, []store.Delivery{delivery("e1")}); err != nil {
		t.Fatal(err)
	}
	expect("by a batch of duplicates only", false)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenReceipts = %v after cancel, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ListenReceipts did not return after cancel")
	}
}

func TestIngestWithoutNotifyIsSilent(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	writer, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if err := writer.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	wakes := make(chan struct{}, 10)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = writer.ListenReceipts(lctx, func() { wakes <- struct{}{} }) }()
	<-wakes // listening
	if _, err := writer.Ingest(ctx, []store.Delivery{delivery("e1")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wakes:
		t.Fatal("a store without WithNotify announced a receipt")
	case <-time.After(500 * time.Millisecond):
	}
}

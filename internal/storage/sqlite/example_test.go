package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/store"
)

// Open a store, commit a delivery twice, and read the receipt back: the second
// delivery of the same event is counted as a duplicate, not stored again.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "hookgate-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := sqlite.Open(ctx, filepath.Join(dir, "data", "hookgate.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	deliver := func(receiptID, auditID string) store.IngestResult {
		res, err := s.Ingest(ctx, []store.Delivery{{
			Receipt: store.Receipt{
				ID: receiptID, Source: "stripe-main", Provider: "stripe",
				EventID: "evt_1", EventType: "invoice.paid",
				Body: []byte(`{"id":"evt_1"}`), ReceivedAt: now,
			},
			Audit: store.AuditRecord{ID: auditID, At: now, Source: "stripe-main", Status: 200},
		}})
		if err != nil {
			log.Fatal(err)
		}
		return res[0]
	}
	fmt.Printf("%+v\n", deliver("receipt-1", "audit-1"))
	fmt.Printf("%+v\n", deliver("receipt-2", "audit-2"))

	r, err := s.ReceiptByEvent(ctx, "stripe-main", "evt_1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.ID, r.Status, r.Duplicates, string(r.Body))
	// Output:
	// {ReceiptID:receipt-1 Duplicate:false}
	// {ReceiptID:receipt-1 Duplicate:true}
	// receipt-1 verified 1 {"id":"evt_1"}
}

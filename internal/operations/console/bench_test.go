package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/hookgate/hookgate/bench/load"
	"github.com/hookgate/hookgate/internal/operations/console"
	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/store"
)

// benchReceipts is how many receipts the console's pages are measured over.
const benchReceipts = 100_000

// size is receipt i's body size: realistic pushes of 2.2 KB, one in fifty
// of 20 KB (load.DefaultSizes without its 200 KB tail, which would make the
// seeded store several gigabytes).
func size(i int) int {
	if i%50 == 0 {
		return 20000
	}
	return 2200
}

// seed stores n receipts over the last 24 hours from eight sources, with the
// status mix of a busy day (most completed, some unhandled, a few dead or in
// flight) and a rejected request per hundred.
func seed(b *testing.B, st interface {
	Ingest(context.Context, []store.Delivery) ([]store.IngestResult, error)
	Audit(context.Context, []store.AuditRecord) error
	Transition(context.Context, store.Transition) error
}, n int, now time.Time) {
	b.Helper()
	ctx := context.Background()
	sources := []string{"github", "stripe", "shopify", "slack", "twilio", "paypal", "linear", "zoom"}
	const batch = 1000
	for start := 0; start < n; start += batch {
		ds := make([]store.Delivery, 0, batch)
		var audit []store.AuditRecord
		for i := start; i < min(start+batch, n); i++ {
			at := now.Add(-time.Duration(n-i) * (24 * time.Hour / time.Duration(n)))
			src := sources[i%len(sources)]
			id := fmt.Sprintf("r%07d", i)
			ds = append(ds, store.Delivery{
				Receipt: store.Receipt{ID: id, Source: src, Provider: src, EventID: fmt.Sprintf("evt_%07d", i), EventType: "push",
					Status: store.StatusVerified, ContentType: "application/json", Body: load.Body(id, size(i)), ReceivedAt: at},
				Audit: store.AuditRecord{ID: "a" + id, At: at, Source: src, Status: 200, Outcome: store.OutcomeAccepted},
			})
			if i%100 == 0 {
				audit = append(audit, store.AuditRecord{ID: "x" + id, At: at, Source: src, Status: 401, Outcome: store.OutcomeRejected, Reason: "signature_mismatch"})
			}
		}
		if _, err := st.Ingest(ctx, ds); err != nil {
			b.Fatal(err)
		}
		if err := st.Audit(ctx, audit); err != nil {
			b.Fatal(err)
		}
		for _, d := range ds {
			to := store.StatusCompleted
			switch i := d.Receipt.ReceivedAt.UnixNano() / 7 % 100; {
			case i < 5:
				to = store.StatusUnhandled
			case i < 6:
				to = store.StatusDead
			case i < 7:
				continue // still in flight
			}
			if err := st.Transition(ctx, store.Transition{ReceiptID: d.Receipt.ID, To: to, At: d.Receipt.ReceivedAt.Add(40 * time.Millisecond)}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkConsolePages measures the server time of the pages an operator
// opens first, over 100,000 receipts: the Overview, the receipts list (first
// page, and filtered by source and status) and a receipt. Target: under
// 300 ms each. `go test -run '^$' -bench ConsolePages ./internal/operations/console`
// (PostgreSQL: TEST_DATABASE_URL, as make test sets it).
func BenchmarkConsolePages(b *testing.B) {
	now := time.Now()
	stores := map[string]func(b *testing.B) console.Store{
		"sqlite": func(b *testing.B) console.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "hookgate.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			if err := st.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			seed(b, st, benchReceipts, now)
			return st
		},
		"postgres": func(b *testing.B) console.Store {
			st, err := postgres.Open(context.Background(), testenv.PostgresURL(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			if err := st.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			seed(b, st, benchReceipts, now)
			return st
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			st := stores[name](b)
			c, err := console.New(console.Options{Store: st, Tokens: []console.Token{{Name: "ops", Value: opsToken, Bodies: true}}})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(c)
			defer srv.Close()
			cl := browser(b)
			signIn(b, srv, cl, opsToken)
			for _, page := range []string{"/", "/receipts", "/receipts?source=stripe&status=dead", "/receipts/r0050000"} {
				b.Run(page, func(b *testing.B) {
					for b.Loop() {
						resp, err := cl.Get(srv.URL + page)
						if err != nil {
							b.Fatal(err)
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Fatalf("%s: %d", page, resp.StatusCode)
						}
					}
				})
			}
		})
	}
}

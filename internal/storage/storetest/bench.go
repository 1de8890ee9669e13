package storetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// BenchIngest measures Ingest with batches of 1 (a lone request) and 256 (what
// the gateway's group-committing batcher sends under load), reporting
// deliveries/s. open works as for Run; each batch size gets its own store.
func BenchIngest(b *testing.B, open func(b *testing.B) Store) {
	body := make([]byte, 1024) // a typical webhook payload
	for i := range body {
		body[i] = byte('a' + i%26)
	}
	for _, size := range []int{1, 256} {
		b.Run("batch="+strconv.Itoa(size), func(b *testing.B) {
			s := open(b)
			b.Cleanup(func() {
				if err := s.Close(); err != nil {
					b.Errorf("Close: %v", err)
				}
			})
			ctx := context.Background()
			if err := s.Migrate(ctx); err != nil {
				b.Fatalf("Migrate: %v", err)
			}
			batch := make([]store.Delivery, size)
			n := 0
			start := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				for i := range batch {
					n++
					d := delivery("bench", fmt.Sprintf("evt_%d", n), start)
					d.Receipt.Body = body
					batch[i] = d
				}
				if _, err := s.Ingest(ctx, batch); err != nil {
					b.Fatalf("Ingest: %v", err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

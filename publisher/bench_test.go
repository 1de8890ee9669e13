package publisher_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/publisher"
)

// BenchmarkPublish measures one caller publishing batches of 1 and 16 messages,
// each call waiting for its confirms: the latency a workflow activity sees.
func BenchmarkPublish(b *testing.B) {
	for _, batch := range []int{1, 16} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			bn := setup(b)
			bn.consumerQueue(b, "#") // persisted to a durable queue, as in production
			msgs := make([]publisher.Message, batch)
			for i := range msgs {
				msgs[i] = msg(fmt.Sprintf("m%d", i), "payment.completed")
			}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if err := bn.pub.Publish(ctx, msgs...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkPublishParallel measures many concurrent single-message callers (the
// worker's activities) against pools of 1, 4, 16 and 64 confirm channels: what the
// default Options.Channels is chosen from.
func BenchmarkPublishParallel(b *testing.B) {
	for _, channels := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("channels=%d", channels), func(b *testing.B) {
			url := testenv.AMQPURL(b)
			opts := uniqueOptions()
			opts.Channels = channels
			pub, err := publisher.Dial(context.Background(), url, opts, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			defer pub.Close()
			b.Cleanup(func() { deleteTopology(b, url, opts) })
			var n atomic.Int64
			b.SetParallelism(16) // 16 × GOMAXPROCS callers
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprintf("p%d", n.Add(1))
					if err := pub.Publish(context.Background(), msg(id, "payment.completed")); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

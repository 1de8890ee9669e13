// Command loadgen sends signed GitHub-style webhooks to a hookgate gateway (or
// any GitHub-compatible endpoint) at a fixed concurrency or a fixed rate and
// reports acknowledged requests per second and HDR-histogram latency
// percentiles by kind of request (fresh, duplicate, forged). Requests are signed
// before the clock starts, each with its own delivery ID, so the generator
// measures the server, not itself. -json prints the bench/load.Result instead,
// for the bench runner.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/hookgate/hookgate/bench/load"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8005/webhooks/github", "webhook endpoint")
	secret := flag.String("secret", os.Getenv("LOADGEN_SECRET"), "the source's GitHub secret (or LOADGEN_SECRET)")
	conc := flag.Int("c", 64, "concurrent senders (requests in flight at most)")
	rate := flag.Float64("rate", 0, "requests per second (open loop); 0: closed loop at -c")
	dur := flag.Duration("d", 10*time.Second, "duration")
	size := flag.Int("size", 0, "body size in bytes (0: realistic pushes in load.DefaultSizes' mix of 2.2 KB, 20 KB and 200 KB)")
	dups := flag.Float64("dup", 0, "share of duplicate deliveries (0..1)")
	forged := flag.Float64("forged", 0, "share of forged signatures (0..1)")
	seed := flag.Uint64("seed", uint64(time.Now().UnixNano()), "seed of the duplicate/forgery choice")
	asJSON := flag.Bool("json", false, "print the result as JSON")
	xff := flag.String("forwarded-for", "", "comma-separated client IPs claimed in X-Forwarded-For (one per request)")
	count := flag.Int("n", 0, "send exactly this many requests, as fast as they are answered (closed loop; -d then bounds the run)")
	flag.Parse()
	if *secret == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -secret (or LOADGEN_SECRET) is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := load.Run(ctx, load.Options{
		URL: *url, Secret: []byte(*secret), Concurrency: *conc, Rate: *rate, Duration: *dur,
		BodySize: *size, DuplicateShare: *dups, ForgedShare: *forged, Seed: *seed,
		ForwardedFor: splitList(*xff), Prepared: *count,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return
	}
	fmt.Printf("concurrency %d, rate %.0f/s: %s\n", *conc, *rate, res.Summary())
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

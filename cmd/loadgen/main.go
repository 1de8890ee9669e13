// Command loadgen sends signed GitHub-style webhooks to a hookgate gateway at a
// fixed concurrency and reports acknowledged requests per second and ack latency
// percentiles. Requests are signed before the clock starts, each with its own
// delivery ID (plus an optional share of duplicates and forgeries), so the
// generator measures the gateway, not itself.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

type request struct {
	id     string
	sig    string
	forged bool
}

func main() {
	url := flag.String("url", "http://127.0.0.1:8005/webhooks/github", "webhook endpoint")
	secret := flag.String("secret", "", "the source's GitHub secret (required)")
	conc := flag.Int("c", 64, "concurrent senders")
	dur := flag.Duration("d", 10*time.Second, "duration")
	size := flag.Int("size", 2200, "body size in bytes")
	dups := flag.Float64("dup", 0, "share of duplicate deliveries (0..1)")
	forged := flag.Float64("forged", 0, "share of forged signatures (0..1)")
	flag.Parse()
	if *secret == "" {
		fmt.Fprintln(os.Stderr, "loadgen: --secret is required")
		os.Exit(2)
	}
	pad := strings.Repeat("x", max(0, *size-200))
	body := []byte(fmt.Sprintf(`{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"1111111111111111111111111111111111111111","repository":{"full_name":"octo/bench"},"pusher":{"name":"bench"},"commits":[],"pad":%q}`, pad))
	mac := hmac.New(sha256.New, []byte(*secret))
	mac.Write(body)
	sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))

	// Pre-build more requests than can be sent.
	n := *conc * 20000
	reqs := make([]request, n)
	for i := range reqs {
		reqs[i] = request{id: uuid.NewString(), sig: sig}
		if i > 0 && rand.Float64() < *dups {
			reqs[i].id = reqs[rand.IntN(i)].id
		}
		if rand.Float64() < *forged {
			reqs[i].sig = "sha256=" + strings.Repeat("0", 64)
			reqs[i].forged = true
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc}}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	codes := map[int]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			mycodes := map[int]int{}
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if int(i) >= n {
					break
				}
				r := reqs[i]
				req, _ := http.NewRequest(http.MethodPost, *url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-GitHub-Event", "push")
				req.Header.Set("X-GitHub-Delivery", r.id)
				req.Header.Set("X-Hub-Signature-256", r.sig)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					mycodes[-1]++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					mine = append(mine, time.Since(t0))
				}
				mycodes[resp.StatusCode]++
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range mycodes {
				codes[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("concurrency %d, %s: %d acked (%.0f req/s), p50 %s, p90 %s, p99 %s, max %s; status counts %v\n",
		*conc, elapsed.Round(time.Millisecond), len(lat), float64(len(lat))/elapsed.Seconds(),
		pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond), codes)
}

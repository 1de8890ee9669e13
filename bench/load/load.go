// Package load is hookgate's HTTP load generator: it sends pre-signed
// GitHub-style webhooks (each with its own delivery ID, plus a configurable share
// of duplicates and forgeries) at a fixed concurrency or a fixed rate, and
// records latencies in HDR histograms, one per kind of request.
//
// Everything that costs CPU on the sender's side (IDs, signatures) is prepared
// before the clock starts, so a run measures the server, not the generator.
package load

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/google/uuid"
)

// ErrInvalidOptions is returned (wrapped) by Run when Options are unusable.
var ErrInvalidOptions = errors.New("load: invalid options")

// Kind is what a request is meant to test.
type Kind int

// Request kinds. Fresh requests carry a new delivery ID and a valid signature,
// duplicates repeat an earlier ID, forgeries carry a wrong signature.
const (
	Fresh Kind = iota
	Duplicate
	Forged
	numKinds
)

// String names the kind in reports.
func (k Kind) String() string {
	switch k {
	case Fresh:
		return "fresh"
	case Duplicate:
		return "duplicate"
	case Forged:
		return "forged"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Options describe one run.
type Options struct {
	// URL is the GitHub webhook endpoint, e.g. http://127.0.0.1:8005/webhooks/github.
	URL string
	// Secret is the source's GitHub signing secret.
	Secret []byte
	// Concurrency is the number of requests in flight at most (default 64).
	Concurrency int
	// Rate, when positive, sends at this many requests per second (open loop:
	// latency counts from each request's scheduled time, so a stalled server
	// is not hidden by senders that wait for it). Zero: closed loop, each of
	// Concurrency senders sends its next request when the previous is answered.
	Rate float64
	// Duration of the run (default 10 s).
	Duration time.Duration
	// BodySize, when positive, is every body's size in bytes; otherwise the
	// sizes follow Sizes (default DefaultSizes).
	BodySize int
	// Sizes is the distribution of body sizes when BodySize is zero: each
	// delivery's size is drawn from it by its ID.
	Sizes []SizeShare
	// DuplicateShare and ForgedShare are the shares (0..1) of duplicate and forged
	// requests; their sum must not exceed 1.
	DuplicateShare, ForgedShare float64
	// Prepared caps the requests prepared before the run (default 40,000 per
	// second of Duration, or Rate × Duration + 10% at a fixed rate). A closed
	// loop that exhausts them stops early.
	Prepared int
	// Seed makes the choice of duplicates and forgeries reproducible.
	Seed uint64
	// Client sends the requests (default: keep-alive transport sized for Concurrency).
	Client *http.Client
	// ForwardedFor, when set, are the client IPs the requests claim in
	// X-Forwarded-For (each request one of them, by its delivery ID), for a
	// gateway that trusts the load generator as its proxy.
	ForwardedFor []string
}

// Latency summarises one histogram, in microseconds.
type Latency struct {
	Count int64 `json:"count"`
	P50   int64 `json:"p50_us"`
	P90   int64 `json:"p90_us"`
	P99   int64 `json:"p99_us"`
	P999  int64 `json:"p999_us"`
	Max   int64 `json:"max_us"`
}

// Result is what one run measured.
type Result struct {
	Elapsed time.Duration `json:"elapsed_ns"`
	// Sent counts the requests answered or failed, by kind name.
	Sent map[string]int64 `json:"sent"`
	// Status counts answers by HTTP status; transport errors count under 0.
	Status map[int]int64 `json:"status"`
	// Acked counts fresh and duplicate requests answered 2xx.
	Acked int64 `json:"acked"`
	// AckedPerSec is Acked over Elapsed.
	AckedPerSec float64 `json:"acked_per_sec"`
	// Unexpected counts fresh or duplicate requests not answered 2xx and forged
	// requests answered 2xx.
	Unexpected int64 `json:"unexpected"`
	// Latency by kind name, for the requests answered as expected.
	Latency map[string]Latency `json:"latency"`
}

type request struct {
	id   string
	sig  string
	kind Kind
}

// SizeShare is one body size of a distribution and its share.
type SizeShare struct {
	Bytes int
	Share float64
}

// DefaultSizes mixes the sizes real pushes have: mostly a few commits, some
// larger pushes, a few very large ones.
var DefaultSizes = []SizeShare{{2200, 0.85}, {20000, 0.12}, {200000, 0.03}}

// size is the body size of delivery id: BodySize, or one drawn from Sizes by
// the ID (a resend has the same size, and the same bytes).
func (o Options) size(id string) int {
	if o.BodySize > 0 {
		return o.BodySize
	}
	total := 0.0
	for _, s := range o.Sizes {
		total += s.Share
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	x := float64(h.Sum64()%1_000_000) / 1_000_000 * total
	for _, s := range o.Sizes {
		if x < s.Share {
			return s.Bytes
		}
		x -= s.Share
	}
	return o.Sizes[len(o.Sizes)-1].Bytes
}

// Sign returns the X-Hub-Signature-256 value of body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (o Options) withDefaults() (Options, error) {
	if o.URL == "" || len(o.Secret) == 0 {
		return o, fmt.Errorf("%w: URL and Secret are required", ErrInvalidOptions)
	}
	if o.DuplicateShare < 0 || o.ForgedShare < 0 || o.DuplicateShare+o.ForgedShare > 1 {
		return o, fmt.Errorf("%w: shares must be in 0..1 and sum to at most 1", ErrInvalidOptions)
	}
	if o.Rate < 0 {
		return o, fmt.Errorf("%w: negative rate", ErrInvalidOptions)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 64
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.BodySize <= 0 && len(o.Sizes) == 0 {
		o.Sizes = DefaultSizes
	}
	total := 0.0
	for _, sz := range o.Sizes {
		if sz.Bytes <= 0 || sz.Share < 0 {
			return o, fmt.Errorf("%w: a size share needs positive bytes and a share >= 0", ErrInvalidOptions)
		}
		total += sz.Share
	}
	if len(o.Sizes) > 0 && total <= 0 {
		return o, fmt.Errorf("%w: the size shares sum to 0", ErrInvalidOptions)
	}
	if o.Prepared <= 0 {
		if o.Rate > 0 {
			o.Prepared = int(o.Rate*o.Duration.Seconds()*1.1) + o.Concurrency
		} else {
			o.Prepared = int(40000 * max(1, o.Duration.Seconds()))
		}
	}
	if o.Client == nil {
		o.Client = &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: o.Concurrency, MaxConnsPerHost: o.Concurrency,
			DisableCompression: true,
		}}
	}
	return o, nil
}

// prepare builds the requests: a duplicate repeats an earlier fresh ID (so the
// server has, or is about to have, that event), a forgery gets a fresh ID and a
// signature of the right shape but wrong value.
func prepare(o Options) []request {
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	forged := "sha256=" + strings.Repeat("0", 64)
	const sig = "" // signed at send time, over the delivery's own body
	reqs := make([]request, o.Prepared)
	var fresh []int
	for i := range reqs {
		p := rng.Float64()
		switch {
		case p < o.ForgedShare:
			reqs[i] = request{id: uuid.NewString(), sig: forged, kind: Forged}
		case p < o.ForgedShare+o.DuplicateShare && len(fresh) > 0:
			reqs[i] = request{id: reqs[fresh[rng.IntN(len(fresh))]].id, sig: sig, kind: Duplicate}
		default:
			reqs[i] = request{id: uuid.NewString(), sig: sig, kind: Fresh}
			fresh = append(fresh, i)
		}
	}
	return reqs
}

// sender is one goroutine's tallies, merged after the run (no shared locks on
// the hot path).
type sender struct {
	hist       [numKinds]*hdrhistogram.Histogram
	sent       [numKinds]int64
	status     map[int]int64
	acked      int64
	unexpected int64
}

func newSender() *sender {
	s := &sender{status: map[int]int64{}}
	for k := range s.hist {
		// 1 µs .. 5 min at 3 significant digits.
		s.hist[k] = hdrhistogram.New(1, int64(5*time.Minute/time.Microsecond), 3)
	}
	return s
}

// Run sends load until Duration elapses, ctx ends, or the prepared requests
// run out, and returns what it measured.
func Run(ctx context.Context, o Options) (*Result, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	reqs := prepare(o)
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()

	var next atomic.Int64
	senders := make([]*sender, o.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(0)
	if o.Rate > 0 {
		interval = time.Duration(float64(time.Second) / o.Rate)
	}
	for w := range senders {
		s := newSender()
		senders[w] = s
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if int(i) >= len(reqs) {
					return
				}
				t0 := time.Now()
				if interval > 0 {
					// Open loop: request i is due at start + i×interval, and its
					// latency counts from then.
					t0 = start.Add(time.Duration(i) * interval)
					if d := time.Until(t0); d > 0 {
						select {
						case <-time.After(d):
						case <-ctx.Done():
							return
						}
					}
				}
				s.send(ctx, o, reqs[i], t0)
			}
		}()
	}
	wg.Wait()
	return merge(senders, time.Since(start)), nil
}

func (s *sender) send(ctx context.Context, o Options, r request, t0 time.Time) {
	body := Body(r.id, o.size(r.id))
	if r.kind != Forged {
		r.sig = Sign(o.Secret, body)
	}
	c := o.Client
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(body))
	if err != nil {
		s.status[0]++
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/bench")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", r.id)
	req.Header.Set("X-Hub-Signature-256", r.sig)
	if n := len(o.ForwardedFor); n > 0 {
		h := fnv.New32a()
		_, _ = h.Write([]byte(r.id))
		req.Header.Set("X-Forwarded-For", o.ForwardedFor[int(h.Sum32()%uint32(n))])
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() == nil { // requests cut by the end of the run are not failures
			s.sent[r.kind]++
			s.status[0]++
			s.unexpected++
		}
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	lat := time.Since(t0)
	s.sent[r.kind]++
	s.status[resp.StatusCode]++
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if ok != (r.kind != Forged) {
		s.unexpected++
		return
	}
	if ok {
		s.acked++
	}
	_ = s.hist[r.kind].RecordValue(max(1, lat.Microseconds()))
}

func merge(senders []*sender, elapsed time.Duration) *Result {
	res := &Result{Elapsed: elapsed, Sent: map[string]int64{}, Status: map[int]int64{}, Latency: map[string]Latency{}}
	var hist [numKinds]*hdrhistogram.Histogram
	for k := range hist {
		hist[k] = hdrhistogram.New(1, int64(5*time.Minute/time.Microsecond), 3)
	}
	for _, s := range senders {
		for k := range hist {
			hist[k].Merge(s.hist[k])
			res.Sent[Kind(k).String()] += s.sent[k]
		}
		for code, n := range s.status {
			res.Status[code] += n
		}
		res.Acked += s.acked
		res.Unexpected += s.unexpected
	}
	for k, h := range hist {
		if h.TotalCount() == 0 {
			continue
		}
		res.Latency[Kind(k).String()] = Latency{
			Count: h.TotalCount(),
			P50:   h.ValueAtQuantile(50), P90: h.ValueAtQuantile(90),
			P99: h.ValueAtQuantile(99), P999: h.ValueAtQuantile(99.9), Max: h.Max(),
		}
	}
	if elapsed > 0 {
		res.AckedPerSec = float64(res.Acked) / elapsed.Seconds()
	}
	return res
}

// Summary is a one-line human summary of r.
func (r *Result) Summary() string {
	l := r.Latency[Fresh.String()]
	return fmt.Sprintf("%s: %d acked (%.0f/s), fresh p50 %.2fms p90 %.2fms p99 %.2fms max %.2fms; sent %v; status %v; unexpected %d",
		r.Elapsed.Round(time.Millisecond), r.Acked, r.AckedPerSec,
		ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max), r.Sent, r.Status, r.Unexpected)
}

func ms(us int64) float64 { return float64(us) / 1000 }

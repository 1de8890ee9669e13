package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hookgate/hookgate/bench/load"
)

// delivery is one planned webhook: an event ID and what it is meant to test.
type delivery struct {
	id   string
	kind load.Kind
}

// answer is what one attempt at a delivery got.
type answer struct {
	delivery  int // index in the plan
	retry     bool
	sent, at  time.Time // when it was sent and answered
	status    int       // 0: transport error
	outcome   string    // "accepted" or "duplicate" on a 2xx
	receiptID string    // from a 2xx body
}

// plan builds n deliveries: shares of duplicates (an earlier fresh event sent
// again) and forgeries (a fresh ID with a wrong signature); the rest fresh.
func plan(n int, dupShare, forgedShare float64, seed uint64) []delivery {
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	out := make([]delivery, n)
	var fresh []int
	for i := range out {
		p := rng.Float64()
		switch {
		case p < forgedShare:
			out[i] = delivery{id: uuid.NewString(), kind: load.Forged}
		case p < forgedShare+dupShare && len(fresh) > 0:
			out[i] = delivery{id: out[fresh[rng.IntN(len(fresh))]].id, kind: load.Duplicate}
		default:
			out[i] = delivery{id: uuid.NewString(), kind: load.Fresh}
			fresh = append(fresh, i)
		}
	}
	return out
}

// sender sends the plan to the gateway at a fixed rate and records every answer.
// A delivery that gets no final answer (a transport error, or a 5xx/429 the
// provider would retry) is sent again later, like providers do, until it gets
// one or the retry deadline passes.
type sender struct {
	url    string
	secret []byte
	plan   []delivery
	cli    *http.Client

	mu      sync.Mutex
	answers []answer
	pending map[int]bool // deliveries still without a final answer
}

// inFlight caps concurrent requests; at 500/s and a few ms per ack it is never
// reached unless the gateway stalls.
const inFlight = 512

func newSender(url string, secret []byte, p []delivery) *sender {
	return &sender{url: url, secret: secret, plan: p, pending: map[int]bool{},
		cli: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
			MaxIdleConnsPerHost: inFlight, DisableCompression: true}}}
}

// final reports whether a provider would stop retrying after status.
func final(status int) bool {
	return status != 0 && status != http.StatusTooManyRequests && status < 500
}

func (s *sender) send(ctx context.Context, i int, retry bool) {
	d := s.plan[i]
	a := answer{delivery: i, retry: retry, sent: time.Now()}
	// One push per delivery: its resends (and the plan's duplicates, which
	// reuse its ID) are byte-identical, distinct deliveries are not.
	body := load.Body(d.id, 800)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "GitHub-Hookshot/chaos")
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", d.id)
		if d.kind == load.Forged {
			req.Header.Set("X-Hub-Signature-256", load.Sign([]byte("not-the-secret"), body))
		} else {
			req.Header.Set("X-Hub-Signature-256", load.Sign(s.secret, body))
		}
		var resp *http.Response
		if resp, err = s.cli.Do(req); err == nil {
			a.status = resp.StatusCode
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			if a.status/100 == 2 {
				var ack struct {
					Status    string `json:"status"`
					ReceiptID string `json:"receipt_id"`
				}
				_ = json.Unmarshal(b, &ack)
				a.outcome, a.receiptID = ack.Status, ack.ReceiptID
			}
		}
	}
	a.at = time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers = append(s.answers, a)
	if final(a.status) {
		delete(s.pending, i)
	} else {
		s.pending[i] = true
	}
}

// run sends the plan at rate, then retries what has no final answer every
// second until nothing is pending or retryFor passes.
func (s *sender) run(ctx context.Context, rate float64, retryFor time.Duration) {
	sem := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	spawn := func(i int, retry bool) {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			s.send(ctx, i, retry)
		}()
	}
	start := time.Now()
	for i := range s.plan {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		spawn(i, false)
	}
	wg.Wait()
	deadline := time.Now().Add(retryFor)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		var todo []int
		for i := range s.pending {
			todo = append(todo, i)
		}
		s.mu.Unlock()
		if len(todo) == 0 {
			return
		}
		for _, i := range todo {
			spawn(i, true)
		}
		wg.Wait()
		time.Sleep(time.Second)
	}
}

// results returns the answers recorded so far and the deliveries still pending.
func (s *sender) results() ([]answer, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]answer(nil), s.answers...), len(s.pending)
}

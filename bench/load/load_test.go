package load

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// githubServer answers like a gateway: 401 for a bad signature, 200 otherwise,
// and records the delivery IDs it saw.
func githubServer(t *testing.T, secret []byte) (*httptest.Server, func() map[string]int) {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !hmac.Equal([]byte(r.Header.Get("X-Hub-Signature-256")), []byte(Sign(secret, b))) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		seen[r.Header.Get("X-GitHub-Delivery")]++
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

func TestRunMix(t *testing.T) {
	secret := []byte("bench-secret")
	tests := []struct {
		name          string
		dup, forged   float64
		wantDups      bool
		wantForgeries bool
	}{
		{name: "fresh only"},
		{name: "duplicates", dup: 0.3, wantDups: true},
		{name: "forgeries", forged: 0.3, wantForgeries: true},
		{name: "both", dup: 0.2, forged: 0.2, wantDups: true, wantForgeries: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := githubServer(t, secret)
			res, err := Run(context.Background(), Options{
				URL: srv.URL, Secret: secret, Concurrency: 4, Duration: 5 * time.Second,
				Prepared: 400, DuplicateShare: tt.dup, ForgedShare: tt.forged, Seed: 7,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Unexpected != 0 {
				t.Fatalf("unexpected answers: %d (status %v)", res.Unexpected, res.Status)
			}
			total := res.Sent["fresh"] + res.Sent["duplicate"] + res.Sent["forged"]
			if total != 400 {
				t.Fatalf("sent %d requests, want all 400 prepared", total)
			}
			if res.Acked != res.Sent["fresh"]+res.Sent["duplicate"] || res.Status[401] != res.Sent["forged"] {
				t.Fatalf("acked %d, 401s %d, sent %v", res.Acked, res.Status[401], res.Sent)
			}
			if (res.Sent["duplicate"] > 0) != tt.wantDups || (res.Sent["forged"] > 0) != tt.wantForgeries {
				t.Fatalf("sent %v for dup %.1f forged %.1f", res.Sent, tt.dup, tt.forged)
			}
			ids := seen()
			if int64(len(ids)) != res.Sent["fresh"] {
				t.Fatalf("server saw %d distinct IDs, want one per fresh request (%d)", len(ids), res.Sent["fresh"])
			}
			if l := res.Latency["fresh"]; l.Count != res.Sent["fresh"] || l.P50 <= 0 || l.P50 > l.P99 || l.P99 > l.Max {
				t.Fatalf("fresh latency %+v", l)
			}
		})
	}
}

func TestRunFixedRate(t *testing.T) {
	secret := []byte("s")
	srv, _ := githubServer(t, secret)
	res, err := Run(context.Background(), Options{URL: srv.URL, Secret: secret, Rate: 200, Duration: time.Second, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	// 200/s for 1 s: the schedule, not the server, sets the count.
	if res.Acked < 150 || res.Acked > 210 {
		t.Fatalf("acked %d at 200/s for 1 s", res.Acked)
	}
}

func TestRunClosedLoopCountsStalls(t *testing.T) {
	secret := []byte("s")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Options{URL: srv.URL, Secret: secret, Concurrency: 2, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if l := res.Latency["fresh"]; l.P50 < 20000 {
		t.Fatalf("p50 %dµs, want at least the server's 20 ms", l.P50)
	}
}

func TestOptionsInvalid(t *testing.T) {
	tests := []Options{
		{Secret: []byte("s")},
		{URL: "http://x"},
		{URL: "http://x", Secret: []byte("s"), DuplicateShare: 0.7, ForgedShare: 0.5},
		{URL: "http://x", Secret: []byte("s"), Rate: -1},
	}
	for _, o := range tests {
		if _, err := Run(context.Background(), o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("Run(%+v) = %v, want ErrInvalidOptions", o, err)
		}
	}
}

// Body is a realistic push of about the size asked for: valid JSON, the same
// bytes for the same delivery, other commits for another, and thousands of
// distinct trigrams, unlike a padded body.
func TestBody(t *testing.T) {
	for _, n := range []int{2200, 20000, 200000} {
		b := Body("d-1", n)
		// About n: one commit at least, at most one commit short.
		if len(b) > n+1024 || len(b) < n*7/10 {
			t.Errorf("len(Body(%d)) = %d", n, len(b))
		}
		var push struct {
			After   string `json:"after"`
			Commits []struct {
				ID string `json:"id"`
			} `json:"commits"`
		}
		if err := json.Unmarshal(b, &push); err != nil || len(push.Commits) == 0 || push.After != push.Commits[len(push.Commits)-1].ID {
			t.Fatalf("Body(%d) is not a push: %v", n, err)
		}
		if !bytes.Equal(b, Body("d-1", n)) || bytes.Equal(b, Body("d-2", n)) {
			t.Errorf("Body(%d): the same bytes for one delivery, others for another", n)
		}
		trigrams := map[string]bool{}
		for i := 0; i+3 <= len(b); i++ {
			trigrams[string(b[i:i+3])] = true
		}
		if want := min(len(b)/8, 2000); len(trigrams) < want {
			t.Errorf("Body(%d) has %d distinct trigrams, want at least %d", n, len(trigrams), want)
		}
	}
}

// The default sizes mix 2 KB, 20 KB and 200 KB bodies in their shares, each
// delivery always the same size.
func TestDefaultSizes(t *testing.T) {
	o, err := Options{URL: "http://x", Secret: []byte("s")}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int]int{}
	for i := range 10000 {
		id := fmt.Sprintf("d-%d", i)
		if o.size(id) != o.size(id) {
			t.Fatal("a delivery's size changed")
		}
		counts[o.size(id)]++
	}
	if counts[2200] < 8000 || counts[20000] < 900 || counts[200000] < 150 || len(counts) != 3 {
		t.Fatalf("sizes %v", counts)
	}
}

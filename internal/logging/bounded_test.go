package logging

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

type line struct {
	Msg        string `json:"msg"`
	Source     string `json:"source"`
	Suppressed uint64 `json:"suppressed"`
}

func lines(t *testing.T, b *bytes.Buffer) []line {
	t.Helper()
	var out []line
	sc := bufio.NewScanner(bytes.NewReader(b.Bytes()))
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// A failure repeated 80,000 times by 8 goroutines at full speed gives one
// line per interval per cause; the line after an interval carries how many
// were left out, so lines and counts add up to every failure; another
// source's failure, and another message, are causes of their own.
func TestBoundedLogsOneLinePerIntervalPerCause(t *testing.T) {
	var out syncBuffer
	log := slog.New(Bounded(slog.NewJSONHandler(&out, nil), 200*time.Millisecond)).With("component", "gateway")
	err := errors.New("sqlite: database or disk is full (13)")
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10_000 {
				log.Error("commit failed", "source", "github", "err", err)
			}
		}()
	}
	wg.Wait()
	log.Error("commit failed", "source", "stripe", "err", err)
	log.Warn("temporal unreachable", "err", err)
	time.Sleep(250 * time.Millisecond)
	log.Error("commit failed", "source", "github", "err", err)

	elapsed := time.Since(start)
	got := lines(t, &out.b)
	var github, total uint64
	for _, l := range got {
		if l.Msg == "commit failed" && l.Source == "github" {
			github++
			total += 1 + l.Suppressed
		}
	}
	// One line per started interval, whatever the rate.
	if limit := uint64(elapsed/(200*time.Millisecond)) + 2; github < 2 || github > limit {
		t.Fatalf("%d lines for github in %s, want 2..%d: %+v", github, elapsed, limit, got)
	}
	if total != 80_001 {
		t.Fatalf("github's lines stand for %d failures, want 80001: %+v", total, got)
	}
	seen := map[string]bool{}
	for _, l := range got {
		seen[l.Msg+"/"+l.Source] = true
	}
	if !seen["commit failed/stripe"] || !seen["temporal unreachable/"] {
		t.Fatalf("other causes missing: %+v", got)
	}
}

package main

import (
	"strings"
	"testing"
	"time"
)

func TestSoakGrowth(t *testing.T) {
	s := soakResult{rate: 1000, dur: 5 * time.Minute}
	for at := soakEvery; at <= s.dur; at += soakEvery {
		rss := 40.0
		if at >= 4*time.Minute {
			rss = 50 // the last minute grew
		}
		s.samples = append(s.samples, rssSample{at: at, rss: rss})
	}
	early, late, ok := s.growth()
	if !ok || early != 40 || late != 50 {
		t.Fatalf("growth = %v, %v, %v; want 40, 50, true", early, late, ok)
	}
	md := s.markdown(time.Date(2026, 11, 28, 16, 0, 0, 0, time.UTC), flags{size: 2200})
	for _, want := range []string{"1000 requests/s for 5m0s", "min 40.0 MiB, max 50.0 MiB", "(+25.0%)", "| 5m0s | 50.0 |"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if _, _, ok := (soakResult{dur: 2 * time.Minute, samples: s.samples}).growth(); ok {
		t.Error("a run shorter than 3 minutes has no warm-up and last minute to compare")
	}
}

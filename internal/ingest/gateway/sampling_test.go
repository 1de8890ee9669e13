package gateway

import (
	"testing"
	"time"
)

func TestSamplerKeepsFirstNThenOneInK(t *testing.T) {
	s := newSampler(3, 4)
	t0 := time.Unix(1_700_000_000, 0)
	count := func(source string, at time.Time, n int) int {
		kept := 0
		for range n {
			if s.keep(source, at) {
				kept++
			}
		}
		return kept
	}
	tests := []struct {
		name   string
		source string
		at     time.Time
		n      int
		want   int
	}{
		{"first second: 3, then 1 in 4 of 20", "gh", t0, 23, 3 + 5},
		{"another source has its own window", "stripe", t0.Add(500 * time.Millisecond), 3, 3},
		{"next second starts afresh", "gh", t0.Add(time.Second), 3, 3},
		{"unknown sources share one window", "", t0, 7, 3 + 1},
	}
	for _, tt := range tests {
		if got := count(tt.source, tt.at, tt.n); got != tt.want {
			t.Errorf("%s: kept %d of %d, want %d", tt.name, got, tt.n, tt.want)
		}
	}
}

func TestSamplerBoundsItsMemory(t *testing.T) {
	s := newSampler(1, 1)
	for i := range maxSampleSources + 10 {
		s.keep(string(rune(i)), time.Unix(0, 0))
	}
	if len(s.windows) > maxSampleSources {
		t.Fatalf("%d windows kept, want at most %d", len(s.windows), maxSampleSources)
	}
}

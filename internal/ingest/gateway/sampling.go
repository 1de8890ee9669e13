package gateway

import (
	"sync"
	"time"
)

// sampler bounds the audit records of rejected requests per source: the first
// perSecond records of each second are kept, then one in keepOneIn. Under a
// flood an attacker then writes at most about perSecond + rate/keepOneIn rows a
// second per source, and the skipped records are counted (and logged) so the
// flood's size stays known.
type sampler struct {
	perSecond int
	keepOneIn int

	mu      sync.Mutex
	windows map[string]*sampleWindow
}

type sampleWindow struct {
	second int64 // Unix second of the window
	seen   int
}

// maxSampleSources bounds the windows kept: sources are configured names (or
// "" for unknown ones), so more than this means a bug, not traffic.
const maxSampleSources = 10_000

func newSampler(perSecond, keepOneIn int) *sampler {
	if perSecond <= 0 {
		perSecond = 100
	}
	if keepOneIn <= 0 {
		keepOneIn = 100
	}
	return &sampler{perSecond: perSecond, keepOneIn: keepOneIn, windows: map[string]*sampleWindow{}}
}

// keep reports whether the record of source at time at is stored.
func (s *sampler) keep(source string, at time.Time) bool {
	sec := at.Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.windows[source]
	if !ok {
		if len(s.windows) >= maxSampleSources {
			clear(s.windows)
		}
		w = &sampleWindow{second: sec}
		s.windows[source] = w
	}
	if w.second != sec {
		w.second, w.seen = sec, 0
	}
	w.seen++
	if w.seen <= s.perSecond {
		return true
	}
	return (w.seen-s.perSecond)%s.keepOneIn == 0
}

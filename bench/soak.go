package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hookgate/hookgate/bench/load"
)

// soakEvery is how often the soak run samples the gateway's RSS.
const soakEvery = 10 * time.Second

// rssSample is the gateway's resident set at one moment of a soak run.
type rssSample struct {
	at  time.Duration // since the load started
	rss float64       // MiB
}

// soakResult is a soak run: the load's result and the RSS samples.
type soakResult struct {
	rate    float64
	dur     time.Duration
	load    *load.Result
	samples []rssSample
	cpu     float64 // gateway CPU seconds during the load
}

// soak runs the gateway scenario's process (stubgateway) at a fixed rate for
// the soak duration, sampling its RSS every soakEvery: the memory target is a
// bound at that rate and no growth over the run.
func (r *runner) soak(ctx context.Context) (soakResult, error) {
	addr, err := freeAddr()
	if err != nil {
		return soakResult{}, err
	}
	adminAddr, err := freeAddr()
	if err != nil {
		return soakResult{}, err
	}
	p, err := startProc(ctx, scGateway, r.f.serverCPU, filepath.Join(r.dir, "soak.log"), addr,
		r.hookgateEnv(addr, adminAddr, ""), r.bin("stubgateway"), r.cfgPath)
	if err != nil {
		return soakResult{}, err
	}
	defer p.stop()
	cpu0, err := cpuSeconds(p.pid())
	if err != nil {
		return soakResult{}, err
	}
	res := soakResult{rate: r.f.soakRate, dur: r.f.soak}
	type loaded struct {
		res *load.Result
		err error
	}
	done := make(chan loaded, 1)
	start := time.Now()
	go func() {
		lr, err := r.load(ctx, addr, "github", r.f.soakRate, r.f.soak, r.f.dup, r.f.forged)
		done <- loaded{lr, err}
	}()
	tick := time.NewTicker(soakEvery)
	defer tick.Stop()
	for {
		select {
		case l := <-done:
			if l.err != nil {
				return soakResult{}, l.err
			}
			res.load = l.res
			cpu1, err := cpuSeconds(p.pid())
			if err != nil {
				return soakResult{}, err
			}
			res.cpu = cpu1 - cpu0
			return res, nil
		case <-tick.C:
			rss, _, err := rssMB(p.pid())
			if err != nil {
				return soakResult{}, err
			}
			res.samples = append(res.samples, rssSample{at: time.Since(start).Round(time.Second), rss: rss})
			fmt.Printf("soak: %s RSS %.1f MiB\n", time.Since(start).Round(time.Second), rss)
		case <-ctx.Done():
			return soakResult{}, ctx.Err()
		}
	}
}

// window returns the median RSS of the samples taken in [from, to).
func (s soakResult) window(from, to time.Duration) (float64, int) {
	var xs []float64
	for _, x := range s.samples {
		if x.at >= from && x.at < to {
			xs = append(xs, x.rss)
		}
	}
	return median(xs), len(xs)
}

// growth compares the median RSS of the second minute (after warm-up: pools,
// caches and the known-events set filled) with that of the last minute.
func (s soakResult) growth() (early, late float64, ok bool) {
	early, n1 := s.window(time.Minute, 2*time.Minute)
	late, n2 := s.window(s.dur-time.Minute, s.dur+soakEvery)
	return early, late, n1 > 0 && n2 > 0 && s.dur >= 3*time.Minute
}

// markdown reports the soak run.
func (s soakResult) markdown(at time.Time, f flags) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# hookgate soak run, %s\n\n", at.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Gateway process (stubgateway) at %.0f requests/s for %s, %d-byte bodies, duplicates %.0f%%, forgeries %.0f%%; RSS sampled every %s.\n\n",
		s.rate, s.dur, f.size, 100*f.dup, 100*f.forged, soakEvery)
	if s.load != nil {
		fmt.Fprintf(&b, "Load: %s\n\n", s.load.Summary())
		if s.load.Acked > 0 {
			fmt.Fprintf(&b, "CPU per acked request: %s\n\n", fmtCPU(s.cpu/float64(s.load.Acked)))
		}
	}
	rss := make([]float64, len(s.samples))
	for i, x := range s.samples {
		rss[i] = x.rss
	}
	if len(rss) > 0 {
		fmt.Fprintf(&b, "RSS: min %.1f MiB, max %.1f MiB over %d samples\n\n", slices.Min(rss), slices.Max(rss), len(rss))
	}
	if early, late, ok := s.growth(); ok {
		fmt.Fprintf(&b, "Growth: median RSS %.1f MiB in minute 2, %.1f MiB in the last minute (%+.1f%%)\n\n",
			early, late, 100*(late-early)/early)
	}
	b.WriteString("| t | RSS MiB |\n|---|---|\n")
	for _, x := range s.samples {
		fmt.Fprintf(&b, "| %s | %.1f |\n", x.at, x.rss)
	}
	return b.String()
}

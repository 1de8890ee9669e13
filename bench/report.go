package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/hookgate/hookgate/bench/load"
)

// row is one measured run of one scenario.
type row struct {
	Round    int
	Scenario string
	// Rate is acked requests/s (ref, gateway), published events/s (e2e) or
	// completed workflows/s (temporal).
	Rate float64
	// P50 and P99: ack latency (ref, gateway), ack→published (e2e).
	P50, P99 time.Duration
	// DupP50 and ForgedP50 are the ack latencies of duplicates and forgeries.
	DupP50, ForgedP50 time.Duration
	// CPUPerAck is the server process's CPU seconds per acked request (e2e: the
	// gateway's and worker's per published event; Temporal and the databases
	// are not counted).
	CPUPerAck float64
	// DBCPUPerAck is PostgreSQL's CPU seconds per acked request (ingest
	// scenarios: every postgres process, and the backends that exited).
	DBCPUPerAck      float64
	RSSMB, PeakRSSMB float64
	Load             float64 // 1-minute load average when the run started
	Note             string
}

func rowFromLoad(sc string, round int, res *load.Result) row {
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	r := row{Round: round, Scenario: sc, Rate: res.AckedPerSec,
		P50: us(res.Latency["fresh"].P50), P99: us(res.Latency["fresh"].P99),
		DupP50: us(res.Latency["duplicate"].P50), ForgedP50: us(res.Latency["forged"].P50)}
	r.Note = fmt.Sprintf("acked %d in %s, status %v", res.Acked, res.Elapsed.Round(time.Millisecond), res.Status)
	if res.Unexpected > 0 {
		r.Note += fmt.Sprintf(", %d unexpected answers", res.Unexpected)
	}
	return r
}

func (r row) line() string {
	return fmt.Sprintf("round %d %-8s %9.1f/s p50 %-9s p99 %-9s cpu/ack %s rss %.0f MB load %.1f  %s",
		r.Round, r.Scenario, r.Rate, fmtDur(r.P50), fmtDur(r.P99), fmtCPU(r.CPUPerAck), r.RSSMB, r.Load, r.Note)
}

// report renders the runs and their medians.
type report struct {
	Rows  []row
	Flags flags
	At    time.Time
}

// median of xs (the mean of the middle two for an even count); 0 if empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// summary is a scenario's medians over its rounds.
type summary struct {
	Rate, P50, P99, DupP50, ForgedP50, CPUPerAck, RSSMB, PeakRSSMB, Load, DBCPUPerAck float64
	Runs                                                                              int
}

func (rep report) summarise(sc string) (summary, bool) {
	var cols [10][]float64
	for _, r := range rep.Rows {
		if r.Scenario != sc {
			continue
		}
		for i, v := range []float64{r.Rate, float64(r.P50), float64(r.P99), float64(r.DupP50), float64(r.ForgedP50), r.CPUPerAck, r.RSSMB, r.PeakRSSMB, r.Load, r.DBCPUPerAck} {
			cols[i] = append(cols[i], v)
		}
	}
	if len(cols[0]) == 0 {
		return summary{}, false
	}
	return summary{Rate: median(cols[0]), P50: median(cols[1]), P99: median(cols[2]), DupP50: median(cols[3]),
		ForgedP50: median(cols[4]), CPUPerAck: median(cols[5]), RSSMB: median(cols[6]), PeakRSSMB: median(cols[7]),
		Load: median(cols[8]), DBCPUPerAck: median(cols[9]), Runs: len(cols[0])}, true
}

var scenarioTitle = map[string]string{
	scBare:     "(0) bare: net/http + HMAC + one batched row per request",
	scRef:      "(1) reference: net/http + HMAC + group commit",
	scGateway:  "(2) hookgate gateway, Postgres",
	scE2E:      "(3) end to end: ack → RabbitMQ confirm",
	scTemporal: "(4) Temporal ceiling: empty workflows, eager start",
	scLight:    "(3L) end to end at a light load (-light-rate, 10/s)",
	scHalf:     "(3H) end to end at half the Temporal ceiling",
	scBurst:    "(B) burst: -burst-n webhooks as fast as acked, until the last is confirmed (p50/p99: acks)",
	scBurstT:   "(BT) burst ceiling: -burst-n empty workflows started the same way",
	scCalm:     "(5a) valid deliveries, default limits",
	scFlood:    "(5b) valid deliveries during a forgery flood",
}

var scenarioUnit = map[string]string{scBare: "acked/s", scRef: "acked/s", scGateway: "acked/s", scE2E: "events/s", scTemporal: "workflows/s", scLight: "events/s", scHalf: "events/s", scBurst: "events/s", scBurstT: "workflows/s",
	scCalm: "acked/s", scFlood: "acked/s"}

// ratio is a/b formatted, or "n/a".
func ratio(a, b summary, okA, okB bool) string {
	if !okA || !okB || b.Rate == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a.Rate/b.Rate)
}

func (rep report) markdown() string {
	var b strings.Builder
	host, _ := os.Hostname()
	f := rep.Flags
	fmt.Fprintf(&b, "# hookgate benchmark, %s\n\n", rep.At.Format("2006-01-02 15:04 MST"))
	bodies := fmt.Sprintf("%d-byte realistic push bodies", f.size)
	if f.size <= 0 {
		bodies = "realistic push bodies (85% 2.2 KB, 12% 20 KB, 3% 200 KB)"
	}
	fmt.Fprintf(&b, "Host %s (%d CPU visible to the pinned runner), %s; %d rounds × %s, %d concurrent senders, %s, duplicates %.0f%%, forgeries %.0f%% (ref, gateway); e2e relay in the %s; servers on CPU %q, load generator on CPU %q.\n\n",
		host, runtime.NumCPU(), runtime.Version(), f.rounds, f.dur, f.conc, bodies, f.dup*100, f.forged*100, f.e2eRelay, f.serverCPU, f.loadCPU)
	b.WriteString("## Medians\n\n")
	b.WriteString("| scenario | rate | p50 | p99 | dup p50 | forged p50 | CPU s per ack | PostgreSQL CPU per ack | RSS (peak) MB | load avg | runs |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|\n")
	sums := map[string]summary{}
	oks := map[string]bool{}
	for _, sc := range []string{scBare, scRef, scGateway, scE2E, scTemporal, scLight, scHalf, scBurst, scBurstT, scCalm, scFlood} {
		s, ok := rep.summarise(sc)
		sums[sc], oks[sc] = s, ok
		if !ok {
			continue
		}
		rss := "–"
		if s.RSSMB > 0 {
			rss = fmt.Sprintf("%.0f (%.0f)", s.RSSMB, s.PeakRSSMB)
		}
		d := func(v float64) string { return fmtDur(time.Duration(v)) }
		fmt.Fprintf(&b, "| %s | %.1f %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %d |\n",
			scenarioTitle[sc], s.Rate, scenarioUnit[sc], d(s.P50), d(s.P99), d(s.DupP50), d(s.ForgedP50),
			fmtCPU(s.CPUPerAck), fmtCPU(s.DBCPUPerAck), rss, s.Load, s.Runs)
	}
	fmt.Fprintf(&b, "\nRatios: (2)/(0) = **%s** (target ≥ 0.8), (2)/(1) = **%s**, (3)/(4) = **%s** (target ≥ 0.9).\n\n",
		ratio(sums[scGateway], sums[scBare], oks[scGateway], oks[scBare]),
		ratio(sums[scGateway], sums[scRef], oks[scGateway], oks[scRef]),
		ratio(sums[scE2E], sums[scTemporal], oks[scE2E], oks[scTemporal]))
	if oks[scGateway] && oks[scBare] && sums[scBare].DBCPUPerAck > 0 {
		fmt.Fprintf(&b, "PostgreSQL CPU per ack: (2) %s against (0) %s, **%.1f×** (target ≤ 2×).\n\n",
			fmtCPU(sums[scGateway].DBCPUPerAck), fmtCPU(sums[scBare].DBCPUPerAck), sums[scGateway].DBCPUPerAck/sums[scBare].DBCPUPerAck)
	}
	if oks[scBurst] {
		fmt.Fprintf(&b, "Burst: (B)/(BT) = **%s** (target ≥ 0.9); ack p99 during the burst %s against %s for (2) without a backlog.\n\n",
			ratio(sums[scBurst], sums[scBurstT], oks[scBurst], oks[scBurstT]), fmtDur(time.Duration(sums[scBurst].P99)), fmtDur(time.Duration(sums[scGateway].P99)))
	}
	for _, sc := range []string{scLight, scHalf} {
		if oks[sc] {
			fmt.Fprintf(&b, "%s: ack → published p50 **%s**, p99 **%s** (targets ≤ 30ms and ≤ 100ms at 10/s).\n\n",
				scenarioTitle[sc], fmtDur(time.Duration(sums[sc].P50)), fmtDur(time.Duration(sums[sc].P99)))
		}
	}
	if oks[scFlood] {
		fmt.Fprintf(&b, "Under the flood, valid deliveries: p99 **%s** (target < 50ms; %s without it), acked rate (5b)/(5a) = **%s**.\n\n",
			fmtDur(time.Duration(sums[scFlood].P99)), fmtDur(time.Duration(sums[scCalm].P99)), ratio(sums[scFlood], sums[scCalm], oks[scFlood], oks[scCalm]))
	}
	b.WriteString("## Runs\n\n| round | scenario | rate | p50 | p99 | CPU s per ack | RSS MB | load avg | notes |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rep.Rows {
		fmt.Fprintf(&b, "| %d | %s | %.1f | %s | %s | %s | %.0f | %.1f | %s |\n",
			r.Round, r.Scenario, r.Rate, fmtDur(r.P50), fmtDur(r.P99), fmtCPU(r.CPUPerAck), r.RSSMB, r.Load, r.Note)
	}
	return b.String()
}

func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	}
	return d.Round(100 * time.Millisecond).String()
}

func fmtCPU(s float64) string {
	if s <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0fµs", s*1e6)
}

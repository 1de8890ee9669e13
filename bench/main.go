// Command bench is hookgate's benchmark runner (`make bench`). In one run it
// measures, interleaved over several rounds, with medians reported:
//
//  0. bare: bench/refserver -bare, net/http + HMAC-SHA256 + one row per request
//     (ID, body, time) batched into one INSERT … unnest per moment, into a table
//     without secondary indexes: the machine's durable-ack limit;
//  1. ref: bench/refserver, net/http + HMAC-SHA256 + group-committed receipt and
//     audit rows in the same PostgreSQL: the durable-ack ceiling;
//  2. gateway: hookgate's gateway process (bench/stubgateway: app.RunGateway with
//     the real config and store, its relay starting workflows on a Temporal
//     stand-in that accepts at once);
//  3. e2e: cmd/gateway + cmd/worker with an embedded Temporal server and
//     RabbitMQ: receipts acked → events confirmed, read back from the store;
//  4. temporal: empty workflows started with eager start on the same embedded
//     server, as fast as conc starters can: the ceiling for (3);
//  5. calm and flood: the gateway with its default limits, valid deliveries
//     at -flood-valid-rate from GitHub's addresses, alone (calm) and during a
//     closed-loop flood of forgeries from -flood-ips attacker addresses
//     (flood): what an authentic webhook sees while the gateway is attacked.
//
// Servers run pinned to -server-cpu, the load generator (cmd/loadgen, a child
// process) to -load-cpu; the runner itself (and so the embedded Temporal server)
// should be started pinned to the server CPU (the Makefile does). It needs
// DATABASE_URL, and AMQP_URL for e2e: scripts/services provides both.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	sdklog "go.temporal.io/sdk/log"

	"github.com/hookgate/hookgate/bench/load"
	"github.com/hookgate/hookgate/internal/devserver"
	"github.com/hookgate/hookgate/internal/processing/runs"
)

// Scenario names, in the order a round runs them (the ceiling before e2e,
// whose default rate derives from it).
const (
	scBare     = "bare"
	scRef      = "ref"
	scGateway  = "gateway"
	scTemporal = "temporal"
	scE2E      = "e2e"
	scLight    = "light"
	scHalf     = "half"
	scBurstT   = "burst-temporal"
	scBurst    = "burst"
	scCalm     = "calm"
	scFlood    = "flood"
)

// allScenarios in the order a round runs them. The burst pair comes last and
// runs only in the last -burst-rounds rounds: its 10,000 workflows slow the
// embedded Temporal server for the rest of the process's life, which would
// skew every scenario after it.
var allScenarios = []string{scBare, scRef, scGateway, scTemporal, scE2E, scLight, scHalf, scCalm, scFlood, scBurstT, scBurst}

type flags struct {
	rounds      int
	dur         time.Duration
	conc        int
	size        int
	dup, forged float64
	scenarios   string
	binDir      string
	outDir      string
	serverCPU   string
	loadCPU     string
	e2eRate     float64
	lightRate   float64
	burstN      int
	burstRounds int
	drain       time.Duration
	refWriters  int
	noEager     bool
	soak        time.Duration
	soakRate    float64
	e2eRelay    string
	floodRate   float64
	floodIPs    int
}

func main() {
	var f flags
	flag.IntVar(&f.rounds, "rounds", 3, "rounds; each runs every scenario once")
	flag.DurationVar(&f.dur, "d", 10*time.Second, "duration of each measured run")
	flag.IntVar(&f.conc, "c", 64, "concurrent senders (and Temporal starters)")
	flag.IntVar(&f.size, "size", 0, "webhook body size in bytes (0: the realistic mix of load.DefaultSizes)")
	flag.Float64Var(&f.dup, "dup", 0, "share of duplicate deliveries in ref and gateway runs")
	flag.Float64Var(&f.forged, "forged", 0, "share of forged deliveries in ref and gateway runs")
	flag.StringVar(&f.scenarios, "scenarios", strings.Join(allScenarios, ","), "scenarios to run")
	flag.StringVar(&f.binDir, "bin", "bin/bench", "folder holding loadgen, refserver, stubgateway, gateway and worker")
	flag.StringVar(&f.outDir, "out", "bench/results", "folder of the results file (empty: none)")
	flag.StringVar(&f.serverCPU, "server-cpu", "1", "taskset CPU list of the servers (empty: no pinning)")
	flag.StringVar(&f.loadCPU, "load-cpu", "0", "taskset CPU list of the load generator (empty: no pinning)")
	flag.Float64Var(&f.e2eRate, "e2e-rate", 0, "e2e send rate per second (0: 1.25 × the round's Temporal ceiling)")
	flag.Float64Var(&f.lightRate, "light-rate", 10, "send rate per second of the light-load scenario (the half scenario sends half the round's Temporal ceiling)")
	flag.IntVar(&f.burstN, "burst-n", 10000, "webhooks (and empty workflows) of the burst scenarios")
	flag.IntVar(&f.burstRounds, "burst-rounds", 1, "rounds (the last ones) that run the burst scenarios: each takes minutes")
	flag.DurationVar(&f.drain, "drain", 60*time.Second, "how long e2e waits for the backlog to be published")
	flag.IntVar(&f.refWriters, "ref-writers", 1, "group-commit writers of the reference server")
	flag.BoolVar(&f.noEager, "no-eager", false, "start the ceiling's workflows without eager start")
	flag.StringVar(&f.e2eRelay, "e2e-relay", "worker", "process of the relay in the e2e scenario: worker (eager start) or gateway")
	flag.Float64Var(&f.floodRate, "flood-valid-rate", 200, "valid deliveries per second in the calm and flood scenarios")
	flag.IntVar(&f.floodIPs, "flood-ips", 1024, "attacker addresses of the flood scenario's forgeries")
	flag.DurationVar(&f.soak, "soak", 0, "instead of the scenarios: run the gateway at -soak-rate for this long, sampling its RSS")
	flag.Float64Var(&f.soakRate, "soak-rate", 1000, "requests per second of the soak run")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, f); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// runner holds what every scenario shares.
type runner struct {
	f        flags
	dir      string // logs and configs
	secret   string
	cfgPath  string
	e2eCfg   string // cfgPath plus the e2e scenario's relay placement
	floodCfg string // the default limits, trusting the load generator as proxy
	dbURL    string
	amqpURL  string
	temporal *devserver.Server
	log      *slog.Logger
}

func run(ctx context.Context, f flags) error {
	want := map[string]bool{}
	for s := range strings.SplitSeq(f.scenarios, ",") {
		s = strings.TrimSpace(s)
		if !contains(allScenarios, s) {
			return fmt.Errorf("unknown scenario %q (have %s)", s, strings.Join(allScenarios, ", "))
		}
		want[s] = true
	}
	r := &runner{f: f, dbURL: os.Getenv("DATABASE_URL"), amqpURL: os.Getenv("AMQP_URL"),
		log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	if r.dbURL == "" {
		return errors.New("DATABASE_URL is required (make bench starts the services)")
	}
	if (want[scE2E] || want[scLight] || want[scHalf] || want[scBurst]) && r.amqpURL == "" {
		return errors.New("AMQP_URL is required for the e2e, light, half and burst scenarios")
	}
	dir, err := os.MkdirTemp("", "hookgate-bench-")
	if err != nil {
		return err
	}
	r.dir = dir
	fmt.Fprintf(os.Stderr, "bench: logs and configs in %s\n", dir)
	var raw [24]byte
	_, _ = rand.Read(raw[:])
	r.secret = hex.EncodeToString(raw[:])
	r.cfgPath = filepath.Join(dir, "hookgate.yaml")
	// The real config shape: one GitHub source, the default retry policy, rate
	// limits on (in memory: no REDIS_URL) but far above what one machine sends.
	cfg := `limits:
  per_ip: {rate: 1000000, burst: 2000000}
  per_source: {rate: 1000000, burst: 2000000}
  failures: {rate: 1000000, burst: 2000000}
sources:
  - name: github
    provider: github
    secrets:
      - env: BENCH_GITHUB_SECRET
`
	if err := os.WriteFile(r.cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}
	r.e2eCfg = filepath.Join(dir, "hookgate-e2e.yaml")
	if err := os.WriteFile(r.e2eCfg, []byte(cfg+"relay: {process: "+f.e2eRelay+"}\n"), 0o600); err != nil {
		return err
	}
	// The calm and flood scenarios run the defaults a user runs: every limit
	// on, the load generator trusted as the proxy so each request has the
	// client address it claims.
	r.floodCfg = filepath.Join(dir, "hookgate-flood.yaml")
	floodCfg := `trusted_proxies: ["127.0.0.1/32"]
sources:
  - name: github
    provider: github
    secrets:
      - env: BENCH_GITHUB_SECRET
`
	if err := os.WriteFile(r.floodCfg, []byte(floodCfg), 0o600); err != nil {
		return err
	}
	if want[scE2E] || want[scLight] || want[scHalf] || want[scBurst] || want[scBurstT] || want[scTemporal] {
		ts, err := devserver.Start(ctx, devserver.Options{
			DataDir: filepath.Join(dir, "temporal"), UIPort: devserver.UIDisabled,
			SearchAttributes: runs.SearchAttributes(),
			Logger:           slog.New(slog.DiscardHandler),
		})
		if err != nil {
			return fmt.Errorf("embedded temporal: %w", err)
		}
		defer ts.Stop()
		r.temporal = ts
	}

	if f.soak > 0 {
		res, err := r.soak(ctx)
		if err != nil {
			return fmt.Errorf("soak: %w", err)
		}
		at := time.Now().UTC()
		return r.write(res.markdown(at, f), at.Format("2006-01-02T1504Z")+"-soak.md")
	}

	var rows []row
	for round := 1; round <= f.rounds; round++ {
		ceiling := 0.0
		for _, sc := range allScenarios {
			if !want[sc] || (sc == scBurstT || sc == scBurst) && round <= f.rounds-f.burstRounds {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			var res row
			var err error
			switch sc {
			case scBare, scRef:
				res, err = r.ingest(ctx, sc, round)
			case scGateway:
				res, err = r.ingest(ctx, sc, round)
			case scTemporal:
				res, err = r.ceiling(ctx, round)
				ceiling = res.Rate
			case scE2E:
				rate := r.f.e2eRate
				if rate <= 0 {
					rate = max(20, 1.25*ceiling)
				}
				res, err = r.e2e(ctx, sc, round, sendPlan{rate: rate, d: r.f.dur, drain: r.f.drain})
			case scLight:
				res, err = r.e2e(ctx, sc, round, sendPlan{rate: r.f.lightRate, d: r.f.dur, drain: r.f.drain})
			case scHalf:
				if ceiling <= 0 {
					return errors.New("the half scenario needs the temporal scenario in the same run")
				}
				res, err = r.e2e(ctx, sc, round, sendPlan{rate: ceiling / 2, d: r.f.dur, drain: r.f.drain})
			case scBurstT:
				res, err = r.burstTemporal(ctx, round)
			case scBurst:
				res, err = r.burst(ctx, round)
			case scCalm, scFlood:
				res, err = r.flood(ctx, sc, round)
			}
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", round, sc, err)
			}
			rows = append(rows, res)
			fmt.Fprintln(os.Stderr, res.line())
		}
	}
	rep := report{Rows: rows, Flags: f, At: time.Now().UTC()}
	return r.write(rep.markdown(), rep.At.Format("2006-01-02T1504Z")+".md")
}

// write prints a report and saves it as name under -out (unless empty).
func (r *runner) write(md, name string) error {
	fmt.Println(md)
	if r.f.outDir == "" {
		return nil
	}
	path := filepath.Join(r.f.outDir, name)
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: wrote %s\n", path)
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (r *runner) bin(name string) string { return filepath.Join(r.f.binDir, name) }

// ingest runs scenario 1 (ref) or 2 (gateway): start the server, send load,
// read its CPU time and RSS, stop it.
func (r *runner) ingest(ctx context.Context, sc string, round int) (row, error) {
	addr, err := freeAddr()
	if err != nil {
		return row{}, err
	}
	logPath := filepath.Join(r.dir, fmt.Sprintf("%s-%d.log", sc, round))
	src := "github"
	if sc == scRef {
		src = refSource
	}
	var p *proc
	switch sc {
	case scBare:
		src = refSource
		p, err = startProc(ctx, sc, r.f.serverCPU, logPath, addr,
			[]string{"REFSERVER_SECRET=" + r.secret, "DATABASE_URL=" + r.dbURL},
			r.bin("refserver"), "-bare", "-listen", addr, "-source", refSource)
	case scRef:
		p, err = startProc(ctx, sc, r.f.serverCPU, logPath, addr,
			[]string{"REFSERVER_SECRET=" + r.secret, "DATABASE_URL=" + r.dbURL},
			r.bin("refserver"), "-listen", addr, "-source", refSource, "-writers", fmt.Sprint(r.f.refWriters))
	default:
		adminAddr, aerr := freeAddr()
		if aerr != nil {
			return row{}, aerr
		}
		p, err = startProc(ctx, sc, r.f.serverCPU, logPath, addr, r.hookgateEnv(addr, adminAddr, ""),
			r.bin("stubgateway"), r.cfgPath)
	}
	if err != nil {
		return row{}, err
	}
	defer p.stop()
	if sc == scRef {
		// The reference's receipts have no workflow to start: retire them so that
		// the e2e gateway's relay sweep does not pick them up.
		defer r.retire(refSource)
	}
	// A short warm-up: connection pools, the first batches, page cache.
	if _, err := r.load(ctx, addr, src, 0, 2*time.Second, 0, 0); err != nil {
		return row{}, fmt.Errorf("warm-up: %w", err)
	}
	cpu0, err := cpuSeconds(p.pid())
	if err != nil {
		return row{}, err
	}
	db0 := postgresCPU()
	la := loadAvg()
	res, err := r.load(ctx, addr, src, 0, r.f.dur, r.f.dup, r.f.forged)
	if err != nil {
		return row{}, err
	}
	db1 := postgresCPU()
	cpu1, err := cpuSeconds(p.pid())
	if err != nil {
		return row{}, err
	}
	rss, peak, err := rssMB(p.pid())
	if err != nil {
		return row{}, err
	}
	out := rowFromLoad(sc, round, res)
	out.Load = la
	out.RSSMB, out.PeakRSSMB = rss, peak
	if res.Acked > 0 {
		out.CPUPerAck = (cpu1 - cpu0) / float64(res.Acked)
		out.DBCPUPerAck = (db1 - db0) / float64(res.Acked)
	}
	return out, nil
}

// refSource is the reference server's source name, kept apart from the
// gateway's "github" so its receipts can be retired after each run.
const refSource = "ref"

// retire marks the verified receipts of source completed.
func (r *runner) retire(source string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := pgx.Connect(ctx, r.dbURL)
	if err != nil {
		r.log.Warn("retire reference receipts", "err", err)
		return
	}
	defer db.Close(ctx)
	if _, err := db.Exec(ctx, `UPDATE receipts SET status = 'completed', completed_at = now()
		WHERE source = $1 AND status = 'verified'`, source); err != nil {
		r.log.Warn("retire reference receipts", "err", err)
	}
}

// hookgateEnv is the environment of cmd/gateway, cmd/worker and stubgateway.
func (r *runner) hookgateEnv(listen, admin, taskQueue string) []string {
	env := []string{
		"HOOKGATE_CONFIG=" + r.cfgPath, "BENCH_GITHUB_SECRET=" + r.secret,
		"DATABASE_URL=" + r.dbURL, "HOOKGATE_LISTEN=" + listen, "HOOKGATE_ADMIN_LISTEN=" + admin,
		"GIN_MODE=release",
	}
	if r.temporal != nil {
		env = append(env, "TEMPORAL_ADDRESS="+r.temporal.Address())
	}
	if taskQueue != "" {
		env = append(env, "HOOKGATE_TASK_QUEUE="+taskQueue, "AMQP_URL="+r.amqpURL)
	}
	return env
}

// load runs cmd/loadgen pinned to the load CPU and decodes its JSON result.
func (r *runner) load(ctx context.Context, addr, source string, rate float64, d time.Duration, dup, forged float64, extra ...string) (*load.Result, error) {
	return r.loadArgv(ctx, nil, addr, source, rate, d, dup, forged, extra...)
}

// loadArgv is load with a command prefix (nice) before the CPU pinning.
func (r *runner) loadArgv(ctx context.Context, prefix []string, addr, source string, rate float64, d time.Duration, dup, forged float64, extra ...string) (*load.Result, error) {
	argv := []string{r.bin("loadgen"), "-json", "-url", "http://" + addr + "/webhooks/" + source,
		"-c", fmt.Sprint(r.f.conc), "-d", d.String(), "-size", fmt.Sprint(r.f.size),
		"-rate", fmt.Sprint(rate), "-dup", fmt.Sprint(dup), "-forged", fmt.Sprint(forged)}
	argv = append(argv, extra...)
	if r.f.loadCPU != "" {
		argv = append([]string{"taskset", "-c", r.f.loadCPU}, argv...)
	}
	argv = append(slices.Clone(prefix), argv...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "LOADGEN_SECRET="+r.secret)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("loadgen: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var res load.Result
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("loadgen output: %w", err)
	}
	return &res, nil
}

// ceiling runs scenario 4 in this process, next to the embedded server.
func (r *runner) ceiling(ctx context.Context, round int) (row, error) {
	la := loadAvg()
	res, err := runCeiling(ctx, r.temporal.Address(), fmt.Sprintf("bench-empty-%d", round), r.f.conc, r.f.dur, !r.f.noEager, r.log)
	if err != nil {
		return row{}, err
	}
	return row{Round: round, Scenario: scTemporal, Rate: res.perSec(), Load: la,
		Note: fmt.Sprintf("%d workflows completed, %d errors%s", res.Completed, res.Errors, res.FirstError)}, nil
}

// e2e runs scenario 3: gateway and worker processes on the embedded Temporal
// and RabbitMQ, load at a fixed rate above the ceiling (so the processing side
// is the bottleneck), then waits for the backlog to be published.
// e2e runs the production gateway and worker against the embedded Temporal
// server and RabbitMQ at rate webhooks per second for -d, waits for the
// backlog to be published, and reports events published per second and the
// ack → published latency (scenario sc: e2e, light or half).
func (r *runner) e2e(ctx context.Context, sc string, round int, plan sendPlan) (row, error) {
	rate := plan.rate
	addr, err := freeAddr()
	if err != nil {
		return row{}, err
	}
	adminAddr, err := freeAddr()
	if err != nil {
		return row{}, err
	}
	tq := fmt.Sprintf("bench-%s-%d", sc, round)
	// The last HOOKGATE_CONFIG wins (os/exec keeps the last of duplicate keys).
	env := append(r.hookgateEnv(addr, adminAddr, tq), "HOOKGATE_CONFIG="+r.e2eCfg)
	w, err := startProc(ctx, "worker", r.f.serverCPU, filepath.Join(r.dir, fmt.Sprintf("%s-worker-%d.log", sc, round)), "", env, r.bin("worker"), r.e2eCfg)
	if err != nil {
		return row{}, err
	}
	defer w.stop()
	g, err := startProc(ctx, "gateway", r.f.serverCPU, filepath.Join(r.dir, fmt.Sprintf("%s-gateway-%d.log", sc, round)), addr, env, r.bin("gateway"), r.e2eCfg)
	if err != nil {
		return row{}, err
	}
	defer g.stop()
	db, err := pgx.Connect(ctx, r.dbURL)
	if err != nil {
		return row{}, fmt.Errorf("connect: %w", err)
	}
	defer db.Close(context.Background())

	gcpu0, _ := cpuSeconds(g.pid())
	wcpu0, _ := cpuSeconds(w.pid())
	la := loadAvg()
	since := time.Now().Add(-time.Millisecond)
	res, err := r.load(ctx, addr, "github", rate, plan.d, 0, 0, plan.extra...)
	if err != nil {
		return row{}, err
	}
	var prog e2eResult
	deadline := time.Now().Add(plan.drain)
	for {
		prog, err = e2eProgress(ctx, db, "github", since)
		if err != nil {
			return row{}, err
		}
		if prog.Published >= prog.Receipts || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return row{}, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	gcpu1, _ := cpuSeconds(g.pid())
	wcpu1, _ := cpuSeconds(w.pid())
	rss, peak, _ := rssMB(g.pid())
	out := row{Round: round, Scenario: sc, Rate: prog.perSec(), P50: prog.P50, P99: prog.P99, Load: la,
		RSSMB: rss, PeakRSSMB: peak,
		Note: fmt.Sprintf("sent %.0f/s, acked %d, published %d/%d receipts, ack→published p90 %s max %s",
			rate, res.Acked, prog.Published, prog.Receipts, prog.P90.Round(time.Millisecond), prog.Max.Round(time.Millisecond))}
	if prog.Published > 0 {
		out.CPUPerAck = (gcpu1 - gcpu0 + wcpu1 - wcpu0) / float64(prog.Published)
	}
	if plan.burst {
		// The burst's figures: events/s over the whole burst (its time is
		// Published / Rate), and the acks' latency while the backlog builds.
		fresh := res.Latency["fresh"]
		out.P50, out.P99 = time.Duration(fresh.P50)*time.Microsecond, time.Duration(fresh.P99)*time.Microsecond
		out.Note = fmt.Sprintf("%d sent as fast as acked in %s, published %d/%d receipts %s after the first ack (ack→published p50 %s, max %s)",
			res.Acked, res.Elapsed.Round(time.Millisecond), prog.Published, prog.Receipts, prog.Span.Round(time.Millisecond),
			prog.P50.Round(time.Millisecond), prog.Max.Round(time.Millisecond))
	}
	return out, nil
}

// sendPlan is how an end-to-end scenario sends: at rate for d (rate 0: as
// fast as acked), with loadgen's extra flags, then waits up to drain for
// the backlog to be published.
type sendPlan struct {
	rate  float64
	d     time.Duration
	drain time.Duration
	extra []string
	burst bool
}

// quietSDK keeps the Temporal SDK's logs to warnings and errors.
func quietSDK(log *slog.Logger) sdklog.Logger {
	return sdklog.NewStructuredLogger(log)
}

// burst sends -burst-n webhooks as fast as they are acked to the production
// gateway and worker, and measures the time from the first ack until the last
// event is confirmed by RabbitMQ (row rate: events/s over that time; p50/p99:
// the acks' latency while the backlog builds).
func (r *runner) burst(ctx context.Context, round int) (row, error) {
	// The backlog drains at about the Temporal ceiling (tens per second
	// here): allow it ten minutes beyond -drain.
	return r.e2e(ctx, scBurst, round, sendPlan{d: time.Hour, drain: r.f.drain + 10*time.Minute,
		extra: []string{"-n", fmt.Sprint(r.f.burstN)}, burst: true})
}

// burstTemporal starts -burst-n empty workflows on the embedded server the
// way the relay starts runs (eager start, from -c starters, as fast as they
// are accepted) and measures the time until the last one completed.
func (r *runner) burstTemporal(ctx context.Context, round int) (row, error) {
	la := loadAvg()
	res, err := runBurst(ctx, r.temporal.Address(), fmt.Sprintf("bench-burst-empty-%d", round), r.f.conc, r.f.burstN, !r.f.noEager, r.log)
	if err != nil {
		return row{}, err
	}
	return row{Round: round, Scenario: scBurstT, Rate: res.perSec(), Load: la,
		Note: fmt.Sprintf("%d empty workflows completed in %s, %d errors%s", res.Completed, res.Elapsed.Round(time.Millisecond), res.Errors, res.FirstError)}, nil
}

package chaos

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// EnvMode selects the parameters: "full" for the issue's, anything else for
// the short ones `make test` runs.
const EnvMode = "CHAOS"

var fullFlag = flag.Bool("chaos.full", false, "run the full chaos parameters (same as CHAOS=full)")

// params are the knobs of one fault run.
type params struct {
	rate      float64       // requests per second of the load
	duration  time.Duration // how long the load runs
	outage    time.Duration // how long RabbitMQ and Temporal stay down
	pgOutage  time.Duration // how long PostgreSQL stays down
	alarm     time.Duration // how long RabbitMQ's memory alarm lasts
	faultAt   time.Duration // when, into the load, the fault is injected
	restartIn time.Duration // how long a killed process stays dead
	settle    time.Duration // how long the pipeline may take to drain afterwards
}

func (p params) String() string {
	return fmt.Sprintf("%.0f req/s for %s (20%% duplicates, 10%% forgeries), outages %s (PostgreSQL %s), fault at +%s",
		p.rate, p.duration, p.outage, p.pgOutage, p.faultAt)
}

// fullParams are the issue's; shortParams keep the five faults of `make test`
// within a couple of minutes on a 2-core machine.
var (
	fullParams = params{rate: 500, duration: 30 * time.Second, outage: 30 * time.Second,
		pgOutage: 10 * time.Second, alarm: 60 * time.Second, faultAt: 5 * time.Second, restartIn: 2 * time.Second, settle: 30 * time.Minute}
	shortParams = params{rate: 50, duration: 4 * time.Second, outage: 5 * time.Second,
		pgOutage: 3 * time.Second, alarm: 5 * time.Second, faultAt: time.Second, restartIn: time.Second, settle: 3 * time.Minute}
)

// Environment variables overriding single parameters of either mode, e.g.
// CHAOS=full CHAOS_RATE=50 for the full outages at a load the machine's
// embedded Temporal can drain in minutes rather than hours.
const (
	EnvRate     = "CHAOS_RATE"      // requests per second
	EnvDuration = "CHAOS_DURATION"  // load duration ("30s")
	EnvOutage   = "CHAOS_OUTAGE"    // RabbitMQ and Temporal outage
	EnvPGOutage = "CHAOS_PG_OUTAGE" // PostgreSQL outage
)

// current returns the parameters the environment and flags select.
func current() (params, error) {
	p := shortParams
	if *fullFlag || os.Getenv(EnvMode) == "full" {
		p = fullParams
	}
	if v := os.Getenv(EnvRate); v != "" {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r <= 0 {
			return p, fmt.Errorf("%s=%q: want a positive number of requests per second", EnvRate, v)
		}
		p.rate = r
	}
	for env, d := range map[string]*time.Duration{EnvDuration: &p.duration, EnvOutage: &p.outage, EnvPGOutage: &p.pgOutage} {
		if v := os.Getenv(env); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x <= 0 {
				return p, fmt.Errorf("%s=%q: want a positive duration such as 30s", env, v)
			}
			*d = x
		}
	}
	return p, nil
}

// Paths of the binaries TestMain builds.
var gatewayBin, workerBin, temporalBin, hookgateBin string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "hookgate-chaos-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	gatewayBin = filepath.Join(dir, "gateway")
	workerBin = filepath.Join(dir, "worker")
	temporalBin = filepath.Join(dir, "temporalserver")
	hookgateBin = filepath.Join(dir, "hookgate")
	for bin, pkg := range map[string]string{gatewayBin: "../cmd/gateway", workerBin: "../cmd/worker",
		temporalBin: "./temporalserver", hookgateBin: "../cmd/hookgate"} {
		// No -race: the processes are killed and timed, not checked for races
		// (and a race-instrumented Temporal server would be several times slower).
		out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "chaos: go build %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	return m.Run()
}

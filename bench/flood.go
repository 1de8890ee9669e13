package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/hookgate/hookgate/bench/load"
)

// githubAddrs are addresses in GitHub's published hook ranges (api.github.com/meta):
// the valid deliveries of the calm and flood scenarios come from them.
var githubAddrs = []string{"192.30.252.10", "185.199.108.20", "140.82.112.30", "143.55.64.40"}

// attackers returns n documentation-range addresses (RFC 5737, 198.18/15).
func attackers(n int) string {
	ips := make([]string, n)
	for i := range ips {
		ips[i] = fmt.Sprintf("198.18.%d.%d", i/250, i%250+1)
	}
	return strings.Join(ips, ",")
}

// flood runs the calm or flood scenario: the gateway (stubgateway) with the
// default limits; valid deliveries at -flood-valid-rate, open loop, for -d;
// in the flood scenario, forgeries from -flood-ips addresses at the full speed
// of -c closed-loop senders for the same time. The row's rate, p50 and p99 are
// the valid deliveries'; its note has the flood's rate and answers. Both load
// generators share the load CPU, the flood's at a lower priority (nice), so the
// valid one's timings are not its own scheduling delay.
func (r *runner) flood(ctx context.Context, sc string, round int) (row, error) {
	addr, err := freeAddr()
	if err != nil {
		return row{}, err
	}
	adminAddr, err := freeAddr()
	if err != nil {
		return row{}, err
	}
	env := r.hookgateEnv(addr, adminAddr, "")
	for i, e := range env {
		if strings.HasPrefix(e, "HOOKGATE_CONFIG=") {
			env[i] = "HOOKGATE_CONFIG=" + r.floodCfg
		}
	}
	logPath := filepath.Join(r.dir, fmt.Sprintf("%s-%d.log", sc, round))
	p, err := startProc(ctx, sc, r.f.serverCPU, logPath, addr, env, r.bin("stubgateway"), r.floodCfg)
	if err != nil {
		return row{}, err
	}
	defer p.stop()
	valid := []string{"-forwarded-for", strings.Join(githubAddrs, ",")}
	if _, err := r.load(ctx, addr, "github", r.f.floodRate, 2*time.Second, 0, 0, valid...); err != nil {
		return row{}, fmt.Errorf("warm-up: %w", err)
	}
	type result struct {
		res *load.Result
		err error
	}
	var flood chan result
	if sc == scFlood {
		flood = make(chan result, 1)
		go func() {
			res, err := r.loadNice(ctx, addr, r.f.dur+time.Second, "-forwarded-for", attackers(r.f.floodIPs))
			flood <- result{res, err}
		}()
		time.Sleep(500 * time.Millisecond) // the flood is at full speed before the measured load starts
	}
	cpu0, err := cpuSeconds(p.pid())
	if err != nil {
		return row{}, err
	}
	la := loadAvg()
	res, err := r.load(ctx, addr, "github", r.f.floodRate, r.f.dur, 0, 0, valid...)
	if err != nil {
		return row{}, err
	}
	cpu1, err := cpuSeconds(p.pid())
	if err != nil {
		return row{}, err
	}
	out := rowFromLoad(sc, round, res)
	out.Load = la
	out.RSSMB, out.PeakRSSMB, _ = rssMB(p.pid())
	if res.Acked > 0 {
		out.CPUPerAck = (cpu1 - cpu0) / float64(res.Acked)
	}
	out.Note = fmt.Sprintf("valid: %d acked of %d, status %v", res.Acked, res.Sent["fresh"], res.Status)
	if sc == scFlood {
		fr := <-flood
		if fr.err != nil {
			return row{}, fmt.Errorf("flood: %w", fr.err)
		}
		sent := fr.res.Sent["forged"]
		out.ForgedP50 = time.Duration(fr.res.Latency["forged"].P50) * time.Microsecond
		out.Note += fmt.Sprintf("; flood: %.0f forgeries/s, status %v, %d accepted", float64(sent)/fr.res.Elapsed.Seconds(), fr.res.Status, fr.res.Unexpected)
	}
	return out, nil
}

// loadNice runs a closed-loop load of forgeries only, at a lower CPU priority.
func (r *runner) loadNice(ctx context.Context, addr string, d time.Duration, extra ...string) (*load.Result, error) {
	return r.loadArgv(ctx, []string{"nice", "-n", "10"}, addr, "github", 0, d, 0, 1, extra...)
}

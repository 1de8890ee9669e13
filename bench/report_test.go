package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	tests := []struct {
		name, stat string
		want       float64
		wantErr    bool
	}{
		{name: "plain", stat: "123 (gateway) S 1 123 123 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0", want: 3},
		{name: "spaces and parens in name", stat: "9 (a) b (c) R 1 9 9 0 -1 0 0 0 0 0 7 3 0 0", want: 0.1},
		{name: "truncated", stat: "9 (x) R 1 2", wantErr: true},
		{name: "no name", stat: "garbage", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU(tt.stat)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("parseStatCPU = %v, %v; want %v, err %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestCPUSecondsSelf(t *testing.T) {
	// Burn some CPU: the counter must be readable and move forward.
	a, err := cpuSeconds(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for deadline := time.Now().Add(150 * time.Millisecond); time.Now().Before(deadline); {
		x++
	}
	b, err := cpuSeconds(os.Getpid())
	if err != nil || b <= a {
		t.Fatalf("cpu %v then %v (%v), x=%d", a, b, err, x)
	}
}

func TestParseStatusRSS(t *testing.T) {
	rss, peak, err := parseStatusRSS("Name:\tgw\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n")
	if err != nil || rss != 100 || peak != 200 {
		t.Fatalf("rss %v peak %v err %v", rss, peak, err)
	}
	if _, _, err := parseStatusRSS("Name:\tgw\n"); err == nil {
		t.Fatal("no VmRSS: want an error")
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0}, {[]float64{5}, 5}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMarkdownRatios(t *testing.T) {
	rows := []row{
		{Round: 1, Scenario: scRef, Rate: 1000}, {Round: 2, Scenario: scRef, Rate: 3000}, {Round: 3, Scenario: scRef, Rate: 2000},
		{Round: 1, Scenario: scGateway, Rate: 1500}, {Round: 2, Scenario: scGateway, Rate: 1700}, {Round: 3, Scenario: scGateway, Rate: 100},
		{Round: 1, Scenario: scTemporal, Rate: 80},
		{Round: 1, Scenario: scE2E, Rate: 60, P99: 2 * time.Second},
	}
	md := report{Rows: rows, Flags: flags{rounds: 3, dur: time.Second, conc: 64, size: 2200}, At: time.Unix(0, 0).UTC()}.markdown()
	for _, want := range []string{"(2)/(1) = **0.75**", "(3)/(4) = **0.75**", "| 2000.0 acked/s", "| 1500.0 acked/s"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	md = report{Rows: rows[:3], Flags: flags{}, At: time.Unix(0, 0)}.markdown()
	if !strings.Contains(md, "(2)/(1) = **n/a**") {
		t.Errorf("missing gateway runs: want n/a ratio:\n%s", md)
	}
}

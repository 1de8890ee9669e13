package main

import "testing"

// A postmaster's stat line: utime 250, stime 50, cutime 1200, cstime 300
// ticks (the backends it reaped).
func TestParseStatChildrenCPU(t *testing.T) {
	const stat = "4242 (postgres) S 1 4242 4242 0 -1 4194560 2519 91731 0 212 250 50 1200 300 20 0 1 0 1234 222826496 5420 18446744073709551615 1 1 0 0 0 0 4194304 19935232 84487 0 0 0 17 1 0 0 0 0 0"
	own, err := parseStatCPU(stat)
	if err != nil || own != 3 {
		t.Fatalf("own CPU %v %v, want 3 s", own, err)
	}
	children, err := parseStatChildrenCPU(stat)
	if err != nil || children != 15 {
		t.Fatalf("children's CPU %v %v, want 15 s", children, err)
	}
	if _, err := parseStatChildrenCPU("4242 (postgres) S 1 2"); err == nil {
		t.Fatal("a short line parsed")
	}
}

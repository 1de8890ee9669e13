package retry

import (
	"testing"
	"time"
)

func TestDefaultSchedule(t *testing.T) {
	p := Default()
	if got := p.MaxAttempts(); got != 4 {
		t.Fatalf("MaxAttempts = %d, want 4", got)
	}
	want := []time.Duration{5 * time.Second, 30 * time.Second, 300 * time.Second}
	for i, w := range want {
		d, ok := p.Delay(i + 1)
		if !ok || d != w {
			t.Fatalf("Delay(%d) = %v,%v want %v,true", i+1, d, ok, w)
		}
	}
	if _, ok := p.Delay(4); ok {
		t.Fatal("Delay(4) should report exhaustion")
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestExponential(t *testing.T) {
	p, err := Exponential(time.Second, 2, 5*time.Second, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}
	if len(p.Delays) != len(want) {
		t.Fatalf("delays = %v, want %v", p.Delays, want)
	}
	for i := range want {
		if p.Delays[i] != want[i] {
			t.Fatalf("delays = %v, want %v", p.Delays, want)
		}
	}
	for _, bad := range []struct {
		i time.Duration
		c float64
		n int
	}{{0, 2, 3}, {time.Second, 0.5, 3}, {time.Second, 2, 0}} {
		if _, err := Exponential(bad.i, bad.c, 0, bad.n); err == nil {
			t.Errorf("Exponential(%v,%v,%d) accepted", bad.i, bad.c, bad.n)
		}
	}
}

func TestValidate(t *testing.T) {
	if err := (Policy{Delays: []time.Duration{-1}, Timeout: time.Second}).Validate(); err == nil {
		t.Fatal("negative delay accepted")
	}
	if err := (Policy{}).Validate(); err == nil {
		t.Fatal("zero timeout accepted")
	}
}

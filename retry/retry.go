// Package retry declares hookgate's retry policies in one place. A Policy is an
// explicit schedule of delays between attempts, so that operators read exactly
// what will happen: the default 5s, 30s, 300s means four attempts, then the event
// is dead-lettered.
//
// Public: the workflows' input and the config carry Policies; a team's own
// worker declares its activities' policies with it.
package retry

import (
	"errors"
	"fmt"
	"time"
)

// Policy is how a processing step is retried.
type Policy struct {
	// Delays are the waits before the 2nd, 3rd, … attempt; the step is attempted
	// len(Delays)+1 times in all, then it is exhausted.
	Delays []time.Duration `json:"delays" yaml:"schedule"`
	// Timeout bounds one attempt (Temporal's StartToCloseTimeout).
	Timeout time.Duration `json:"timeout" yaml:"timeout"`
}

// Default is the schedule of the original design: 5 s, 30 s, 300 s, then dead.
func Default() Policy {
	return Policy{
		Delays:  []time.Duration{5 * time.Second, 30 * time.Second, 300 * time.Second},
		Timeout: 30 * time.Second,
	}
}

// MaxAttempts is the number of attempts the policy allows.
func (p Policy) MaxAttempts() int { return len(p.Delays) + 1 }

// Delay returns the wait after the failed attempt n (1-based) and whether another
// attempt follows.
func (p Policy) Delay(n int) (time.Duration, bool) {
	if n < 1 || n > len(p.Delays) {
		return 0, false
	}
	return p.Delays[n-1], true
}

// Exponential builds a schedule from Temporal-style parameters: the first delay
// is initial, each next one is multiplied by coefficient and capped at maximum,
// for attempts attempts in all.
func Exponential(initial time.Duration, coefficient float64, maximum time.Duration, attempts int) (Policy, error) {
	switch {
	case initial <= 0:
		return Policy{}, errors.New("initial_interval: must be > 0 (e.g. \"1s\")")
	case coefficient < 1:
		return Policy{}, errors.New("backoff_coefficient: must be >= 1 (e.g. 2)")
	case attempts < 1 || attempts > 100:
		return Policy{}, errors.New("maximum_attempts: must be between 1 and 100")
	}
	p := Policy{Delays: make([]time.Duration, 0, attempts-1)}
	d := float64(initial)
	for i := 1; i < attempts; i++ {
		step := time.Duration(d)
		if maximum > 0 && step > maximum {
			step = maximum
		}
		p.Delays = append(p.Delays, step)
		d *= coefficient
	}
	return p, nil
}

// Validate reports a policy that cannot be run, naming the field.
func (p Policy) Validate() error {
	if len(p.Delays) > 100 {
		return fmt.Errorf("schedule: at most 100 delays, got %d", len(p.Delays))
	}
	for i, d := range p.Delays {
		if d <= 0 {
			return fmt.Errorf("schedule[%d]: must be > 0 (e.g. \"30s\")", i)
		}
	}
	if p.Timeout <= 0 {
		return errors.New("timeout: must be > 0 (e.g. \"30s\")")
	}
	return nil
}

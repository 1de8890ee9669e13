package config

import (
	"fmt"
	"time"
)

// Reconcile tunes the reconciler the worker runs (package reconcile): it
// repairs receipts that are queued, processing or retrying while their
// workflow run is missing or closed.
type Reconcile struct {
	// After: a receipt is checked once queued this long. Default 10m; keep
	// it above the time a run takes to record its first step.
	After time.Duration `yaml:"after"`
	// Interval between passes. Default 1m.
	Interval time.Duration `yaml:"interval"`
}

// Defaults of the reconcile block.
const (
	DefaultReconcileAfter    = 10 * time.Minute
	DefaultReconcileInterval = time.Minute
)

// resolveReconcile applies the defaults and validates the reconcile block.
func (c *Config) resolveReconcile() []error {
	var errs []error
	if c.Reconcile.After < 0 || c.Reconcile.Interval < 0 {
		errs = append(errs, fmt.Errorf("reconcile: after and interval must be positive durations such as 10m and 1m"))
	}
	if c.Reconcile.After == 0 {
		c.Reconcile.After = DefaultReconcileAfter
	}
	if c.Reconcile.Interval == 0 {
		c.Reconcile.Interval = DefaultReconcileInterval
	}
	return errs
}

package providers

import (
	"fmt"
	"time"
)

// Duration is a time.Duration written in configuration as a Go duration string
// ("300s", "5m", "1h30m"). It implements encoding.TextUnmarshaler, so YAML and JSON
// decoders accept it for an `options:` field without knowing about it.
//
// A bare number ("300") is rejected rather than guessed at: seconds and
// nanoseconds are both plausible readings, and a tolerance off by 10^9 is a
// security bug.
type Duration time.Duration

// UnmarshalText parses a Go duration string. The error names the accepted form but
// not the field: callers add the field name (options.tolerance: …).
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("invalid duration %q: use a number with a unit, e.g. \"300s\" or \"5m\"", text)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration in the form UnmarshalText reads ("5m0s").
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(time.Duration(d).String()), nil
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats d like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

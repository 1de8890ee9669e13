package config

import (
	"fmt"
	"time"
)

// Dedupe tunes a source's second deduplication key: a hash of the signed
// body. A delivery whose body equals that of a receipt of the same source
// received within Window is a duplicate of it, whatever event ID its unsigned
// headers carry, so a captured request cannot be replayed as a new event by
// changing them.
type Dedupe struct {
	// Content turns it on or off. Default: on when the provider's scheme signs
	// no checked timestamp (GitHub, Shopify, Twilio, token, Basic, HMAC
	// without timestamp_header, PayPal without transmission_window), whose
	// captured requests verify forever; off otherwise.
	Content *bool `yaml:"content"`
	// Window is how long a content key is remembered. Default 24h. A sender
	// that sends byte-identical bodies as distinct events must shorten it or
	// turn content off.
	Window time.Duration `yaml:"window"`
}

// DefaultDedupeWindow is the default dedupe.window.
const DefaultDedupeWindow = 24 * time.Hour

// resolve applies the default window and validates the block; f names the
// source in errors.
func (d *Dedupe) resolve(f string) error {
	if d.Window < 0 {
		return fmt.Errorf("%s.dedupe.window: must be a positive duration such as 24h", f)
	}
	if d.Window == 0 {
		d.Window = DefaultDedupeWindow
	}
	return nil
}

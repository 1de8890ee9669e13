package providers

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxFieldLen bounds an event ID or type: it becomes a database key, a log
// field and a metrics label value.
const MaxFieldLen = 255

// CheckField returns nil when v is fit for an event ID or type: at most
// MaxFieldLen bytes of valid UTF-8 without control characters (a NUL byte,
// which PostgreSQL text cannot hold, among them). Otherwise the error, which
// names field, wraps ErrMalformedPayload.
func CheckField(field, v string) error {
	switch {
	case len(v) > MaxFieldLen:
		return fmt.Errorf("%s longer than %d bytes: %w", field, MaxFieldLen, ErrMalformedPayload)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s is not UTF-8: %w", field, ErrMalformedPayload)
	}
	for _, c := range v {
		if unicode.IsControl(c) {
			return fmt.Errorf("%s contains a control character: %w", field, ErrMalformedPayload)
		}
	}
	return nil
}

// CheckEvent applies CheckField to what Identify returned, and requires an
// event ID. The gateway calls it after every provider's Identify, so one rule
// holds whatever the provider checked itself.
func CheckEvent(ev Event) error {
	if ev.ID == "" {
		return fmt.Errorf("empty event ID: %w", ErrMalformedPayload)
	}
	if err := CheckField("event ID", ev.ID); err != nil {
		return err
	}
	return CheckField("event type", ev.Type)
}

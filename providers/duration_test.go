package providers

import (
	"strings"
	"testing"
	"time"
)

func TestDurationUnmarshalText(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"300s", 300 * time.Second, false},
		{"5m", 5 * time.Minute, false},
		{"1h30m", 90 * time.Minute, false},
		{"-5s", -5 * time.Second, false}, // sign is the caller's to validate
		{"300", 0, true},                 // no unit: ambiguous, rejected
		{"", 0, true},
		{"soon", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var d Duration
			err := d.UnmarshalText([]byte(tt.in))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), `"300s"`) {
					t.Fatalf("UnmarshalText(%q) = %v, want an error suggesting \"300s\"", tt.in, err)
				}
				return
			}
			if err != nil || d.Std() != tt.want {
				t.Fatalf("UnmarshalText(%q) = %v, %v; want %v", tt.in, d, err, tt.want)
			}
			out, err := d.MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			var back Duration
			if err := back.UnmarshalText(out); err != nil || back != d {
				t.Fatalf("round trip %q -> %q -> %v, %v", tt.in, out, back, err)
			}
		})
	}
}

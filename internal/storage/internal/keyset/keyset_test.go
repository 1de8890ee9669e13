package keyset

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

func TestRoundTrip(t *testing.T) {
	tests := []Key{
		{At: time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.UTC), ID: "0195a3b2-0000-7000-8000-000000000001"},
		{At: time.Unix(0, 0).UTC(), ID: "x"},
		{At: time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC), ID: strings.Repeat("é", 64)},
	}
	for _, k := range tests {
		c := Encode(k)
		if strings.ContainsAny(c, "+/=?&# ") {
			t.Errorf("Encode(%v) = %q: not URL-safe", k, c)
		}
		got, err := Decode(c)
		if err != nil {
			t.Fatalf("Decode(Encode(%v)): %v", k, err)
		}
		if !got.At.Equal(k.At) || got.At.Location() != time.UTC || got.ID != k.ID {
			t.Errorf("Decode(Encode(%v)) = %v", k, got)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	valid := Encode(Key{At: time.Now(), ID: "abc"})
	tests := map[string]string{
		"empty":         "",
		"no prefix":     valid[len(prefix):],
		"other version": "k2." + valid[len(prefix):],
		"bad base64":    prefix + "!!!",
		"padding":       valid + "=",
		"no id":         Encode(Key{At: time.Now()}),
		"id too long":   Encode(Key{At: time.Now(), ID: strings.Repeat("a", maxIDLen+1)}),
		"invalid utf8":  Encode(Key{At: time.Now(), ID: "\xff"}),
		"nul in id":     Encode(Key{At: time.Now(), ID: "a\x00b"}),
		"truncated":     prefix + "AAAA",
	}
	for name, c := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Decode(c); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Decode(%q) = %v, want store.ErrInvalid", c, err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode(Key{At: time.Now(), ID: "abc"}))
	f.Add("k1.")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := Decode(s)
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("Decode(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		// Whatever decodes must encode back to a cursor naming the same key.
		k2, err := Decode(Encode(k))
		if err != nil || !k2.At.Equal(k.At) || k2.ID != k.ID {
			t.Fatalf("re-encode of %v: %v, %v", k, k2, err)
		}
	})
}

package providers

import (
	"errors"
	"strings"
	"testing"
)

func TestRequireSecrets(t *testing.T) {
	if err := RequireSecrets([]string{"a", "b"}, "x"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{nil, {}, {"a", ""}} {
		err := RequireSecrets(bad, "webhook secret")
		if !errors.Is(err, ErrNoSecret) || !strings.HasPrefix(err.Error(), "secrets") {
			t.Errorf("RequireSecrets(%q) = %v", bad, err)
		}
	}
}

func TestDecodeHex32(t *testing.T) {
	const h = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	got, ok := DecodeHex32(h)
	if !ok || got[0] != 0x75 || got[31] != 0x17 {
		t.Fatalf("DecodeHex32 = %x, %v", got, ok)
	}
	if up, ok := DecodeHex32(strings.ToUpper(h)); !ok || up != got {
		t.Fatal("upper-case digits rejected")
	}
	for _, bad := range []string{"", h[:62], h + "00", "zz" + h[2:]} {
		if _, ok := DecodeHex32(bad); ok {
			t.Errorf("DecodeHex32(%q) accepted", bad)
		}
	}
}

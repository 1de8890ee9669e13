package headerjson

import (
	"net/http"
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	tests := map[string]http.Header{
		"nil":           nil,
		"empty":         {},
		"single":        {"Content-Type": {"application/json"}},
		"multi":         {"X-Forwarded-For": {"10.0.0.1", "10.0.0.2"}, "Accept": {"*/*"}},
		"non-canonical": {"x-github-event": {"push"}},
		"unicode":       {"X-Name": {"héllo ✓", ""}},
		"escapes":       {"X-Quote": {`"<&>\` + "\t"}},
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			b, err := Encode(h)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) == 0 {
				if got != nil {
					t.Errorf("Decode(Encode(%v)) = %v, want nil", h, got)
				}
				return
			}
			if !reflect.DeepEqual(got, h) {
				t.Errorf("Decode(Encode(%v)) = %v", h, got)
			}
		})
	}
}

func TestDecodeRejectsNonObject(t *testing.T) {
	for _, in := range []string{"", "[]", `{"a":"b"}`, "{"} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) succeeded", in)
		}
	}
}

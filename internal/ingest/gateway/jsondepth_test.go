package gateway

import (
	"strings"
	"testing"
)

func TestJSONTooDeep(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name string
		body string
		max  int
		want bool
	}{
		{"flat object", `{"a":1,"b":[1,2,3]}`, 2, false},
		{"exactly max", nest(64), 64, false},
		{"one over max", nest(65), 64, true},
		{"objects count too", `{"a":{"b":{"c":{}}}}`, 3, true},
		{"unclosed still counts", strings.Repeat("{\"a\":", 100), 64, true},
		{"brackets inside strings do not count", `{"a":"[[[[[[[[[[[[[[[[[["}`, 2, false},
		{"escaped quote keeps the string open", `{"a":"\"[[[[[[[[[[[[[["}`, 2, false},
		{"escaped backslash closes the string", `{"a":"\\"}` + nest(5), 2, true},
		{"stray closers do not go negative", `]]]]]]` + nest(3), 3, false},
		{"empty", ``, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := jsonTooDeep([]byte(tt.body), tt.max); got != tt.want {
				t.Fatalf("jsonTooDeep = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestJSONTooDeepDoesNotAllocate(t *testing.T) {
	body := []byte(strings.Repeat(`{"a":[1,"x\"y",`, 1000))
	if n := testing.AllocsPerRun(10, func() { jsonTooDeep(body, 64) }); n != 0 {
		t.Fatalf("allocs per scan = %v, want 0", n)
	}
}

func TestIsJSON(t *testing.T) {
	tests := []struct {
		ct, body string
		want     bool
	}{
		{"application/json", "x", true},
		{"application/json; charset=utf-8", "", true},
		{"application/vnd.api+json", "", true},
		{"application/x-www-form-urlencoded", "[[[", false},
		{"", "  \n{", true},
		{"", "[1]", true},
		{"", "a=[[", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := isJSON(tt.ct, []byte(tt.body)); got != tt.want {
			t.Errorf("isJSON(%q, %q) = %v, want %v", tt.ct, tt.body, got, tt.want)
		}
	}
}

func FuzzJSONTooDeep(f *testing.F) {
	f.Add([]byte(`{"a":[{"b":"]\"["}]}`), 2)
	f.Fuzz(func(t *testing.T, body []byte, max int) {
		if max < 0 || max > 1000 {
			return
		}
		// A body that is not too deep at max is not too deep at any larger max.
		if !jsonTooDeep(body, max) && jsonTooDeep(body, max+1) {
			t.Fatal("depth check is not monotonic in max")
		}
	})
}

package hmacsig

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hookgate/hookgate/providers"
)

func TestParseRule(t *testing.T) {
	tests := []struct {
		in      string
		want    Rule
		wantErr bool
	}{
		{"", Rule{}, false},
		{"header:x-request-id", Rule{Source: FromHeader, Name: "X-Request-Id"}, false},
		{"json:id", Rule{Source: FromJSON, Name: "id", path: []string{"id"}}, false},
		{"json:data.items.0.id", Rule{Source: FromJSON, Name: "data.items.0.id", path: []string{"data", "items", "0", "id"}}, false},
		{"data.id", Rule{}, true},
		{"body:data.id", Rule{}, true},
		{"header:", Rule{}, true},
		{"header:X Bad", Rule{}, true},
		{"json:a..b", Rule{}, true},
		{"json:.a", Rule{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRule(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseRule(%q) = %+v, want an error", tt.in, got)
				}
				return
			}
			if err != nil || got.Source != tt.want.Source || got.Name != tt.want.Name || strings.Join(got.path, "|") != strings.Join(tt.want.path, "|") {
				t.Fatalf("ParseRule(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestLookupJSON(t *testing.T) {
	const doc = `{"id":"evt_1","n":42,"neg":-1.5e3,"t":true,"null":null,"empty":"",
		"data":{"id":"inner","list":[{"id":"first"},{"id":7}],"s":"str"}}`
	tests := []struct {
		path    string
		want    string
		found   bool
		wantErr bool
	}{
		{"id", "evt_1", true, false},
		{"n", "42", true, false},
		{"neg", "-1.5e3", true, false},
		{"data.id", "inner", true, false},
		{"data.list.0.id", "first", true, false},
		{"data.list.1.id", "7", true, false},
		{"data.list.2.id", "", false, false}, // index out of range
		{"missing", "", false, false},        // absent member
		{"null", "", false, false},           // null
		{"empty", "", false, false},          // empty string
		{"data.s.x", "", false, false},       // path through a scalar
		{"t", "", false, true},               // boolean
		{"data", "", false, true},            // object
		{"data.list", "", false, true},       // array
		{"data.list.first", "", false, true}, // non-index on an array
		{"data.list.01", "", false, true},    // leading zero is not an index
		{"data.list.0", "", false, true},     // object element
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, found, err := LookupJSON([]byte(doc), strings.Split(tt.path, "."))
			if tt.wantErr {
				if !errors.Is(err, providers.ErrMalformedPayload) {
					t.Fatalf("LookupJSON(%s) = %q, %v, %v; want ErrMalformedPayload", tt.path, got, found, err)
				}
				return
			}
			if err != nil || got != tt.want || found != tt.found {
				t.Fatalf("LookupJSON(%s) = %q, %v, %v; want %q, %v", tt.path, got, found, err, tt.want, tt.found)
			}
		})
	}
	for name, body := range map[string]string{"not JSON": "id=1", "empty": "", "non-UTF-8": "{\"id\":\"\xff\"}", "trailing garbage": `{"id":"a"} x`} {
		if _, _, err := LookupJSON([]byte(body), []string{"id"}); !errors.Is(err, providers.ErrMalformedPayload) {
			t.Errorf("%s: LookupJSON = %v, want ErrMalformedPayload", name, err)
		}
	}
}

func TestIdentify(t *testing.T) {
	body := []byte(`{"data":{"id":"ord_1"},"event":"order.paid","flag":true}`)
	sum := sha256.Sum256(body)
	hashID := "sha256:" + hex.EncodeToString(sum[:])
	tests := []struct {
		name   string
		rules  EventRules
		header http.Header
		body   []byte
		want   providers.Event
		err    bool
	}{
		{"defaults: content hash and webhook", EventRules{}, nil, body, providers.Event{ID: hashID, Type: "webhook"}, false},
		{"json rules", EventRules{EventID: "json:data.id", EventType: "json:event"}, nil, body, providers.Event{ID: "ord_1", Type: "order.paid"}, false},
		{"header rules", EventRules{EventID: "header:X-Delivery", EventType: "header:X-Event"}, hdr("X-Delivery", "d-1", "X-Event", "ping"), body, providers.Event{ID: "d-1", Type: "ping"}, false},
		{"missing header falls back", EventRules{EventID: "header:X-Delivery", EventType: "header:X-Event"}, hdr(), body, providers.Event{ID: hashID, Type: "webhook"}, false},
		{"missing path falls back", EventRules{EventID: "json:nope", EventType: "json:nope"}, nil, body, providers.Event{ID: hashID, Type: "webhook"}, false},
		{"non-JSON body, no JSON rule", EventRules{EventID: "header:X-Delivery"}, hdr("X-Delivery", "d-2"), []byte("a=1&b=\xff"), providers.Event{ID: "d-2", Type: "webhook"}, false},
		{"empty body hashes", EventRules{}, nil, nil, providers.Event{ID: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Type: "webhook"}, false},
		{"non-UTF-8 body, no JSON rule", EventRules{}, nil, []byte{0xff}, providers.Event{ID: "sha256:a8100ae6aa1940d0b663bb31cd466142ebbdbd5187131b92d93818987832eb89", Type: "webhook"}, false},
		{"JSON rule, non-JSON body", EventRules{EventID: "json:id"}, nil, []byte("id=1"), providers.Event{}, true},
		{"JSON rule, non-UTF-8 body", EventRules{EventID: "json:id"}, nil, []byte("{\"id\":\"\xff\"}"), providers.Event{}, true},
		{"JSON rule on a boolean", EventRules{EventType: "json:flag"}, nil, body, providers.Event{}, true},
		{"repeated header", EventRules{EventID: "header:X-Delivery"}, hdr("X-Delivery", "a", "X-Delivery", "b"), body, providers.Event{}, true},
		{"control character", EventRules{EventID: "header:X-Delivery"}, hdr("X-Delivery", "a\x7f"), body, providers.Event{}, true},
		{"oversized", EventRules{EventID: "header:X-Delivery"}, hdr("X-Delivery", strings.Repeat("a", providers.MaxFieldLen+1)), body, providers.Event{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ident, err := tt.rules.Compile()
			if err != nil {
				t.Fatal(err)
			}
			got, err := ident.Identify(&providers.Request{Header: tt.header, Body: tt.body})
			if tt.err {
				if !errors.Is(err, providers.ErrMalformedPayload) {
					t.Fatalf("Identify = %+v, %v; want ErrMalformedPayload", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Identify = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	if _, err := (Identifier{}).Identify(nil); !errors.Is(err, providers.ErrMalformedPayload) {
		t.Fatalf("Identify(nil) = %v", err)
	}
}

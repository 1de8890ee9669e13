// Package handlertest holds the assertions the providers' handler tests share.
package handlertest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/events"
)

// One checks that a handler returned exactly one event, of type typ about
// subject at time at, valid against its JSON Schema, and returns it.
func One(t testing.TB, evs []events.Event, err error, typ events.Type, subject string, at time.Time) events.Event {
	t.Helper()
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Type != typ || ev.Subject != subject || !ev.Time.Equal(at) {
		t.Fatalf("event = %s %q %v; want %s %q %v", ev.Type, ev.Subject, ev.Time, typ, subject, at)
	}
	if err := events.Validate(ev); err != nil {
		t.Fatalf("schema: %v", err)
	}
	return ev
}

// DataEquals checks that ev's data is exactly the JSON encoding of want.
func DataEquals(t testing.TB, ev events.Event, want any) {
	t.Helper()
	b, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(ev.Data) != string(b) {
		t.Fatalf("data\n got  %s\n want %s", ev.Data, b)
	}
}

// EditJSON decodes a JSON object (numbers kept exact), lets edit change it, and
// encodes it again: for building malformed variants of fixtures.
func EditJSON(t testing.TB, payload []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

package twilio_test

import (
	"encoding/json"
	"errors"
	"github.com/hookgate/hookgate/handlers/handlertest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/twilio"
)

var hNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

const hSid = "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0"

func hRegistry() *handlers.Registry {
	r := handlers.NewRegistry()
	twilio.RegisterHandlers(r)
	return r
}

// hInput renders a fixture and converts its form body to the handler's JSON
// the way the provider's Decode does.
func hInput(t *testing.T, name, eventType string) (handlers.Input, url.Values) {
	t.Helper()
	f, err := fixtures.Load(twilio.FixtureFS(), name)
	if err != nil {
		t.Fatal(err)
	}
	h, body := f.Render(hSid, hNow)
	params, err := twilio.ParseForm(body)
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return hFromParams(t, eventType, params, h), params
}

func hFromParams(t *testing.T, eventType string, params url.Values, h map[string][]string) handlers.Input {
	t.Helper()
	payload, err := twilio.FormJSON(params)
	if err != nil {
		t.Fatal(err)
	}
	return handlers.Input{Source: "twilio", Provider: providers.Twilio, EventType: eventType,
		ReceivedAt: hNow, Header: h, Payload: payload}
}

func hRun(t *testing.T, in handlers.Input) ([]events.Event, error) {
	t.Helper()
	h, ok := hRegistry().Lookup(providers.Twilio, in.EventType)
	if !ok {
		t.Fatalf("no handler for %s", in.EventType)
	}
	return h(in)
}

func TestHandlersOnFixtures(t *testing.T) {
	duration, seq := int64(42), int64(3)
	tests := []struct {
		fixture   string
		eventType string
		want      events.Type
		time      time.Time
		data      any
	}{
		{"sms_status", twilio.TypeSMSStatus, events.SMSStatusUpdate, time.Time{}, events.SMSStatus{Provider: "twilio",
			MessageSID: hSid, AccountSID: "AC0a1b2c3d4e5f60718293a4b5c6d7e8f9", Status: "delivered",
			From: "+15017122661", To: "+15558675310", MessagingServiceSID: "MG9f3c2a1b0e8d7c6b5a4f3e2d1c0b9a8f"}},
		{"call_status", twilio.TypeCallStatus, events.CallStatusUpdate, time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
			events.CallStatus{Provider: "twilio", CallSID: hSid, AccountSID: "AC0a1b2c3d4e5f60718293a4b5c6d7e8f9",
				Status: "completed", Direction: "outbound-api", From: "+15017122661", To: "+15558675310",
				DurationSeconds: &duration, SequenceNumber: &seq}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			in, _ := hInput(t, tt.fixture, tt.eventType)
			evs, err := hRun(t, in)
			ev := handlertest.One(t, evs, err, tt.want, hSid, tt.time)
			handlertest.DataEquals(t, ev, tt.data)
		})
	}
}

func TestSMSVariants(t *testing.T) {
	// A failed message carries ErrorCode; a legacy callback only SmsSid; a
	// repeated parameter with equal copies is accepted.
	in, params := hInput(t, "sms_status", twilio.TypeSMSStatus)
	params.Set("MessageStatus", "undelivered")
	params.Set("ErrorCode", "30003")
	params.Del("MessageSid")
	params.Add("To", "+15558675310")
	evs, err := hRun(t, hFromParams(t, in.EventType, params, in.Header))
	if err != nil {
		t.Fatal(err)
	}
	if err := events.Validate(evs[0]); err != nil {
		t.Fatal(err)
	}
	var s events.SMSStatus
	if err := json.Unmarshal(evs[0].Data, &s); err != nil {
		t.Fatal(err)
	}
	if s.MessageSID != hSid || s.Status != "undelivered" || s.ErrorCode != "30003" || s.To != "+15558675310" {
		t.Fatalf("sms = %+v", s)
	}
}

func TestCallWithoutOptionalFields(t *testing.T) {
	in, params := hInput(t, "call_status", twilio.TypeCallStatus)
	for _, k := range []string{"Timestamp", "CallDuration", "SequenceNumber", "Direction"} {
		params.Del(k)
	}
	params.Set("CallStatus", "ringing")
	evs, err := hRun(t, hFromParams(t, in.EventType, params, in.Header))
	if err != nil {
		t.Fatal(err)
	}
	if !evs[0].Time.IsZero() {
		t.Errorf("Time = %v, want zero without Timestamp", evs[0].Time)
	}
	if err := events.Validate(evs[0]); err != nil {
		t.Fatal(err)
	}
	var c events.CallStatus
	if err := json.Unmarshal(evs[0].Data, &c); err != nil {
		t.Fatal(err)
	}
	if c.DurationSeconds != nil || c.SequenceNumber != nil || c.Status != "ringing" {
		t.Fatalf("call = %+v", c)
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name      string
		fixture   string
		eventType string
		edit      func(v url.Values)
	}{
		{"sms without sid", "sms_status", twilio.TypeSMSStatus, func(v url.Values) { v.Del("MessageSid"); v.Del("SmsSid") }},
		{"sms without status", "sms_status", twilio.TypeSMSStatus, func(v url.Values) { v.Del("MessageStatus") }},
		{"sms conflicting status", "sms_status", twilio.TypeSMSStatus, func(v url.Values) { v.Add("MessageStatus", "failed") }},
		{"call without sid", "call_status", twilio.TypeCallStatus, func(v url.Values) { v.Del("CallSid") }},
		{"call without status", "call_status", twilio.TypeCallStatus, func(v url.Values) { v.Set("CallStatus", "") }},
		{"call bad duration", "call_status", twilio.TypeCallStatus, func(v url.Values) { v.Set("CallDuration", "-5") }},
		{"call duration not a number", "call_status", twilio.TypeCallStatus, func(v url.Values) { v.Set("CallDuration", "42s") }},
		{"call bad sequence", "call_status", twilio.TypeCallStatus, func(v url.Values) { v.Set("SequenceNumber", "9999999999999999999999") }},
		{"call bad timestamp", "call_status", twilio.TypeCallStatus, func(v url.Values) { v.Set("Timestamp", "2025-03-14T09:26:53Z") }},
		{"call conflicting sid", "call_status", twilio.TypeCallStatus, func(v url.Values) { v.Add("CallSid", "CAother") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, params := hInput(t, tt.fixture, tt.eventType)
			tt.edit(params)
			evs, err := hRun(t, hFromParams(t, in.EventType, params, in.Header))
			if !errors.Is(err, handlers.ErrMalformed) {
				t.Fatalf("error = %v (events %d), want ErrMalformed", err, len(evs))
			}
		})
	}
	for _, typ := range []string{twilio.TypeSMSStatus, twilio.TypeCallStatus} {
		for _, body := range []string{"", "[]", "{", "null", `{"MessageSid":7,"CallSid":7,"MessageStatus":"sent","CallStatus":"ringing"}`} {
			in := handlers.Input{Provider: providers.Twilio, EventType: typ, Payload: []byte(body)}
			if _, err := hRun(t, in); !errors.Is(err, handlers.ErrMalformed) {
				t.Errorf("%s body %q: error = %v, want ErrMalformed", typ, body, err)
			}
		}
	}
}

func TestRegisteredTypes(t *testing.T) {
	got := slices.Sorted(slices.Values(hRegistry().Types(providers.Twilio)))
	if want := []string{"call.status", "sms.status"}; !slices.Equal(got, want) {
		t.Fatalf("Types = %v, want %v", got, want)
	}
}

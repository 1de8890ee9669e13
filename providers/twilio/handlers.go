package twilio

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/handlers"
	"github.com/hookgate/hookgate/providers"
)

// RegisterHandlers registers the built-in Twilio mappings on r:
//
//	sms.status   → sms.status_update   subject: MessageSid
//	call.status  → call.status_update  subject: CallSid
//
// The input types are the ones Identify assigns (TypeSMSStatus, TypeCallStatus).
// The payload is the JSON object Decode builds from the form parameters (string
// values; a repeated parameter becomes an array). SMS status callbacks carry no
// timestamp, so their Time is zero ("received at"); call callbacks carry
// Timestamp (RFC 1123 with numeric zone), which becomes Time. A payload missing
// the SID or status wraps handlers.ErrMalformed.
func RegisterHandlers(r *handlers.Registry) {
	r.Register(providers.Twilio, TypeSMSStatus, handleSMSStatus)
	r.Register(providers.Twilio, TypeCallStatus, handleCallStatus)
}

// twilioParams is the decoded parameter object: name → raw JSON value.
type twilioParams struct {
	eventType string
	raw       map[string]json.RawMessage
}

func handlerErr(eventType, what string) error {
	return fmt.Errorf("twilio %s: %s: %w", eventType, what, handlers.ErrMalformed)
}

func decodeParams(in handlers.Input) (twilioParams, error) {
	p := twilioParams{eventType: in.EventType}
	if err := json.Unmarshal(in.Payload, &p.raw); err != nil {
		return p, fmt.Errorf("twilio %s: payload is not a JSON object: %w: %w", in.EventType, handlers.ErrMalformed, err)
	}
	if p.raw == nil {
		return p, handlerErr(in.EventType, "payload is null")
	}
	return p, nil
}

// get returns the single value of a parameter, "" when absent. A repeated
// parameter is accepted only when every copy is equal: otherwise which one
// counts is ambiguous, and guessing would make the event depend on ordering.
func (p twilioParams) get(name string) (string, error) {
	raw, ok := p.raw[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return "", handlerErr(p.eventType, name+" is not a string")
	}
	for _, v := range list[1:] {
		if v != list[0] {
			return "", handlerErr(p.eventType, name+" is repeated with different values")
		}
	}
	return list[0], nil
}

// twilioField names a parameter and where its value goes.
type twilioField struct {
	name string
	dst  *string
}

// getAll reads optional parameters in order, so that the first bad one is
// always the one reported.
func (p twilioParams) getAll(fields ...twilioField) error {
	for _, f := range fields {
		v, err := p.get(f.name)
		if err != nil {
			return err
		}
		*f.dst = v
	}
	return nil
}

// count reads an optional non-negative integer parameter.
func (p twilioParams) count(name string) (*int64, error) {
	s, err := p.get(name)
	if err != nil || s == "" {
		return nil, err
	}
	if s[0] < '0' || s[0] > '9' {
		return nil, handlerErr(p.eventType, name+" is not a whole number")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, handlerErr(p.eventType, name+" is not a whole number")
	}
	return &n, nil
}

func handleSMSStatus(in handlers.Input) ([]events.Event, error) {
	p, err := decodeParams(in)
	if err != nil {
		return nil, err
	}
	data := events.SMSStatus{Provider: string(providers.Twilio)}
	var smsSid string
	if err := p.getAll(
		twilioField{"MessageSid", &data.MessageSID},
		twilioField{"SmsSid", &smsSid},
		twilioField{"MessageStatus", &data.Status},
		twilioField{"AccountSid", &data.AccountSID},
		twilioField{"From", &data.From},
		twilioField{"To", &data.To},
		twilioField{"MessagingServiceSid", &data.MessagingServiceSID},
		twilioField{"ErrorCode", &data.ErrorCode},
	); err != nil {
		return nil, err
	}
	if data.MessageSID == "" {
		// SmsSid is the legacy name of the same SID; old callbacks send only it.
		data.MessageSID = smsSid
	}
	switch {
	case data.MessageSID == "":
		return nil, handlerErr(in.EventType, "missing MessageSid")
	case data.Status == "":
		return nil, handlerErr(in.EventType, "missing MessageStatus")
	}
	ev, err := events.NewEvent(events.SMSStatusUpdate, data.MessageSID, time.Time{}, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

func handleCallStatus(in handlers.Input) ([]events.Event, error) {
	p, err := decodeParams(in)
	if err != nil {
		return nil, err
	}
	data := events.CallStatus{Provider: string(providers.Twilio)}
	var stamp string
	if err := p.getAll(
		twilioField{"CallSid", &data.CallSID},
		twilioField{"CallStatus", &data.Status},
		twilioField{"AccountSid", &data.AccountSID},
		twilioField{"Direction", &data.Direction},
		twilioField{"From", &data.From},
		twilioField{"To", &data.To},
		twilioField{"ParentCallSid", &data.ParentCallSID},
		twilioField{"Timestamp", &stamp},
	); err != nil {
		return nil, err
	}
	switch {
	case data.CallSID == "":
		return nil, handlerErr(in.EventType, "missing CallSid")
	case data.Status == "":
		return nil, handlerErr(in.EventType, "missing CallStatus")
	}
	if data.DurationSeconds, err = p.count("CallDuration"); err != nil {
		return nil, err
	}
	if data.SequenceNumber, err = p.count("SequenceNumber"); err != nil {
		return nil, err
	}
	var at time.Time
	if stamp != "" {
		t, err := time.Parse(time.RFC1123Z, stamp)
		if err != nil {
			return nil, handlerErr(in.EventType, "Timestamp is not RFC 1123 with a numeric zone")
		}
		at = t.UTC()
	}
	ev, err := events.NewEvent(events.CallStatusUpdate, data.CallSID, at, data)
	if err != nil {
		return nil, err
	}
	return []events.Event{ev}, nil
}

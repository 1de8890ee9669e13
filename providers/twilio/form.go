package twilio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// ParseForm parses an application/x-www-form-urlencoded body the way Twilio
// encodes it. It rejects, wrapping ErrMalformedPayload, bodies that are not valid
// UTF-8, bad percent escapes, ';' separators and names or values that decode to
// invalid UTF-8: Twilio sends none of these, and handlers receive the values as
// JSON strings, which cannot carry arbitrary bytes.
func ParseForm(body []byte) (url.Values, error) {
	if !utf8.Valid(body) {
		return nil, fmt.Errorf("twilio: body is not valid UTF-8: %w", providers.ErrMalformedPayload)
	}
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("twilio: form body does not parse: %w", providers.ErrMalformedPayload)
	}
	for k, vals := range params {
		if !utf8.ValidString(k) {
			return nil, fmt.Errorf("twilio: form name is not valid UTF-8: %w", providers.ErrMalformedPayload)
		}
		for _, v := range vals {
			if !utf8.ValidString(v) {
				return nil, fmt.Errorf("twilio: form value is not valid UTF-8: %w", providers.ErrMalformedPayload)
			}
		}
	}
	return params, nil
}

// FormJSON renders form params as a JSON object with sorted keys: a key with one
// value maps to a string, a repeated key to an array of its strings in the order
// received.
func FormJSON(params url.Values) ([]byte, error) {
	keys := slices.Sorted(maps.Keys(params))
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(k)
		if err != nil {
			return nil, fmt.Errorf("twilio: encode form name: %w", err)
		}
		var val []byte
		if vals := params[k]; len(vals) == 1 {
			val, err = json.Marshal(vals[0])
		} else {
			// A non-nil slice: an empty list is [], never null.
			val, err = json.Marshal(append([]string{}, vals...))
		}
		if err != nil {
			return nil, fmt.Errorf("twilio: encode form value: %w", err)
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

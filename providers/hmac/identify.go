package hmacsig

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/hookgate/hookgate/providers"
)

// DefaultEventType is the type of an event whose type rule yields nothing.
const DefaultEventType = "webhook"

// ContentHashPrefix starts the event ID derived from the body when the ID rule
// yields nothing: "sha256:<hex of SHA-256(body)>". Identical bodies are then
// deduplicated, which is the best a scheme without event IDs allows.
const ContentHashPrefix = "sha256:"

// RuleSource says where a Rule reads its value.
type RuleSource string

// Rule sources, written before the colon of a rule ("header:X-Event-Id").
const (
	// FromHeader reads a request header.
	FromHeader RuleSource = "header"
	// FromJSON reads a dotted path into the JSON body ("data.id",
	// "events.0.id"): object keys, and array indexes where the value is an
	// array.
	FromJSON RuleSource = "json"
)

// Rule is a compiled event_id or event_type rule. The zero Rule yields nothing.
type Rule struct {
	Source RuleSource
	// Name is the header name (canonicalized) or the JSON path.
	Name string
	// path is the JSON path split on '.'.
	path []string
}

// ParseRule compiles "header:<Name>" or "json:<dotted.path>"; "" is the zero
// Rule. The error states the accepted forms but not the field name, which the
// caller adds.
func ParseRule(s string) (Rule, error) {
	if s == "" {
		return Rule{}, nil
	}
	src, name, ok := strings.Cut(s, ":")
	switch {
	case !ok || name == "":
		return Rule{}, errors.New(`want "header:<Header-Name>" or "json:<path>" (e.g. "json:data.id")`)
	case RuleSource(src) == FromHeader:
		if strings.ContainsAny(name, " \t:\r\n") {
			return Rule{}, fmt.Errorf("header name %q is not a valid HTTP header name", name)
		}
		return Rule{Source: FromHeader, Name: http.CanonicalHeaderKey(name)}, nil
	case RuleSource(src) == FromJSON:
		path := strings.Split(name, ".")
		for _, seg := range path {
			if seg == "" {
				return Rule{}, fmt.Errorf("JSON path %q has an empty segment", name)
			}
		}
		return Rule{Source: FromJSON, Name: name, path: path}, nil
	}
	return Rule{}, fmt.Errorf(`unknown rule source %q: want "header:<Header-Name>" or "json:<path>"`, src)
}

// EventRules are the `event_id` and `event_type` options shared by the generic
// schemes (hmac, token, basic). Embed them in an Options struct with
// `yaml:",inline"`.
type EventRules struct {
	// EventID is where the dedupe key comes from: "header:<Name>" or
	// "json:<path>". When it is empty or yields nothing, the ID is
	// "sha256:<hex of SHA-256(body)>".
	EventID string `yaml:"event_id"`
	// EventType is where the event type comes from, same syntax. When it is
	// empty or yields nothing, the type is "webhook".
	EventType string `yaml:"event_type"`
}

// Compile validates the rules; errors name options.event_id or
// options.event_type.
func (e EventRules) Compile() (Identifier, error) {
	id, err := ParseRule(e.EventID)
	if err != nil {
		return Identifier{}, fmt.Errorf("options.event_id: %w", err)
	}
	typ, err := ParseRule(e.EventType)
	if err != nil {
		return Identifier{}, fmt.Errorf("options.event_type: %w", err)
	}
	return Identifier{ID: id, Type: typ}, nil
}

// Identifier applies compiled event rules to verified requests.
type Identifier struct {
	ID, Type Rule
}

// Identify returns the event ID and type the rules select. A rule yields
// nothing when its header is absent or empty, or its JSON path is missing or
// null; the ID then falls back to the content hash and the type to "webhook".
// Errors wrap providers.ErrMalformedPayload: a repeated header, a JSON rule
// over a body that is not UTF-8 JSON, a path that reaches an object, array or
// boolean, or a value that is too long or holds control characters.
func (i Identifier) Identify(r *providers.Request) (providers.Event, error) {
	if r == nil {
		return providers.Event{}, fmt.Errorf("no request: %w", providers.ErrMalformedPayload)
	}
	id, found, err := i.ID.value(r)
	if err != nil {
		return providers.Event{}, fmt.Errorf("event_id: %w", err)
	}
	if !found {
		id = ContentHashID(r.Body)
	}
	typ, found, err := i.Type.value(r)
	if err != nil {
		return providers.Event{}, fmt.Errorf("event_type: %w", err)
	}
	if !found {
		typ = DefaultEventType
	}
	return providers.Event{ID: id, Type: typ}, nil
}

// ContentHashID returns "sha256:<hex of SHA-256(body)>".
func ContentHashID(body []byte) string {
	sum := sha256.Sum256(body)
	return ContentHashPrefix + hex.EncodeToString(sum[:])
}

// value applies the rule to r.
func (rule Rule) value(r *providers.Request) (string, bool, error) {
	var (
		v     string
		found bool
		err   error
	)
	switch rule.Source {
	case "":
		return "", false, nil
	case FromHeader:
		vals := r.Header[rule.Name]
		switch {
		case len(vals) > 1:
			return "", false, fmt.Errorf("%d %s headers, want one: %w", len(vals), rule.Name, providers.ErrMalformedPayload)
		case len(vals) == 1 && vals[0] != "":
			v, found = vals[0], true
		}
	case FromJSON:
		v, found, err = LookupJSON(r.Body, rule.path)
		if err != nil {
			return "", false, err
		}
	}
	if !found {
		return "", false, nil
	}
	if err := checkField(v); err != nil {
		return "", false, err
	}
	return v, true, nil
}

// LookupJSON follows path (object keys; decimal indexes into arrays) through
// the JSON document body. It returns a string value unquoted, a number as its
// literal text, and found=false for a missing member, an empty string or null
// (a path through a scalar is missing too). A body that is not UTF-8 JSON, a
// path that ends on an object, array or boolean, or a non-index segment
// applied to an array wraps providers.ErrMalformedPayload.
func LookupJSON(body []byte, path []string) (value string, found bool, err error) {
	// encoding/json silently replaces invalid UTF-8 with U+FFFD, which would
	// merge distinct IDs into one dedupe key.
	if !utf8.Valid(body) {
		return "", false, fmt.Errorf("body is not UTF-8: %w", providers.ErrMalformedPayload)
	}
	if !json.Valid(body) {
		return "", false, fmt.Errorf("body is not JSON: %w", providers.ErrMalformedPayload)
	}
	cur := json.RawMessage(bytes.TrimSpace(body))
	for i, seg := range path {
		switch {
		case len(cur) == 0 || string(cur) == "null":
			return "", false, nil
		case cur[0] == '{':
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(cur, &obj); err != nil {
				return "", false, fmt.Errorf("body is not JSON: %w", providers.ErrMalformedPayload)
			}
			next, ok := obj[seg]
			if !ok {
				return "", false, nil
			}
			cur = next
		case cur[0] == '[':
			idx, ok := arrayIndex(seg)
			if !ok {
				return "", false, fmt.Errorf("%s is an array, and %q is not an index: %w", strings.Join(path[:i], "."), seg, providers.ErrMalformedPayload)
			}
			var arr []json.RawMessage
			if err := json.Unmarshal(cur, &arr); err != nil {
				return "", false, fmt.Errorf("body is not JSON: %w", providers.ErrMalformedPayload)
			}
			if idx >= len(arr) {
				return "", false, nil
			}
			cur = arr[idx]
		default:
			// A scalar cannot have members: the path does not exist.
			return "", false, nil
		}
	}
	cur = bytes.TrimSpace(cur)
	switch {
	case len(cur) == 0 || string(cur) == "null":
		return "", false, nil
	case cur[0] == '"':
		var s string
		if err := json.Unmarshal(cur, &s); err != nil {
			return "", false, fmt.Errorf("body is not JSON: %w", providers.ErrMalformedPayload)
		}
		if s == "" {
			return "", false, nil
		}
		return s, true, nil
	case cur[0] == '-' || ('0' <= cur[0] && cur[0] <= '9'):
		return string(cur), true, nil
	}
	return "", false, fmt.Errorf("%s is not a string or number: %w", strings.Join(path, "."), providers.ErrMalformedPayload)
}

// arrayIndex parses a non-negative decimal index without leading zeros.
func arrayIndex(seg string) (int, bool) {
	if seg == "" || len(seg) > 9 || (len(seg) > 1 && seg[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(seg); i++ {
		if seg[i] < '0' || seg[i] > '9' {
			return 0, false
		}
		n = n*10 + int(seg[i]-'0')
	}
	return n, true
}

// checkField rejects values unfit for a dedupe key or a type label.
func checkField(v string) error { return providers.CheckField("value", v) }

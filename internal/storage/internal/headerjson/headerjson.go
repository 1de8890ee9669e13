// Package headerjson stores http.Header as a JSON object of arrays, the form
// both store dialects keep in their headers columns.
package headerjson

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Encode returns h as a JSON object of arrays; a nil or empty h is "{}".
//
// encoding/json replaces invalid UTF-8 with U+FFFD, so a header value that is
// not UTF-8 (rare: net/http passes obs-text bytes through) does not round-trip
// byte for byte. Bodies, which must, are stored as bytes.
func Encode(h http.Header) ([]byte, error) {
	if len(h) == 0 {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode headers: %w", err)
	}
	return b, nil
}

// Decode parses what Encode produced. An empty object decodes to nil, so a
// header stored empty reads back the same whether it was nil or empty.
func Decode(b []byte) (http.Header, error) {
	var h http.Header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("decode headers: %w", err)
	}
	if len(h) == 0 {
		return nil, nil
	}
	return h, nil
}

package gateway

import (
	"errors"
	"mime"
	"strings"
)

// DefaultJSONMaxDepth is the nesting depth JSON bodies may reach. Real provider
// payloads nest about ten levels; 64 leaves room and still stops a "[[[[…" body
// from making a decoder recurse deeply before the request is even verified.
const DefaultJSONMaxDepth = 64

var errJSONTooDeep = errors.New("json nested too deeply")

// jsonTooDeep reports whether body, when it is JSON, nests arrays and objects
// deeper than max. It is a single pass over the bytes that tracks only the
// depth and whether it is inside a string: it allocates nothing and never
// builds the document, so it is safe to run on unverified input. It does not
// validate the JSON: malformed documents are left to the provider's parser.
func jsonTooDeep(body []byte, max int) bool {
	depth := 0
	inString, escaped := false, false
	for _, b := range body {
		if inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
			continue
		}
		switch b {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				return true
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return false
}

// isJSON reports whether a request with this Content-Type and body is JSON:
// declared as such, or undeclared and starting like a JSON container.
func isJSON(contentType string, body []byte) bool {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err == nil {
			return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json"
		}
	}
	for _, b := range body {
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}

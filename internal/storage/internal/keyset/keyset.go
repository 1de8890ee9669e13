// Package keyset encodes the opaque pagination cursors of receipt listings: the
// (received_at, id) key of the last row of a page, from which the next page
// continues in descending order.
package keyset

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookgate/hookgate/store"
)

// prefix versions the format, so a future change can tell old cursors apart.
const prefix = "k1."

// maxIDLen bounds the ID a cursor may carry: receipt IDs are UUIDs, and a
// cursor is client input.
const maxIDLen = 128

// Key is the position of a row in (received_at DESC, id DESC) order.
type Key struct {
	At time.Time // microsecond precision
	ID string
}

// Encode returns the cursor for k. It is URL-safe.
func Encode(k Key) string {
	buf := make([]byte, 8, 8+len(k.ID))
	binary.BigEndian.PutUint64(buf, uint64(k.At.UnixMicro()))
	buf = append(buf, k.ID...)
	return prefix + base64.RawURLEncoding.EncodeToString(buf)
}

// Decode parses a cursor made by Encode. Anything else is an error wrapping
// store.ErrInvalid; the cursor's text is not repeated in it.
func Decode(s string) (Key, error) {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return Key{}, fmt.Errorf("cursor: unknown format: %w", store.ErrInvalid)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return Key{}, fmt.Errorf("cursor: bad encoding: %w", store.ErrInvalid)
	}
	if len(raw) <= 8 || len(raw)-8 > maxIDLen {
		return Key{}, fmt.Errorf("cursor: bad length: %w", store.ErrInvalid)
	}
	id := string(raw[8:])
	if !utf8.ValidString(id) || strings.ContainsRune(id, 0) {
		return Key{}, fmt.Errorf("cursor: bad id: %w", store.ErrInvalid)
	}
	at := time.UnixMicro(int64(binary.BigEndian.Uint64(raw[:8]))).UTC()
	return Key{At: at, ID: id}, nil
}

package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// RunSearch runs the conformance subtests of the text match of ListReceipts
// (store.Filter.Text). open works as for Run.
func RunSearch(t *testing.T, open func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"SearchText", testSearchText},
		{"SearchTextInvalid", testSearchTextInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			setup(t, func(*testing.T) Store { return s })
			tt.fn(t, s)
		})
	}
}

func testSearchText(t *testing.T, s Store) {
	bodies := map[string]string{
		"plain":   `{"customer":"Alice Smith","note":"50% off_now"}`,
		"slash":   `{"customer":"BOB","path":"C:\temp"}`,
		"latin1":  "prefix \xff\xfe ALICE \x80 tail",     // not UTF-8
		"utf8":    `{"customer":"Zoë"}`,                  // ë is \303\253
		"slashhi": "x\\\xc3y",                            // a backslash then a high byte
		"other":   `{"customer":"Carol","id":"evt_777"}`, // in source b
		// A long body: a term ending at the excerpt's last byte is found, one
		// after it is not (store.SearchExcerpt).
		"long": `{"pad":"` + strings.Repeat("q", store.SearchExcerpt-len(`{"pad":"`)-len("EDGEWORD")) + "EDGEWORD" + `","tail":"BEYONDWORD"}`,
	}
	ids := map[string]string{}
	for i, ev := range slices.Sorted(maps.Keys(bodies)) {
		src := "a"
		if ev == "other" {
			src = "b"
		}
		d := delivery(src, ev, at(time.Duration(i)*time.Second))
		d.Receipt.Body = []byte(bodies[ev])
		ingest(t, s, d) // a non-UTF-8 body must not break the insert
		ids[ev] = d.Receipt.ID
	}
	tests := []struct {
		text   string
		source string
		want   []string
	}{
		{"alice", "", []string{"plain", "latin1"}},
		{"ALICE SMITH", "", []string{"plain"}},
		{"aLiCe", "a", []string{"plain", "latin1"}},
		{"50%", "", []string{"plain"}},
		{"%", "", []string{"plain"}},
		{"50_", "", nil}, // _ is literal, not a wildcard
		{"f_n", "", []string{"plain"}},
		{`\t`, "", []string{"slash"}},
		{`\`, "", []string{"slash", "slashhi"}},
		{"zoë", "", []string{"utf8"}},
		{"ZOë", "", []string{"utf8"}},
		{"303", "", nil}, // not inside an escaped byte
		{`\3`, "", nil},
		{"customer", "b", []string{"other"}},
		{"customer", "", []string{"plain", "slash", "utf8", "other"}},
		{"nowhere", "", nil},
		{"edgeword", "", []string{"long"}},
		{"beyondword", "", nil},
		{strings.Repeat("x", store.MaxText), "", nil},
	}
	check := func(stage string) {
		t.Helper()
		for _, tt := range tests {
			checkSearch(t, s, stage, tt.text, tt.source, tt.want, ids)
		}
	}
	check("as acked")
	ix, ok := s.(searchIndexer)
	if !ok {
		return
	}
	// A store that indexes after the commit finds the same receipts with
	// some bodies indexed and the rest queued, and with all indexed.
	n, err := ix.IndexSearch(context.Background(), 3)
	if err != nil || n != 3 {
		t.Fatalf("IndexSearch(3) = %d, %v; want 3", n, err)
	}
	check("partly indexed")
	for {
		m, err := ix.IndexSearch(context.Background(), 2)
		if err != nil {
			t.Fatal(err)
		}
		if n += m; m < 2 {
			break
		}
	}
	if n != len(bodies) {
		t.Fatalf("IndexSearch moved %d bodies, want %d", n, len(bodies))
	}
	check("indexed")
}

// searchIndexer is a store that builds its search index after the commit
// (PostgreSQL).
type searchIndexer interface {
	IndexSearch(ctx context.Context, limit int) (int, error)
}

// checkSearch lists the receipts whose body contains text and compares their
// IDs with those of the want bodies.
func checkSearch(t *testing.T, s Store, stage, text, source string, wantBodies []string, ids map[string]string) {
	t.Helper()
	got := listAll(t, s, store.Filter{Text: text, Source: source, Limit: 1})
	var want []string
	for _, ev := range wantBodies {
		want = append(want, ids[ev])
	}
	slices.Sort(want)
	gotIDs := receiptIDs(got)
	slices.Sort(gotIDs)
	if !slices.Equal(gotIDs, want) {
		t.Errorf("%s: Text %q source %q: receipts %v, want %v", stage, text, source, eventIDsOf(got), wantBodies)
	}
	for _, r := range got {
		if r.Body != nil {
			t.Errorf("%s: Text %q: listing returned a body", stage, text)
		}
	}
}

func testSearchTextInvalid(t *testing.T, s Store) {
	ingest(t, s, delivery("a", "evt_1", at(0)))
	for _, text := range []string{strings.Repeat("x", store.MaxText+1), "bad \xff utf8", "nul\x00"} {
		_, err := s.ListReceipts(context.Background(), store.Filter{Text: text})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Text %q: error %v, want store.ErrInvalid", text, err)
		}
	}
}

func eventIDsOf(rs []store.Receipt) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.EventID
	}
	return out
}

package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/hookgate/hookgate/store"
)

// testContentDedupe: a delivery whose content key equals that of a receipt of
// its source received within its window is a duplicate of that receipt,
// whatever its event ID (in a later batch and within one batch); outside the
// window, for another source, or without a key, it is a new receipt.
func testContentDedupe(t *testing.T, s Store) {
	withKey := func(source, eventID, key string, when time.Time) store.Delivery {
		d := delivery(source, eventID, when)
		d.Receipt.ContentKey, d.ContentWindow = key, time.Hour
		return d
	}
	first := withKey("tw", "SM1:delivered:tok-1", "k1", at(0))
	res := ingest(t, s, first)
	if res[0].Duplicate {
		t.Fatal("the first delivery is a duplicate")
	}
	// The same signed content with other unsigned IDs, one batch later and
	// twice within a batch, 30 minutes on: duplicates of the first receipt.
	res = ingest(t, s,
		withKey("tw", "SM1:delivered:tok-2", "k1", at(30*time.Minute)),
		withKey("tw", "SM1:delivered", "k1", at(30*time.Minute)),
		withKey("tw", "new-a", "k2", at(30*time.Minute)),
		withKey("tw", "new-b", "k2", at(30*time.Minute)), // same content as new-a, same batch
		withKey("other", "SM1:delivered:tok-3", "k1", at(30*time.Minute)),
		delivery("tw", "no-key", at(30*time.Minute)),
	)
	want := []struct {
		dup bool
		id  string
	}{{true, first.Receipt.ID}, {true, first.Receipt.ID}, {false, ""}, {true, ""}, {false, ""}, {false, ""}}
	for i, w := range want {
		if res[i].Duplicate != w.dup || (w.id != "" && res[i].ReceiptID != w.id) {
			t.Errorf("delivery %d: %+v, want duplicate %v of %q", i, res[i], w.dup, w.id)
		}
	}
	if res[3].ReceiptID != res[2].ReceiptID {
		t.Errorf("the batch's repeat of new-a's content got receipt %s, want new-a's %s", res[3].ReceiptID, res[2].ReceiptID)
	}
	if r := receipt(t, s, first.Receipt.ID); r.Duplicates != 2 {
		t.Errorf("first receipt counts %d duplicates, want 2", r.Duplicates)
	}
	// Two hours after the first receipt, outside its window: a new receipt,
	// which the key then names.
	late := ingest(t, s, withKey("tw", "SM1:delivered:tok-9", "k1", at(2*time.Hour)))
	if late[0].Duplicate {
		t.Error("a delivery outside the window is a duplicate")
	}
	again := ingest(t, s, withKey("tw", "SM1:delivered:tok-10", "k1", at(2*time.Hour+time.Minute)))
	if !again[0].Duplicate || again[0].ReceiptID != late[0].ReceiptID {
		t.Errorf("after the window the key names the new receipt: got %+v, want a duplicate of %s", again[0], late[0].ReceiptID)
	}

	// Retention forgets keys of receipts received before its cut-off: then the
	// same content is a new receipt even inside the window.
	p, ok := s.(interface {
		PurgeContentKeys(ctx context.Context, before time.Time) (int64, error)
	})
	if !ok {
		t.Fatal("the store has no PurgeContentKeys")
	}
	if n, err := p.PurgeContentKeys(context.Background(), at(time.Hour)); err != nil || n != 2 {
		t.Errorf("PurgeContentKeys before 1h = %d, %v; want 2 (tw's k2 and other's k1, remembered at 30m)", n, err)
	}
	fresh := ingest(t, s, withKey("tw", "new-c", "k2", at(45*time.Minute)))
	if fresh[0].Duplicate {
		t.Error("a forgotten content key still deduplicates")
	}
}

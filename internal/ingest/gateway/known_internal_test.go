package gateway

import (
	"fmt"
	"testing"
)

func TestKnownForgetsTheOldestWhenFull(t *testing.T) {
	k := newKnown(3)
	for i := range 5 {
		k.add("gh", fmt.Sprint("e", i), fmt.Sprint("r", i))
	}
	k.add("gh", "e3", "other") // already remembered: neither replaced nor re-queued
	for i, want := range []bool{false, false, true, true, true} {
		id, ok := k.get("gh", fmt.Sprint("e", i))
		if ok != want || (ok && id != fmt.Sprint("r", i)) {
			t.Errorf("e%d: got (%q, %v), want remembered=%v as r%d", i, id, ok, want, i)
		}
	}
	if _, ok := k.get("other-source", "e4"); ok {
		t.Error("the key includes the source")
	}
	k.forget("gh", "e4")
	if _, ok := k.get("gh", "e4"); ok {
		t.Error("forget did not forget")
	}
	if len(k.ids) > 3 {
		t.Errorf("%d remembered, capacity 3", len(k.ids))
	}

	var off *known = newKnown(0)
	off.add("gh", "e", "r")
	if _, ok := off.get("gh", "e"); ok || off != nil {
		t.Error("capacity 0 must remember nothing")
	}
}

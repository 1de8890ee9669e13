package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hookgate/hookgate/store"
)

// testSourceSecrets: the first secret recorded for a source is kept, whoever
// offers another (concurrently too); sources are separate; forgetting one
// lets the next be recorded.
func testSourceSecrets(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.SourceSecret(ctx, "asana"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no secret yet: %v", err)
	}
	offers := []string{"a1", "b2", "c3", "d4", "e5", "f6", "g7", "h8"}
	kept := make([]string, len(offers))
	var wg sync.WaitGroup
	for i, o := range offers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := s.RecordSourceSecret(ctx, "asana", o, at(0))
			if err != nil {
				t.Error(err)
			}
			kept[i] = k
		}()
	}
	wg.Wait()
	for _, k := range kept {
		if k != kept[0] || k == "" {
			t.Fatalf("offers kept %v, want one secret for all", kept)
		}
	}
	if got, err := s.SourceSecret(ctx, "asana"); err != nil || got != kept[0] {
		t.Fatalf("secret %q %v, want %q", got, err, kept[0])
	}
	if k, err := s.RecordSourceSecret(ctx, "asana-2", "other", at(1)); err != nil || k != "other" {
		t.Fatalf("another source: %q %v", k, err)
	}
	if ok, err := s.ForgetSourceSecret(ctx, "asana"); err != nil || !ok {
		t.Fatalf("forget: %v %v", ok, err)
	}
	if ok, err := s.ForgetSourceSecret(ctx, "asana"); err != nil || ok {
		t.Fatalf("forget again: %v %v, want nothing to forget", ok, err)
	}
	if k, err := s.RecordSourceSecret(ctx, "asana", "new", at(2)); err != nil || k != "new" {
		t.Fatalf("after forgetting: %q %v", k, err)
	}
	if got, _ := s.SourceSecret(ctx, "asana-2"); got != "other" {
		t.Fatalf("the other source's secret: %q", got)
	}
}

// testProbeWrite: the heartbeat write succeeds on a working store, again and
// again.
func testProbeWrite(t *testing.T, s Store) {
	for range 3 {
		if err := s.ProbeWrite(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

package runs

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/api/serviceerror"

	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/store"
)

// Starts that can never succeed are told apart from passing failures, so the
// relay marks their receipts dead instead of retrying them forever.
func TestPermanent(t *testing.T) {
	for err, want := range map[error]bool{
		serviceerror.NewInvalidArgument("bad search attribute"): true,
		serviceerror.NewNamespaceNotFound("hookgate"):           true,
		serviceerror.NewUnavailable("frontend down"):            false,
		context.DeadlineExceeded:                                false,
	} {
		if got := Permanent(err); got != want {
			t.Errorf("Permanent(%T %v) = %v, want %v", err, err, got, want)
		}
	}
	s := &Starter{Sources: func(string) (SourceInfo, bool) { return SourceInfo{}, false }}
	if _, err := s.Start(context.Background(), store.Ref{ID: "r1", Source: "removed", EventID: "e1"}); !errors.Is(err, relay.ErrPermanent) {
		t.Errorf("start of a removed source: %v, want ErrPermanent", err)
	}
}

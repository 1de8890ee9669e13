package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/store"
)

// The same delivery arriving five times at once is acked every time but
// processed and published once.
func TestConcurrentDuplicatesAreProcessedOnce(t *testing.T) {
	s := setup(t, options{})
	id := fixtures.NewEventID("github")
	const n = 5
	// One rendering, signed once, sent n times: byte-identical retries, as a
	// provider's redelivery is.
	first := s.request(t, "github", "push", id, false)
	body, err := first.GetBody()
	if err != nil {
		t.Fatal(err)
	}
	_ = body.Close()
	codes := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		req := first.Clone(context.Background())
		req.Body, _ = first.GetBody()
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], errs[i] = s.post(req)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || codes[i] != http.StatusOK {
			t.Errorf("delivery %d: status %d, err %v; want 200", i, codes[i], errs[i])
		}
	}
	r := s.waitStatus(t, "github", id, store.StatusCompleted)
	if r.Duplicates != n-1 {
		t.Errorf("duplicates = %d, want %d", r.Duplicates, n-1)
	}

	resp, err := s.temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = %q", runs.ID("github", id)),
	})
	if err != nil {
		t.Fatalf("list workflows: %v", err)
	}
	if len(resp.Executions) != 1 {
		t.Errorf("%d workflow runs, want 1", len(resp.Executions))
	}

	eventually(t, "the message", func() (bool, string) {
		msgs, _ := s.messages()
		return len(byCorrelation(msgs, r.ID)) > 0, fmt.Sprintf("%d messages", len(msgs))
	})
	msgs, _ := s.messages()
	if got := byCorrelation(msgs, r.ID); len(got) != 1 {
		t.Errorf("%d messages for the receipt, want 1", len(got))
	}
}

// A forged signature is refused and audited, and leaves no receipt.
func TestForgedSignatureIsRejectedAndAudited(t *testing.T) {
	s := setup(t, options{})
	id := fixtures.NewEventID("github")
	code, err := s.post(s.request(t, "github", "push", id, true))
	if err != nil {
		t.Fatal(err)
	}
	if code != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", code)
	}
	ctx := context.Background()
	eventually(t, "the rejected audit row", func() (bool, string) {
		// The audit log is written asynchronously, in batches.
		recs, err := s.store.ListAudit(ctx, store.AuditFilter{Source: "github", Outcome: store.OutcomeRejected})
		if err != nil {
			return false, err.Error()
		}
		for _, a := range recs {
			if a.Status == http.StatusUnauthorized && a.ReceiptID == "" {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d rejected rows: %+v", len(recs), recs)
	})
	if r, err := s.store.ReceiptByEvent(ctx, "github", id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("receipt lookup for the forged delivery: %+v, %v; want ErrNotFound", r, err)
	}
}

package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/events"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/internal/storage/sqlite"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/providers/github"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/retry"
	"github.com/hookgate/hookgate/store"
)

type fakePublisher struct {
	mu   sync.Mutex
	fail error
	msgs []publisher.Message
	dead []publisher.Message
}

func (p *fakePublisher) Publish(_ context.Context, msgs ...publisher.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return p.fail
	}
	p.msgs = append(p.msgs, msgs...)
	return nil
}

func (p *fakePublisher) PublishDeadLetter(_ context.Context, m publisher.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dead = append(p.dead, m)
	return nil
}

type bundle struct {
	st   *sqlite.Store
	acts *activities.Activities
	pub  *fakePublisher
}

func setup(t *testing.T, withBroker bool) bundle {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	gh, err := github.New(providers.Spec{Source: "gh", Secrets: []string{"s"}, Options: func(any) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	b := bundle{st: st, pub: &fakePublisher{}}
	b.acts = &activities.Activities{
		Store: st, Handlers: builtin.Handlers(),
		Decoders: map[string]providers.Decoder{"gh": gh.(providers.Decoder)},
		Team: map[events.Type][]activities.TeamActivity{
			events.GitPush: {{Name: "Notify", Policy: retry.Policy{Delays: []time.Duration{time.Second}, Timeout: time.Minute}}},
		},
	}
	if withBroker {
		b.acts.Publisher = b.pub
	}
	return b
}

// ingest stores a GitHub fixture as a verified receipt.
func (b bundle) ingest(t *testing.T, fixture, eventType string, body func([]byte) []byte) store.Ref {
	t.Helper()
	fx, err := fixtures.Load(builtin.Fixtures(providers.GitHub), fixture)
	if err != nil {
		t.Fatal(err)
	}
	id := fixtures.NewEventID(providers.GitHub)
	h, raw := fx.Render(id, time.Now())
	if body != nil {
		raw = body(raw)
	}
	rid := "r-" + id
	_, err = b.st.Ingest(context.Background(), []store.Delivery{{
		Receipt: store.Receipt{ID: rid, Source: "gh", Provider: "github", EventID: id, EventType: eventType,
			Status: store.StatusVerified, ContentType: h.Get("Content-Type"), Header: h, Body: raw, ReceivedAt: time.Now()},
		Audit: store.AuditRecord{ID: "a-" + id, At: time.Now(), Source: "gh", Method: http.MethodPost, Path: "/webhooks/gh", Status: 200},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return store.Ref{ID: rid, Source: "gh", EventID: id}
}

func step(ref store.Ref, attempt int) activities.StepInput {
	return activities.StepInput{Receipt: ref, Attempt: attempt, MaxAttempts: 3}
}

func TestHandleSavesEventsWithStableIDsAndResolvesTeamSteps(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	ref := b.ingest(t, "push", "push", nil)
	res, err := b.acts.HandleWebhook(ctx, step(ref, 1))
	if err != nil {
		t.Fatal(err)
	}
	want := activities.MessageID(ref.ID, 0)
	if res.Status != store.StatusProcessing || len(res.MessageIDs) != 1 || res.MessageIDs[0] != want {
		t.Fatalf("result = %+v", res)
	}
	if len(res.Steps) != 1 || res.Steps[0].Activity != "Notify" || res.Steps[0].MessageID != want {
		t.Fatalf("team steps = %+v", res.Steps)
	}
	// A retried Handle changes nothing: same IDs, one stored event.
	res2, err := b.acts.HandleWebhook(ctx, step(ref, 2))
	if err != nil || res2.MessageIDs[0] != want {
		t.Fatalf("second handle: %+v, %v", res2, err)
	}
	evs, err := b.st.Events(ctx, store.EventFilter{ReceiptID: ref.ID})
	if err != nil || len(evs) != 1 {
		t.Fatalf("events = %d, %v", len(evs), err)
	}
	var env events.Envelope
	if err := json.Unmarshal(evs[0].Envelope, &env); err != nil {
		t.Fatal(err)
	}
	if env.SpecVersion != "1.0" || env.ID != want || env.Type != events.GitPush || env.Source != "/hookgate/sources/gh" ||
		env.DataContentType != "application/json" || env.HookgateReceipt != ref.ID || len(env.Data) == 0 {
		t.Fatalf("envelope = %+v", env)
	}
	r, _ := b.st.Receipt(ctx, ref.ID)
	if r.Status != store.StatusProcessing || r.StartedAt.IsZero() {
		t.Fatalf("receipt after handle: %s started %v", r.Status, r.StartedAt)
	}
}

func TestHandleDecodesFormHooksAndReportsUnhandled(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	res, err := b.acts.HandleWebhook(ctx, step(b.ingest(t, "push_form", "push", nil), 1))
	if err != nil || len(res.MessageIDs) != 1 {
		t.Fatalf("form push: %+v, %v", res, err)
	}
	for _, tc := range []struct{ fixture, typ string }{{"ping", "ping"}, {"issues_edited", "issues"}} {
		res, err := b.acts.HandleWebhook(ctx, step(b.ingest(t, tc.fixture, tc.typ, nil), 1))
		if err != nil || res.Status != store.StatusUnhandled || len(res.MessageIDs) != 0 {
			t.Fatalf("%s: %+v, %v", tc.fixture, res, err)
		}
	}
}

func TestHandleMalformedPayloadIsNonRetryable(t *testing.T) {
	b := setup(t, true)
	ref := b.ingest(t, "push", "push", func([]byte) []byte { return []byte(`{"ref": 42}`) })
	_, err := b.acts.HandleWebhook(context.Background(), step(ref, 1))
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || !ae.NonRetryable() || ae.Type() != activities.ErrorTypeInvalidPayload {
		t.Fatalf("err = %v, want a non-retryable %s", err, activities.ErrorTypeInvalidPayload)
	}
	attempts, _ := b.st.Attempts(context.Background(), ref.ID)
	if len(attempts) != 1 || attempts[0].Error == "" {
		t.Fatalf("attempts = %+v", attempts)
	}
}

func TestPublishConfirmsThenMarksAndRetriesOnFailure(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	ref := b.ingest(t, "push", "push", nil)
	if _, err := b.acts.HandleWebhook(ctx, step(ref, 1)); err != nil {
		t.Fatal(err)
	}
	b.pub.fail = errors.New("broker down")
	if err := b.acts.PublishEvents(ctx, step(ref, 1)); err == nil {
		t.Fatal("publish succeeded with the broker down")
	}
	r, _ := b.st.Receipt(ctx, ref.ID)
	if r.Status != store.StatusRetrying || r.LastError == "" {
		t.Fatalf("after a failed attempt: status %s, error %q", r.Status, r.LastError)
	}
	b.pub.fail = nil
	if err := b.acts.PublishEvents(ctx, step(ref, 2)); err != nil {
		t.Fatal(err)
	}
	if len(b.pub.msgs) != 1 {
		t.Fatalf("published %d messages", len(b.pub.msgs))
	}
	m := b.pub.msgs[0]
	if m.ID != activities.MessageID(ref.ID, 0) || m.CorrelationID != ref.ID || m.RoutingKey != string(events.GitPush) {
		t.Fatalf("message = %+v", m)
	}
	// Once confirmed, a replayed publish sends nothing again.
	if err := b.acts.PublishEvents(ctx, step(ref, 3)); err != nil || len(b.pub.msgs) != 1 {
		t.Fatalf("republish: %d messages, %v", len(b.pub.msgs), err)
	}
	if err := b.acts.CompleteReceipt(ctx, activities.CompleteInput{Receipt: ref, Status: store.StatusCompleted}); err != nil {
		t.Fatal(err)
	}
	r, _ = b.st.Receipt(ctx, ref.ID)
	if r.Status != store.StatusCompleted || r.CompletedAt.IsZero() || r.LastError != "" {
		t.Fatalf("completed receipt: %+v", r)
	}
}

func TestDeadLetterWithAndWithoutBroker(t *testing.T) {
	ctx := context.Background()
	for _, broker := range []bool{true, false} {
		b := setup(t, broker)
		ref := b.ingest(t, "push", "push", nil)
		if err := b.acts.DeadLetterReceipt(ctx, activities.DeadInput{Receipt: ref, Step: "publish", Error: "broker down"}); err != nil {
			t.Fatal(err)
		}
		r, _ := b.st.Receipt(ctx, ref.ID)
		if r.Status != store.StatusDead || r.LastError != "broker down" {
			t.Fatalf("broker=%v: receipt %s %q", broker, r.Status, r.LastError)
		}
		evs, _ := b.st.Events(ctx, store.EventFilter{ReceiptID: ref.ID, Type: string(activities.DeadLetterType)})
		switch {
		case broker && (len(b.pub.dead) != 1 || b.pub.dead[0].CorrelationID != ref.ID || len(evs) != 0):
			t.Fatalf("with a broker: %d dead letters, %d stored", len(b.pub.dead), len(evs))
		case !broker && len(evs) != 1:
			t.Fatalf("without a broker: %d dead letters stored", len(evs))
		}
	}
}

func TestTeamActivityGetsItsEventAndRecordsAttempts(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	ref := b.ingest(t, "push", "push", nil)
	res, err := b.acts.HandleWebhook(ctx, step(ref, 1))
	if err != nil {
		t.Fatal(err)
	}
	var got events.Envelope
	fn := activities.WrapTeam(b.acts, func(_ context.Context, ev events.Envelope) error {
		got = ev
		return nil
	})
	in := activities.TeamInput{Step: step(ref, 1), Activity: "Notify", MessageID: res.Steps[0].MessageID}
	if err := fn(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got.ID != res.Steps[0].MessageID || got.Type != events.GitPush {
		t.Fatalf("team activity got %+v", got)
	}
	in.MessageID = "missing"
	var ae *temporal.ApplicationError
	if err := fn(ctx, in); !errors.As(err, &ae) || !ae.NonRetryable() {
		t.Fatalf("unknown event: %v, want non-retryable", err)
	}
	attempts, _ := b.st.Attempts(ctx, ref.ID)
	n := 0
	for _, a := range attempts {
		if a.Step == "Notify" {
			n++
		}
	}
	if n == 0 {
		t.Fatal("team attempts not recorded")
	}
}

// fakeStarter honours the starter's reuse policy as Temporal does: a workflow
// ID whose run has closed gets a new run only for a replay; a first-run start
// is answered with the closed run (no new run: the defect bulk replay had).
type fakeStarter struct {
	closed  map[string]bool // workflow IDs with a closed run
	started []store.Ref     // starts that made a new run
}

func (f *fakeStarter) Start(_ context.Context, ref store.Ref) (string, error) {
	id := ref.Source + "/" + ref.EventID
	if f.closed[id] && !ref.Replay {
		return id, nil
	}
	f.started = append(f.started, ref)
	return id, nil
}

func TestReplayBatchDryRunAndReal(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	var refs []store.Ref
	for range 3 {
		ref := b.ingest(t, "push", "push", nil)
		if err := b.acts.DeadLetterReceipt(ctx, activities.DeadInput{Receipt: ref, Step: "publish", Error: "x"}); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	st := &fakeStarter{closed: map[string]bool{}}
	for _, ref := range refs {
		st.closed[ref.Source+"/"+ref.EventID] = true // the dead runs
	}
	b.acts.Starter = st
	f := activities.ReplayFilter{Source: "gh", Status: store.StatusDead, Until: time.Now().Add(time.Minute)}
	dry, err := b.acts.ReplayBatch(ctx, activities.ReplayBatchInput{Filter: f, Limit: 2, DryRun: true})
	if err != nil || dry.Matched != 2 || dry.Replayed != 0 || dry.Next == "" || len(st.started) != 0 {
		t.Fatalf("dry run page: %+v, %v", dry, err)
	}
	total := 0
	cursor := ""
	for {
		res, err := b.acts.ReplayBatch(ctx, activities.ReplayBatchInput{Filter: f, Cursor: cursor, Limit: 2, Actor: "ops", Reason: "outage"})
		if err != nil {
			t.Fatal(err)
		}
		total += res.Replayed
		if res.Next == "" {
			break
		}
		cursor = res.Next
	}
	if total != 3 || len(st.started) != 3 {
		t.Fatalf("replayed %d, started %d new runs; want 3", total, len(st.started))
	}
	for _, ref := range st.started {
		if !ref.Replay || ref.Generation != 1 {
			t.Errorf("started %+v, want a replay of generation 1", ref)
		}
	}
	for _, ref := range refs {
		r, _ := b.st.Receipt(ctx, ref.ID)
		reps, _ := b.st.Replays(ctx, ref.ID)
		if r.Status != store.StatusQueued || r.WorkflowID != ref.Source+"/"+ref.EventID || len(reps) != 1 || reps[0].Actor != "ops" || reps[0].Reason != "outage" {
			t.Fatalf("receipt %s: status %s, replays %+v", ref.ID, r.Status, reps)
		}
	}
}

// TestPublishKeepsTheHandlersOrder saves a receipt's 12 events as a handler
// would (one provider event's time on all of them), and checks that they are
// published in the handler's order: message 0 first, message 10 after 9.
func TestPublishKeepsTheHandlersOrder(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	ref := b.ingest(t, "push", "push", nil)
	const n = 12
	when := time.Now()
	var es []store.Event
	for seq := range n {
		es = append(es, store.Event{
			ID: activities.MessageID(ref.ID, seq), ReceiptID: ref.ID, Seq: seq, Type: string(events.GitPush),
			Time: when, Envelope: []byte(`{}`),
		})
	}
	if err := b.st.SaveEvents(ctx, es); err != nil {
		t.Fatal(err)
	}
	if err := b.acts.PublishEvents(ctx, step(ref, 1)); err != nil {
		t.Fatal(err)
	}
	if len(b.pub.msgs) != n {
		t.Fatalf("published %d messages, want %d", len(b.pub.msgs), n)
	}
	for seq, m := range b.pub.msgs {
		if want := activities.MessageID(ref.ID, seq); m.ID != want {
			t.Errorf("message %d is %s, want %s", seq, m.ID, want)
		}
	}
}

// A replay in resume mode finishes what is unfinished: the handler's events
// keep their message IDs and nothing already published goes out again. A
// replay in redo mode publishes the handler's output again, under message IDs
// of its generation, once however often its publish step is retried.
func TestReplayResumeAndRedo(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	ref := b.ingest(t, "push", "push", nil)
	run := func(ref store.Ref) {
		t.Helper()
		if _, err := b.acts.HandleWebhook(ctx, step(ref, 1)); err != nil {
			t.Fatal(err)
		}
		for attempt := 1; attempt <= 2; attempt++ { // a retried publish changes nothing
			if err := b.acts.PublishEvents(ctx, step(ref, attempt)); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.acts.CompleteReceipt(ctx, activities.CompleteInput{Receipt: ref, Status: store.StatusCompleted}); err != nil {
			t.Fatal(err)
		}
	}
	published := func() []string {
		var ids []string
		for _, m := range b.pub.msgs {
			ids = append(ids, m.ID)
		}
		return ids
	}
	run(ref)
	if got := published(); len(got) != 1 || got[0] != ref.ID+".0" {
		t.Fatalf("first run published %v, want [%s.0]", got, ref.ID)
	}

	gen, err := b.st.Requeue(ctx, ref.ID, time.Now(), store.ModeResume)
	if err != nil {
		t.Fatal(err)
	}
	run(store.Ref{ID: ref.ID, Source: ref.Source, EventID: ref.EventID, Replay: true, Generation: gen, Mode: store.ModeResume})
	if got := published(); len(got) != 1 {
		t.Errorf("a resumed replay of a published receipt published again: %v", got)
	}

	gen, err = b.st.Requeue(ctx, ref.ID, time.Now(), store.ModeRedo)
	if err != nil {
		t.Fatal(err)
	}
	run(store.Ref{ID: ref.ID, Source: ref.Source, EventID: ref.EventID, Replay: true, Generation: gen, Mode: store.ModeRedo})
	want := []string{ref.ID + ".0", ref.ID + ".r2.0"}
	if got := published(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("after a redo: published %v, want %v", got, want)
	}
}

// A publish error that a retry cannot fix (publisher.ErrInvalidMessage) is
// non-retryable: the step fails at once instead of retrying on schedule.
func TestPermanentPublishErrorIsNotRetried(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	ref := b.ingest(t, "push", "push", nil)
	if _, err := b.acts.HandleWebhook(ctx, step(ref, 1)); err != nil {
		t.Fatal(err)
	}
	b.pub.fail = fmt.Errorf("%w: headers AMQP cannot carry", publisher.ErrInvalidMessage)
	err := b.acts.PublishEvents(ctx, step(ref, 1))
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) || !ae.NonRetryable() {
		t.Fatalf("PublishEvents = %v, want a non-retryable error", err)
	}
	if r, _ := b.st.Receipt(ctx, ref.ID); r.Status == store.StatusRetrying {
		t.Error("the receipt was marked retrying for an error no retry can fix")
	}
	b.pub.fail = errors.New("broker down") // a passing failure stays retryable
	err = b.acts.PublishEvents(ctx, step(ref, 2))
	if err == nil || (errors.As(err, &ae) && ae.NonRetryable()) {
		t.Fatalf("PublishEvents with the broker down = %v, want a retryable error", err)
	}
}

// When Temporal loses a workflow task whose local activities had run (an
// outage), it runs them again on a receipt that already has its outcome: the
// steps succeed, the stored outcome is kept, and nothing moves it back.
func TestStepsRunAgainAfterTheOutcomeKeepIt(t *testing.T) {
	b := setup(t, true)
	ctx := context.Background()
	ref := b.ingest(t, "push", "push", nil)
	for range 2 { // the whole run, twice
		if _, err := b.acts.HandleWebhook(ctx, step(ref, 1)); err != nil {
			t.Fatalf("HandleWebhook: %v", err)
		}
		if err := b.acts.PublishEvents(ctx, step(ref, 1)); err != nil {
			t.Fatalf("PublishEvents: %v", err)
		}
		if err := b.acts.CompleteReceipt(ctx, activities.CompleteInput{Receipt: ref, Status: store.StatusCompleted}); err != nil {
			t.Fatalf("CompleteReceipt: %v", err)
		}
	}
	if r, _ := b.st.Receipt(ctx, ref.ID); r.Status != store.StatusCompleted {
		t.Errorf("status %s, want completed", r.Status)
	}
	// A straggling failed attempt does not move it back to retrying.
	b.pub.fail = errors.New("broker down")
	_ = b.acts.PublishEvents(ctx, step(ref, 1))
	if r, _ := b.st.Receipt(ctx, ref.ID); r.Status != store.StatusCompleted {
		t.Errorf("status %s after a late failed attempt, want completed", r.Status)
	}
}

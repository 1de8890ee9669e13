package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/devserver"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/internal/operations/admin"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/store"
)

// syncBuffer is an io.Writer safe for the dev process and the test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func freePort(t *testing.T) int {
	t.Helper()
	port, err := devserver.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// devSources are the sources the generated dev config declares, with their provider.
var devSources = []struct {
	source   string
	provider providers.Name
}{
	{"github", providers.GitHub},
	{"stripe", providers.Stripe},
	{"shopify", providers.Shopify},
	{"twilio", providers.Twilio},
	{"svix", providers.StandardWebhooks},
	{"paypal", providers.PayPal},
}

// unhandledFixtures end "unhandled": no handler for the type (ping and the
// unmapped types) or a handler that publishes nothing (issues_edited). Every
// other fixture ends "completed".
var unhandledFixtures = map[string]bool{
	"github/ping": true, "github/issues_edited": true, "stripe/charge.refunded": true,
	"shopify/products_update": true, "paypal/payment_capture_refunded": true, "svix/example": true,
}

var sentEvent = regexp.MustCompile(`\(([^,]+), event ([^)]+)\) -> 200`)

// TestDevEndToEnd runs `hookgate dev` in-process with its embedded SQLite store
// and Temporal server, sends every fixture of every dev source with `hookgate
// send`, and waits for each receipt to reach its expected terminal status.
func TestDevEndToEnd(t *testing.T) {
	tmp := t.TempDir()
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	adminListen := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	getenv := func(k string) string {
		switch k {
		case config.EnvDataDir:
			return tmp
		case config.EnvDatabaseURL, config.EnvAMQPURL, config.EnvTemporalAddress:
			return "" // embedded defaults
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	devOut, devErr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"dev", "--data-dir", tmp, "--listen", listen, "--admin-listen", adminListen,
			"--temporal-port", fmt.Sprint(freePort(t)), "--ui-port", "0"}, getenv, devOut, devErr)
	}()
	defer func() {
		if t.Failed() {
			t.Logf("dev stdout:\n%s", devOut)
			errs := devErr.String()
			if len(errs) > 20000 {
				errs = errs[len(errs)-20000:]
			}
			t.Logf("dev stderr (tail):\n%s", errs)
		}
	}()

	deadline := time.Now().Add(4 * time.Minute)
	for !strings.Contains(devOut.String(), "hookgate dev is running") {
		select {
		case err := <-done:
			t.Fatalf("dev exited before its banner: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no banner from hookgate dev")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(devOut.String(), "admin token") {
		t.Error("banner does not print the dev secrets")
	}

	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, args, getenv, &out, &errOut)
		return out.String() + errOut.String(), err
	}

	// Send every fixture of every dev source.
	want := map[string]store.Status{} // event ID → expected terminal status
	names := map[string]string{}      // event ID → source/fixture
	for _, ds := range devSources {
		list, err := fixtures.List(builtin.Fixtures(ds.provider))
		if err != nil || len(list) == 0 {
			t.Fatalf("fixtures of %s: %v (%d)", ds.provider, err, len(list))
		}
		for _, fx := range list {
			out, err := cli("send", ds.source, fx, "--url", "http://"+listen)
			if err != nil {
				t.Fatalf("send %s %s: %v\n%s", ds.source, fx, err, out)
			}
			m := sentEvent.FindStringSubmatch(out)
			if m == nil || m[1] != fx {
				t.Fatalf("send %s %s: unexpected output %q", ds.source, fx, out)
			}
			key := ds.source + "/" + fx
			names[m[2]] = key
			want[m[2]] = store.StatusCompleted
			if unhandledFixtures[key] {
				want[m[2]] = store.StatusUnhandled
			}
		}
	}

	// Poll the admin API through `hookgate receipts --json` until all are terminal.
	adminURL := "http://" + adminListen
	var final map[string]admin.ReceiptView
	deadline = time.Now().Add(4 * time.Minute)
	for {
		out, err := cli("receipts", "--json", "--limit", "1000", "--admin-url", adminURL)
		if err != nil {
			t.Fatalf("receipts: %v\n%s", err, out)
		}
		var page struct {
			Receipts []admin.ReceiptView `json:"receipts"`
		}
		if err := json.Unmarshal([]byte(out), &page); err != nil {
			t.Fatalf("receipts --json output %q: %v", out, err)
		}
		final = map[string]admin.ReceiptView{}
		terminal := 0
		for _, r := range page.Receipts {
			id := r.EventID
			// Twilio status callbacks are stored as "<SID>:<status>" (one event per
			// callback); send prints the SID it rendered.
			if sid, _, ok := strings.Cut(id, ":"); ok && strings.HasPrefix(sid, "SM") {
				id = sid
			}
			final[id] = r
			if _, ok := want[id]; ok && r.Status.Terminal() {
				terminal++
			}
		}
		if terminal == len(want) {
			break
		}
		if time.Now().After(deadline) {
			for id, key := range names {
				t.Errorf("%s (event %s): status %q, want %q", key, id, final[id].Status, want[id])
			}
			t.Fatalf("only %d of %d receipts terminal", terminal, len(want))
		}
		time.Sleep(250 * time.Millisecond)
	}
	if len(final) != len(want) {
		t.Errorf("receipts = %d, want one per fixture (%d)", len(final), len(want))
	}
	var completedID string
	for id, status := range want {
		r := final[id]
		if r.Status != status {
			t.Errorf("%s (event %s): status %q, want %q (last error %q)", names[id], id, r.Status, status, r.LastError)
		}
		if r.Duplicates != 0 {
			t.Errorf("%s: %d duplicates", names[id], r.Duplicates)
		}
		if r.Status == store.StatusCompleted && completedID == "" {
			completedID = r.ID
		}
	}

	// `hookgate receipts <id>` shows the attempts and the events of a completed receipt.
	if completedID == "" {
		t.Fatal("no completed receipt")
	}
	out, err := cli("receipts", completedID, "--admin-url", adminURL)
	if err != nil {
		t.Fatalf("receipts %s: %v\n%s", completedID, err, out)
	}
	var detail struct {
		Receipt  admin.ReceiptView `json:"receipt"`
		Attempts []json.RawMessage `json:"attempts"`
		Events   []admin.EventView `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &detail); err != nil {
		t.Fatalf("receipts %s output %q: %v", completedID, out, err)
	}
	if detail.Receipt.ID != completedID || len(detail.Attempts) == 0 || len(detail.Events) == 0 {
		t.Errorf("receipt %s: %d attempts, %d events; want both > 0", completedID, len(detail.Attempts), len(detail.Events))
	}
	for _, ev := range detail.Events {
		if ev.ReceiptID != completedID || ev.PublishedAt == nil {
			t.Errorf("event %+v: wrong receipt or not published to the store", ev)
		}
	}

	// Bulk replay of every completed GitHub receipt through the CLI, then a
	// single replay: each gets a new run that completes again, and the
	// receipt keeps every run's attempts.
	var github []string
	for id, status := range want {
		if strings.HasPrefix(names[id], "github/") && status == store.StatusCompleted {
			github = append(github, final[id].ID)
		}
	}
	out, err = cli("replay", "--source", "github", "--status", "completed", "--since", "1h", "--reason", "cli bulk", "--admin-url", adminURL)
	if wantBar := fmt.Sprintf("%d/%d replayed, 0 failed", len(github), len(github)); err != nil || !strings.Contains(out, wantBar) {
		t.Fatalf("bulk replay: %v\n%s\nwant %q", err, out, wantBar)
	}
	waitRuns := func(id string, gen int) {
		t.Helper()
		deadline := time.Now().Add(2 * time.Minute)
		for {
			out, err := cli("receipts", id, "--admin-url", adminURL)
			var d struct {
				Receipt  admin.ReceiptView   `json:"receipt"`
				Attempts []struct{ Run int } `json:"attempts"`
			}
			if err == nil && json.Unmarshal([]byte(out), &d) == nil && d.Receipt.Generation == gen && d.Receipt.Status == store.StatusCompleted {
				runs := map[int]bool{}
				for _, a := range d.Attempts {
					runs[a.Run] = true
				}
				if len(runs) != gen+1 {
					t.Errorf("receipt %s: attempts of runs %v, want runs 0..%d", id, runs, gen)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("receipt %s did not complete run %d: %v\n%s", id, gen, err, out)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	for _, id := range github {
		waitRuns(id, 1)
	}
	out, err = cli("replay", github[0], "--reason", "cli single", "--admin-url", adminURL)
	if err != nil || !strings.Contains(out, "run 2 started") {
		t.Fatalf("single replay: %v\n%s", err, out)
	}
	waitRuns(github[0], 2)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("dev returned %v after cancel, want nil", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("dev did not stop after cancel")
	}
}

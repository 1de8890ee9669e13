package devserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/hookgate/hookgate/internal/devserver"
)

const taskQueue = "devserver-test"

var (
	sourceKey  = temporal.NewSearchAttributeKeyKeyword("HookgateSource")
	attemptKey = temporal.NewSearchAttributeKeyInt64("HookgateAttempt")
)

// greet is the trivial workflow: its result proves a worker ran it.
func greet(_ workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

// tags is the input of tagWorkflow; zero fields are not upserted.
type tags struct {
	Source  string
	Attempt int64
}

func tagWorkflow(ctx workflow.Context, in tags) error {
	var updates []temporal.SearchAttributeUpdate
	if in.Source != "" {
		updates = append(updates, sourceKey.ValueSet(in.Source))
	}
	if in.Attempt != 0 {
		updates = append(updates, attemptKey.ValueSet(in.Attempt))
	}
	return workflow.UpsertTypedSearchAttributes(ctx, updates...)
}

// logger sends the server's warnings to stderr: a Temporal goroutine may still
// log after the test returns, when t.Log would panic.
func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// start starts a server, logs how long Start took, and stops it when the test ends.
func start(t *testing.T, ctx context.Context, o devserver.Options) *devserver.Server {
	t.Helper()
	begin := time.Now()
	s, err := devserver.Start(ctx, o)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("Start took %v (DataDir=%q, UI=%v)", time.Since(begin).Round(time.Millisecond), o.DataDir, o.UIPort != 0)
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return s
}

func dial(t *testing.T, ctx context.Context, s *devserver.Server) client.Client {
	t.Helper()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:  s.Address(),
		Namespace: s.Namespace(),
		Logger:    sdklog.NewStructuredLogger(logger()),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", s.Address(), err)
	}
	t.Cleanup(c.Close)
	return c
}

func startWorker(t *testing.T, c client.Client) {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{})
	w.RegisterWorkflow(greet)
	w.RegisterWorkflow(tagWorkflow)
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	t.Cleanup(w.Stop)
}

func execute(t *testing.T, ctx context.Context, c client.Client, o client.StartWorkflowOptions, wf any, arg any) client.WorkflowRun {
	t.Helper()
	if o.ID == "" {
		o.ID = "test/" + uuid.NewString()
	}
	o.TaskQueue = taskQueue
	run, err := c.ExecuteWorkflow(ctx, o, wf, arg)
	if err != nil {
		t.Fatalf("start workflow %s: %v", o.ID, err)
	}
	return run
}

// waitListed polls visibility (which trails the workflow by design) until query
// lists exactly the workflow id.
func waitListed(t *testing.T, ctx context.Context, c client.Client, query, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var last []string
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err != nil {
			t.Fatalf("list %q: %v", query, err)
		}
		last = last[:0]
		for _, e := range resp.GetExecutions() {
			last = append(last, e.GetExecution().GetWorkflowId())
		}
		if slices.Equal(last, []string{id}) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("query %q lists %v, want [%s]", query, last, id)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestInMemoryServer(t *testing.T) {
	ctx := testContext(t)
	s := start(t, ctx, devserver.Options{
		UIPort:           devserver.UIAnyPort,
		SearchAttributes: map[string]enums.IndexedValueType{"HookgateSource": enums.INDEXED_VALUE_TYPE_KEYWORD},
		Logger:           logger(),
	})
	if s.Namespace() != devserver.DefaultNamespace {
		t.Errorf("Namespace() = %q, want %q", s.Namespace(), devserver.DefaultNamespace)
	}
	if host, _, err := net.SplitHostPort(s.Address()); err != nil || host != devserver.DefaultHost {
		t.Errorf("Address() = %q, want host %s (err %v)", s.Address(), devserver.DefaultHost, err)
	}
	c := dial(t, ctx, s)
	startWorker(t, c)

	t.Run("workflow completes", func(t *testing.T) {
		var got string
		if err := execute(t, ctx, c, client.StartWorkflowOptions{}, greet, "dev").Get(ctx, &got); err != nil {
			t.Fatalf("workflow: %v", err)
		}
		if got != "hello dev" {
			t.Errorf("result = %q, want %q", got, "hello dev")
		}
	})

	t.Run("eager start", func(t *testing.T) {
		// Through the SDK, as the relay will start workflows.
		var got string
		run := execute(t, ctx, c, client.StartWorkflowOptions{EnableEagerStart: true}, greet, "eager")
		if err := run.Get(ctx, &got); err != nil || got != "hello eager" {
			t.Fatalf("eager workflow = %q, %v; want %q", got, err, "hello eager")
		}
		// The SDK falls back to a normal start silently, so ask the server
		// directly whether it hands out the first workflow task inline.
		id := "eager/" + uuid.NewString()
		resp, err := c.WorkflowService().StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace:             s.Namespace(),
			WorkflowId:            id,
			WorkflowType:          &commonpb.WorkflowType{Name: "greet"},
			TaskQueue:             &taskqueuepb.TaskQueue{Name: "eager-only", Kind: enums.TASK_QUEUE_KIND_NORMAL},
			Identity:              "devserver-test",
			RequestId:             uuid.NewString(),
			RequestEagerExecution: true,
		})
		if err != nil {
			t.Fatalf("start with RequestEagerExecution: %v", err)
		}
		if resp.GetEagerWorkflowTask() == nil {
			t.Error("server returned no eager workflow task: system.enableEagerWorkflowStart is off")
		}
		if err := c.TerminateWorkflow(ctx, id, "", "test done"); err != nil {
			t.Errorf("terminate %s: %v", id, err)
		}
	})

	t.Run("search attribute is queryable", func(t *testing.T) {
		run := execute(t, ctx, c, client.StartWorkflowOptions{}, tagWorkflow, tags{Source: "x"})
		if err := run.Get(ctx, nil); err != nil {
			t.Fatalf("upsert workflow: %v", err)
		}
		waitListed(t, ctx, c, `HookgateSource = "x"`, run.GetID())
	})

	t.Run("ui", func(t *testing.T) {
		if !strings.HasPrefix(s.UIURL(), "http://"+devserver.DefaultHost+":") {
			t.Fatalf("UIURL() = %q, want http://%s:port", s.UIURL(), devserver.DefaultHost)
		}
		for _, tc := range []struct {
			path, contentType string
			check             func(t *testing.T, body []byte)
		}{
			{"/", "text/html", func(t *testing.T, body []byte) {
				if !strings.Contains(strings.ToLower(string(body)), "<html") {
					t.Errorf("body is not an HTML page: %.200s", body)
				}
			}},
			{"/api/v1/namespaces/" + s.Namespace(), "application/json", func(t *testing.T, body []byte) {
				var ns struct {
					NamespaceInfo struct {
						Name string `json:"name"`
					} `json:"namespaceInfo"`
				}
				if err := json.Unmarshal(body, &ns); err != nil || ns.NamespaceInfo.Name != s.Namespace() {
					t.Errorf("namespace JSON = %.300s (err %v), want namespaceInfo.name %q", body, err, s.Namespace())
				}
			}},
		} {
			t.Run(tc.path, func(t *testing.T) {
				status, ctype, body := get(t, ctx, s.UIURL()+tc.path)
				if status != http.StatusOK || !strings.HasPrefix(ctype, tc.contentType) {
					t.Fatalf("GET %s = %d %q, want 200 %s", tc.path, status, ctype, tc.contentType)
				}
				tc.check(t, body)
			})
		}
	})

	logIdleRSS(t)
}

func get(t *testing.T, ctx context.Context, url string) (status int, contentType string, body []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

// logIdleRSS reports the resident memory of the test process (server, UI, one
// worker) after a few idle seconds: a measurement for the docs, not a check.
func logIdleRSS(t *testing.T) {
	time.Sleep(5 * time.Second)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Logf("idle RSS: not measured (%v)", err)
		return
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") || strings.HasPrefix(line, "VmHWM:") {
			t.Logf("idle %s", strings.Join(strings.Fields(line), " "))
		}
	}
}

func TestRestartKeepsState(t *testing.T) {
	ctx := testContext(t)
	dir := filepath.Join(t.TempDir(), "temporal") // not created yet: Start creates it
	source := map[string]enums.IndexedValueType{"HookgateSource": enums.INDEXED_VALUE_TYPE_KEYWORD}

	first, err := devserver.Start(ctx, devserver.Options{DataDir: dir, SearchAttributes: source, Logger: logger()})
	if err != nil {
		t.Fatalf("first Start: %v", err)
	}
	t.Cleanup(func() { _ = first.Stop() }) // a no-op after the Stop below; covers early failures
	if first.UIURL() != "" {
		t.Errorf("UIURL() = %q without UI, want \"\"", first.UIURL())
	}
	if _, err := os.Stat(filepath.Join(dir, "temporal.db")); err != nil {
		t.Fatalf("database file: %v", err)
	}
	c1, err := client.DialContext(ctx, client.Options{HostPort: first.Address(), Namespace: first.Namespace(), Logger: sdklog.NewStructuredLogger(logger())})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	// No worker: the workflow must outlive the server that started it.
	const id = "stripe/evt_restart"
	run, err := c1.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, greet, "again")
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	c1.Close()
	if err := first.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	_, portText, _ := net.SplitHostPort(first.Address())
	port, _ := strconv.Atoi(portText)

	// The second start also asks for a new search attribute: it must be added
	// to the existing namespace and usable at once.
	both := map[string]enums.IndexedValueType{
		"HookgateSource":  enums.INDEXED_VALUE_TYPE_KEYWORD,
		"HookgateAttempt": enums.INDEXED_VALUE_TYPE_INT,
	}
	second := start(t, ctx, devserver.Options{DataDir: dir, Port: port, SearchAttributes: both, Logger: logger()})
	if second.Address() != first.Address() {
		t.Errorf("Address() after restart = %s, want %s", second.Address(), first.Address())
	}
	c2 := dial(t, ctx, second)

	desc, err := c2.DescribeWorkflowExecution(ctx, id, run.GetRunID())
	if err != nil {
		t.Fatalf("describe %s after restart: %v", id, err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("status after restart = %s, want Running", st)
	}

	startWorker(t, c2)
	var got string
	if err := c2.GetWorkflow(ctx, id, run.GetRunID()).Get(ctx, &got); err != nil || got != "hello again" {
		t.Fatalf("workflow started before restart = %q, %v; want %q", got, err, "hello again")
	}

	list, err := c2.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: second.Namespace()})
	if err != nil {
		t.Fatalf("list search attributes: %v", err)
	}
	for name, typ := range both {
		if got := list.GetCustomAttributes()[name]; got != typ {
			t.Errorf("search attribute %s = %s, want %s", name, got, typ)
		}
	}
	tagged := execute(t, ctx, c2, client.StartWorkflowOptions{}, tagWorkflow, tags{Source: "y", Attempt: 3})
	if err := tagged.Get(ctx, nil); err != nil {
		t.Fatalf("upsert workflow: %v", err)
	}
	waitListed(t, ctx, c2, `HookgateSource = "y" AND HookgateAttempt = 3`, tagged.GetID())

	t.Run("type conflict", func(t *testing.T) {
		if err := second.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		_, err := devserver.Start(ctx, devserver.Options{
			DataDir:          dir,
			Port:             port,
			SearchAttributes: map[string]enums.IndexedValueType{"HookgateAttempt": enums.INDEXED_VALUE_TYPE_KEYWORD},
			Logger:           logger(),
		})
		if !errors.Is(err, devserver.ErrSearchAttributeConflict) {
			t.Fatalf("Start with HookgateAttempt as Keyword: err = %v, want ErrSearchAttributeConflict", err)
		}
		// The failed start must have released its port.
		l, err := net.Listen("tcp", second.Address())
		if err != nil {
			t.Fatalf("port still bound after failed Start: %v", err)
		}
		l.Close()
	})
}

func TestStartRejects(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyPort := busy.Addr().(*net.TCPAddr).Port

	for _, tc := range []struct {
		name string
		o    devserver.Options
		want error
	}{
		{"host name", devserver.Options{Host: "example.com"}, devserver.ErrInvalidOptions},
		{"negative port", devserver.Options{Port: -1}, devserver.ErrInvalidOptions},
		{"port too large", devserver.Options{Port: 70000}, devserver.ErrInvalidOptions},
		{"ui port below -1", devserver.Options{UIPort: -2}, devserver.ErrInvalidOptions},
		{"same port twice", devserver.Options{Port: 7233, UIPort: 7233}, devserver.ErrInvalidOptions},
		{"reserved search attribute", devserver.Options{SearchAttributes: map[string]enums.IndexedValueType{
			"WorkflowId": enums.INDEXED_VALUE_TYPE_KEYWORD}}, devserver.ErrInvalidOptions},
		{"unspecified search attribute type", devserver.Options{SearchAttributes: map[string]enums.IndexedValueType{
			"HookgateSource": enums.INDEXED_VALUE_TYPE_UNSPECIFIED}}, devserver.ErrInvalidOptions},
		{"search attribute with quote", devserver.Options{SearchAttributes: map[string]enums.IndexedValueType{
			`Hook"gate`: enums.INDEXED_VALUE_TYPE_KEYWORD}}, devserver.ErrInvalidOptions},
		{"data dir with query", devserver.Options{DataDir: t.TempDir() + "/a?mode=memory"}, devserver.ErrInvalidOptions},
		{"frontend port taken", devserver.Options{Port: busyPort}, devserver.ErrPortInUse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := devserver.Start(context.Background(), tc.o)
			if err == nil {
				_ = s.Stop()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Start(%+v) error = %v, want %v", tc.o, err, tc.want)
			}
		})
	}
}

// FreePort picks below the ephemeral range and never hands out a port twice
// in one process (a server picks several before binding any).
func TestFreePortIsUniqueAndBelowTheEphemeralRange(t *testing.T) {
	seen := map[int]bool{}
	for range 300 {
		p, err := devserver.FreePort("127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		if p < 10000 || p >= 20000 {
			t.Fatalf("port %d outside 10000-19999", p)
		}
	}
}

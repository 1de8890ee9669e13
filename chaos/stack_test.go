package chaos

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hookgate/hookgate/internal/devserver"

	"github.com/jackc/pgx/v5/pgxpool"
	amqp "github.com/rabbitmq/amqp091-go"
	"go.temporal.io/sdk/client"

	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/publisher"
)

// stack is one hookgate deployment under test: a gateway and a worker process,
// an embedded Temporal server, a fresh database and a consumer queue.
type stack struct {
	t        *testing.T
	dir      string
	env      []string // the processes' environment
	cfgPath  string
	secret   string
	ingest   string // host:port of the gateway's ingest listener
	dbURL    string
	amqpURL  string
	db       *pgxpool.Pool
	consumer *consumer
	temporal string // host:port of the Temporal frontend

	gateway, worker, temporalServer *proc
}

// proc is one running hookgate process.
type proc struct {
	name string
	bin  string
	args []string
	log  string // file collecting its output across restarts
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

func freePort(t testing.TB) int {
	t.Helper()
	port, err := devserver.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// retrySchedule outlasts the longest outage (61 s of retries against 30 s).
const retrySchedule = `["1s", "2s", "4s", "8s", "16s", "30s"]`

// setup starts a stack; everything stops and is removed when t ends.
func setup(t *testing.T) *stack {
	t.Helper()
	s := &stack{t: t, dir: t.TempDir(), secret: testenv.Unique("chaos")}
	s.dbURL = testenv.PostgresURL(t)
	s.amqpURL = testenv.AMQPURL(t)
	s.ingest = fmt.Sprintf("127.0.0.1:%d", freePort(t))

	// Rate limits off: 10% forgeries from one IP would spend the per-IP
	// failure budget within seconds and turn valid requests into 429s.
	yml := fmt.Sprintf(`public_base_url: http://%s
retry:
  schedule: %s
limits:
  disabled: true
admin_tokens:
  - {name: chaos, token: %q}
sources:
  - {name: github, provider: github, secrets: [%q]}
`, s.ingest, retrySchedule, testenv.Unique("token"), s.secret)
	s.cfgPath = filepath.Join(s.dir, "hookgate.yaml")
	if err := os.WriteFile(s.cfgPath, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}

	port := freePort(t)
	s.temporal = fmt.Sprintf("127.0.0.1:%d", port)
	s.temporalServer = &proc{name: "temporal", bin: temporalBin, log: filepath.Join(s.dir, "temporal.log"),
		args: []string{"-data", filepath.Join(s.dir, "temporal"), "-port", fmt.Sprint(port)}}
	t.Cleanup(s.temporalServer.stop) // last: the processes stop first
	s.startTemporal()

	s.env = append(os.Environ(),
		config.EnvConfig+"="+s.cfgPath,
		config.EnvDatabaseURL+"="+s.dbURL,
		config.EnvAMQPURL+"="+s.amqpURL,
		config.EnvTemporalAddress+"="+s.temporal,
		config.EnvListen+"="+s.ingest,
		config.EnvAdminListen+"="+fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		config.EnvDataDir+"="+filepath.Join(s.dir, "data"),
		config.EnvRedisURL+"=",
		config.EnvWorkerMetricsListen+"=",
	)

	s.consumer = newConsumer(s.amqpURL, testenv.Unique("chaos_consumer"))
	if err := s.consumer.declare(); err != nil {
		t.Fatalf("consumer queue: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	consumed := make(chan struct{})
	go func() { defer close(consumed); s.consumer.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-consumed
		s.consumer.remove()
	})

	// The gateway migrates the database; the worker and the books need it.
	s.gateway = &proc{name: "gateway", bin: gatewayBin, log: filepath.Join(s.dir, "gateway.log")}
	s.worker = &proc{name: "worker", bin: workerBin, log: filepath.Join(s.dir, "worker.log")}
	t.Cleanup(func() {
		s.worker.stop()
		s.gateway.stop()
		if t.Failed() {
			for _, p := range []*proc{s.gateway, s.worker, s.temporalServer} {
				t.Logf("---- last lines of the %s's log ----\n%s", p.name, tail(p.log, 40))
			}
		}
	})
	s.startGateway()
	s.start(s.worker)

	var err error
	if s.db, err = pgxpool.New(context.Background(), s.dbURL); err != nil {
		t.Fatalf("books database: %v", err)
	}
	t.Cleanup(s.db.Close)
	return s
}

// start runs p (again) with the stack's environment.
func (s *stack) start(p *proc) {
	s.t.Helper()
	f, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		s.t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); f.Close(); close(done) }()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()
}

// startGateway starts the gateway and waits until it answers /healthz.
func (s *stack) startGateway() {
	s.t.Helper()
	s.start(s.gateway)
	cli := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := cli.Get("http://" + s.ingest + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.gateway.exited():
			s.t.Fatalf("gateway exited during start-up:\n%s", tail(s.gateway.log, 20))
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("gateway not healthy within 60s (%v):\n%s", err, tail(s.gateway.log, 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *proc) exited() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// signal sends sig to the running process and returns the channel closed when
// it has exited (nil if it never ran).
func (p *proc) signal(sig syscall.Signal) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	return p.done
}

// kill sends SIGKILL (kill -9) and waits for the process to be gone.
func (p *proc) kill() {
	if done := p.signal(syscall.SIGKILL); done != nil {
		<-done
	}
}

// stop asks the process to shut down gracefully, killing it after 30 s.
func (p *proc) stop() {
	done := p.signal(syscall.SIGTERM)
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		p.kill()
	}
}

// tail returns the last n lines of the file at path.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stopTemporal stops the Temporal server (gracefully: an outage, not a
// crash); startTemporal brings it back on the same port and SQLite file, with
// its history, and waits until it answers.
func (s *stack) stopTemporal() { s.temporalServer.stop() }

func (s *stack) startTemporal() {
	s.t.Helper()
	s.start(s.temporalServer)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		c, err := s.temporalClient()
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-s.temporalServer.exited():
			s.t.Fatalf("temporal server exited during start-up:\n%s", tail(s.temporalServer.log, 20))
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("temporal server not ready within 2m (%v):\n%s", err, tail(s.temporalServer.log, 20))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// temporalClient dials the Temporal server (Dial checks its health).
func (s *stack) temporalClient() (client.Client, error) {
	return client.Dial(client.Options{HostPort: s.temporal, Logger: quietLogger{}})
}

// consumer reads every message of a durable queue bound to the events
// exchange with "#", like a downstream service would, across broker restarts.
type consumer struct {
	url, queue string

	mu          sync.Mutex
	perID       map[string]int    // deliveries per message ID
	receiptOf   map[string]string // message ID → correlation ID (receipt ID)
	deliveries  int
	redelivered int // deliveries flagged Redelivered by the broker
}

func newConsumer(url, queue string) *consumer {
	return &consumer{url: url, queue: queue, perID: map[string]int{}, receiptOf: map[string]string{}}
}

func (c *consumer) withChannel(fn func(ch *amqp.Channel) error) error {
	return testenv.WithAMQPChannel(c.url, fn)
}

// declare creates the default topology (the worker publishes to it) and the
// consumer queue.
func (c *consumer) declare() error {
	return c.withChannel(func(ch *amqp.Channel) error {
		return publisher.DeclareConsumerQueue(ch, c.queue, []string{"#"})
	})
}

// remove deletes the queue from the shared broker.
func (c *consumer) remove() {
	_ = c.withChannel(func(ch *amqp.Channel) error {
		_, err := ch.QueueDelete(c.queue, false, false, false)
		return err
	})
}

// run consumes until ctx ends, reconnecting while the broker is down.
func (c *consumer) run(ctx context.Context) {
	for ctx.Err() == nil {
		err := c.withChannel(func(ch *amqp.Channel) error {
			if err := ch.Qos(256, 0, false); err != nil {
				return err
			}
			ds, err := ch.ConsumeWithContext(ctx, c.queue, "", false, false, false, false, nil)
			if err != nil {
				return err
			}
			for d := range ds {
				c.record(d)
				if err := d.Ack(false); err != nil {
					return err
				}
			}
			return errors.New("deliveries closed")
		})
		_ = err // a broker that is down: try again shortly
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func (c *consumer) record(d amqp.Delivery) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.perID[d.MessageId]++
	c.receiptOf[d.MessageId] = d.CorrelationId
	c.deliveries++
	if d.Redelivered {
		c.redelivered++
	}
}

// seen returns a copy of the deliveries per message ID.
func (c *consumer) seen() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.perID))
	for k, v := range c.perID {
		out[k] = v
	}
	return out
}

// quietLogger discards the Temporal SDK's logs.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}

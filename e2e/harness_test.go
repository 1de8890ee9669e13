// Package e2e runs hookgate's whole pipeline (gateway, relay, embedded Temporal,
// worker, PostgreSQL store, RabbitMQ publisher) against the real services
// testenv provides, and checks what a consumer of the events would see.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookgate/hookgate/providers/catalogue"
	"github.com/hookgate/hookgate/providers/snssig"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/fixtures"
	"github.com/hookgate/hookgate/internal/devserver"
	"github.com/hookgate/hookgate/internal/ingest/server"
	"github.com/hookgate/hookgate/internal/processing/relay"
	"github.com/hookgate/hookgate/internal/processing/runs"
	"github.com/hookgate/hookgate/internal/storage/postgres"
	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/providers"
	"github.com/hookgate/hookgate/providers/builtin"
	"github.com/hookgate/hookgate/providers/paypal"
	"github.com/hookgate/hookgate/publisher"
	"github.com/hookgate/hookgate/store"
)

// waitFor bounds every poll: the pipeline's retries and the relay's sweep settle
// well within it on a loaded 2-core machine.
const waitFor = 90 * time.Second

// fastRetry keeps failing steps quick; tests that need a step to outlast an
// outage pass a longer schedule.
var fastRetry = []string{"200ms", "500ms", "1s"}

// stack is one running hookgate pipeline with its own database, exchange,
// queues and Temporal server.
type stack struct {
	cfg      *config.Config
	store    *postgres.Store
	temporal client.Client
	pubOpts  publisher.Options
	amqpURL  string
	queue    string // consumer queue bound to the exchange with "#"
	baseURL  string // http://host:port of the ingest listener
	adminURL string // http://host:port of the admin listener
	adminTok string // its bearer token

	tsMu    sync.Mutex
	ts      *devserver.Server
	tsOpts  devserver.Options
	msgMu   sync.Mutex
	msgs    []amqp.Delivery // every message read from queue so far
	dead    []amqp.Delivery // every message read from the dead-letter queue so far
	cancel  context.CancelFunc
	httpCli *http.Client
}

// options of setup.
type options struct {
	retry  []string             // retry schedule of every source
	tracer trace.TracerProvider // traces the gateway, relay and worker; nil: tracing off
	// workerRelay places the relay in the worker (relay.process: worker) with
	// these options; nil keeps it in the gateway.
	workerRelay *relay.Options
	// team registers team activities on the worker, attached to git.push
	// events (retry schedule [200ms, 500ms]).
	team app.Team
}

// logWriter sends the pipeline's logs to t until the test ends; logging to t
// after that panics, and goroutines of the pipeline may still log while stopping.
type logWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *logWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func freePort(t testing.TB) int {
	t.Helper()
	port, err := devserver.FreePort("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// secrets returns a fresh secret per source, in each provider's format.
func secrets() map[string]string {
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	return map[string]string{
		"github":  randHex(20),
		"stripe":  "whsec_" + randHex(16),
		"shopify": randHex(16),
		"twilio":  randHex(16),
		"svix":    "whsec_" + base64.StdEncoding.EncodeToString(key),
		"paypal":  "WH-E2E-" + strings.ToUpper(randHex(8)),
	}
}

// catalogueSources is one source per catalogue entry, named after it, with
// fresh credentials (an asymmetric entry's public key, and its private key
// as options.signing_key for the test's signer).
func catalogueSources(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, e := range catalogue.Entries() {
		secret, signingKey, err := e.NewCredentials()
		if err != nil {
			t.Fatal(err)
		}
		if e.Family == catalogue.FamilySNS {
			// SNS's certificate hosts: a development one stands in.
			sns, err := snssig.NewDevServer(time.Now())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sns.Close() })
			ca, key := filepath.Join(dir, "sns-cert.pem"), filepath.Join(dir, "sns-key.pem")
			if err := os.WriteFile(ca, sns.CertPEM, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sns.Key)}), 0o600); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "  - {name: %s, provider: %s, secrets: [%q], options: {cert_hosts: [%q], root_ca_file: %q, signing_key_file: %q, cert_url: %q}}\n",
				e.Name, e.Name, secret, sns.Host(), ca, key, sns.CertURL())
			continue
		}
		if signingKey != "" {
			fmt.Fprintf(&b, "  - {name: %s, provider: %s, secrets: [%q], options: {signing_key: %q}}\n", e.Name, e.Name, secret, signingKey)
			continue
		}
		fmt.Fprintf(&b, "  - {name: %s, provider: %s, secrets: [%q]}\n", e.Name, e.Name, secret)
	}
	return b.String()
}

// setup starts a whole pipeline; everything stops when t ends.
func setup(t *testing.T, o options) *stack {
	t.Helper()
	if o.retry == nil {
		o.retry = fastRetry
	}
	lw := &logWriter{t: t}
	t.Cleanup(func() { lw.mu.Lock(); lw.done = true; lw.mu.Unlock() }) // runs last
	level := slog.LevelWarn
	if os.Getenv("E2E_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(lw, &slog.HandlerOptions{Level: level}))

	dbURL := testenv.PostgresURL(t)
	amqpURL := testenv.AMQPURL(t)
	dir := t.TempDir()

	// PayPal fetches its signing certificate; a dev CA and server stand in for it.
	pdir := filepath.Join(dir, "paypal")
	ca, err := paypal.EnsureDevCA(pdir)
	if err != nil {
		t.Fatalf("paypal dev CA: %v", err)
	}
	certSrv := paypal.NewDevCertServer(ca, "127.0.0.1:0")
	if err := certSrv.Start(); err != nil {
		t.Fatalf("paypal cert server: %v", err)
	}
	t.Cleanup(func() { certSrv.Close() })

	ingestLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adminLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ingestLn.Addr().String()
	adminTok := randHex(16)

	sec := secrets()
	retry := "[" + strings.Join(o.retry, ", ") + "]"
	placement := "gateway"
	if o.workerRelay != nil {
		placement = "worker"
	}
	yml := fmt.Sprintf(`public_base_url: %s
relay: {process: `+placement+`}
retry:
  schedule: %s
admin_tokens:
  - name: e2e
    token: %s
    scopes: [read, read:bodies, replay]
sources:
  - {name: github, provider: github, secrets: [%q]}
  - {name: stripe, provider: stripe, secrets: [%q]}
  - {name: shopify, provider: shopify, secrets: [%q]}
  - {name: twilio, provider: twilio, secrets: [%q]}
  - {name: svix, provider: standardwebhooks, secrets: [%q]}
  - name: paypal
    provider: paypal
    secrets: [%q]
    options:
      webhook_id: %q
      cert_hosts: [%q]
      root_ca_file: %q
      signing_key_file: %q
      cert_url: %q
`, base, retry, adminTok, sec["github"], sec["stripe"], sec["shopify"], sec["twilio"], sec["svix"],
		sec["paypal"], sec["paypal"], certSrv.Host(), filepath.Join(pdir, "ca.pem"),
		filepath.Join(pdir, "leaf-key.pem"), certSrv.CertURL())
	yml += catalogueSources(t, dir)
	if len(o.team) > 0 {
		yml += "activities:\n  git.push:\n"
		for name := range o.team {
			yml += "    - {name: " + name + ", retry: {schedule: [200ms, 500ms]}}\n"
		}
	}
	path := filepath.Join(dir, "hookgate.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		switch k {
		case config.EnvDatabaseURL:
			return dbURL
		case config.EnvAMQPURL:
			return amqpURL
		case config.EnvDataDir:
			return dir
		}
		return ""
	}
	cfg, err := config.Load(path, getenv)
	if err != nil {
		t.Fatalf("config: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	s := &stack{cfg: cfg, amqpURL: amqpURL, baseURL: base, cancel: cancel,
		adminURL: "http://" + adminLn.Addr().String(), adminTok: adminTok,
		httpCli: &http.Client{Timeout: 30 * time.Second}}

	s.tsOpts = devserver.Options{
		DataDir: filepath.Join(dir, "temporal"), Port: freePort(t),
		SearchAttributes: runs.SearchAttributes(), Logger: log.With("component", "temporal-server"),
	}
	s.ts, err = devserver.Start(ctx, s.tsOpts)
	if err != nil {
		t.Fatalf("devserver: %v", err)
	}
	t.Cleanup(func() {
		s.tsMu.Lock()
		defer s.tsMu.Unlock()
		if s.ts != nil {
			_ = s.ts.Stop()
		}
	})

	st, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		t.Fatalf("store: %v", err)
	}
	s.store = st.(*postgres.Store) // DATABASE_URL is set
	t.Cleanup(func() { s.store.Close() })
	if err := s.store.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	s.temporal, err = app.DialTemporal(cfg, s.ts.Address(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.temporal.Close)

	// A unique topology per test: app.DialPublisher uses the default names, which
	// other tests and packages share, so the publisher is dialled here.
	s.pubOpts = publisher.Options{
		Exchange:           testenv.Unique("e2e_events"),
		UnroutableExchange: testenv.Unique("e2e_unroutable"),
		UnroutableQueue:    testenv.Unique("e2e_unroutable"),
		DeadLetterExchange: testenv.Unique("e2e_dlx"),
		DeadLetterQueue:    testenv.Unique("e2e_dead"),
	}
	pub, err := publisher.Dial(ctx, amqpURL, s.pubOpts, log.With("component", "publisher"))
	if err != nil {
		t.Fatalf("publisher: %v", err)
	}
	t.Cleanup(func() { pub.Close() })
	s.queue = testenv.Unique("e2e_consumer")
	s.withChannel(t, func(ch *amqp.Channel) error {
		return s.pubOpts.DeclareConsumerQueue(ch, s.queue, []string{"#"})
	})
	t.Cleanup(func() {
		// The queues are durable: remove them from the shared broker.
		conn, err := amqp.Dial(amqpURL)
		if err != nil {
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			for _, q := range []string{s.queue, s.pubOpts.DeadLetterQueue, s.pubOpts.UnroutableQueue} {
				_, _ = ch.QueueDelete(q, false, false, false)
			}
			for _, x := range []string{s.pubOpts.Exchange, s.pubOpts.UnroutableExchange, s.pubOpts.DeadLetterExchange} {
				_ = ch.ExchangeDelete(x, false, false)
			}
		}
	})

	var wg sync.WaitGroup
	errs := make(chan error, 2)
	ready := make(chan struct{})
	var workerRelay relay.Options
	if o.workerRelay != nil {
		workerRelay = *o.workerRelay
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		errs <- app.RunWorker(ctx, app.WorkerDeps{Config: cfg, Store: s.store, Temporal: s.temporal,
			Publisher: pub, Team: o.team, Logger: log.With("component", "worker"), Options: worker.Options{}, TracerProvider: o.tracer,
			Relay: workerRelay})
	}()
	go func() {
		defer wg.Done()
		errs <- server.Run(ctx, server.Deps{Config: cfg, Store: s.store, Temporal: s.temporal,
			Logger: log.With("component", "gateway"), Eager: o.workerRelay == nil, Ingest: ingestLn, Admin: adminLn,
			Ready: func(net.Addr, net.Addr) { close(ready) },
			Relay: relay.Options{Interval: 200 * time.Millisecond, Grace: time.Second}, TracerProvider: o.tracer})
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("pipeline ended with: %v", err)
			}
		}
	})
	select {
	case <-ready:
	case err := <-errs:
		t.Fatalf("pipeline failed to start: %v", err)
	case <-time.After(waitFor):
		t.Fatal("gateway did not start")
	}
	return s
}

// publisher dials a publisher of the stack's topology, closed when the test
// ends.
func (s *stack) publisher(t testing.TB) *publisher.AMQP {
	t.Helper()
	pub, err := publisher.Dial(context.Background(), s.amqpURL, s.pubOpts, slog.Default())
	if err != nil {
		t.Fatalf("publisher: %v", err)
	}
	t.Cleanup(func() { pub.Close() })
	return pub
}

// withChannel runs fn on a fresh AMQP channel: a new connection each time, so
// the helpers work across broker restarts.
func (s *stack) withChannel(t testing.TB, fn func(ch *amqp.Channel) error) {
	t.Helper()
	if err := s.tryChannel(fn); err != nil {
		t.Fatal(err)
	}
}

func (s *stack) tryChannel(fn func(ch *amqp.Channel) error) error {
	return testenv.WithAMQPChannel(s.amqpURL, fn)
}

// drain reads (and acks) every message waiting on q.
func drain(ch *amqp.Channel, q string) ([]amqp.Delivery, error) {
	var out []amqp.Delivery
	for {
		d, ok, err := ch.Get(q, false)
		if err != nil {
			return out, err
		}
		if !ok {
			return out, nil
		}
		if err := d.Ack(false); err != nil {
			return out, err
		}
		out = append(out, d)
	}
}

// poll adds the messages now waiting on the consumer and dead-letter queues to
// s.msgs and s.dead. A broker that is down is not an error: there is nothing to
// read yet.
func (s *stack) poll() {
	_ = s.tryChannel(func(ch *amqp.Channel) error {
		m, err := drain(ch, s.queue)
		d, err2 := drain(ch, s.pubOpts.DeadLetterQueue)
		s.msgMu.Lock()
		s.msgs = append(s.msgs, m...)
		s.dead = append(s.dead, d...)
		s.msgMu.Unlock()
		return errors.Join(err, err2)
	})
}

// messages returns the messages read so far.
func (s *stack) messages() (msgs, dead []amqp.Delivery) {
	s.poll()
	s.msgMu.Lock()
	defer s.msgMu.Unlock()
	return append([]amqp.Delivery(nil), s.msgs...), append([]amqp.Delivery(nil), s.dead...)
}

// eventually polls cond until it holds or waitFor passes; cond describes what
// is missing when it returns false.
func eventually(t testing.TB, what string, cond func() (bool, string)) {
	t.Helper()
	testenv.Eventually(t, what, waitFor, 100*time.Millisecond, cond)
}

// request builds a signed request for fixture name of source, with event ID
// eventID. forged signs it with a secret the gateway does not know.
func (s *stack) request(t testing.TB, source, name, eventID string, forged bool) *http.Request {
	t.Helper()
	src, ok := s.cfg.Source(source)
	if !ok {
		t.Fatalf("no source %s", source)
	}
	fx, err := fixtures.Load(builtin.Fixtures(src.Provider), name)
	if err != nil {
		t.Fatal(err)
	}
	return s.requestFor(t, src, fx, eventID, forged)
}

func (s *stack) requestFor(t testing.TB, src *config.Source, fx fixtures.Fixture, eventID string, forged bool) *http.Request {
	t.Helper()
	spec := src.Spec()
	entry, inCatalogue := catalogue.Lookup(src.Provider)
	if forged {
		spec.Secrets = []string{secrets()[src.Name]}
		if inCatalogue {
			// Another secret of the same form: the forger does not know the
			// source's. An asymmetric scheme keeps its keys; see below.
			other, _, err := entry.NewCredentials()
			if err != nil {
				t.Fatal(err)
			}
			spec.Secrets = []string{other}
			if entry.Family == catalogue.FamilyAsymmetric {
				spec.Secrets = src.Spec().Secrets
			}
		}
	}
	u, err := url.Parse(s.baseURL + "/webhooks/" + src.Name)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	header, body := fx.Render(eventID, now)
	req := &providers.Request{Method: http.MethodPost, URL: u, Header: header, Body: body, Now: now}
	newSigner, ok := builtin.Signer(src.Provider)
	if !ok {
		t.Fatalf("provider %s has no signer", src.Provider)
	}
	signer, err := newSigner(spec)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	if err := signer.Sign(req); err != nil {
		t.Fatalf("sign: %v", err)
	}
	if hs, ok := signer.(providers.Handshaker); ok && !forged {
		// The provider hands its secret over first (Asana): the gateway keeps
		// it, the same every time.
		h := hs.Handshake(u)
		hreq, err := http.NewRequest(http.MethodPost, h.URL.String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		hreq.Header = h.Header
		if code, err := s.post(hreq); err != nil || code != http.StatusOK {
			t.Fatalf("%s's handshake: %d %v", src.Name, code, err)
		}
	}
	if forged && (src.Provider == providers.PayPal || inCatalogue && entry.Family == catalogue.FamilyAsymmetric) {
		// PayPal and asymmetric schemes sign with a private key, not a
		// shared secret: the forgery is a body changed after signing.
		req.Body = append(bytes.Clone(req.Body), ' ')
	}
	hreq, err := http.NewRequest(http.MethodPost, req.URL.String(), bytes.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	hreq.Header = req.Header
	return hreq
}

// post sends req and returns the status code. It may run in goroutines: it
// reports failures as errors instead of calling t.Fatal.
func (s *stack) post(req *http.Request) (int, error) {
	resp, err := s.httpCli.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, nil
}

// send signs and posts fixture name to source with a fresh event ID and
// returns that ID; it fails t unless the gateway answers want.
func (s *stack) send(t testing.TB, source, name string, want int) string {
	t.Helper()
	src, _ := s.cfg.Source(source)
	id := fixtures.NewEventID(src.Provider)
	code, err := s.post(s.request(t, source, name, id, false))
	if err != nil {
		t.Fatalf("post %s/%s: %v", source, name, err)
	}
	if code != want {
		t.Fatalf("post %s/%s: status %d, want %d", source, name, code, want)
	}
	return id
}

// waitStatus waits until the receipt of (source, eventID) has status want and
// returns it.
func (s *stack) waitStatus(t testing.TB, source, eventID string, want store.Status) store.Receipt {
	t.Helper()
	var r store.Receipt
	eventually(t, fmt.Sprintf("receipt %s/%s %s", source, eventID, want), func() (bool, string) {
		var err error
		r, err = s.receipt(source, eventID)
		if err != nil {
			return false, err.Error()
		}
		return r.Status == want, fmt.Sprintf("status %s (last error %q)", r.Status, r.LastError)
	})
	return r
}

// receipt finds the receipt of a fixture rendered with eventID. Twilio's status
// callbacks are keyed by SID and status ("SM…:delivered", see providers/twilio),
// so each callback of one message is its own event: for those the rendered ID is
// a prefix of the stored one.
func (s *stack) receipt(source, eventID string) (store.Receipt, error) {
	ctx := context.Background()
	r, err := s.store.ReceiptByEvent(ctx, source, eventID)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return r, err
	}
	page, lerr := s.store.ListReceipts(ctx, store.Filter{Source: source, Limit: 1000})
	if lerr != nil {
		return r, lerr
	}
	for _, c := range page.Receipts {
		if strings.HasPrefix(c.EventID, eventID+":") {
			return s.store.Receipt(ctx, c.ID)
		}
	}
	return r, err
}

// byCorrelation returns the messages whose correlation ID is receiptID.
func byCorrelation(msgs []amqp.Delivery, receiptID string) []amqp.Delivery {
	var out []amqp.Delivery
	for _, m := range msgs {
		if m.CorrelationId == receiptID {
			out = append(out, m)
		}
	}
	return out
}

// stopTemporal stops the embedded Temporal server; startTemporal brings it back
// on the same data folder and port, with its state.
func (s *stack) stopTemporal(t testing.TB) {
	t.Helper()
	s.tsMu.Lock()
	defer s.tsMu.Unlock()
	if err := s.ts.Stop(); err != nil {
		t.Fatalf("stop temporal: %v", err)
	}
	s.ts = nil
}

func (s *stack) startTemporal(t testing.TB) {
	t.Helper()
	s.tsMu.Lock()
	defer s.tsMu.Unlock()
	ts, err := devserver.Start(context.Background(), s.tsOpts)
	if err != nil {
		t.Fatalf("restart temporal: %v", err)
	}
	s.ts = ts
}

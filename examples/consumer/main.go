// Command consumer is an example of an internal service receiving hookgate's
// events from RabbitMQ: what a team writes to act on "payment.completed".
//
//	AMQP_URL=amqp://guest:guest@localhost:5672/ go run ./examples/consumer \
//	    -queue billing -events 'payment.*,invoice.paid'
//
// It declares its own durable queue bound to the events exchange for the event
// types it wants, takes up to -prefetch messages at a time, skips messages it has
// already handled (by message ID: hookgate delivers at least once), does its work
// (here: prints the CloudEvent), and only then acks. A message it can never
// handle (not a CloudEvent) is rejected to the dead-letter queue; a failure that
// may pass (a database down) is nacked back to the queue to be tried again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/hookgate/hookgate/publisher"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, log); err != nil {
		log.Error("consumer stopped", "error", err.Error())
		os.Exit(1)
	}
}

// config is what the flags and environment set.
type config struct {
	URL      string
	Queue    string
	Keys     []string
	Prefetch int
	// Topology names; the zero value means hookgate's defaults.
	Topology publisher.Options
	// RetryDelay is how long a transient failure waits before its message goes
	// back to the queue: an immediate requeue would spin on a failure that lasts.
	RetryDelay time.Duration
	// DedupeSize is how many handled message IDs are remembered.
	DedupeSize int
}

// parseConfig reads the flags and AMQP_URL; errors name the flag to fix.
func parseConfig(args []string, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("consumer", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		c      config
		events string
	)
	fs.StringVar(&c.Queue, "queue", "example-consumer", "name of this service's durable queue")
	fs.StringVar(&events, "events", "payment.*,git.push", "comma-separated event types or topic patterns (* one word, # any)")
	fs.IntVar(&c.Prefetch, "prefetch", 16, "unacknowledged messages the broker may send at once")
	fs.StringVar(&c.Topology.Exchange, "exchange", publisher.DefaultExchange, "events exchange")
	fs.DurationVar(&c.RetryDelay, "retry-delay", time.Second, "wait before a transiently failed message is requeued")
	fs.IntVar(&c.DedupeSize, "dedupe", 100_000, "handled message IDs remembered for deduplication")
	if err := fs.Parse(args); err != nil {
		return config{}, fmt.Errorf("flags: %w", err)
	}
	c.URL = getenv("AMQP_URL")
	if c.URL == "" {
		return config{}, errors.New("AMQP_URL is not set: set it to amqp://user:password@host:5672/vhost")
	}
	for _, k := range strings.Split(events, ",") {
		if k = strings.TrimSpace(k); k != "" {
			c.Keys = append(c.Keys, k)
		}
	}
	if len(c.Keys) == 0 {
		return config{}, errors.New("-events is empty: name at least one event type, e.g. -events 'payment.*'")
	}
	if c.Queue == "" {
		return config{}, errors.New("-queue is empty: name this service's queue")
	}
	if c.Prefetch < 1 {
		return config{}, fmt.Errorf("-prefetch is %d: want 1 or more", c.Prefetch)
	}
	if c.DedupeSize < 1 {
		return config{}, fmt.Errorf("-dedupe is %d: want 1 or more", c.DedupeSize)
	}
	return c, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	return consume(ctx, cfg, printEvent(stdout), log)
}

// consume connects, declares the queue and handles deliveries until ctx ends
// (nil) or the connection is lost (an error: the process exits and its
// supervisor restarts it, which also redeclares everything).
func consume(ctx context.Context, cfg config, work Work, log *slog.Logger) error {
	conn, err := amqp.Dial(cfg.URL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
	}
	if err := ch.Qos(cfg.Prefetch, 0, false); err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	if err := cfg.Topology.DeclareConsumerQueue(ch, cfg.Queue, cfg.Keys); err != nil {
		return err
	}
	deliveries, err := ch.ConsumeWithContext(ctx, cfg.Queue, "", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume %s: %w", cfg.Queue, err)
	}
	log.Info("consuming", "queue", cfg.Queue, "events", strings.Join(cfg.Keys, ","), "prefetch", cfg.Prefetch)
	h := &Handler{Work: work, Seen: newLRU(cfg.DedupeSize), RetryDelay: cfg.RetryDelay, Log: log}
	for {
		select {
		case <-ctx.Done():
			return nil
		case d, ok := <-deliveries:
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return errors.New("delivery channel closed: connection to the broker lost")
			}
			if err := h.Handle(ctx, d); err != nil {
				return err
			}
		}
	}
}

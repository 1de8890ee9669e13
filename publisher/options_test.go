package publisher_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/hookgate/hookgate/internal/testing/testenv"
	"github.com/hookgate/hookgate/publisher"
)

func TestWithDefaults(t *testing.T) {
	got := publisher.Options{Exchange: "mine", Channels: 2}.WithDefaults()
	want := publisher.Options{
		Exchange:           "mine",
		UnroutableExchange: "hookgate.unroutable",
		UnroutableQueue:    "hookgate.unroutable",
		DeadLetterExchange: "hookgate.dlx",
		DeadLetterQueue:    "hookgate.dead-letter",
		Channels:           2,
		DialTimeout:        5 * time.Second,
		ConfirmTimeout:     30 * time.Second,
		AppID:              "hookgate",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("WithDefaults =\n%+v\nwant\n%+v", got, want)
	}
	if err := (publisher.Options{}).WithDefaults().Validate(); err != nil {
		t.Errorf("defaults do not validate: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		opts  publisher.Options
		wants []string // substrings of the error, each naming a field
	}{
		{"negative channels", publisher.Options{Channels: -1}, []string{"Channels is -1"}},
		{"negative timeouts", publisher.Options{DialTimeout: -time.Second, ConfirmTimeout: -time.Second},
			[]string{"DialTimeout", "ConfirmTimeout"}},
		{"shared exchange name", publisher.Options{Exchange: "x", DeadLetterExchange: "x"},
			[]string{"Exchange and DeadLetterExchange"}},
		{"shared queue name", publisher.Options{UnroutableQueue: "q", DeadLetterQueue: "q"},
			[]string{"UnroutableQueue and DeadLetterQueue"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.WithDefaults().Validate()
			if err == nil {
				t.Fatal("Validate passed")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func channel(t *testing.T) *amqp.Channel {
	t.Helper()
	conn, err := amqp.Dial(testenv.AMQPURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestDeclareIsIdempotent(t *testing.T) {
	ch := channel(t)
	opts := uniqueOptions()
	t.Cleanup(func() { deleteTopology(t, testenv.AMQPURL(t), opts) })
	q := testenv.Unique("consumer")
	for i := range 2 {
		if err := opts.DeclareConsumerQueue(ch, q, []string{"payment.*", "git.push"}); err != nil {
			t.Fatalf("declare #%d: %v", i+1, err)
		}
	}
	if _, err := ch.QueueDelete(q, false, false, false); err != nil {
		t.Fatal(err)
	}
}

func TestDeclareReportsAConflictingExchange(t *testing.T) {
	ch := channel(t)
	opts := uniqueOptions()
	t.Cleanup(func() { deleteTopology(t, testenv.AMQPURL(t), opts) })
	// Someone made the events exchange a fanout: publishing would ignore keys.
	if err := ch.ExchangeDeclare(opts.Exchange, "fanout", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	err := opts.Declare(ch)
	if err == nil || !strings.Contains(err.Error(), "PRECONDITION_FAILED") || !strings.Contains(err.Error(), opts.Exchange) {
		t.Fatalf("Declare over a fanout exchange = %v, want PRECONDITION_FAILED naming %s", err, opts.Exchange)
	}
}

func TestDeclareConsumerQueueNeedsANameAndKeys(t *testing.T) {
	tests := []struct {
		name, queue string
		keys        []string
	}{
		{"no name", "", []string{"#"}},
		{"no keys", "q", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Checked before any broker call: a nil channel is never touched.
			if err := publisher.DeclareConsumerQueue(nil, tt.queue, tt.keys); err == nil {
				t.Error("accepted")
			}
		})
	}
}

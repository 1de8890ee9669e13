// Command provisioning is an example of a team worker: a hookgate worker binary
// that also registers the team's own activity, ProvisionAccount, which creates an
// account for every normalized subscription.created event (from Stripe or
// PayPal). The config attaches it (see hookgate.yaml in this folder):
//
//	activities:
//	  subscription.created:
//	    - name: ProvisionAccount
//	      retry: {schedule: [1s, 10s]}
//
// Run it instead of cmd/worker, against the same Temporal, store and broker as
// the gateway:
//
//	STRIPE_WEBHOOK_SECRET=whsec_... TEMPORAL_ADDRESS=127.0.0.1:7233 \
//	    go run ./examples/provisioning examples/provisioning/hookgate.yaml
//
// (DATABASE_URL and AMQP_URL as for cmd/worker; without DATABASE_URL the store
// is the SQLite file under HOOKGATE_DATA_DIR, which must be the gateway's.)
//
// The worker refuses to start when the config names an activity it does not
// register, so a typo in the config is found at start-up, not on the first event.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/worker"

	"github.com/hookgate/hookgate/activities"
	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/config"
)

// ActivityName is the name the config uses for the team activity.
const ActivityName = "ProvisionAccount"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "provisioning:", err)
		os.Exit(1)
	}
}

// team is the team's activities, by the names the config uses.
func team(accounts Accounts) app.Team {
	return app.Team{ActivityName: ProvisionAccount(accounts)}
}

// run loads the config (the first argument, else HOOKGATE_CONFIG), connects to
// the store, Temporal and (when AMQP_URL is set) RabbitMQ, and runs the worker
// with the team's activity until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	path := ""
	if len(args) > 0 {
		path = args[0]
	}
	cfg, err := config.Load(path, getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	st, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	tc, err := app.DialTemporal(cfg, "", log)
	if err != nil {
		return err
	}
	defer tc.Close()
	pub, err := app.DialPublisher(ctx, cfg, log, nil)
	if err != nil {
		return err
	}
	// A nil *publisher.AMQP in the interface would not be nil: pass it only
	// when there is one, else events stay in the store.
	var p activities.Publisher
	if pub != nil {
		defer pub.Close()
		p = pub
	}
	return app.RunWorker(ctx, app.WorkerDeps{
		Config: cfg, Store: st, Temporal: tc, Publisher: p, Logger: log,
		Team:    team(&MemoryAccounts{}),
		Options: worker.Options{},
	})
}

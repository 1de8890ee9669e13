// Command temporalserver runs hookgate's embedded Temporal server (devserver)
// as a process of its own, for the chaos suite: built without the race
// detector, it does not slow the test binary down, and stopping it is stopping
// a process. It serves until SIGTERM or SIGINT.
//
//	temporalserver -data DIR -port PORT
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/hookgate/hookgate/internal/devserver"
	"github.com/hookgate/hookgate/internal/processing/runs"
)

func main() {
	data := flag.String("data", "", "folder of the SQLite file (kept across restarts)")
	port := flag.Int("port", 0, "frontend gRPC port")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ts, err := devserver.Start(ctx, devserver.Options{DataDir: *data, Port: *port,
		SearchAttributes: runs.SearchAttributes(), Logger: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, "temporalserver:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stderr, "temporalserver: ready on", ts.Address())
	<-ctx.Done()
	if err := ts.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "temporalserver: stop:", err)
		os.Exit(1)
	}
}

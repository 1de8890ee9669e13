// Command hookgate is hookgate's CLI: `dev` runs everything in one process with
// embedded defaults; `send` signs and posts a provider fixture; `receipts`,
// `replay` and `events` talk to the admin API; `migrate` applies the store's
// migrations.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hookgate:", err)
		os.Exit(1)
	}
}

// env is what commands read from the process: injected so tests run commands
// in-process with their own environment and output.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "hookgate",
		Short:         "Self-hosted gateway for inbound webhooks",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(devCmd(e), sendCmd(e), receiptsCmd(e), replayCmd(e), eventsCmd(e), migrateCmd(e), scrubCmd(e), providersCmd(e))
	return root.ExecuteContext(ctx)
}

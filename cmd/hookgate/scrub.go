package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/config"
	"github.com/hookgate/hookgate/internal/ingest/gateway"
	"github.com/hookgate/hookgate/providers/builtin"
)

// scrubCmd redacts credential headers stored before hookgate redacted them
// (each source's Provider.CredentialHeaders): the upgrade step named in
// docs/operations.md.
func scrubCmd(e *env) *cobra.Command {
	var path string
	cmd := &cobra.Command{
		Use:   "scrub-credentials",
		Short: "Redact the credential headers of every configured source in stored receipts and audit records",
		Long: `scrub-credentials replaces with [redacted] every stored value of the headers
that carry a source's credential itself (a token source's header, Basic's
Authorization, and the names every source shares), in receipts and audit
records, in the store of DATABASE_URL or the SQLite file under
HOOKGATE_DATA_DIR. Run it once after upgrading from a version that stored
them in clear. It is idempotent, works in small batches, and is safe while
the gateway runs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(path, e.getenv, config.WithProviders(builtin.Providers()))
			if err != nil {
				return err
			}
			srcs, err := gateway.BuildSources(cfg, builtin.Providers())
			if err != nil {
				return err
			}
			log := slog.New(slog.NewTextHandler(e.stderr, nil))
			st, err := app.OpenStore(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer st.Close()
			var total int64
			for _, src := range srcs {
				names := gateway.CredentialHeaders(src)
				n, err := st.RedactHeaders(cmd.Context(), src.Name, names)
				total += n
				if err != nil {
					return fmt.Errorf("source %s: %w (%d rows scrubbed before the error; run it again)", src.Name, err, total)
				}
				fmt.Fprintf(e.stdout, "%-20s %6d rows scrubbed (%d header names)\n", src.Name, n, len(names))
			}
			fmt.Fprintf(e.stdout, "%d rows scrubbed in %s\n", total, app.StoreKind(cfg))
			return nil
		},
	}
	cmd.Flags().StringVar(&path, "config", "", "config file (default: $HOOKGATE_CONFIG)")
	return cmd
}

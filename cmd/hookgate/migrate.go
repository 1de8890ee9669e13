package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/hookgate/hookgate/app"
	"github.com/hookgate/hookgate/config"
)

func migrateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the store's migrations (DATABASE_URL, or the SQLite file under HOOKGATE_DATA_DIR)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := &config.Config{DatabaseURL: e.getenv(config.EnvDatabaseURL), DataDir: e.getenv(config.EnvDataDir)}
			if cfg.DataDir == "" {
				cfg.DataDir = config.DefaultDataDir
			}
			log := slog.New(slog.NewTextHandler(e.stderr, nil))
			st, err := app.OpenStore(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.Migrate(cmd.Context()); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			fmt.Fprintf(e.stdout, "migrations applied to %s\n", app.StoreKind(cfg))
			return nil
		},
	}
}

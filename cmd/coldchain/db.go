package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newDBCmd(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db start|stop|status|url",
		Short: "Manage the embedded PostgreSQL + PostGIS cluster",
		Long: `Manage the private PostgreSQL + PostGIS cluster that coldchain runs under
COLDCHAIN_HOME (default ./.coldchain) when DATABASE_URL is unset. It uses the
system's PostgreSQL binaries; as root it runs as the postgres system user. It
listens on a unix socket in COLDCHAIN_HOME/run only.`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "start",
		Short: "Create (if needed), start and migrate the embedded cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			pool.Close()
			cl, _ := cfg.cluster()
			fmt.Fprintln(cmd.OutOrStdout(), "running:", cl.URL())
			return nil
		},
	}, &cobra.Command{
		Use:   "stop",
		Short: "Stop the embedded cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cl, err := cfg.cluster()
			if err != nil {
				return err
			}
			if err := cl.Stop(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "stopped")
			return nil
		},
	}, newDBStatusCmd(cfg), &cobra.Command{
		Use:   "url",
		Short: "Print the connection string (for psql, QGIS, ogr2ogr)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.databaseURL != "" {
				fmt.Fprintln(cmd.OutOrStdout(), cfg.databaseURL)
				return nil
			}
			cl, err := cfg.cluster()
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), cl.URL())
			return nil
		},
	})
	return cmd
}

// newDBStatusCmd is `coldchain db status`.
func newDBStatusCmd(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Say whether the embedded cluster runs (exit code 3 when it does not)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.databaseURL != "" {
				fmt.Fprintln(cmd.OutOrStdout(), "using DATABASE_URL:", redact(cfg.databaseURL))
				return nil
			}
			cl, err := cfg.cluster()
			if err != nil {
				return err
			}
			running, err := cl.Running(cmd.Context())
			if err != nil {
				return err
			}
			switch {
			case running:
				fmt.Fprintln(cmd.OutOrStdout(), "running:", cl.URL())
				return nil
			case cl.Initialized():
				return &exitError{code: 3, err: fmt.Errorf("stopped (cluster in %s)", cl.Folder())}
			}
			return &exitError{code: 3, err: fmt.Errorf("no cluster in %s yet (coldchain db start creates one)", cl.Folder())}
		},
	}
}

func newMigrateCmd(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Bring the database schema up to date",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			pool.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "schema up to date")
			return nil
		},
	}
}

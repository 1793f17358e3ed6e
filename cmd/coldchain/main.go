// Command coldchain finds where farm-produce storage, pre-cooling and
// cold-chain facilities and industrial parks should go, from producers,
// facilities and administrative areas held in PostGIS.
//
// main wires configuration, the logger, the database and the server; each
// subcommand lives in its own file and stays thin.
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code with a message meant for the user.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// usageErr marks err as the user's mistake (exit code 2).
func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "coldchain:", err)
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		os.Exit(code)
	}
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		return v
	}
	return "unknown"
}

func newRootCmd() *cobra.Command {
	cfg := &config{}
	root := &cobra.Command{
		Use:   "coldchain",
		Short: "Plan cold-chain facilities and industrial parks where producers are",
		Long: `coldchain holds producers, storage, pre-cooling and cold-chain facilities and
administrative areas in PostGIS, measures coverage gaps and suggests where new
facilities and parks should go, with a proof of how good each suggestion is.

Without DATABASE_URL it runs a private PostgreSQL + PostGIS cluster under
COLDCHAIN_HOME (default ./.coldchain).`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return cfg.load()
		},
		PersistentPostRunE: func(cmd *cobra.Command, args []string) error {
			return cfg.stopProfile()
		},
	}
	cfg.bindFlags(root)
	root.AddCommand(
		newServeCmd(cfg),
		newWorkerCmd(cfg),
		newDBCmd(cfg),
		newMigrateCmd(cfg),
		newDemoCmd(cfg),
		newImportCmd(cfg),
		newExportCmd(cfg),
		newCoverageCmd(cfg),
		newPlanCmd(cfg),
		newReportCmd(cfg),
		newParksCmd(cfg),
		newTokenCmd(cfg),
		newSolveCmd(),
		newBenchCmd(),
	)
	return root
}

func newLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

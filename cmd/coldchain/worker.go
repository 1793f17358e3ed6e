package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/jobs"
	"github.com/coldchain/coldchain/internal/plan"
)

// workerFlags binds --workers and --rescue-after, shared by serve and
// worker.
func workerFlags(cmd *cobra.Command, workers *int, rescue *time.Duration, def int) {
	cmd.Flags().IntVar(workers, "workers", def, "plans (or county parts of plans) this process solves at once; 0: none")
	cmd.Flags().DurationVar(rescue, "rescue-after", jobs.DefaultRescueAfter,
		"how long a plan's job may run before it is taken to belong to a dead process and run elsewhere; longer than any plan (every process should use the same)")
}

func newWorkerCmd(cfg *config) *cobra.Command {
	var workers int
	var rescue time.Duration
	var travel travelFlags
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Solve queued plans (run any number, on any machine, on the same database)",
		Long: `Take plans, and the county parts of plans over a province, from the job
queue in the database (DATABASE_URL, as serve) and solve them, --workers at
once, until SIGINT or SIGTERM; then the plans running here are handed back
for another process. Each job taken is logged with its plan id. A worker
that dies is noticed after --rescue-after and its plans run elsewhere.`,
		Example: `  DATABASE_URL=postgres://user@host/db coldchain worker --workers 2`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if workers < 1 {
				return usageErr("--workers: want at least 1, got %d", workers)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			pool, err := cfg.open(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			model, err := travel.model(pool)
			if err != nil {
				return err
			}
			svc, err := plan.Open(ctx, pool, model, cfg.log.With("component", "plans"), plan.Options{Workers: workers, RescueAfter: rescue})
			if err != nil {
				return fmt.Errorf("start the worker: %w", err)
			}
			<-ctx.Done()
			cfg.log.Info("worker stopping: handing running plans back")
			svc.Close()
			return nil
		},
	}
	workerFlags(cmd, &workers, &rescue, 2)
	travel.bind(cmd)
	return cmd
}

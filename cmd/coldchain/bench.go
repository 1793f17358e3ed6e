package main

import (
	"math"
	"os"
	"os/signal"
	"regexp"
	"time"

	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/benchmark"
)

// benchLong is the help text of `coldchain bench`.
const benchLong = `bench solves every public instance with a known optimum under DIR (default
../shared/benchmarks, else the first shared/benchmarks found in the working
directory or above): orlib-pmed (p-median and p-center), sscflp-or, cpmp-sjc
and mclp-sjc (maximal covering for every p of the published table, and the
fewest sites covering all demand); each format is read through the engine's
format registry. Two generated sets follow, cpmp-blocks: capacitated
p-medians of 3,000 points (p = 600, 800, 1000) in far-apart blocks, and
cflp-blocks: capacitated facility location with p free on the same layout
(3,000 and 750 sites), whose optima are computed exactly when each
instance is made. While the proven gap is open a solve uses its whole
--time-limit unless --stop-gap is met. It prints a
markdown table, one row per run as it finishes: set, problem, instance, n,
p, known optimum, value found, proven bound, gap to the optimum (%), proven
gap (%) and seconds. A run that fails prints its error in its row and the
others go on.`

func newBenchCmd() *cobra.Command {
	var (
		only    string
		limit   time.Duration
		seed    int64
		stopGap float64
		workers int
	)
	cmd := &cobra.Command{
		Use:   "bench [DIR]",
		Short: "Run the engine on the public benchmark instances",
		Long:  benchLong,
		Example: `  coldchain bench
  coldchain bench ../shared/benchmarks --only 'mclp-sjc|pmed1$' --time-limit 5s`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if workers < 1 || workers > 64 {
				return usageErr("--workers %d: must lie in [1, 64]", workers)
			}
			if math.IsNaN(stopGap) || stopGap < 0 || stopGap > 100 {
				return usageErr("--stop-gap %v: must lie in [0, 100] (percent)", stopGap)
			}
			opt := benchmark.Options{TimeLimit: limit, Seed: seed, StopGap: stopGap, Workers: workers}
			if only != "" {
				re, err := regexp.Compile(only)
				if err != nil {
					return usageErr("--only: %v", err)
				}
				opt.Only = re
			}
			if limit <= 0 {
				return usageErr("--time-limit %v: must be positive", limit)
			}
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			dir, err := benchmark.FindDir(dir)
			if err != nil {
				return err
			}
			cases, err := benchmark.Cases(dir)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(commandContext(cmd), os.Interrupt)
			defer stop()
			w := cmd.OutOrStdout()
			if err := benchmark.WriteHeader(w); err != nil {
				return err
			}
			var werr error
			rows := benchmark.Run(ctx, cases, opt, func(r benchmark.Row) {
				if werr == nil {
					werr = benchmark.WriteRow(w, r)
				}
			})
			if werr != nil {
				return werr
			}
			return benchmark.WriteSummary(w, rows)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&only, "only", "", "run only cases whose set/problem/instance matches this regular expression")
	fl.DurationVar(&limit, "time-limit", 10*time.Second, "time limit per solve")
	fl.Int64Var(&seed, "seed", 1, "random seed")
	fl.Float64Var(&stopGap, "stop-gap", 0, "end a solve once its proven gap is at most this many percent (0 = use the whole time limit)")
	fl.IntVar(&workers, "workers", 1, "parallel searches per solve (a portfolio of seeds)")
	return cmd
}

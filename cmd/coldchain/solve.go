package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/locate"
)

// solveOutput is the JSON object `coldchain solve` prints.
type solveOutput struct {
	Problem    locate.Problem `json:"problem"`
	Instance   string         `json:"instance"`
	N          int            `json:"n"`
	M          int            `json:"m"`
	P          int            `json:"p"`
	Radius     float64        `json:"radius,omitempty"`
	Objective  *float64       `json:"objective"`
	Bound      *float64       `json:"bound"`
	Gap        *float64       `json:"gap"`
	Seconds    float64        `json:"seconds"`
	Iterations int            `json:"iterations"`
	Sites      []string       `json:"sites"`
	Covered    *float64       `json:"covered,omitempty"`
	CoveredPct *float64       `json:"covered_pct,omitempty"`
}

// jsonNum returns v for JSON output, nil (null) when it is not finite.
func jsonNum(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// solveOpts are the flags of `coldchain solve`.
type solveOpts struct {
	format, problem, demand string
	p                       int
	radius, target, budget  float64
	seed                    int64
	limit                   time.Duration
	stopGap                 float64
	workers                 int
}

func newSolveCmd() *cobra.Command {
	var o solveOpts
	cmd := &cobra.Command{
		Use:   "solve FILE",
		Short: "Solve a standalone location instance (no database)",
		Long: `solve reads one instance file, solves it with the location engine and prints
one JSON object: problem, instance, n (demand points), m (sites), p, objective,
bound (a proven lower bound when minimising, upper bound for mclp), gap
(100 x |objective - bound| / |objective|, percent), seconds, iterations, sites
(IDs of the new sites opened) and, for mclp and lscp, covered (weight within
the radius of an open site) and covered_pct.

` + formatHelp() + `
For json the file's problem, p, radius, coverage_target and budget are
defaults the flags override. Where the file states p, --p may be omitted.
Values after the last one a format expects, and NUL padding, are ignored
with a warning on stderr. For cflp, --p 0 or no --p leaves the number of
sites free; mclp opens at most p sites, lscp the fewest that cover
--coverage-target of the weight (default 1). The search uses the whole
--time-limit while the proven gap is open, unless --stop-gap is met first;
it is deterministic for a --seed unless the time limit cuts it short. Ctrl-C
stops it with the best solution so far.`,
		Example: `  coldchain solve ../shared/benchmarks/mclp-sjc/SJC324.txt --format sjc \
      --demand ../shared/benchmarks/mclp-sjc/demand-SJC324.dat --problem mclp --p 4 --radius 800
  coldchain solve ../shared/benchmarks/orlib-pmed/pmed1.txt --format orlib-pmed --problem pmedian
  coldchain solve plan.json --format json --problem lscp --coverage-target 0.9`,
		Args: cobra.ExactArgs(1),
		RunE: o.run,
	}
	fl := cmd.Flags()
	fl.StringVar(&o.format, "format", "", "instance format: "+locate.FormatNames()+" (default json for *.json)")
	fl.StringVar(&o.problem, "problem", "", "problem: pmedian, pcenter, mclp, lscp or cflp (json: default the file's)")
	fl.IntVar(&o.p, "p", 0, "new sites to open (default the file's p; cflp: 0 = free)")
	fl.Float64Var(&o.radius, "radius", 0, "covering radius for mclp and lscp, in cost units (default the file's)")
	fl.Float64Var(&o.target, "coverage-target", 0, "share of the weight lscp must cover, in (0, 1] (default 1)")
	fl.Float64Var(&o.budget, "budget", 0, "cap on the summed fixed cost of new sites (0 = none)")
	fl.StringVar(&o.demand, "demand", "", "demand file of the sjc format (one weight per point)")
	fl.Int64Var(&o.seed, "seed", 1, "random seed: equal seeds give equal results")
	fl.DurationVar(&o.limit, "time-limit", 30*time.Second, "stop searching after this long and report the best solution")
	fl.IntVar(&o.workers, "workers", 1, "parallel searches, a portfolio of seeds (try the number of idle cores); results are reproducible for a seed and a worker count")
	fl.Float64Var(&o.stopGap, "stop-gap", 0, "stop as soon as the proven gap is at most this many percent (0 = use the whole time limit while the gap is open)")
	return cmd
}

// formatHelp lists the instance formats of the registry for help texts.
func formatHelp() string {
	var b strings.Builder
	b.WriteString("Formats (--format):\n")
	for _, f := range locate.Formats() {
		fmt.Fprintf(&b, "  %-11s %s\n", f.Name, f.Description)
	}
	return b.String()
}

// run solves the instance in args[0] and prints the result.
func (o *solveOpts) run(cmd *cobra.Command, args []string) error {
	fl := cmd.Flags()
	params, err := o.params(fl.Changed)
	if err != nil {
		return err
	}
	f, err := o.instanceFormat(args[0])
	if err != nil {
		return err
	}
	if o.problem != "" {
		if params.Problem, err = locate.ParseProblem(o.problem); err != nil {
			return usageErr("--problem: %v", err)
		}
	}
	warn := func(msg string) { fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s: %s\n", args[0], msg) }
	in, err := readSolveInstance(f, args[0], o.demand, fl.Changed("p"), &params, warn)
	if err != nil {
		return err
	}
	if params.Problem == "" {
		return usageErr("--problem is required (pmedian, pcenter, mclp, lscp or cflp)")
	}
	if !fl.Changed("p") && params.P == 0 {
		params.P = in.P
	}
	switch params.Problem {
	case locate.PMedian, locate.PCenter, locate.MCLP:
		if params.P == 0 {
			return usageErr("--p is required for %s (the file states no p)", params.Problem)
		}
	}
	ctx, stop := signal.NotifyContext(commandContext(cmd), os.Interrupt)
	defer stop()
	res, err := locate.Solve(ctx, in, params)
	if err != nil {
		return err
	}
	return writeSolveOutput(cmd.OutOrStdout(), in, params, res)
}

// params checks the flags the user set (changed reports which) and
// returns them as engine parameters.
func (o *solveOpts) params(changed func(string) bool) (locate.Params, error) {
	params := locate.Params{Seed: o.seed, TimeLimit: o.limit}
	if changed("p") {
		if o.p < 0 {
			return params, usageErr("--p %d: must not be negative", o.p)
		}
		params.P = o.p
	}
	if changed("radius") {
		if math.IsNaN(o.radius) || math.IsInf(o.radius, 0) || o.radius <= 0 {
			return params, usageErr("--radius %v: must be a positive number", o.radius)
		}
		params.Radius = o.radius
	}
	if changed("coverage-target") {
		if math.IsNaN(o.target) || o.target <= 0 || o.target > 1 {
			return params, usageErr("--coverage-target %v: must lie in (0, 1]", o.target)
		}
		params.CoverageTarget = o.target
	}
	if changed("budget") {
		if math.IsNaN(o.budget) || math.IsInf(o.budget, 0) || o.budget < 0 {
			return params, usageErr("--budget %v: must be a number >= 0", o.budget)
		}
		params.Budget = o.budget
	}
	if o.limit <= 0 {
		return params, usageErr("--time-limit %v: must be positive", o.limit)
	}
	if math.IsNaN(o.stopGap) || o.stopGap < 0 || o.stopGap > 100 {
		return params, usageErr("--stop-gap %v: must lie in [0, 100] (percent)", o.stopGap)
	}
	params.StopGap = o.stopGap
	if o.workers < 1 || o.workers > 64 {
		return params, usageErr("--workers %d: must lie in [1, 64]", o.workers)
	}
	params.Workers = o.workers
	return params, nil
}

// instanceFormat is the format of the instance file at path: --format, or
// json for a *.json file. It also checks that --demand goes with sjc.
func (o *solveOpts) instanceFormat(path string) (locate.Format, error) {
	format := o.format
	if format == "" {
		if !strings.EqualFold(filepath.Ext(path), ".json") {
			return "", usageErr("--format is required (%s)", locate.FormatNames())
		}
		format = string(locate.FormatJSON)
	}
	fi, err := locate.LookupFormat(format)
	if err != nil {
		return "", usageErr("--format: %v", err)
	}
	if fi.NeedsDemand && o.demand == "" {
		return "", usageErr("--format %s needs --demand FILE (one weight per point)", fi.Name)
	}
	if !fi.NeedsDemand && o.demand != "" {
		return "", usageErr("--demand is only read with a format that takes a demand file (sjc)")
	}
	return fi.Name, nil
}

// commandContext is the command's context, or a background one when the
// command runs without (tests calling Execute directly).
func commandContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// readSolveInstance reads the instance file. For json the file's settings
// fill in what the flags left unset, and a covering problem keeps only the
// pairs within the largest radius.
func readSolveInstance(f locate.Format, path, demandPath string, pGiven bool, params *locate.Params, warn func(string)) (*locate.Instance, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var in *locate.Instance
	switch f {
	case locate.FormatJSON:
		js, err := locate.DecodeJSON(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		def := js.Params()
		if params.Problem == "" && def.Problem != "" {
			params.Problem = def.Problem
		}
		if !pGiven {
			params.P = def.P
		}
		if params.Radius == 0 {
			params.Radius = def.Radius
		}
		if params.CoverageTarget == 0 {
			params.CoverageTarget = def.CoverageTarget
		}
		if params.Budget == 0 {
			params.Budget = def.Budget
		}
		cutoff := 0.0
		if params.Problem == locate.MCLP || params.Problem == locate.LSCP {
			cutoff = coverCutoff(js, params.Radius)
		}
		in, err = js.Instance(cutoff)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	default:
		opt := locate.ReadOptions{Warn: warn}
		if demandPath != "" {
			d, err := os.Open(demandPath)
			if err != nil {
				return nil, err
			}
			defer d.Close()
			opt.Demand = d
		}
		in, err = locate.ReadInstance(f, file, opt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if in.Name == "" {
		in.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return in, nil
}

// coverCutoff is the largest covering radius any demand of js uses with
// global radius r (plus a little slack), or 0 (keep every pair) when some
// demand has no radius at all: the solver then reports it.
func coverCutoff(js *locate.JSONInstance, r float64) float64 {
	cut := 0.0
	for _, d := range js.Demand {
		dr := d.Radius
		if dr <= 0 {
			dr = r
		}
		if dr <= 0 {
			return 0
		}
		cut = max(cut, dr)
	}
	return cut * (1 + 1e-6)
}

func writeSolveOutput(w io.Writer, in *locate.Instance, params locate.Params, res *locate.Result) error {
	out := solveOutput{
		Problem:    params.Problem,
		Instance:   in.Name,
		N:          len(in.Demand),
		M:          len(in.Sites),
		P:          params.P,
		Objective:  jsonNum(res.Objective),
		Bound:      jsonNum(res.Bound),
		Gap:        jsonNum(res.Gap),
		Seconds:    res.Seconds,
		Iterations: res.Iterations,
		Sites:      make([]string, 0, len(res.Sites)),
	}
	for _, j := range res.Sites {
		if j < 0 || j >= len(in.Sites) {
			return errors.New("internal error: solver returned a site out of range")
		}
		out.Sites = append(out.Sites, in.Sites[j].ID)
	}
	switch params.Problem {
	case locate.MCLP, locate.LSCP:
		out.Radius = params.Radius
		if out.Radius == 0 {
			out.Radius = in.Radius
		}
		out.Covered = jsonNum(res.Covered)
		var total float64
		for _, d := range in.Demand {
			total += d.Weight
		}
		if total > 0 {
			out.CoveredPct = jsonNum(100 * res.Covered / total)
		}
		if params.Problem == locate.LSCP {
			out.P = len(res.Sites)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

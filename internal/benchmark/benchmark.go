// Package benchmark runs the location engine (internal/locate) on the public
// instance sets with known optima kept under shared/benchmarks, and on a
// generated set of known optimum, and reports, per instance, the value
// found, its gap to the optimum, the gap the engine proves with its own
// bound, and the time taken.
//
// The sets are orlib-pmed (p-median and p-center), sscflp-or (single-source
// capacitated facility location), cpmp-sjc (capacitated p-median) and
// mclp-sjc (maximal covering and set covering); see the README of the
// benchmarks folder for formats and sources. Optima come from the files
// (pmedopt.txt, os) where they exist and from the published tables in
// optima.go otherwise. The generated sets, cpmp-blocks and cflp-blocks,
// are the capacitated p-median and the capacitated facility location with
// p free at 3,000 points (locate.CPMPBlocks, locate.CFLPBlocks), whose
// optima are computed exactly when an instance is made.
package benchmark

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/coldchain/coldchain/internal/locate"
)

// Case is one benchmark run: an instance, a problem and its known optimum.
type Case struct {
	Set     string         // instance set (folder), e.g. "orlib-pmed"
	Name    string         // instance label, e.g. "pmed1" or "SJC324 S=800"
	Problem locate.Problem // problem solved
	Format  locate.Format  // format of Files[0]
	Files   []string       // instance file, then the demand file (sjc)
	P       int            // sites to open; 0 means the instance's own p
	Radius  float64        // covering radius (mclp, lscp)
	Known   float64        // published optimum; NaN when not known
	// Gen, when set, makes the instance and its optimum instead of Files
	// (a generated set); Known is then set when the case runs.
	Gen func() (*locate.Instance, float64, error)
}

// ID names the case as "set/problem/name"; Options.Only matches against it.
func (c Case) ID() string { return c.Set + "/" + string(c.Problem) + "/" + c.Name }

// source names where the case's instance comes from: its format and files,
// or the case itself when it is generated. Cases of one source share an
// instance.
func (c Case) source() string {
	if c.Gen != nil {
		return c.ID()
	}
	return string(c.Format) + "\x00" + strings.Join(c.Files, "\x00")
}

// Row is the outcome of one case.
type Row struct {
	Case
	N, M    int     // demand points, candidate sites
	P       int     // sites opened (the p solved for; lscp: the sites found)
	Found   float64 // objective of the solution found
	Bound   float64 // the engine's proven bound
	Gap     float64 // proven gap, percent (locate.Result.Gap)
	GapOpt  float64 // 100 x |Found - Known| / |Known|
	Seconds float64 // wall time of the solve (loading excluded)
	Err     error   // load or solve error; the other results are then unset
}

// AtOptimum reports whether the row reached the known optimum, up to the
// rounding of optima published with two decimals.
func (r Row) AtOptimum() bool {
	return r.Err == nil && !math.IsNaN(r.Known) && math.Abs(r.Found-r.Known) <= optTol(r.Known)
}

// optTol is the difference from a published optimum still counted as equal.
func optTol(known float64) float64 { return 0.01 + 1e-9*math.Abs(known) }

// Options tune a run.
type Options struct {
	Only      *regexp.Regexp // run only cases whose ID matches (nil: all)
	TimeLimit time.Duration  // per solve (0: the engine's default)
	Seed      int64
	StopGap   float64 // locate.Params.StopGap
	Workers   int     // locate.Params.Workers
}

// FindDir returns dir if it is a directory. When dir is empty it looks for
// ../shared/benchmarks from the working directory, then for
// shared/benchmarks in the working directory and each of its parents.
func FindDir(dir string) (string, error) {
	if dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return "", fmt.Errorf("benchmark folder %s not found", dir)
		}
		return dir, nil
	}
	if st, err := os.Stat(filepath.Join("..", "shared", "benchmarks")); err == nil && st.IsDir() {
		return filepath.Join("..", "shared", "benchmarks"), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "shared", "benchmarks")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("no shared/benchmarks folder in ../shared or above %s: give the folder as an argument", wd)
}

// Cases lists the cases whose files exist under dir, set by set in a fixed
// order. It fails when dir holds none of the sets or an optima file is
// malformed.
func Cases(dir string) ([]Case, error) {
	var cases []Case
	exists := func(parts ...string) bool {
		_, err := os.Stat(filepath.Join(append([]string{dir}, parts...)...))
		return err == nil
	}

	// orlib-pmed: p-median and p-center on the same graphs.
	if exists("orlib-pmed") {
		opt, err := readPMedOpt(filepath.Join(dir, "orlib-pmed", "pmedopt.txt"))
		if err != nil {
			return nil, err
		}
		for _, prob := range []locate.Problem{locate.PMedian, locate.PCenter} {
			for k := 1; k <= 40; k++ {
				name := fmt.Sprintf("pmed%d", k)
				if !exists("orlib-pmed", name+".txt") {
					continue
				}
				known := math.NaN()
				if v, ok := opt[name]; ok && prob == locate.PMedian {
					known = v
				}
				if prob == locate.PCenter {
					known = pcenterOptima[k-1]
				}
				cases = append(cases, Case{Set: "orlib-pmed", Name: name, Problem: prob, Format: locate.FormatORLibPMed,
					Files: []string{filepath.Join(dir, "orlib-pmed", name+".txt")}, Known: known})
			}
		}
	}

	// sscflp-or: optima in the file os, in file order p1, p2, ...
	if exists("sscflp-or") {
		opt, err := readNumbers(filepath.Join(dir, "sscflp-or", "os"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for k := 1; exists("sscflp-or", fmt.Sprintf("p%d", k)); k++ {
			known := math.NaN()
			if k <= len(opt) {
				known = opt[k-1]
			}
			name := fmt.Sprintf("p%d", k)
			cases = append(cases, Case{Set: "sscflp-or", Name: name, Problem: locate.CFLP, Format: locate.FormatSSCFLP,
				Files: []string{filepath.Join(dir, "sscflp-or", name)}, Known: known})
		}
	}

	// cpmp-sjc: capacitated p-median, p from the file.
	for _, c := range cpmpOptima {
		if exists("cpmp-sjc", c.file) {
			cases = append(cases, Case{Set: "cpmp-sjc", Name: strings.TrimSuffix(c.file, ".dat"), Problem: locate.CFLP,
				Format: locate.FormatLorena, Files: []string{filepath.Join(dir, "cpmp-sjc", c.file)}, Known: c.optimum})
		}
	}

	// mclp-sjc: every p of the table, then the set-covering column.
	for _, c := range mclpOptima {
		files := []string{filepath.Join(dir, "mclp-sjc", c.name+".txt"), filepath.Join(dir, "mclp-sjc", "demand-"+c.name+".dat")}
		if !exists("mclp-sjc", c.name+".txt") || !exists("mclp-sjc", "demand-"+c.name+".dat") {
			continue
		}
		name := fmt.Sprintf("%s S=%g", c.name, c.radius)
		for p, v := range c.covered {
			cases = append(cases, Case{Set: "mclp-sjc", Name: name, Problem: locate.MCLP, Format: locate.FormatSJC,
				Files: files, P: p + 1, Radius: c.radius, Known: v})
		}
		cases = append(cases, Case{Set: "mclp-sjc", Name: name, Problem: locate.LSCP, Format: locate.FormatSJC,
			Files: files, Radius: c.radius, Known: c.lscp})
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("no benchmark instances under %s (want orlib-pmed, sscflp-or, cpmp-sjc or mclp-sjc)", dir)
	}
	return append(cases, generated()...), nil
}

// generated lists the generated cases of known optimum: the set
// cpmp-blocks, capacitated p-medians of 3,000 points in 250 far-apart
// blocks of 12, capacity ratio 1.25 as in Lorena and Senne's p3038, p =
// 600, 800 and 1000; and the set cflp-blocks, single-source capacitated
// facility location with p free on the same layout, with 3,000 and 750
// candidate sites.
func generated() []Case {
	var cases []Case
	for _, p := range []int{600, 800, 1000} {
		cases = append(cases, Case{Set: "cpmp-blocks", Name: fmt.Sprintf("n3000-p%d", p), Problem: locate.CFLP,
			Known: math.NaN(), Gen: func() (*locate.Instance, float64, error) {
				return locate.CPMPBlocks(250, 12, p, 1.25, 1)
			}})
	}
	// p free: every point a site, and one site in four.
	for _, sites := range []int{12, 3} {
		cases = append(cases, Case{Set: "cflp-blocks", Name: fmt.Sprintf("n3000-m%d", 250*sites), Problem: locate.CFLP,
			Known: math.NaN(), Gen: func() (*locate.Instance, float64, error) {
				return locate.CFLPBlocks(250, 12, sites, 1)
			}})
	}
	return cases
}

// readPMedOpt reads pmedopt.txt: a header line, then "pmedK value" lines.
// A missing file gives an empty map.
func readPMedOpt(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]float64{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opt := map[string]float64{}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 || !strings.HasPrefix(fields[0], "pmed") {
			continue // header or blank
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %q is not a number", path, line, fields[1])
		}
		opt[fields[0]] = v
	}
	return opt, sc.Err()
}

// readNumbers reads whitespace-separated numbers.
func readNumbers(path string) ([]float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []float64
	for _, s := range strings.Fields(string(data)) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", path, s)
		}
		out = append(out, v)
	}
	return out, nil
}

// load reads a case's instance, or makes it (Gen) with its optimum.
func load(c Case) (*locate.Instance, float64, error) {
	if c.Gen != nil {
		return c.Gen()
	}
	in, err := read(c)
	return in, math.NaN(), err
}

// read reads a case's instance from its files.
func read(c Case) (*locate.Instance, error) {
	f, err := os.Open(c.Files[0])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var opt locate.ReadOptions
	if len(c.Files) > 1 {
		d, err := os.Open(c.Files[1])
		if err != nil {
			return nil, err
		}
		defer d.Close()
		opt.Demand = d
	}
	in, err := locate.ReadInstance(c.Format, f, opt)
	if err != nil {
		return nil, err
	}
	if in.Name == "" {
		in.Name = filepath.Base(c.Files[0])
	}
	return in, nil
}

// Run solves the cases that opt selects, one at a time, calling each (if not
// nil) with every row as it completes, and returns all rows. A case that
// fails to load or solve gives a row with Err set; the run goes on. It stops
// early when ctx is cancelled.
func Run(ctx context.Context, cases []Case, opt Options, each func(Row)) []Row {
	var rows []Row
	var in *locate.Instance
	var inKey string
	var inErr error
	var known float64
	for _, c := range cases {
		if ctx.Err() != nil {
			break
		}
		if opt.Only != nil && !opt.Only.MatchString(c.ID()) {
			continue
		}
		// Consecutive cases often share an instance: load it once.
		if key := c.source(); key != inKey {
			in, known, inErr = load(c)
			inKey = key
		}
		if c.Gen != nil {
			c.Known = known
		}
		row := Row{Case: c, P: c.P}
		if inErr != nil {
			row.Err = inErr
		} else {
			row = solve(ctx, in, c, opt)
		}
		rows = append(rows, row)
		if each != nil {
			each(row)
		}
	}
	return rows
}

func solve(ctx context.Context, in *locate.Instance, c Case, opt Options) Row {
	row := Row{Case: c, N: len(in.Demand), M: len(in.Sites), P: c.P}
	if row.P == 0 && c.Problem != locate.LSCP {
		row.P = in.P
	}
	params := locate.Params{Problem: c.Problem, P: row.P, Radius: c.Radius, Seed: opt.Seed, TimeLimit: opt.TimeLimit,
		StopGap: opt.StopGap, Workers: opt.Workers}
	if opt.TimeLimit > 0 {
		// A safety net for solvers that overrun their limit.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 2*opt.TimeLimit+10*time.Second)
		defer cancel()
	}
	start := time.Now()
	res, err := locate.Solve(ctx, in, params)
	row.Seconds = time.Since(start).Seconds()
	if err != nil {
		row.Err = err
		return row
	}
	row.Found, row.Bound, row.Gap = res.Objective, res.Bound, res.Gap
	if res.Seconds > 0 {
		row.Seconds = res.Seconds
	}
	if c.Problem == locate.LSCP {
		row.P = len(res.Sites)
	}
	if !math.IsNaN(c.Known) {
		row.GapOpt = locate.GapPercent(c.Known, row.Found)
	}
	return row
}

// WriteHeader writes the header of the markdown results table.
func WriteHeader(w io.Writer) error {
	_, err := fmt.Fprint(w,
		"| set | problem | instance | n | p | known optimum | found | bound | gap to optimum % | proven gap % | seconds |\n",
		"|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	return err
}

// WriteRow writes one row of the markdown results table.
func WriteRow(w io.Writer, r Row) error {
	p := strconv.Itoa(r.P)
	switch {
	case r.Problem == locate.CFLP && r.P == 0:
		p = "free"
	case r.Problem == locate.LSCP && r.Err != nil:
		p = "-"
	}
	known := "?"
	if !math.IsNaN(r.Known) {
		known = num(r.Known)
	}
	n := strconv.Itoa(r.N)
	if r.N == 0 {
		n = "-"
	}
	if r.Err != nil {
		msg := strings.ReplaceAll(r.Err.Error(), "|", "\\|")
		_, err := fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | error: %s | | | | %.2f |\n",
			r.Set, r.Problem, r.Name, n, p, known, msg, r.Seconds)
		return err
	}
	gapOpt := "?"
	if !math.IsNaN(r.Known) {
		gapOpt = fmt.Sprintf("%.3f", r.GapOpt)
		if better(r) {
			gapOpt += " (beats the known optimum!)"
		}
	}
	_, err := fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.3f | %.2f |\n",
		r.Set, r.Problem, r.Name, n, p, known, num(r.Found), num(r.Bound), gapOpt, r.Gap, r.Seconds)
	return err
}

// better reports a value better than the published optimum: a sign of a
// reading or checking error, flagged in the table.
func better(r Row) bool {
	tol := optTol(r.Known)
	if r.Problem == locate.MCLP {
		return r.Found > r.Known+tol
	}
	return r.Found < r.Known-tol
}

// WriteSummary writes a line counting rows at the known optimum and errors.
func WriteSummary(w io.Writer, rows []Row) error {
	var atOpt, errs int
	var secs float64
	for _, r := range rows {
		if r.AtOptimum() {
			atOpt++
		}
		if r.Err != nil {
			errs++
		}
		secs += r.Seconds
	}
	_, err := fmt.Fprintf(w, "\n%d of %d runs at the known optimum, %d errors, %.1f s solving.\n", atOpt, len(rows), errs, secs)
	return err
}

// num formats a value: integers plainly, others with two decimals.
func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

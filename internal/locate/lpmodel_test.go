package locate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lpTiny is a two-demand, three-site instance: site 0 a candidate, site 1
// existing, site 2 forbidden.
func lpTiny() *Instance {
	return &Instance{
		Name:   "tiny",
		Radius: 5,
		Demand: []Demand{{ID: "a", Weight: 2}, {ID: "b", Weight: 3, Radius: 1}},
		Sites: []Site{
			{ID: "s0", FixedCost: 10, Capacity: 4},
			{ID: "s1", Status: Existing, Capacity: 3},
			{ID: "s2", Status: Forbidden},
		},
		Costs: Costs{
			Start: []int{0, 3, 5},
			Site:  []int32{0, 2, 1, 1, 0},
			Cost:  []float64{1, 2, 6, 4, 7},
		},
	}
}

func TestWriteLP(t *testing.T) {
	tests := []struct {
		name   string
		params Params
		want   []string // lines or fragments the LP must hold
		not    []string // fragments it must not hold
	}{
		{
			name:   "pmedian",
			params: Params{Problem: PMedian, P: 1},
			want: []string{
				"Minimize", " cost: 2 x_0_0 + 12 x_0_1 + 30 u_0 + 12 x_1_1 + 21 x_1_0 + 45 u_1\n",
				" a_0: 1 x_0_0 + 1 x_0_1 + 1 u_0 = 1\n", " l_0_0: 1 x_0_0 - 1 y_0 <= 0\n",
				" p: 1 y_0 = 1\n", "Binaries\n y_0\n", "End\n",
			},
			not: []string{"x_0_2", "l_0_1"},
		},
		{
			name:   "mclp",
			params: Params{Problem: MCLP, P: 1, Budget: 20},
			want: []string{
				"Maximize", " covered: 2 z_0\n", " c_0: 1 z_0 - 1 y_0 <= 0\n",
				" p: 1 y_0 <= 1\n", " budget: 10 y_0 <= 20\n", " 0 <= z_0 <= 1\n",
			},
			not: []string{"z_1"}, // b's radius 1 reaches no site
		},
		{
			name:   "cflp",
			params: Params{Problem: CFLP},
			want: []string{
				" cost: 10 y_0 + 1 x_0_0 + 6 x_0_1 + 4 x_1_1 + 7 x_1_0\n",
				" a_0: 1 x_0_0 + 1 x_0_1 = 1\n",
				" k_0: 2 x_0_0 + 3 x_1_0 - 4 y_0 <= 0\n", " k_1: 3 x_1_1 + 2 x_0_1 <= 3\n",
				" l_1_0: 1 x_1_0 - 1 y_0 <= 0\n", "Binaries\n y_0\n x_0_0 x_0_1 x_1_1 x_1_0\n",
			},
			not: []string{" p:", "x_0_2"},
		},
		{
			name:   "cflp fixed p",
			params: Params{Problem: CFLP, P: 1, Budget: 15},
			want:   []string{" p: 1 y_0 = 1\n", " budget: 10 y_0 <= 15\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteLP(&b, lpTiny(), tt.params); err != nil {
				t.Fatal(err)
			}
			lp := b.String()
			for _, w := range tt.want {
				if !strings.Contains(lp, w) {
					t.Errorf("LP lacks %q:\n%s", w, lp)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(lp, w) {
					t.Errorf("LP holds %q:\n%s", w, lp)
				}
			}
		})
	}
}

func TestWriteLPErrors(t *testing.T) {
	tests := []struct {
		name   string
		params Params
		want   error
	}{
		{"pcenter", Params{Problem: PCenter, P: 1}, nil},
		{"pmedian p too large", Params{Problem: PMedian, P: 2}, ErrInfeasible},
		{"cflp p too large", Params{Problem: CFLP, P: 2}, ErrInfeasible},
		{"cflp negative p", Params{Problem: CFLP, P: -1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WriteLP(&bytes.Buffer{}, lpTiny(), tt.params)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v does not wrap %v", err, tt.want)
			}
		})
	}
}

// cbcResult is what a CBC run reports.
type cbcResult struct {
	status    string
	objective float64
	seconds   float64
}

var (
	cbcStatusRe = regexp.MustCompile(`(?m)^Result - (.*)$`)
	cbcObjRe    = regexp.MustCompile(`(?m)^Objective value:\s+(\S+)`)
	cbcTimeRe   = regexp.MustCompile(`\(Wallclock seconds\):\s+(\S+)`)
)

// runCBC writes in's LP model into dir and solves it with cbc within limit.
func runCBC(t *testing.T, dir string, in *Instance, params Params, limit time.Duration) cbcResult {
	t.Helper()
	path := filepath.Join(dir, in.Name+"-"+string(params.Problem)+".lp")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteLP(f, in, params); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("cbc", path, "-sec", strconv.Itoa(int(limit.Seconds())), "-threads", "1", "-solve", "-quit").CombinedOutput()
	if err != nil {
		t.Fatalf("cbc: %v\n%s", err, out)
	}
	var r cbcResult
	if m := cbcStatusRe.FindSubmatch(out); m != nil {
		r.status = string(m[1])
	}
	m := cbcObjRe.FindSubmatch(out)
	if m == nil {
		t.Fatalf("cbc printed no objective:\n%s", out)
	}
	if r.objective, err = strconv.ParseFloat(string(m[1]), 64); err != nil {
		t.Fatal(err)
	}
	if all := cbcTimeRe.FindAllSubmatch(out, -1); len(all) > 0 {
		r.seconds, _ = strconv.ParseFloat(string(all[len(all)-1][1]), 64)
	}
	return r
}

// cbcRequire skips unless COLDCHAIN_CBC=1 and cbc is installed.
func cbcRequire(t *testing.T) {
	t.Helper()
	if os.Getenv("COLDCHAIN_CBC") != "1" {
		t.Skip("set COLDCHAIN_CBC=1 to compare with CBC")
	}
	if _, err := exec.LookPath("cbc"); err != nil {
		t.Fatalf("cbc not found (apt-get install coinor-cbc): %v", err)
	}
}

// TestWriteLPRandomCBC solves tiny random CFLP models with CBC and checks
// them against brute force: the LP model and the engine's model agree.
func TestWriteLPRandomCBC(t *testing.T) {
	cbcRequire(t)
	r := rand.New(rand.NewPCG(3, 5))
	dir := t.TempDir()
	for k := 0; k < 40; k++ {
		in, params := cflpRandom(r)
		in.Name = fmt.Sprint("random", k)
		opt := cflpBrute(in, params)
		if math.IsInf(opt, 1) {
			continue
		}
		if _, err := newCFLPProblem(in, params); err != nil {
			t.Fatal(err)
		}
		got := runCBC(t, dir, in, params, time.Minute)
		if math.Abs(got.objective-opt) > 1e-6*(1+opt) {
			t.Errorf("%s: cbc %v (%s), brute force %v", in.Name, got.objective, got.status, opt)
		}
	}
}

// TestCBCCompare solves a few benchmark instances with CBC (from WriteLP)
// and with Solve and prints objectives, times and their ratios. It runs
// only with COLDCHAIN_CBC=1; COLDCHAIN_CBC_LIMIT bounds CBC's time per
// instance (default 10m), COLDCHAIN_CBC_ONLY=p1,SJC1 picks instances.
func TestCBCCompare(t *testing.T) {
	cbcRequire(t)
	limit := envDuration(t, "COLDCHAIN_CBC_LIMIT", 10*time.Minute)
	only := map[string]bool{}
	for _, s := range strings.Split(os.Getenv("COLDCHAIN_CBC_ONLY"), ",") {
		if s != "" {
			only[s] = true
		}
	}
	ss := cflpSSCFLPCases(t)
	sjc := cflpSJCCases(t)
	cases := []struct {
		c       cflpBenchCase
		problem Problem
	}{
		{ss[0], CFLP}, {ss[8], CFLP}, {ss[24], CFLP}, {sjc[0], CFLP},
		{cflpBenchCase{"pmed1", FormatORLibPMed, filepath.Join(cflpBenchDir, "orlib-pmed", "pmed1.txt"), 5819}, PMedian},
	}
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "\n| instance | problem | known optimum | CBC objective | CBC status | CBC s | coldchain objective | coldchain s | objective ratio | time ratio CBC/coldchain |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	for _, tc := range cases {
		if len(only) > 0 && !only[tc.c.name] {
			continue
		}
		in := cflpLoad(t, tc.c)
		params := Params{Problem: tc.problem, Seed: 1, TimeLimit: limit}
		cb := runCBC(t, dir, in, params, limit)
		res, err := Solve(context.Background(), in, params)
		if err != nil {
			t.Errorf("%s: %v", tc.c.name, err)
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f | %.2f | %s | %.2f | %.2f | %.2f | %.6f | %.1f |\n",
			tc.c.name, tc.problem, tc.c.optimum, cb.objective, cb.status, cb.seconds,
			res.Objective, res.Seconds, res.Objective/cb.objective, cb.seconds/math.Max(res.Seconds, 1e-3))
		if strings.HasPrefix(cb.status, "Optimal") && res.Objective < cb.objective-1e-6*(1+cb.objective) {
			t.Errorf("%s: objective %v below CBC's proven optimum %v", tc.c.name, res.Objective, cb.objective)
		}
	}
	t.Log(b.String())
}

// TestWriteLPFile writes the LP model of one instance file; scripts/cbc-
// compare.sh drives it through the environment: COLDCHAIN_LP_IN (file),
// COLDCHAIN_LP_FORMAT, COLDCHAIN_LP_PROBLEM, COLDCHAIN_LP_P, COLDCHAIN_LP_RADIUS,
// COLDCHAIN_LP_BUDGET and COLDCHAIN_LP_DEMAND (optional) and COLDCHAIN_LP_OUT
// (the LP file).
func TestWriteLPFile(t *testing.T) {
	out := os.Getenv("COLDCHAIN_LP_OUT")
	if out == "" {
		t.Skip("set COLDCHAIN_LP_OUT (see scripts/cbc-compare.sh)")
	}
	f, err := os.Open(os.Getenv("COLDCHAIN_LP_IN"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var opt ReadOptions
	if d := os.Getenv("COLDCHAIN_LP_DEMAND"); d != "" {
		df, err := os.Open(d)
		if err != nil {
			t.Fatal(err)
		}
		defer df.Close()
		opt.Demand = df
	}
	in, err := ReadInstance(Format(os.Getenv("COLDCHAIN_LP_FORMAT")), f, opt)
	if err != nil {
		t.Fatal(err)
	}
	in.Name = strings.TrimSuffix(filepath.Base(f.Name()), filepath.Ext(f.Name()))
	prob, err := ParseProblem(os.Getenv("COLDCHAIN_LP_PROBLEM"))
	if err != nil {
		t.Fatal(err)
	}
	params := Params{Problem: prob, P: envInt(t, "COLDCHAIN_LP_P", 0)}
	if s := os.Getenv("COLDCHAIN_LP_RADIUS"); s != "" {
		if params.Radius, err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatal(err)
		}
	}
	if s := os.Getenv("COLDCHAIN_LP_BUDGET"); s != "" {
		if params.Budget, err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatal(err)
		}
	}
	w, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteLP(w, in, params); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

package benchmark

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coldchain/coldchain/internal/locate"
)

// benchDir returns the shared benchmark folder (the repository is at
// <root>/main, the instances at <root>/shared). A missing folder fails the
// test when CI is set and skips it otherwise.
func benchDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "benchmarks")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("benchmark instances missing under %s: %v", dir, err)
		}
		t.Skipf("benchmark instances not found under %s", dir)
	}
	return dir
}

// TestMCLPSJCTable solves every entry of the published mclp-sjc table
// (every S and p, and the fewest sites covering all demand) and asserts
// that the engine reaches the optimum exactly and that its bound is valid.
func TestMCLPSJCTable(t *testing.T) {
	dir := benchDir(t)
	cases, err := Cases(dir)
	if err != nil {
		t.Fatal(err)
	}
	var mclp, lscp int
	opt := Options{Only: regexp.MustCompile(`^mclp-sjc/`), TimeLimit: 20 * time.Second, Seed: 1}
	rows := Run(context.Background(), cases, opt, func(r Row) {
		if r.Err != nil {
			t.Errorf("%s p=%d: %v", r.ID(), r.P, r.Err)
			return
		}
		if r.Found != r.Known {
			t.Errorf("%s p=%d: found %v, optimum %v", r.ID(), r.P, r.Found, r.Known)
		}
		switch r.Problem {
		case locate.MCLP:
			mclp++
			if r.Bound < r.Found {
				t.Errorf("%s p=%d: upper bound %v below objective %v", r.ID(), r.P, r.Bound, r.Found)
			}
		case locate.LSCP:
			lscp++
			if r.Bound > r.Found {
				t.Errorf("%s: lower bound %v above objective %v", r.ID(), r.Bound, r.Found)
			}
		}
	})
	// 5 + 3 + 6 + 3 MCLP entries and 4 LSCP entries in the README table.
	if mclp != 17 || lscp != 4 || len(rows) != 21 {
		t.Errorf("ran %d mclp and %d lscp cases (%d rows), want 17 and 4", mclp, lscp, len(rows))
	}
}

func TestCases(t *testing.T) {
	dir := benchDir(t)
	cases, err := Cases(dir)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, c := range cases {
		count[c.Set+"/"+string(c.Problem)]++
		if math.IsNaN(c.Known) && c.Gen == nil {
			t.Errorf("%s: no known optimum", c.ID())
		}
	}
	want := map[string]int{
		"orlib-pmed/pmedian": 40, "orlib-pmed/pcenter": 40, "sscflp-or/cflp": 36,
		"cpmp-sjc/cflp": 6, "mclp-sjc/mclp": 17, "mclp-sjc/lscp": 4, "cpmp-blocks/cflp": 3,
	}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%s: %d cases, want %d", k, count[k], n)
		}
	}
	for _, c := range cases {
		switch c.ID() {
		case "orlib-pmed/pmedian/pmed40":
			if c.Known != 5128 {
				t.Errorf("pmed40 p-median optimum %v, want 5128 (pmedopt.txt)", c.Known)
			}
		case "orlib-pmed/pcenter/pmed40":
			if c.Known != 13 {
				t.Errorf("pmed40 p-center optimum %v, want 13", c.Known)
			}
		case "sscflp-or/cflp/p36":
			if c.Known != 11505861.86 {
				t.Errorf("p36 optimum %v, want 11505861.86 (file os)", c.Known)
			}
		}
	}
}

func TestRunReportsErrorsAndGoesOn(t *testing.T) {
	tmp := t.TempDir()
	coords := filepath.Join(tmp, "pts.txt")
	weights := filepath.Join(tmp, "w.dat")
	if err := os.WriteFile(coords, []byte("3\n0 0\n10 0\n30 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(weights, []byte("1\n2\n4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []Case{
		{Set: "test", Name: "missing", Problem: locate.MCLP, Format: locate.FormatSJC,
			Files: []string{filepath.Join(tmp, "none.txt"), weights}, P: 1, Radius: 10, Known: 1},
		{Set: "test", Name: "line", Problem: locate.MCLP, Format: locate.FormatSJC,
			Files: []string{coords, weights}, P: 1, Radius: 10, Known: 4},
		{Set: "test", Name: "line", Problem: locate.LSCP, Format: locate.FormatSJC,
			Files: []string{coords, weights}, Radius: 10, Known: 2},
	}
	var buf bytes.Buffer
	if err := WriteHeader(&buf); err != nil {
		t.Fatal(err)
	}
	rows := Run(context.Background(), cases, Options{TimeLimit: time.Second}, func(r Row) {
		if err := WriteRow(&buf, r); err != nil {
			t.Fatal(err)
		}
	})
	if err := WriteSummary(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Err == nil || rows[1].Err != nil || rows[2].Err != nil {
		t.Fatalf("rows: %+v", rows)
	}
	if !rows[1].AtOptimum() || !rows[2].AtOptimum() || rows[2].P != 2 {
		t.Errorf("rows: %+v", rows[1:])
	}
	out := buf.String()
	for _, want := range []string{
		"| set | problem | instance | n | p | known optimum | found | bound | gap to optimum % | proven gap % | seconds |",
		"| test | mclp | missing | - | 1 | 1 | error: open ",
		"| test | mclp | line | 3 | 1 | 4 | 4 | 4 | 0.000 | 0.000 |",
		"| test | lscp | line | 3 | 2 | 2 | 2 | 2 | 0.000 | 0.000 |",
		"2 of 3 runs at the known optimum, 1 errors",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// --only filters by set/problem/name.
	rows = Run(context.Background(), cases, Options{Only: regexp.MustCompile(`lscp/line$`)}, nil)
	if len(rows) != 1 || rows[0].Problem != locate.LSCP {
		t.Errorf("filtered rows: %+v", rows)
	}
}

func TestFindDir(t *testing.T) {
	if _, err := FindDir(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("missing folder: no error")
	}
	dir := t.TempDir()
	if got, err := FindDir(dir); err != nil || got != dir {
		t.Errorf("FindDir(%s) = %s, %v", dir, got, err)
	}
	// From the package folder, walking up finds <root>/shared/benchmarks.
	benchDir(t)
	got, err := FindDir("")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(got) != "benchmarks" || filepath.Base(filepath.Dir(got)) != "shared" {
		t.Errorf("FindDir(\"\") = %s", got)
	}
}

// TestGeneratedCase runs one case of the generated set: its optimum is set
// when it runs, the bound stays at most the optimum and the solution at
// least it.
func TestGeneratedCase(t *testing.T) {
	if testing.Short() {
		t.Skip("3,000-point instance")
	}
	rows := Run(context.Background(), generated(), Options{Only: regexp.MustCompile(`^cpmp-blocks/cflp/n3000-p800$`),
		TimeLimit: 2 * time.Second, Seed: 1}, nil)
	if len(rows) != 1 || rows[0].Err != nil {
		t.Fatalf("rows: %+v", rows)
	}
	r := rows[0]
	if math.IsNaN(r.Known) || r.N != 3000 || r.P != 800 {
		t.Fatalf("row: n %d, p %d, optimum %v", r.N, r.P, r.Known)
	}
	if r.Found < r.Known-optTol(r.Known) || r.Bound > r.Known+optTol(r.Known) {
		t.Errorf("found %v, bound %v: the optimum %v must lie between", r.Found, r.Bound, r.Known)
	}
	t.Logf("optimum %.2f, found %.2f (%.3f %% above), bound %.2f", r.Known, r.Found, r.GapOpt, r.Bound)
}

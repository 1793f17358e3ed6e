package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runSolve runs `solve args...` and returns stdout and the error.
func runSolve(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, _, err := runSolveStderr(t, args...)
	return out, err
}

// runSolveStderr runs `solve args...` and returns stdout, stderr and the
// error.
func runSolveStderr(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := newSolveCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

// TestSolvePaddedFile reads an sscflp file padded with NUL bytes and
// followed by extra values: it is solved, with one warning on stderr that
// quotes only a short excerpt.
func TestSolvePaddedFile(t *testing.T) {
	body := "2 2\n10 5\n10 7\n3 4\n1 9\n8 2\n" + "0 0 0\n" + strings.Repeat("\x00", 400)
	path := writeSolveFile(t, "pad.txt", body)
	out, stderr, err := runSolveStderr(t, path, "--format", "sscflp", "--problem", "cflp", "--time-limit", "5s")
	if err != nil {
		t.Fatal(err)
	}
	// Site 1 alone: 5 + 1 + 9 = 15; site 2 alone: 7 + 8 + 2 = 17; both:
	// 12 + 1 + 2 = 15.
	if m := decodeSolveOutput(t, out); m["objective"] != 15.0 {
		t.Errorf("output %s", out)
	}
	if strings.Count(stderr, "warning:") != 1 || !strings.Contains(stderr, "ignored 3 extra value(s)") || len(stderr) > 300 {
		t.Errorf("stderr %q", stderr)
	}
}

// solveExitCode is the code main would exit with for err.
func solveExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

func writeSolveFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A line of five villages 10 apart, weights 1..5; a cold store may go at
// the first four (the fourth is forbidden), and one exists at x = 45.
const solveJSON = `{"problem": "mclp", "p": 1, "radius": 10, "metric": "euclidean",
 "demand": [{"id": "v0", "x": 0, "y": 0, "weight": 1}, {"id": "v1", "x": 10, "y": 0, "weight": 2},
            {"id": "v2", "x": 20, "y": 0, "weight": 3}, {"id": "v3", "x": 30, "y": 0, "weight": 4},
            {"id": "v4", "x": 40, "y": 0, "weight": 5, "radius": 5}],
 "candidates": [{"id": "c0", "x": 0, "y": 0}, {"id": "c1", "x": 10, "y": 0, "fixed_cost": 3},
                {"id": "c2", "x": 20, "y": 0}, {"id": "c3", "x": 30, "y": 0, "status": "forbidden"},
                {"id": "c4", "x": 45, "y": 0, "status": "existing"}]}`

func decodeSolveOutput(t *testing.T, out string) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("more than one JSON value on stdout:\n%s", out)
	}
	for _, k := range []string{"problem", "instance", "n", "m", "p", "objective", "bound", "gap", "seconds", "sites"} {
		if _, ok := m[k]; !ok {
			t.Errorf("output lacks %q:\n%s", k, out)
		}
	}
	return m
}

func TestSolveJSON(t *testing.T) {
	path := writeSolveFile(t, "villages.json", solveJSON)
	// The file's defaults: mclp, p = 1, radius 10. v4 is covered by the
	// existing store (radius 5), c3 is forbidden; c2 covers v1+v2+v3 = 9.
	out, err := runSolve(t, path, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	m := decodeSolveOutput(t, out)
	if m["problem"] != "mclp" || m["objective"] != 14.0 || m["covered"] != 14.0 || m["bound"] != 14.0 || m["gap"] != 0.0 {
		t.Errorf("mclp: %s", out)
	}
	if sites := m["sites"].([]any); len(sites) != 1 || sites[0] != "c2" {
		t.Errorf("sites %v, want [c2]", sites)
	}
	if m["n"] != 5.0 || m["m"] != 5.0 || m["p"] != 1.0 || m["instance"] != "villages" {
		t.Errorf("n, m, p, instance: %s", out)
	}

	// Flags override the file: lscp covering everything needs c0 (v0, v1)
	// and c2 (v1..v3), or c1 + c2; c1 costs more.
	out, err = runSolve(t, path, "--problem", "lscp")
	if err != nil {
		t.Fatal(err)
	}
	m = decodeSolveOutput(t, out)
	if m["objective"] != 2.0 || m["bound"] != 2.0 || m["covered"] != 15.0 || m["p"] != 2.0 {
		t.Errorf("lscp: %s", out)
	}
	if sites := m["sites"].([]any); len(sites) != 2 || sites[0] != "c0" || sites[1] != "c2" {
		t.Errorf("lscp sites %v, want [c0 c2]", sites)
	}

	// A smaller radius override and p = 2.
	out, err = runSolve(t, path, "--radius", "5", "--p", "2", "--seed", "9")
	if err != nil {
		t.Fatal(err)
	}
	if m = decodeSolveOutput(t, out); m["objective"] != 5.0+3+2 {
		t.Errorf("radius 5, p 2: %s", out)
	}
}

func TestSolveSJC(t *testing.T) {
	coords := writeSolveFile(t, "tiny.txt", "4\r\n0 0\r\n0 600\r\n0 1500\r\n2000 2000\r\n")
	demand := writeSolveFile(t, "demand-tiny.dat", "5\r\n4\r\n3\r\n10\r\n")
	out, err := runSolve(t, coords, "--format", "sjc", "--demand", demand, "--problem", "mclp", "--p", "1", "--radius", "800")
	if err != nil {
		t.Fatal(err)
	}
	m := decodeSolveOutput(t, out)
	if m["objective"] != 10.0 || m["bound"] != 10.0 || m["covered"] != 10.0 {
		t.Errorf("p=1: %s", out)
	}
	out, err = runSolve(t, coords, "--format", "sjc", "--demand", demand, "--problem", "mclp", "--p", "2", "--radius", "800")
	if err != nil {
		t.Fatal(err)
	}
	if m = decodeSolveOutput(t, out); m["objective"] != 19.0 || m["n"] != 4.0 || m["m"] != 4.0 {
		t.Errorf("p=2: %s", out)
	}
	out, err = runSolve(t, coords, "--format", "sjc", "--demand", demand, "--problem", "lscp", "--radius", "800", "--time-limit", "5s")
	if err != nil {
		t.Fatal(err)
	}
	if m = decodeSolveOutput(t, out); m["objective"] != 3.0 || m["covered"] != 22.0 {
		t.Errorf("lscp: %s", out)
	}
}

func TestSolveErrors(t *testing.T) {
	good := writeSolveFile(t, "good.json", solveJSON)
	bad := writeSolveFile(t, "bad.json", `{"problem": "mclp", "p": 1, "demand": [{"x": 0, "y": 0}], "candidates": [{"x": 0, "y": 0}],`)
	unknown := writeSolveFile(t, "unknown.json", `{"p": 1, "demand": [{"x": 0, "y": 0, "wieght": 2}], "candidates": [{"x": 0, "y": 0}]}`)
	coords := writeSolveFile(t, "c.txt", "2\n0 0\n1 1\n")
	weights := writeSolveFile(t, "w.dat", "1\n2\n")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown format", []string{good, "--format", "shapefile"}, 2, `unknown format "shapefile" (want orlib-pmed, sscflp`},
		{"no format", []string{coords, "--problem", "mclp"}, 2, "--format is required"},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.json"), "--format", "json"}, 1, "no such file"},
		{"malformed json", []string{bad, "--format", "json"}, 1, "unexpected end of input"},
		{"unknown field", []string{unknown, "--format", "json", "--problem", "mclp", "--radius", "1"}, 1, `unknown field "wieght"`},
		{"p above candidates", []string{good, "--p", "9"}, 1, "p = 9 exceeds the 3 candidate sites"},
		{"negative p", []string{good, "--p", "-1"}, 2, "--p -1"},
		{"bad problem", []string{good, "--problem", "tsp"}, 2, `unknown problem "tsp"`},
		{"sjc without demand", []string{coords, "--format", "sjc", "--problem", "mclp"}, 2, "--demand FILE"},
		{"demand with json", []string{good, "--demand", coords}, 2, "only read with a format that takes a demand file"},
		{"bad stop gap", []string{good, "--stop-gap", "-1"}, 2, "--stop-gap -1"},
		{"bad workers", []string{good, "--workers", "0"}, 2, "--workers 0"},
		{"bad target", []string{good, "--problem", "lscp", "--coverage-target", "1.5"}, 2, "--coverage-target"},
		{"unreachable", []string{good, "--problem", "lscp", "--radius", "1"}, 1, "unreachable"},
		{"no p", []string{coords, "--format", "sjc", "--demand", weights, "--problem", "pmedian"}, 2, "--p is required"},
		{"two files", []string{good, good}, 1, "accepts 1 arg"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := runSolve(t, c.args...)
			if err == nil {
				t.Fatalf("no error; output %s", out)
			}
			if got := solveExitCode(err); got != c.code {
				t.Errorf("exit code %d, want %d (%v)", got, c.code, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want it to mention %q", err, c.want)
			}
			if out != "" {
				t.Errorf("stdout not empty on error: %s", out)
			}
		})
	}
}

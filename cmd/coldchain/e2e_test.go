package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/geodata"
	"github.com/coldchain/coldchain/web"
)

// binary builds coldchain once per test run.
func binary(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "coldchain")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// home makes a COLDCHAIN_HOME the postgres system user can reach.
func home(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "coldchain-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

type cli struct {
	t    *testing.T
	bin  string
	home string
}

func (c cli) run(args ...string) (string, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "COLDCHAIN_HOME="+c.home, "DATABASE_URL=")
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return string(out), code
}

func demoCount(t *testing.T, layer string) int {
	t.Helper()
	b, err := geodata.FS.ReadFile(layer + ".geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	return len(fc.Features)
}

// TestEndToEnd boots the real binary on the embedded cluster: demo load,
// serving, GDAL reading the API, a refused import, graceful shutdown.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary and a PostgreSQL cluster")
	}
	c := cli{t: t, bin: binary(t), home: home(t)}
	t.Cleanup(func() {
		c.run("db", "stop")
		os.RemoveAll(c.home)
	})

	if out, code := c.run("db", "status"); code != 3 || !strings.Contains(out, "no cluster") {
		t.Fatalf("status before start: %d %s", code, out)
	}
	out, code := c.run("demo")
	if code != 0 || !strings.Contains(out, "demo county loaded") {
		t.Fatalf("demo: %d %s", code, out)
	}
	if out, code := c.run("demo"); code != 0 || !strings.Contains(out, "already loaded") {
		t.Fatalf("demo again: %d %s", code, out)
	}
	if out, code := c.run("db", "status"); code != 0 || !strings.Contains(out, "running") {
		t.Fatalf("status: %d %s", code, out)
	}

	// A malformed import is refused with row messages and writes nothing.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("id,operator_type,product_class,annual_output_t,lon,lat\nz1,cooperative,citrus,5,114.2,26.6\nz2,farm,citrus,5,114.2,26.6\n"), 0o644)
	out, code = c.run("import", "producers", bad)
	if code != 1 || !strings.Contains(out, `row 3: operator_type: unknown value "farm"`) || !strings.Contains(out, "nothing imported") {
		t.Fatalf("bad import: %d %s", code, out)
	}
	if out, code := c.run("import", "rivers", bad); code != 2 || !strings.Contains(out, "unknown layer") {
		t.Fatalf("unknown layer: %d %s", code, out)
	}

	checkDemoPlan(t, c)
	checkDeliverables(t, c)

	base, serve, done, logs := startServe(t, c)
	want := checkServedLayer(t, base)
	checkGDAL(t, base, want)

	// Graceful shutdown on SIGTERM.
	serve.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v:\n%s", err, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}
	if !strings.Contains(logs.String(), "shutting down") || !strings.Contains(logs.String(), "msg=request") {
		t.Errorf("logs lack shutdown or request lines:\n%s", logs.String())
	}
	if out, code := c.run("db", "stop"); code != 0 {
		t.Fatalf("db stop: %d %s", code, out)
	}
	if _, code := c.run("db", "status"); code != 3 {
		t.Fatalf("status after stop: %d", code)
	}
}

// startServe starts `coldchain serve` on a free port and waits until it is
// ready; done receives the process's exit.
func startServe(t *testing.T, c cli) (base string, serve *exec.Cmd, done chan error, logs *bytes.Buffer) {
	t.Helper()
	port := freePort(t)
	base = fmt.Sprintf("http://127.0.0.1:%d", port)
	serve = exec.Command(c.bin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	serve.Env = append(os.Environ(), "COLDCHAIN_HOME="+c.home, "DATABASE_URL=")
	logs = &bytes.Buffer{}
	serve.Stdout, serve.Stderr = logs, logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	done = make(chan error, 1)
	go func() { done <- serve.Wait() }()
	t.Cleanup(func() { serve.Process.Kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready:\n%s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}

	return base, serve, done, logs
}

// checkServedLayer checks the served API lists every demo producer and the
// map UI (or the page saying how to build it) is there; it returns the
// number of producers.
func checkServedLayer(t *testing.T, base string) int {
	t.Helper()
	want := demoCount(t, "producers")
	resp, err := http.Get(base + "/api/v1/producers?limit=10000")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var fc struct {
		NumberMatched int               `json:"numberMatched"`
		Features      []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(body, &fc); err != nil || len(fc.Features) != want || fc.NumberMatched != want {
		t.Fatalf("producers: got %d (matched %d), want %d: %v", len(fc.Features), fc.NumberMatched, want, err)
	}
	// The map UI, or (when web/ was not built by make) a page saying so.
	resp, err = http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if web.Built(web.FS()) && resp.StatusCode != 200 || !web.Built(web.FS()) && (resp.StatusCode != 503 || !strings.Contains(string(page), "make")) {
		t.Fatalf("UI (built %v): %d %s", web.Built(web.FS()), resp.StatusCode, page)
	}

	return want
}

// checkGDAL checks that GDAL opens the API's GeoJSON and counts want
// features.
func checkGDAL(t *testing.T, base string, want int) {
	t.Helper()
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo (gdal-bin) is needed in CI")
		}
		t.Log("ogrinfo not installed; skipping the GDAL check")
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "ogrinfo", "-ro", "-so", "-al", "GeoJSON:"+base+"/api/v1/producers?limit=10000").CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(string(out))
		if m == nil || m[1] != fmt.Sprint(want) {
			t.Fatalf("ogrinfo counted %v, want %d:\n%s", m, want, out)
		}
	}

}

// checkDemoPlan runs an MCLP plan for three vegetable pre-cooling sites on
// the demo county through the CLI: covered tonnes rise, the proven gap is
// stated, no site lies in an exclusion zone that applies to field
// facilities, and GDAL opens the exported project list.
func checkDemoPlan(t *testing.T, c cli) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "plan.geojson")
	text, code := c.run("plan", "--problem", "mclp", "--type", "precooling", "--tier", "field",
		"--classes", "leafy_vegetable,hardy_vegetable", "--p", "3", "--threshold", "30", "-o", out)
	if code != 0 {
		t.Fatalf("plan: %d %s", code, text)
	}
	m := regexp.MustCompile(`coverage ([0-9.]+) % -> ([0-9.]+) %`).FindStringSubmatch(text)
	if m == nil || m[2] <= m[1] && m[2] != "100.0" {
		t.Fatalf("coverage did not rise: %s", text)
	}
	if !regexp.MustCompile(`proven bound [0-9.]+; gap [0-9.]+ %`).MatchString(text) {
		t.Fatalf("no proven gap stated: %s", text)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Tier string `json:"tier"`
			} `json:"properties"`
		} `json:"features"`
	}
	// MCLP suggests at most p sites: fewer when they already cover all.
	if err := json.Unmarshal(b, &fc); err != nil || len(fc.Features) < 1 || len(fc.Features) > 3 {
		t.Fatalf("export: %v, %d sites", err, len(fc.Features))
	}
	url, code := c.run("db", "url")
	if code != 0 {
		t.Fatalf("db url: %s", url)
	}
	conn, err := pgx.Connect(context.Background(), strings.TrimSpace(url))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, f := range fc.Features {
		var inside int
		err := conn.QueryRow(context.Background(), `SELECT count(*) FROM exclusion_zone
			WHERE $3 = ANY(applies_to_tiers) AND ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
			f.Geometry.Coordinates[0], f.Geometry.Coordinates[1], f.Properties.Tier).Scan(&inside)
		if err != nil || inside != 0 {
			t.Errorf("site %v lies in %d exclusion zones for %s facilities (%v)", f.Geometry.Coordinates, inside, f.Properties.Tier, err)
		}
	}
	if _, err := exec.LookPath("ogrinfo"); err == nil {
		info, err := exec.Command("ogrinfo", "-ro", "-al", "-so", out).CombinedOutput()
		if err != nil || !strings.Contains(string(info), fmt.Sprintf("Feature Count: %d", len(fc.Features))) {
			t.Fatalf("ogrinfo on the plan export: %v\n%s", err, info)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// proc is a running coldchain process on a test database.
type proc struct {
	cmd  *exec.Cmd
	logs *pgtest.LogBuffer
}

// startProc runs bin with args on the database at url; the test's end
// kills it if it still runs.
func startProc(t testing.TB, bin, url string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(bin, args...), logs: &pgtest.LogBuffer{}}
	p.cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = p.cmd.Process.Kill()
			<-done
		}
	})
	return p
}

// seedProvince stores a small synthetic province: province 39, one
// prefecture, four square counties side by side with 100 producers each
// on a grid, and one small existing cold room. Codes nest by prefix.
func seedProvince(t testing.TB, url string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	square := `ST_Multi(ST_MakeEnvelope($1, 30.0, $2, 30.2, 4326))`
	exec := pgtest.Execer(t, conn)
	exec(`INSERT INTO region (code, name, level, geom) VALUES ('39', 'Test Province', 'province', `+square+`)`, 110.0, 110.8)
	exec(`INSERT INTO region (code, name, level, parent_code, geom) VALUES ('3901', 'Test Prefecture', 'prefecture', '39', `+square+`)`, 110.0, 110.8)
	for c := 0; c < 4; c++ {
		code := fmt.Sprintf("39010%d", c+1)
		x0 := 110.0 + 0.2*float64(c)
		exec(`INSERT INTO region (code, name, level, parent_code, geom) VALUES ($3, $4, 'county', '3901', `+square+`)`,
			x0, x0+0.2, code, "County "+code)
		exec(`INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
		      SELECT $1 || '-' || i || '-' || j, 'cooperative', 'leafy_vegetable', 150 + 10 * ((i * 7 + j * 3) % 5),
		             ST_SetSRID(ST_MakePoint($2 + 0.01 + 0.02 * i, 30.01 + 0.02 * j), 4326)
		        FROM generate_series(0, 9) i, generate_series(0, 9) j`, code, x0)
	}
	exec(`INSERT INTO facility (id, name, facility_type, tier, capacity_chilled_t, geom)
	      VALUES ('F1', 'Old cold room', 'cold_room', 'township', 300, ST_SetSRID(ST_MakePoint(110.1, 30.1), 4326))`)
}

// provincePlan is a capacity plan over the province: the budget is
// shared between the four counties, each a part solved for timeLimit s.
func provincePlan(timeLimit int) string {
	return fmt.Sprintf(`{"problem": "capacity", "facility_type": "cold_room", "tier": "township",
	"product_classes": ["leafy_vegetable"], "budget": 4000, "candidates": "generated", "candidate_hex_km": 1,
	"time_limit_s": %d, "region": "39", "name": "province"}`, timeLimit)
}

// provinceCluster is serve --workers 0 and two workers on one fresh
// database with the synthetic province, and a planner token.
type provinceCluster struct {
	url, base, token string
	serve            *proc
	workers          []*proc
}

func startProvinceCluster(t testing.TB, workers int, rescueAfter string) *provinceCluster {
	t.Helper()
	bin := binary(t)
	pc := &provinceCluster{url: pgtest.URL(t)}
	seedProvince(t, pc.url)
	port := freePort(t)
	pc.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	pc.serve = startProc(t, bin, pc.url, "serve", "--workers", "0", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	waitReady(t, pc.base, pc.serve)
	for i := 0; i < workers; i++ {
		w := startProc(t, bin, pc.url, "worker", "--workers", "1", "--rescue-after", rescueAfter)
		waitLog(t, w, `msg="taking jobs"`, time.Minute)
		pc.workers = append(pc.workers, w)
	}
	tok := exec.Command(bin, "token", "create", "--role", "planner")
	tok.Env = append(os.Environ(), "DATABASE_URL="+pc.url)
	out, err := tok.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	pc.token = strings.TrimSpace(string(out))
	return pc
}

func waitReady(t testing.TB, base string, p *proc) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready:\n%s", p.logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func waitLog(t testing.TB, p *proc, text string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(p.logs.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log:\n%s", text, p.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// submit posts body as a plan and returns its id.
func (pc *provinceCluster) submit(t testing.TB, body string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", pc.base+"/api/v1/plans", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+pc.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 202 {
		t.Fatalf("submit: %d %v %+v", resp.StatusCode, err, p)
	}
	return p.ID
}

// provinceResult is what the tests read of a finished province plan.
type provinceResult struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Result struct {
		Objective float64  `json:"objective"`
		Bound     *float64 `json:"bound"`
		Gap       *float64 `json:"gap"`
		NoBound   bool     `json:"no_bound"`
		After     struct {
			HandledT float64 `json:"handled_t"`
		} `json:"after"`
		Before struct {
			HandledT float64 `json:"handled_t"`
		} `json:"before"`
		Notes []string         `json:"notes"`
		Parts []map[string]any `json:"parts"`
	} `json:"result"`
}

// wait polls plan id until it is done or failed.
func (pc *provinceCluster) wait(t testing.TB, id string, within time.Duration) provinceResult {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(pc.base + "/api/v1/plans/" + id)
		if err != nil {
			t.Fatal(err)
		}
		var p provinceResult
		err = json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if err == nil && (p.Status == "done" || p.Status == "failed") {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("plan %s not finished: %+v %v\nworkers:\n%s\n%s", id, p, err, pc.workers[0].logs.String(), pc.workers[len(pc.workers)-1].logs.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// partsTaken counts the county parts of plan id each log line says its
// worker took.
func partsTaken(p *proc, id string) int {
	re := regexp.MustCompile(`msg="job taken".* plan=` + regexp.QuoteMeta(id) + ` part=([1-9][0-9]*)`)
	return len(re.FindAllString(p.logs.String(), -1))
}

// checkCombined checks a finished province plan: done, four county parts
// all done, the handled tonnes up, and no bound claimed.
func checkCombined(t *testing.T, p provinceResult) {
	t.Helper()
	r := p.Result
	if p.Status != "done" {
		t.Fatalf("province plan %s: %s", p.Status, p.Error)
	}
	if len(r.Parts) != 4 {
		t.Fatalf("%d parts, want the 4 counties: %+v", len(r.Parts), r.Parts)
	}
	for _, part := range r.Parts {
		if part["status"] != "done" || !strings.HasPrefix(part["region"].(string), "39010") {
			t.Errorf("part %+v, want done in a county", part)
		}
	}
	if !r.NoBound || r.Bound != nil || r.Gap != nil {
		t.Errorf("combined plan claims a bound: no_bound %v bound %v gap %v", r.NoBound, r.Bound, r.Gap)
	}
	if !(r.After.HandledT > r.Before.HandledT) {
		t.Errorf("handled %v -> %v: the plan added nothing", r.Before.HandledT, r.After.HandledT)
	}
	if !strings.Contains(strings.Join(r.Notes, "\n"), "border") {
		t.Errorf("notes do not say how the border was handled: %q", r.Notes)
	}
}

// Done-when of issue 16: serve without workers and two worker processes
// share a province plan's county parts, and the plan ends as one
// finished plan with its parts.
func TestProvincePlanOnTwoWorkers(t *testing.T) {
	if testing.Short() {
		t.Skip("boots three processes")
	}
	pc := startProvinceCluster(t, 2, "2m")
	id := pc.submit(t, provincePlan(3))
	p := pc.wait(t, id, 4*time.Minute)
	checkCombined(t, p)
	a, b := partsTaken(pc.workers[0], id), partsTaken(pc.workers[1], id)
	if a == 0 || b == 0 || a+b < 4 {
		t.Fatalf("county parts taken: %d and %d, want both workers to take some of the 4", a, b)
	}
	if strings.Contains(pc.serve.logs.String(), `msg="job taken"`) {
		t.Error("serve --workers 0 took a job")
	}

	// A park-siting run is a job too: serve waits while a worker runs it.
	req, _ := http.NewRequest("POST", pc.base+"/api/v1/parks", strings.NewReader(`{"facility_type": "processing_park", "top": 2, "region": "39"}`))
	req.Header.Set("Authorization", "Bearer "+pc.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 && resp.StatusCode != 422 {
		t.Fatalf("park siting: %d, want 201 or 422 (run and stored by a worker)", resp.StatusCode)
	}
	waitAny(t, pc.workers, regexp.MustCompile(`msg="job taken" .*work=parks`), 5*time.Second)

	// Cancelling through serve stops the parts running in the workers.
	long := pc.submit(t, provincePlan(120))
	waitAny(t, pc.workers, regexp.MustCompile(`msg="job taken" .*plan=`+long+` part=`), time.Minute)
	req, _ = http.NewRequest("POST", pc.base+"/api/v1/plans/"+long+"/cancel", nil)
	req.Header.Set("Authorization", "Bearer "+pc.token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	if p := pc.wait(t, long, time.Minute); p.Status != "failed" || p.Error != "cancelled" {
		t.Fatalf("cancelled plan %s %q", p.Status, p.Error)
	}
	waitAny(t, pc.workers, regexp.MustCompile(`msg="plan part stopped" .*plan=`+long), 15*time.Second)
}

// waitAny waits until one of ps logs a line matching re.
func waitAny(t *testing.T, ps []*proc, re *regexp.Regexp, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, p := range ps {
			if re.MatchString(p.logs.String()) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no worker logged a line matching %s", re)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A worker killed (SIGKILL) while it runs a county part: River rescues
// the part's job, the other worker runs it, and the plan finishes; it is
// never left running.
func TestProvincePlanSurvivesKilledWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("boots three processes")
	}
	pc := startProvinceCluster(t, 2, "30s")
	id := pc.submit(t, provincePlan(5))
	victim := pc.workers[0]
	waitLog(t, victim, "plan="+id+" part=", 2*time.Minute)
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p := pc.wait(t, id, 4*time.Minute)
	checkCombined(t, p)
	rescued := regexp.MustCompile(`msg="job taken".* plan=` + regexp.QuoteMeta(id) + ` part=[1-9][0-9]* .*attempt=2`)
	if !rescued.MatchString(pc.workers[1].logs.String()) {
		t.Errorf("the surviving worker never took the killed worker's part again (attempt 2):\n%s", pc.workers[1].logs.String())
	}
}

// BenchmarkProvincePlanWorkers times one province plan (four county
// parts of a capacity plan, 5 s each) with one worker process and with
// two: go test ./cmd/coldchain -run '^$' -bench ProvincePlanWorkers -benchtime 2x
func BenchmarkProvincePlanWorkers(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			pc := startProvinceCluster(b, n, "2m")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				id := pc.submit(b, provincePlan(5))
				if p := pc.wait(b, id, 10*time.Minute); p.Status != "done" {
					b.Fatalf("plan %s: %s", p.Status, p.Error)
				}
			}
		})
	}
}

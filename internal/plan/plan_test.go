package plan_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var logOut io.Writer = io.Discard

var origin = orb.Point{114.0, 26.5}

func at(bearing, km float64) orb.Point {
	return geo.PointAtBearingAndDistance(origin, bearing, km*1000)
}

// county builds a region where the answer is known. With detour 1 and
// 60 km/h a minute is a kilometre; leafy vegetables must reach a
// pre-cooler within 120 min.
//
//	F1 cold room at the origin; producer Z (500 t) 10 km away: covered.
//	cluster N 200 km north: 3 x 100 t;  candidate cN there (cost 50)
//	cluster E 200 km east:  2 x 200 t;  candidate cE there (cost 50)
//	cluster S 200 km south: 1 x 250 t;  candidate cS there (cost 50)
//	candidate cX 1 km from cluster E but inside an ecological red line.
//	producer W 500 km west: 100 t, nothing within reach.
//
// MCLP with p = 2 opens cE (+400 t) and cN (+300 t): 1200 of 1550 t covered.
func county(t *testing.T) (*pgxpool.Pool, *plan.Service) {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	exec := pgtest.Execer(t, pool)
	exec(`INSERT INTO region (code, name, level, geom) VALUES ('999902', 'Plan County', 'county', ST_Multi(ST_MakeEnvelope(108.5, 24.0, 117.0, 29.0, 4326)))`)
	producer := func(id string, out float64, p orb.Point) {
		exec(`INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
		      VALUES ($1, 'cooperative', 'leafy_vegetable', $2, ST_SetSRID(ST_MakePoint($3, $4), 4326))`, id, out, p[0], p[1])
	}
	near := func(p orb.Point, bearing, km float64) orb.Point {
		return geo.PointAtBearingAndDistance(p, bearing, km*1000)
	}
	n, e, s := at(0, 200), at(90, 200), at(180, 200)
	producer("Z", 500, at(45, 10))
	producer("N1", 100, near(n, 0, 1))
	producer("N2", 100, near(n, 120, 1))
	producer("N3", 100, near(n, 240, 1))
	producer("E1", 200, near(e, 0, 1))
	producer("E2", 200, near(e, 180, 1))
	producer("S1", 250, near(s, 90, 1))
	producer("W1", 100, at(270, 500))
	exec(`INSERT INTO facility (id, name, facility_type, tier, capacity_chilled_t, geom) VALUES ('F1', 'Old cold room', 'cold_room', 'township', 100, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, origin[0], origin[1])
	cand := func(id string, p orb.Point) {
		exec(`INSERT INTO candidate_site (id, name, allowed_tiers, build_cost, land_use, geom)
		      VALUES ($1, $1, '{field,township}', 50, 'construction', ST_SetSRID(ST_MakePoint($2, $3), 4326))`, id, p[0], p[1])
	}
	cand("cN", n)
	cand("cE", e)
	cand("cS", s)
	x := near(e, 90, 1)
	cand("cX", x)
	exec(`INSERT INTO exclusion_zone (id, kind, applies_to_tiers, geom)
	      VALUES ('red', 'ecological_redline', '{field,township,county,prefecture,national}',
	              ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint($1, $2), 4326), 0.003)))`, x[0], x[1])
	svc, err := plan.NewService(ctx, pool, access.NewGeodesic(1, 60), slog.New(slog.NewTextHandler(logOut, nil)), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return pool, svc
}

func mclpRequest() plan.Request {
	return plan.Request{Problem: "mclp", FacilityType: "precooling", Tier: "field",
		ProductClasses: []string{"leafy_vegetable"}, P: 2, Candidates: "user", Seed: 7}
}

type site struct {
	CandidateID string           `json:"candidate_id"`
	Explanation plan.Explanation `json:"explanation"`
}

func sites(t *testing.T, r plan.Result) map[string]plan.Explanation {
	t.Helper()
	fc, err := geojson.UnmarshalFeatureCollection(r.Sites)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]plan.Explanation{}
	for _, f := range fc.Features {
		var s site
		b, _ := json.Marshal(f.Properties)
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		out[s.CandidateID] = s.Explanation
	}
	return out
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestMCLPPlanByHand(t *testing.T) {
	pool, svc := county(t)
	ctx := context.Background()
	p, err := svc.Run(ctx, mclpRequest())
	if err != nil {
		t.Fatal(err)
	}
	r := doneResult(t, p)
	near(t, "objective (covered t)", r.Objective, 1200, 1e-6)
	if r.Bound < r.Objective-1e-6 || r.Gap < 0 || r.Gap > 1e-6 {
		t.Errorf("bound %v gap %v: want a proven optimum on this small instance", r.Bound, r.Gap)
	}
	checkMCLPByHandSites(t, r)
	checkMCLPByHandChange(t, r)
	if r.Instance.ExcludedCandidates != 1 || r.Instance.UnreachableDemand != 1 {
		t.Errorf("instance %+v: want cX excluded and W1 unreachable", r.Instance)
	}

	// The stored plan is immutable and the layers were not touched.
	if _, err := pool.Exec(ctx, `UPDATE plan SET result = '{}' WHERE id = $1`, p.ID); err == nil {
		t.Error("a finished plan was changed")
	}
	var facilities int
	pool.QueryRow(ctx, `SELECT count(*) FROM facility`).Scan(&facilities)
	if facilities != 1 {
		t.Errorf("facilities: %d, want the 1 existing", facilities)
	}
	checkMCLPByHandExports(t, p)
}

// checkMCLPByHandSites checks the sites TestMCLPPlanByHand's plan chose
// (cE and cN, never cX) and their explanations.
func checkMCLPByHandSites(t *testing.T, r plan.Result) {
	got := sites(t, r)
	if len(got) != 2 || got["cE"].ServesT == 0 || got["cN"].ServesT == 0 {
		t.Fatalf("chose %v, want cE and cN", got)
	}
	if _, ok := got["cX"]; ok {
		t.Fatal("chose cX inside the ecological red line")
	}
	e, n := got["cE"], got["cN"]
	near(t, "cE serves", e.ServesT, 400, 1e-9)
	near(t, "cN serves", n.ServesT, 300, 1e-9)
	if e.ServesProducers != 2 || n.ByClass["leafy_vegetable"].Producers != 3 {
		t.Errorf("served producers: cE %d, cN %+v", e.ServesProducers, n.ByClass)
	}
	near(t, "cE marginal", e.MarginalGain, 400, 1e-9)
	near(t, "cN marginal", n.MarginalGain, 300, 1e-9)
	// The runner-up of each is cS (250 t): cE's place costs 150 t, cN's 50 t.
	if e.RunnerUp == nil || e.RunnerUp.ID != "cS" || math.Abs(e.RunnerUp.Loss-150) > 1e-6 {
		t.Errorf("cE runner-up %+v, want cS losing 150", e.RunnerUp)
	}
	if n.RunnerUp == nil || n.RunnerUp.ID != "cS" || math.Abs(n.RunnerUp.Loss-50) > 1e-6 {
		t.Errorf("cN runner-up %+v, want cS losing 50", n.RunnerUp)
	}
	if n.NearestExisting == nil || n.NearestExisting.ID != "F1" || math.Abs(n.NearestExisting.Minutes-200) > 2 {
		t.Errorf("cN nearest existing %+v, want F1 at ~200 min", n.NearestExisting)
	}
}

// checkMCLPByHandChange checks the before/after figures of
// TestMCLPPlanByHand's plan.
func checkMCLPByHandChange(t *testing.T, r plan.Result) {
	c := r.Change
	if c.NewlyCoveredProducers != 5 {
		t.Errorf("newly covered producers %d, want 5", c.NewlyCoveredProducers)
	}
	near(t, "newly covered t", c.NewlyCoveredT, 700, 1e-9)
	near(t, "coverage before", c.CoverageRateBefore, 500.0/1550, 1e-9)
	near(t, "coverage after", c.CoverageRateAfter, 1200.0/1550, 1e-9)
	// N and E producers went from ~200 min to ~1 min; S1 and Z unchanged; W1 none.
	if c.ImprovedProducers != 5 || c.ImprovedOver15Min != 5 {
		t.Errorf("improved %d (>15 min %d), want 5 and 5", c.ImprovedProducers, c.ImprovedOver15Min)
	}
	near(t, "capacity added", c.CapacityAddedT["chilled"], 100, 1e-9) // 2 x 50 t precooling default
	near(t, "build cost", c.BuildCost, 100, 1e-9)
}

// checkMCLPByHandExports checks the GeoJSON project list and CSV exports of
// TestMCLPPlanByHand's plan.
func checkMCLPByHandExports(t *testing.T, p *plan.Plan) {
	var buf bytes.Buffer
	if err := plan.WriteGeoJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
	if err != nil || len(fc.Features) != 2 || fc.Features[0].Properties["candidate_id"] != "cE" || fc.Features[0].Properties["serves_t"] != 400.0 {
		t.Fatalf("geojson export: %v %s", err, buf.String())
	}
	buf.Reset()
	if err := plan.WriteCSV(&buf, p); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 3 || recs[1][2] != "cE" {
		t.Fatalf("csv export: %v %v", err, recs)
	}
}

func TestPlanValidation(t *testing.T) {
	pool, svc := county(t)
	ctx := context.Background()
	count := func() int {
		var n int
		pool.QueryRow(ctx, `SELECT count(*) FROM plan`).Scan(&n)
		return n
	}
	bad := []struct {
		name string
		edit func(*plan.Request)
		want string
	}{
		{"unknown class", func(r *plan.Request) { r.ProductClasses = []string{"durian"} }, `unknown class "durian"`},
		{"unknown problem", func(r *plan.Request) { r.Problem = "magic" }, "unknown problem"},
		{"no p", func(r *plan.Request) { r.P = 0 }, "p ≥ 1"},
		{"bad tier", func(r *plan.Request) { r.Tier = "galactic" }, "tier"},
		{"bad target", func(r *plan.Request) { r.Problem = "lscp"; r.CoverageTarget = 1.5 }, "coverage_target"},
		{"zone mismatch", func(r *plan.Request) { r.Zones = []string{"frozen"} }, "can store leafy_vegetable"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			req := mclpRequest()
			b.edit(&req)
			before := count()
			_, err := svc.Submit(ctx, req)
			if !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), b.want) {
				t.Fatalf("error %v, want ErrInvalid saying %q", err, b.want)
			}
			if count() != before {
				t.Error("a malformed request was stored")
			}
		})
	}
	infeasible := []struct {
		name string
		edit func(*plan.Request)
		want string
	}{
		{"budget", func(r *plan.Request) { r.Budget = 10 }, "below the cheapest"},
		{"lscp unreachable", func(r *plan.Request) { r.Problem = "lscp"; r.CoverageTarget = 1 }, "unreachable"},
		{"empty region", func(r *plan.Request) { r.ProductClasses = []string{"tea"} }, "has no producers of tea"},
		{"p above candidates", func(r *plan.Request) { r.P = 9 }, "only 3 candidate sites"},
	}
	for _, b := range infeasible {
		t.Run(b.name, func(t *testing.T) {
			req := mclpRequest()
			b.edit(&req)
			// The CLI's Run says so at once; a submitted plan is prepared
			// on the queue and stored as failed with the reason.
			p, err := svc.Run(ctx, req)
			var inf *plan.InfeasibleError
			if !errors.As(err, &inf) || !strings.Contains(err.Error(), b.want) || p == nil || inf.PlanID != p.ID {
				t.Fatalf("run: error %v, want an InfeasibleError saying %q", err, b.want)
			}
			queued, err := svc.Submit(ctx, req)
			if err != nil {
				t.Fatalf("submit: %v", err)
			}
			stored := waitFinished(t, svc, queued.ID)
			if stored.Status != "failed" || !strings.Contains(stored.Error, b.want) {
				t.Fatalf("stored plan %+v, want failed saying %q", stored, b.want)
			}
		})
	}
	var producers int
	pool.QueryRow(ctx, `SELECT count(*) FROM producer`).Scan(&producers)
	if producers != 8 {
		t.Errorf("producers changed: %d", producers)
	}
}

func TestSubmitRunsInBackgroundAndCompares(t *testing.T) {
	_, svc := county(t)
	ctx := context.Background()
	done := make(chan string, 4)
	svc.Finished = func(id, status string) {
		if status != "done" {
			p, _ := svc.Get(context.Background(), id)
			t.Logf("plan %s %s: %s", id, status, p.Error)
		}
		done <- status
	}
	a, err := svc.Submit(ctx, mclpRequest())
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != "queued" && a.Status != "running" {
		t.Errorf("new plan status %s", a.Status)
	}
	req := mclpRequest()
	req.Problem, req.P = "pmedian", 1
	b, err := svc.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		select {
		case s := <-done:
			if s != "done" {
				t.Fatalf("plan finished %s", s)
			}
		case <-time.After(2 * time.Minute):
			t.Fatal("plans did not finish")
		}
	}
	sums, err := svc.Compare(ctx, []string{a.ID, b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) != 2 || sums[0].Sites != 2 || sums[1].Sites != 1 || sums[0].CoverageAfter <= sums[0].CoverageBefore {
		t.Fatalf("compare %+v", sums)
	}
	if err := svc.Cancel(ctx, a.ID); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("cancelling a finished plan: %v", err)
	}
	if _, err := svc.Get(ctx, "not-a-uuid"); !errors.Is(err, derrors.ErrNotFound) {
		t.Errorf("bad id: %v", err)
	}
}

// waitFinished polls plan id until it is done or failed.
func waitFinished(t *testing.T, svc *plan.Service, id string) *plan.Plan {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		p, err := svc.Get(context.Background(), id)
		if err == nil && (p.Status == "done" || p.Status == "failed") {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("plan %s did not finish: %+v, %v", id, p, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// doneResult fails the test unless plan p is done, and returns its result.
func doneResult(t testing.TB, p *plan.Plan) plan.Result {
	t.Helper()
	if p.Status != "done" {
		t.Fatalf("plan %s: status %s: %s", p.ID, p.Status, p.Error)
	}
	var r plan.Result
	if err := json.Unmarshal(p.Result, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

package plan_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	synth "github.com/coldchain/coldchain/geodata/province"
	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// province builds province 39 with two counties side by side, where the
// answer is known (a minute is a kilometre, threshold 30 min):
//
//	west 390101: A1 300 t beside candidate cA; A2 100 t beside cB, 110 km away
//	east 390102: B1 200 t beside candidate cC
//
// Split by output (400 : 200 t), p = 2 gives each county one site: cA
// and cC, 500 t covered; p = 3 gives the west two: all 600 t.
func province(t *testing.T) (*pgxpool.Pool, *plan.Service) {
	t.Helper()
	return provinceLogged(t, quiet())
}

// provinceLogged is province with its service logging to log.
func provinceLogged(t *testing.T, log *slog.Logger) (*pgxpool.Pool, *plan.Service) {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	exec := pgtest.Execer(t, pool)
	square := `ST_Multi(ST_MakeEnvelope($1, 30.0, $2, 31.0, 4326))`
	exec(`INSERT INTO region (code, name, level, geom) VALUES ('39', 'P', 'province', `+square+`)`, 110.0, 112.0)
	exec(`INSERT INTO region (code, name, level, parent_code, geom) VALUES ('390101', 'West', 'county', '39', `+square+`)`, 110.0, 111.0)
	exec(`INSERT INTO region (code, name, level, parent_code, geom) VALUES ('390102', 'East', 'county', '39', `+square+`)`, 111.0, 112.0)
	producer := func(id string, t float64, x, y float64) {
		exec(`INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
		      VALUES ($1, 'cooperative', 'leafy_vegetable', $2, ST_SetSRID(ST_MakePoint($3, $4), 4326))`, id, t, x, y)
	}
	cand := func(id string, x, y float64) {
		exec(`INSERT INTO candidate_site (id, name, allowed_tiers, build_cost, land_use, geom)
		      VALUES ($1, $1, '{field,township}', 50, 'construction', ST_SetSRID(ST_MakePoint($2, $3), 4326))`, id, x, y)
	}
	producer("A1", 300, 110.1, 30.1)
	cand("cA", 110.1, 30.11)
	producer("A2", 100, 110.9, 30.9)
	cand("cB", 110.9, 30.89)
	producer("B1", 200, 111.5, 30.5)
	cand("cC", 111.5, 30.51)
	svc, err := plan.NewService(ctx, pool, access.NewGeodesic(1, 60), log, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return pool, svc
}

func provinceRequest(p int) plan.Request {
	return plan.Request{Problem: "mclp", FacilityType: "precooling", Tier: "field", Region: "39", ThresholdMinutes: 30,
		ProductClasses: []string{"leafy_vegetable"}, P: p, Candidates: "user", Seed: 7}
}

// A province plan is split by county (p shared by output, largest
// remainders), each part solved and proven on its own, and combined into
// one plan measured on the whole province that claims no bound.
func TestProvincePlanByCounty(t *testing.T) {
	var log pgtest.LogBuffer
	_, svc := provinceLogged(t, slog.New(slog.NewTextHandler(&log, nil)))
	ctx := context.Background()
	for _, tc := range []struct {
		p       int
		parts   []int // p of each county
		covered float64
	}{{2, []int{1, 1}, 500}, {3, []int{2, 1}, 600}} {
		sub, err := svc.Submit(ctx, provinceRequest(tc.p))
		if err != nil {
			t.Fatal(err)
		}
		p := waitFinished(t, svc, sub.ID)
		res := doneResult(t, p)
		if pp := p.Parts; pp == nil || pp.Total != 2 || pp.Done != 2 || pp.Running != 0 {
			t.Errorf("p=%d: parts progress %+v, want 2 parts, both done", tc.p, pp)
		}
		if len(res.Parts) != 2 {
			t.Fatalf("p=%d: parts %+v", tc.p, res.Parts)
		}
		for i, part := range res.Parts {
			if part.Status != "done" || part.P != tc.parts[i] || part.Gap != 0 {
				t.Errorf("p=%d part %d: %+v, want done with p=%d, proven (gap 0)", tc.p, i+1, part, tc.parts[i])
			}
		}
		near(t, "objective (sum of the parts)", res.Objective, tc.covered, 1e-6)
		near(t, "covered after, measured on the province", res.After.CoveredT-res.Before.CoveredT, tc.covered, 1e-6)
		var raw map[string]any
		if err := json.Unmarshal(p.Result, &raw); err != nil {
			t.Fatal(err)
		}
		if b, ok := raw["bound"]; !res.NoBound || !ok || b != nil || raw["gap"] != nil {
			t.Errorf("p=%d: the combined plan states a bound: no_bound %v, bound %v, gap %v", tc.p, res.NoBound, raw["bound"], raw["gap"])
		}
		// Its log line says so too (it said gap=0); the line follows
		// the stored result.
		done := "msg=\"plan done\" plan=" + sub.ID + " "
		for i := 0; i < 100 && !strings.Contains(log.String(), done); i++ {
			time.Sleep(20 * time.Millisecond)
		}
		if line := lineWith(log.String(), done); !strings.Contains(line, " gap=none ") {
			t.Errorf("p=%d: the combined plan's log line %q, want gap=none", tc.p, line)
		}
		sums, err := svc.Compare(ctx, []string{sub.ID})
		if err != nil || len(sums) != 1 || !sums[0].NoBound || sums[0].Bound != nil || sums[0].Gap != nil || sums[0].Parts != 2 {
			t.Errorf("p=%d: summary for lists and comparisons %+v (%v), want no bound or gap and 2 parts", tc.p, sums, err)
		}
	}
}

// lineWith returns the line of log holding s ("" when none does).
func lineWith(log, s string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// Requests over several regions are checked when submitted; a problem
// that does not split runs whole over a province, and a list of regions
// of it is refused.
func TestProvinceRequestChecks(t *testing.T) {
	_, svc := province(t)
	ctx := context.Background()
	bad := []struct {
		name string
		edit func(*plan.Request)
		want string
	}{
		{"both", func(r *plan.Request) { r.Regions = []string{"390101"} }, "not both"},
		{"twice", func(r *plan.Request) { r.Region, r.Regions = "", []string{"390101", "390101"} }, "twice"},
		{"code", func(r *plan.Request) { r.Region, r.Regions = "", []string{"39x"} }, "administrative code"},
		{"pcenter list", func(r *plan.Request) { r.Problem, r.Region, r.Regions = "pcenter", "", []string{"390101", "390102"} }, "does not split"},
		{"unknown", func(r *plan.Request) { r.Region, r.Regions = "", []string{"390101", "390199"} }, "not found"},
		{"too many", func(r *plan.Request) {
			r.Region = ""
			for i := 0; i <= plan.MaxRegions; i++ {
				r.Regions = append(r.Regions, "39")
			}
		}, "at most"},
	}
	for _, b := range bad {
		req := provinceRequest(2)
		b.edit(&req)
		_, err := svc.Submit(ctx, req)
		if !(errors.Is(err, derrors.ErrInvalid) || errors.Is(err, derrors.ErrNotFound)) || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: %v, want a 4xx error saying %q", b.name, err, b.want)
		}
	}
	if n, _ := svc.List(ctx, 10); len(n) != 0 {
		t.Errorf("refused requests stored %d plans", len(n))
	}
	req := provinceRequest(2)
	req.Problem = "pcenter"
	sub, err := svc.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	p := waitFinished(t, svc, sub.ID)
	var res plan.Result
	_ = json.Unmarshal(p.Result, &res)
	if p.Status != "done" || len(res.Parts) != 0 || res.NoBound {
		t.Fatalf("p-center over the province: %s %s, %d parts, want one whole instance", p.Status, p.Error, len(res.Parts))
	}
}

// A capacity plan over a synthetic province, run in the caller as
// coldchain plan runs it: each part counts only its county's producers
// against the stores it shares across borders, so the parts' own handled
// tonnes overstate the province's; the combined objective is the measure
// on the whole province, as every capacity plan's is.
func TestProvinceCapacityObjectiveIsMeasure(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	o := synth.Default()
	o.Counties, o.Producers, o.Seed = 4, 2000, 5
	p, err := synth.Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Load(ctx, &layer.Store{Pool: pool}, p); err != nil {
		t.Fatal(err)
	}
	svc, err := plan.Open(ctx, pool, access.NewGeodesic(1.3, 40), quiet(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	req := plan.Request{Problem: "capacity", FacilityType: "cold_room", Tier: "township", ProductClasses: []string{"citrus"},
		Budget: 1000, Region: "39", TimeLimitS: 3, Seed: 1}
	pl, err := svc.RunWith(ctx, req, plan.RunOptions{Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	res := doneResult(t, pl)
	sum := 0.0
	for _, part := range res.Parts {
		sum += part.Objective
	}
	if len(res.Parts) != 4 || !res.NoBound {
		t.Fatalf("%d parts, no_bound %v: want the 4 counties and no bound", len(res.Parts), res.NoBound)
	}
	near(t, fmt.Sprintf("objective (the parts' own objectives sum to %.0f t)", sum), res.Objective, res.After.HandledT, 1e-6*res.After.HandledT)
	if !strings.Contains(strings.Join(res.Notes, "\n"), "the objective is the measure recomputed on the whole region") {
		t.Errorf("the notes do not say what the objective is: %q", res.Notes)
	}
}

// A province with more producers than one measure takes is still planned
// by county; the combined plan says that its figures were not measured on
// the whole province, and coverage of the province is refused with a
// message that says what to do.
func TestProvinceTooLargeForOneMeasure(t *testing.T) {
	pool, svc := province(t)
	ctx := context.Background()
	old := coverage.MaxProducers
	coverage.MaxProducers = 2 // the west county has 2 producers, the province 3
	t.Cleanup(func() { coverage.MaxProducers = old })
	_, err := coverage.Load(ctx, pool, coverage.Filter{Region: "39"})
	if !errors.Is(err, coverage.ErrTooLarge) || !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), "measure its prefectures or counties") {
		t.Fatalf("coverage of the province: %v, want a refusal that says to measure its parts", err)
	}
	if _, err := coverage.Load(ctx, pool, coverage.Filter{Region: "390101"}); err != nil {
		t.Fatalf("coverage of a county within the limit: %v", err)
	}
	sub, err := svc.Submit(ctx, provinceRequest(2))
	if err != nil {
		t.Fatal(err)
	}
	res := doneResult(t, waitFinished(t, svc, sub.ID))
	near(t, "objective (sum of the parts)", res.Objective, 500, 1e-6)
	if len(res.Parts) != 2 || !res.NoBound || !strings.Contains(strings.Join(res.Notes, " | "), "not measured") {
		t.Errorf("parts %d, no_bound %v, notes %q: want 2 parts, no bound and a note that the figures were not measured", len(res.Parts), res.NoBound, res.Notes)
	}
}

package plan_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// storeCounty loads a county worked out by hand (a minute is a kilometre):
//
//	S1 ventilated store at the origin, cool 90 t, any class
//	C1 citrus 60 t, all in November, 5 km north: stock 90 t in Nov (45 days)
//	H1 hardy veg 30 t, all in May, 5 km south: stock 90 t in May (90 days)
//	H2 hardy veg 30 t, all in November, 20 km west: stock 90 t in Nov
//	C2 citrus 120 t, November, 400 km east: stock 180 t
//	C3 citrus 40 t, November, 400 km west: stock 60 t
//	cE, cW candidates 1 km from C2 and C3 (800 km apart: beyond citrus's 12 h)
//
// S1 is shared across classes and months: H1 in May, C1 in November (C1
// is nearer than H2, so it claims the store first). Before any plan:
// citrus handled 60 of 220 t, hardy veg 30 of 60 t.
func storeCounty(t *testing.T) (*pgxpool.Pool, *plan.Service) {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	exec := pgtest.Execer(t, pool)
	exec(`INSERT INTO region (code, name, level, geom) VALUES ('999903', 'Store County', 'county', ST_Multi(ST_MakeEnvelope(105.0, 23.0, 123.0, 30.0, 4326)))`)
	month := func(m int) []float64 {
		s := make([]float64, 12)
		s[m-1] = 1
		return s
	}
	producer := func(id, class string, out float64, harvest []float64, p orb.Point) {
		exec(`INSERT INTO producer (id, operator_type, product_class, annual_output_t, harvest_months, geom)
		      VALUES ($1, 'cooperative', $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326))`, id, class, out, harvest, p[0], p[1])
	}
	producer("C1", "citrus", 60, month(11), at(0, 5))
	producer("H1", "hardy_vegetable", 30, month(5), at(180, 5))
	producer("H2", "hardy_vegetable", 30, month(11), at(270, 20))
	producer("C2", "citrus", 120, month(11), at(90, 400))
	producer("C3", "citrus", 40, month(11), at(270, 400))
	exec(`INSERT INTO facility (id, name, facility_type, tier, capacity_cool_t, geom) VALUES ('S1', 'Shared store', 'ventilated_store', 'township', 90, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, origin[0], origin[1])
	for id, p := range map[string]orb.Point{"cE": at(90, 401), "cW": at(270, 401)} {
		exec(`INSERT INTO candidate_site (id, name, allowed_tiers, build_cost, land_use, geom)
		      VALUES ($1, $1, '{township}', 100, 'construction', ST_SetSRID(ST_MakePoint($2, $3), 4326))`, id, p[0], p[1])
	}
	svc, err := plan.NewService(ctx, pool, access.NewGeodesic(1, 60), slog.New(slog.NewTextHandler(io.Discard, nil)), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return pool, svc
}

// TestSharedStoreMeasure checks the measure figure by figure, and that a
// class filter selects rows without changing how the store is shared.
func TestSharedStoreMeasure(t *testing.T) {
	pool, _ := storeCounty(t)
	ctx := context.Background()
	model := access.NewGeodesic(1, 60)
	byClass := func(classes ...string) map[string]coverage.ClassSummary {
		d, err := coverage.Load(ctx, pool, coverage.Filter{Classes: classes})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := coverage.Compute(ctx, model, d, coverage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]coverage.ClassSummary{}
		for _, c := range rep.Classes {
			out[c.Class] = c
		}
		return out
	}
	all := byClass()
	near(t, "citrus handled", all["citrus"].HandledT, 60, 1e-6)
	near(t, "hardy handled", all["hardy_vegetable"].HandledT, 30, 1e-6)
	near(t, "hardy handling rate", all["hardy_vegetable"].HandlingRate, 0.5, 1e-9)
	hardy := byClass("hardy_vegetable")
	if _, ok := hardy["citrus"]; ok || len(hardy) != 1 {
		t.Fatalf("class filter reported %v", hardy)
	}
	near(t, "hardy handled with a class filter", hardy["hardy_vegetable"].HandledT, 30, 1e-6)
}

func capacityRequest() plan.Request {
	return plan.Request{Problem: "capacity", FacilityType: "ventilated_store", Tier: "township",
		ProductClasses: []string{"citrus"}, Candidates: "user", Seed: 3, TimeLimitS: 5,
		CapacityMenu: []plan.Module{{CapacityT: 200, BuildCost: 100}}}
}

func runPlan(t *testing.T, svc *plan.Service, req plan.Request) (*plan.Plan, plan.Result) {
	t.Helper()
	p, err := svc.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var r plan.Result
	if p.Status == "done" {
		if err := json.Unmarshal(p.Result, &r); err != nil {
			t.Fatal(err)
		}
	}
	return p, r
}

// siteIDs lists a plan's sites' candidate (or expanded facility) ids.
func siteIDs(t *testing.T, r plan.Result) []string {
	t.Helper()
	fc, err := geojson.UnmarshalFeatureCollection(r.Sites)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fc.Features {
		ids = append(ids, f.Properties.MustString("candidate_id", ""))
	}
	return ids
}

func TestCapacityPlanByHand(t *testing.T) {
	_, svc := storeCounty(t)
	cases := []struct {
		name   string
		edit   func(*plan.Request)
		sites  string
		obj    float64 // citrus tonnes handled (budget) or build cost (target)
		handle float64 // citrus handled after (t)
	}{
		// A budget that buys one of two sites: cE gains 180 × 2/3 = 120 t, cW only 40.
		{"budget buys one of two", func(r *plan.Request) { r.Budget = 150; r.NoExpansions = true }, "cE", 180, 180},
		// Expanding S1 by 200 t for 40 is cheaper than a new build; with
		// cE both fit in 150 and every tonne of citrus is handled.
		{"expansion and site", func(r *plan.Request) {
			r.Budget = 150
			r.ExpansionMenu = []plan.Module{{CapacityT: 200, BuildCost: 40}}
		}, "S1,cE", 220, 220},
		// With 50 only the expansion fits: S1 holds 290 t in November,
		// C1 90 and H2 90 first, then C2 and C3 share 110 t: 60 + 73.3.
		{"budget buys the expansion", func(r *plan.Request) {
			r.Budget = 50
			r.ExpansionMenu = []plan.Module{{CapacityT: 200, BuildCost: 40}}
		}, "S1", 60 + 110*2.0/3, 60 + 110*2.0/3},
		// Least cost to handle 80 % (176 t): cE alone (180 t) for 100.
		{"target", func(r *plan.Request) {
			r.HandlingTarget = 0.8
			r.ExpansionMenu = []plan.Module{{CapacityT: 200, BuildCost: 40}}
		}, "cE", 100, 180},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := capacityRequest()
			tc.edit(&req)
			p, r := runPlan(t, svc, req)
			if p.Status != "done" {
				t.Fatalf("plan %s: %s", p.Status, p.Error)
			}
			got := siteIDs(t, r)
			if strings.Join(sortedCopy(got), ",") != tc.sites {
				t.Errorf("sites %v, want %s", got, tc.sites)
			}
			near(t, "objective", r.Objective, tc.obj, 1e-6)
			near(t, "citrus handled after", r.After.HandledT, tc.handle, 1e-6)
			near(t, "citrus handled before", r.Before.HandledT, 60, 1e-6)
			if r.Bound < r.Objective-1e-6 && r.Mode == "budget" || r.Bound > r.Objective+1e-6 && r.Mode == "target" {
				t.Errorf("bound %v on the wrong side of the objective %v (%s)", r.Bound, r.Objective, r.Mode)
			}
			if r.Change.BuildCost > req.Budget && req.Budget > 0 {
				t.Errorf("build cost %v over the budget %v", r.Change.BuildCost, req.Budget)
			}
		})
	}
}

func TestCapacityPlanErrors(t *testing.T) {
	_, svc := storeCounty(t)
	ctx := context.Background()
	req := capacityRequest()
	if _, err := svc.Run(ctx, req); !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), "budget or handling_target") {
		t.Errorf("neither budget nor target: %v", err)
	}
	// Only 100 t modules and no expansions: November has 90 + 100 + 100 t
	// of store for 330 t of citrus stock. C1 (5 km north) also reaches cW
	// 401 km west, so every tonne of store fills: 290 × 2/3 = 193.3 of
	// 220 t, 87.9 %.
	req.HandlingTarget, req.NoExpansions = 1, true
	req.CapacityMenu = []plan.Module{{CapacityT: 100, BuildCost: 100}}
	_, err := svc.Run(ctx, req)
	var inf *plan.InfeasibleError
	if !errors.As(err, &inf) || !strings.Contains(err.Error(), "87.9 %") {
		t.Errorf("unreachable target: %v, want a stored failure naming the highest share 87.9 %%", err)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	slices.Sort(out)
	return out
}

package httpapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// planServer serves a small county: a township with one cold room near
// three vegetable farms, and a remote cluster of farms with two
// candidate sites.
func planServer(t *testing.T) string {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	for _, sql := range []string{
		`INSERT INTO region (code, name, level, geom) VALUES ('999903', 'API County', 'county', ST_Multi(ST_MakeEnvelope(113.9, 26.4, 114.6, 26.8, 4326))),
		  ('999903101', 'Near', 'township', ST_Multi(ST_MakeEnvelope(113.9, 26.4, 114.2, 26.8, 4326))),
		  ('999903102', 'Far', 'township', ST_Multi(ST_MakeEnvelope(114.2, 26.4, 114.6, 26.8, 4326)))`,
		`INSERT INTO facility (id, name, facility_type, tier, capacity_chilled_t, geom) VALUES ('F1', 'Cold room', 'cold_room', 'township', 300, ST_SetSRID(ST_MakePoint(114.0, 26.5), 4326))`,
		`INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom) VALUES
		  ('a', 'cooperative', 'leafy_vegetable', 300, ST_SetSRID(ST_MakePoint(114.01, 26.5), 4326)),
		  ('b', 'cooperative', 'leafy_vegetable', 200, ST_SetSRID(ST_MakePoint(114.0, 26.51), 4326)),
		  ('c', 'family_farm', 'berry', 50, ST_SetSRID(ST_MakePoint(114.02, 26.52), 4326)),
		  ('d', 'cooperative', 'leafy_vegetable', 400, ST_SetSRID(ST_MakePoint(114.55, 26.75), 4326)),
		  ('e', 'cooperative', 'leafy_vegetable', 250, ST_SetSRID(ST_MakePoint(114.56, 26.76), 4326))`,
		`INSERT INTO candidate_site (id, name, allowed_tiers, build_cost, land_use, geom) VALUES
		  ('c1', 'Far town', '{field}', 40, 'construction', ST_SetSRID(ST_MakePoint(114.555, 26.755), 4326)),
		  ('c2', 'Between', '{field}', 40, 'construction', ST_SetSRID(ST_MakePoint(114.3, 26.6), 4326))`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	// 20 km/h makes the far cluster (~60 km away) over two hours from F1.
	model := access.NewGeodesic(1.3, 20)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := plan.NewService(ctx, pool, model, log, 1, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	ts := httptest.NewServer(httpapi.New(pool, model, svc, log, "test", nil).Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestCoverageAndGapsAPI(t *testing.T) {
	base := planServer(t)
	status, _, body := do(t, "GET", base+"/api/v1/coverage?region=999903", "")
	if status != 200 {
		t.Fatalf("coverage: %d %s", status, body)
	}
	var rep struct {
		Totals struct {
			OutputT      float64 `json:"output_t"`
			CoveredT     float64 `json:"covered_t"`
			CoverageRate float64 `json:"coverage_rate"`
		} `json:"totals"`
		Regions []struct {
			Region       string  `json:"region"`
			CoverageRate float64 `json:"coverage_rate"`
		} `json:"regions"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	// a, b, c are minutes from F1; d and e are not (1200 t in all).
	if rep.Totals.OutputT != 1200 || rep.Totals.CoveredT != 550 || len(rep.Regions) != 2 || rep.Regions[1].CoverageRate != 0 {
		t.Fatalf("coverage %+v", rep)
	}
	status, h, body := do(t, "GET", base+"/api/v1/gaps?region=999903&month=4&hex_km=3", "")
	if status != 200 || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("gaps: %d %s", status, body)
	}
	var gaps struct {
		Type     string `json:"type"`
		Features []struct {
			Properties struct {
				UncoveredT float64 `json:"uncovered_t"`
				Producers  int     `json:"producers"`
			} `json:"properties"`
		} `json:"features"`
		Tables struct {
			Gaps []struct {
				Month int `json:"month"`
			} `json:"gaps"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(body, &gaps); err != nil || gaps.Type != "FeatureCollection" || len(gaps.Features) == 0 {
		t.Fatalf("gaps: %v %s", err, body)
	}
	n := 0
	for _, f := range gaps.Features {
		n += f.Properties.Producers
	}
	if n != 2 {
		t.Errorf("hexagons hold %d uncovered producers, want 2 (d, e)", n)
	}
	for _, g := range gaps.Tables.Gaps {
		if g.Month != 4 {
			t.Fatalf("gap table has month %d with month=4", g.Month)
		}
	}
	for _, q := range []string{"month=13", "hex_km=0.01", "class=durian", "region=12"} {
		status, h, body := do(t, "GET", base+"/api/v1/gaps?"+q, "")
		if status != 400 && status != 404 {
			t.Errorf("%s: %d %s", q, status, body)
		}
		_ = h
	}
}

func waitPlan(t *testing.T, base, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		_, _, body := do(t, "GET", base+"/api/v1/plans/"+id, "")
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if p["status"] == "done" || p["status"] == "failed" {
			return p
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("plan did not finish")
	return nil
}

func TestPlansAPI(t *testing.T) {
	base := planServer(t)
	req := `{"problem": "mclp", "facility_type": "precooling", "tier": "field", "product_classes": ["leafy_vegetable"], "p": 1, "candidates": "user"}`
	status, h, body := do(t, "POST", base+"/api/v1/plans", req)
	if status != 202 || !strings.HasPrefix(h.Get("Location"), "/api/v1/plans/") {
		t.Fatalf("submit: %d %s", status, body)
	}
	var created struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	json.Unmarshal(body, &created)
	p := waitPlan(t, base, created.ID)
	if p["status"] != "done" {
		t.Fatalf("plan %v", p)
	}
	res := p["result"].(map[string]any)
	// Covered tonnes: a and b by the existing cold room, d and e by c1.
	if res["objective"].(float64) != 1150 || res["gap"] == nil || res["bound"] == nil {
		t.Errorf("result objective %v bound %v gap %v, want 1150 covered", res["objective"], res["bound"], res["gap"])
	}
	status, h, body = do(t, "GET", base+"/api/v1/plans/"+created.ID+"/export.geojson", "")
	if status != 200 || !strings.Contains(h.Get("Content-Disposition"), ".geojson") || !strings.Contains(string(body), `"candidate_id":"c1"`) {
		t.Fatalf("export geojson: %d %s", status, body)
	}
	status, _, body = do(t, "GET", base+"/api/v1/plans/"+created.ID+"/export.csv", "")
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if status != 200 || err != nil || len(recs) != 2 || recs[1][2] != "c1" {
		t.Fatalf("export csv: %d %v %q", status, err, body)
	}

	status, _, body = do(t, "POST", base+"/api/v1/plans", strings.Replace(strings.Replace(req, `"p": 1`, `"p": 2`, 1), "mclp", "pmedian", 1))
	if status != 202 {
		t.Fatalf("second plan: %d %s", status, body)
	}
	var second struct{ ID string }
	json.Unmarshal(body, &second)
	waitPlan(t, base, second.ID)
	status, _, body = do(t, "GET", base+"/api/v1/plans?compare="+created.ID+","+second.ID, "")
	var cmp struct {
		Plans []struct {
			ID            string  `json:"id"`
			Sites         int     `json:"sites"`
			CoverageAfter float64 `json:"coverage_rate_after"`
		} `json:"plans"`
	}
	if err := json.Unmarshal(body, &cmp); status != 200 || err != nil || len(cmp.Plans) != 2 || cmp.Plans[0].Sites != 1 || cmp.Plans[1].Sites != 2 {
		t.Fatalf("compare: %d %s", status, body)
	}

	checkPlanProblems(t, base, req)
	status, h, body = do(t, "GET", base+"/api/v1/plans/00000000-0000-0000-0000-000000000000", "")
	wantProblem(t, status, h, body, 404, "not found")
	status, h, body = do(t, "POST", base+"/api/v1/plans/"+created.ID+"/cancel", "")
	wantProblem(t, status, h, body, 409, "already done")
}

// checkPlanProblems submits bad plan requests: malformed ones are 400
// without a plan; ones the data cannot meet are found while a worker
// prepares the plan, which the request waits for: 422 with the failed
// plan's id, the plan stored as failed with the reason.
func checkPlanProblems(t *testing.T, base, req string) {
	t.Helper()
	for _, tc := range []struct {
		body   string
		status int
		detail string
	}{
		{`{"problem": "mclp"`, 400, "plan request"},
		{`{"problem": "mclp", "colour": "red"}`, 400, "unknown field"},
		{strings.Replace(req, "leafy_vegetable", "durian", 1), 400, "unknown class"},
		{strings.Replace(req, `"p": 1`, `"p": 1, "budget": 5`, 1), 422, "below the cheapest"},
		{`{"problem": "mclp", "facility_type": "precooling", "tier": "field", "product_classes": ["tea"], "p": 1}`, 422, "no producers of tea"},
	} {
		status, h, body := do(t, "POST", base+"/api/v1/plans", tc.body)
		wantProblem(t, status, h, body, tc.status, tc.detail)
		var withID struct {
			PlanID string `json:"plan_id"`
		}
		json.Unmarshal(body, &withID)
		if (tc.status == 422) != (withID.PlanID != "") {
			t.Errorf("%s: plan_id %q", tc.body, withID.PlanID)
		}
		if withID.PlanID == "" {
			continue
		}
		if p := waitPlan(t, base, withID.PlanID); p["status"] != "failed" || !strings.Contains(fmt.Sprint(p["error"]), tc.detail) {
			t.Errorf("%s: plan %v, want failed saying %q", tc.body, p, tc.detail)
		}
	}
}

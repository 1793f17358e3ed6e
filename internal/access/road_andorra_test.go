package access_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/roads"
)

// place is a named settlement of the extract.
type place struct {
	id, name, kind string
	at             orb.Point
}

// osmPlaces reads the towns, villages and hamlets of an extract.
func osmPlaces(t *testing.T, path string) []place {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := osmpbf.New(context.Background(), f, 1)
	sc.SkipWays, sc.SkipRelations = true, true
	defer sc.Close()
	var out []place
	for sc.Scan() {
		n := sc.Object().(*osm.Node)
		switch k := n.Tags.Find("place"); k {
		case "town", "village", "hamlet":
			out = append(out, place{id: "n" + strings.TrimPrefix(n.ID.FeatureID().String(), "node/"), name: n.Tags.Find("name"), kind: k, at: orb.Point{n.Lon, n.Lat}})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAndorraAsANewUser imports a real OpenStreetMap extract, puts demand
// in its villages and hamlets and a pre-cooling store in its largest town,
// and measures coverage and plans three more stores, on roads.
func TestAndorraAsANewUser(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "osm", "andorra.osm.pbf")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the OpenStreetMap extract is missing: %v", err)
		}
		t.Skipf("the OpenStreetMap extract is missing: %v", err)
	}
	ctx := context.Background()
	pool := pgtest.Pool(t)
	start := time.Now()
	n, err := roads.ReadOSM(ctx, path, roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := roads.Store(ctx, pool, n, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("import: %s in %v", n.Stats.Summary(), time.Since(start))

	counts := storeAndorraPlaces(t, pool, osmPlaces(t, path))
	if counts["village"] < 20 || counts["town"] < 5 {
		t.Fatalf("places %v", counts)
	}
	model := access.NewRoad(pool, 0, 0, nil)
	checkAndorraSnapping(t, pool, model)
	checkAndorraCoverage(t, pool, model, counts["village"]+counts["hamlet"])
	checkAndorraPlan(t, pool, model)
}

// storeAndorraPlaces stores producers in the villages and hamlets, the
// pre-cooling store in Andorra la Vella and candidate sites everywhere
// else; it returns the number of places by kind.
func storeAndorraPlaces(t *testing.T, pool *pgxpool.Pool, places []place) map[string]int {
	exec := pgtest.Execer(t, pool)
	counts := map[string]int{}
	for _, p := range places {
		counts[p.kind]++
		output := 120.0
		if p.kind == "hamlet" {
			output = 30
		}
		if p.kind != "town" {
			exec(`INSERT INTO producer (id, name, operator_type, product_class, annual_output_t, geom)
			      VALUES ($1, $2, 'smallholders', 'leafy_vegetable', $3, ST_SetSRID(ST_MakePoint($4, $5), 4326))`, p.id, p.name, output, p.at[0], p.at[1])
		}
		if p.name == "Andorra la Vella" {
			exec(`INSERT INTO facility (id, name, facility_type, tier, capacity_chilled_t, geom)
			      VALUES ('F-alv', 'Andorra la Vella pre-cooling', 'precooling', 'field', 100, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, p.at[0], p.at[1])
		} else {
			exec(`INSERT INTO candidate_site (id, name, allowed_tiers, allowed_types, land_use, build_cost, geom)
			      VALUES ($1, $2, '{field}', '{precooling}', 'construction', 50, ST_SetSRID(ST_MakePoint($3, $4), 4326))`, "c"+p.id, p.name, p.at[0], p.at[1])
		}
	}
	return counts
}

// checkAndorraSnapping checks that 9 in 10 points of every layer are near
// a road.
func checkAndorraSnapping(t *testing.T, pool *pgxpool.Pool, model *access.Road) {
	ctx := context.Background()
	g, err := model.Graph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := g.Report(ctx, pool, model.SnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Layers {
		t.Logf("snapping %s: %d of %d within %.0f m (median %.0f m, max %.0f m), %d beyond %v", l.Layer, l.Snapped, l.Total, rep.LimitMetres, l.MedianMetres, l.MaxMetres, l.Beyond, l.Unreachable)
		if l.Total > 0 && l.Snapped < l.Total*9/10 {
			t.Errorf("%s: only %d of %d near a road", l.Layer, l.Snapped, l.Total)
		}
	}
}

// checkAndorraCoverage measures pre-cooling within 15 minutes, as the crow
// flies and on roads: every one of the producers counts, and some but not
// all are covered.
func checkAndorraCoverage(t *testing.T, pool *pgxpool.Pool, model *access.Road, producers int) {
	ctx := context.Background()
	d, err := coverage.Load(ctx, pool, coverage.Filter{Thresholds: map[string]float64{"leafy_vegetable": 15}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []access.Model{access.NewGeodesic(0, 0), model} {
		start := time.Now()
		cov, err := coverage.Compute(ctx, m, d, coverage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tot := cov.Totals
		t.Logf("coverage (%s): %d producers, %.0f t; covered %.1f %%, handled %.1f %%, median access %.1f min, %d without access; %v",
			cov.Travel, tot.Producers, tot.OutputT, 100*tot.CoverageRate, 100*tot.HandlingRate, tot.MedianAccessMinutes, tot.NoAccessProducers, time.Since(start))
		if tot.Producers != producers || tot.CoverageRate <= 0 || tot.CoverageRate >= 1 {
			t.Errorf("coverage %+v", tot)
		}
	}
}

// checkAndorraPlan plans three more stores (MCLP, 15 minutes on roads) and
// checks that they raise coverage.
func checkAndorraPlan(t *testing.T, pool *pgxpool.Pool, model *access.Road) {
	ctx := context.Background()
	svc, err := plan.NewService(ctx, pool, model, slog.New(slog.NewTextHandler(io.Discard, nil)), 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	start := time.Now()
	p, err := svc.Run(ctx, plan.Request{Problem: "mclp", FacilityType: "precooling", Tier: "field",
		ProductClasses: []string{"leafy_vegetable"}, P: 3, ThresholdMinutes: 15, Candidates: "user", Seed: 1, TimeLimitS: 10})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != "done" {
		t.Fatalf("plan %s: %s", p.Status, p.Error)
	}
	var r plan.Result
	if err := json.Unmarshal(p.Result, &r); err != nil {
		t.Fatal(err)
	}
	c := r.Change
	t.Logf("plan mclp p=3 within 15 min: objective %.0f t, bound %.0f, gap %.2f %%; coverage %.1f %% -> %.1f %%, %d villages newly covered; %v",
		r.Objective, r.Bound, r.Gap, 100*c.CoverageRateBefore, 100*c.CoverageRateAfter, c.NewlyCoveredProducers, time.Since(start))
	var fc struct{ Features []json.RawMessage }
	if err := json.Unmarshal(r.Sites, &fc); err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 3 || c.CoverageRateAfter <= c.CoverageRateBefore || c.NewlyCoveredProducers == 0 {
		t.Errorf("plan: %d sites, coverage %v -> %v", len(fc.Features), c.CoverageRateBefore, c.CoverageRateAfter)
	}
	if !strings.HasPrefix(r.Instance.Travel, "road network") {
		t.Errorf("the plan does not say it used road travel times: %q", r.Instance.Travel)
	}
}

package plan_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/geodata"
	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"

	"errors"
)

// demo loads the demo county's layers (geodesic travel, no roads).
func demo(t *testing.T) (*pgxpool.Pool, *plan.Service) {
	t.Helper()
	pool := pgtest.Pool(t)
	ctx := context.Background()
	st := &layer.Store{Pool: pool}
	for _, l := range layer.All {
		if l.ReadOnly {
			continue
		}
		f, err := geodata.FS.Open(l.Name + ".geojson")
		if err != nil {
			t.Fatal(err)
		}
		_, err = ingest.Import(ctx, st, l, f, ingest.Options{Format: ingest.GeoJSON})
		f.Close()
		if err != nil {
			t.Fatalf("demo %s: %v", l.Name, err)
		}
	}
	svc, err := plan.NewService(ctx, pool, access.NewGeodesic(0, 0), slog.New(slog.NewTextHandler(io.Discard, nil)), 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return pool, svc
}

// TestCapacityDemo runs the capacity plan the planners asked for on the
// demo county, adopts it, and checks that coverage with planned facilities
// reproduces the plan's after figures.
func TestCapacityDemo(t *testing.T) {
	pool, svc := demo(t)
	ctx := context.Background()
	req := plan.Request{Problem: "capacity", FacilityType: "ventilated_store", Tier: "township",
		ProductClasses: []string{"citrus"}, Budget: 3000, TimeLimitS: 5}
	p, r := runPlan(t, svc, req)
	if p.Status != "done" {
		t.Fatalf("plan %s: %s", p.Status, p.Error)
	}
	ids := siteIDs(t, r)
	t.Logf("%d sites, build cost %.0f, citrus handling %.1f %% -> %.1f %%, objective %.0f t, bound %.0f, gap %.1f %%, %.1f s",
		len(ids), r.Change.BuildCost, 100*r.Before.HandlingRate, 100*r.After.HandlingRate, r.Objective, r.Bound, r.Gap, r.Seconds)
	if len(ids) == 0 || r.Change.BuildCost > 3000 || !(r.After.HandlingRate > r.Before.HandlingRate) {
		t.Fatalf("sites %v, build cost %v, handling %v -> %v", ids, r.Change.BuildCost, r.Before.HandlingRate, r.After.HandlingRate)
	}
	near(t, "objective (no priority: tonnes handled)", r.Objective, r.After.HandledT, 1e-6*r.Objective)
	if r.Bound < r.Objective {
		t.Errorf("bound %v below the objective %v", r.Bound, r.Objective)
	}

	ad, err := svc.Adopt(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ad.Facilities)+len(ad.Expansions) != len(ids) {
		t.Errorf("adopted %v for %d sites", ad, len(ids))
	}
	if _, err := svc.Adopt(ctx, p.ID); !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("second adoption: %v, want a conflict", err)
	}
	d, err := coverage.Load(ctx, pool, coverage.Filter{Classes: []string{"citrus"}, Statuses: []string{"existing", "planned"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := coverage.Compute(ctx, access.NewGeodesic(0, 0), d, coverage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := math.Abs(rep.Totals.HandlingRate - r.After.HandlingRate); diff > 0.001 {
		t.Errorf("coverage with planned facilities: handling %.4f, the plan's after %.4f", rep.Totals.HandlingRate, r.After.HandlingRate)
	}
}

// TestCFLPDemo: a capacitated plan for citrus stores never answers a
// silent 0 sites: existing stores without cool capacity, or full with
// other classes, do not count as unlimited; a budget below full service
// names the budget full service needs.
func TestCFLPDemo(t *testing.T) {
	_, svc := demo(t)
	req := plan.Request{Problem: "cflp", FacilityType: "ventilated_store", Tier: "township",
		ProductClasses: []string{"citrus"}, TimeLimitS: 5}
	p, r := runPlan(t, svc, req)
	if p.Status != "done" {
		t.Fatalf("plan %s: %s", p.Status, p.Error)
	}
	t.Logf("cflp: %d sites, build cost %.0f, citrus handling %.1f %% -> %.1f %%, gap %.2f %%",
		len(siteIDs(t, r)), r.Change.BuildCost, 100*r.Before.HandlingRate, 100*r.After.HandlingRate, r.Gap)
	if len(siteIDs(t, r)) == 0 || !(r.After.HandlingRate > r.Before.HandlingRate) {
		t.Errorf("cflp suggests %d sites, handling %v -> %v", len(siteIDs(t, r)), r.Before.HandlingRate, r.After.HandlingRate)
	}
	req.Budget = r.Change.BuildCost / 4
	_, err := svc.Run(context.Background(), req)
	var inf *plan.InfeasibleError
	if !errors.As(err, &inf) || !strings.Contains(err.Error(), "full service needs a budget of") {
		t.Errorf("budget below full service: %v", err)
	}
}

package coverage_test

import (
	"context"
	"testing"

	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// TestPovertyFlagsFromVillagePoints: villages known only as points get
// derived areas, so each producer takes the flag of the village nearest
// to it within its township, by its region code alone.
func TestPovertyFlagsFromVillagePoints(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	for _, sql := range []string{
		`INSERT INTO region (code, name, level, geom) VALUES
		  ('999801', 'Flag County', 'county', ST_Multi(ST_MakeEnvelope(113.0, 26.0, 113.4, 26.2, 4326))),
		  ('999801101', 'Flag Township', 'township', ST_Multi(ST_MakeEnvelope(113.0, 26.0, 113.4, 26.2, 4326)))`,
		`INSERT INTO region (code, name, level, parent_code, poverty_exit, geom) VALUES
		  ('999801101201', 'Poor Village', 'village', '999801101', true, ST_SetSRID(ST_MakePoint(113.05, 26.1), 4326)),
		  ('999801101202', 'Other Village', 'village', '999801101', false, ST_SetSRID(ST_MakePoint(113.35, 26.1), 4326))`,
		`INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom) VALUES
		  ('near-poor', 'cooperative', 'citrus', 100, ST_SetSRID(ST_MakePoint(113.15, 26.05), 4326)),
		  ('near-other', 'cooperative', 'citrus', 100, ST_SetSRID(ST_MakePoint(113.25, 26.15), 4326))`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	d, err := coverage.Load(ctx, pool, coverage.Filter{Region: "999801"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"near-poor": true, "near-other": false}
	for _, p := range d.Producers {
		if w, ok := want[p.ID]; ok && p.PovertyExit != w {
			t.Errorf("%s (region %s): poverty exit %v, want %v", p.ID, p.Region, p.PovertyExit, w)
		}
		delete(want, p.ID)
	}
	if len(want) > 0 {
		t.Errorf("producers not loaded: %v", want)
	}
}

package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestSchemaConstraints(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	var version string
	if err := pool.QueryRow(ctx, `SELECT postgis_lib_version()`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostGIS %s", version)

	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM product_class`).Scan(&n); err != nil || n != 12 {
		t.Fatalf("product classes: %d, %v", n, err)
	}
	ok := `INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
	       VALUES ('p1', 'cooperative', 'citrus', 10, ST_SetSRID(ST_MakePoint(114, 26), 4326))`
	if _, err := pool.Exec(ctx, ok); err != nil {
		t.Fatalf("valid producer refused: %v", err)
	}
	var shares []float64
	if err := pool.QueryRow(ctx, `SELECT harvest_months FROM producer WHERE id = 'p1'`).Scan(&shares); err != nil || len(shares) != 12 {
		t.Fatalf("class default harvest months not applied: %v %v", shares, err)
	}
	bad := []struct{ name, sql string }{
		{"negative output", `INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom) VALUES ('p2','cooperative','citrus',-1, ST_SetSRID(ST_MakePoint(114,26),4326))`},
		{"unknown class", `INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom) VALUES ('p2','cooperative','durian',1, ST_SetSRID(ST_MakePoint(114,26),4326))`},
		{"unknown operator", `INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom) VALUES ('p2','farm','citrus',1, ST_SetSRID(ST_MakePoint(114,26),4326))`},
		{"shares off", `INSERT INTO producer (id, operator_type, product_class, annual_output_t, harvest_months, geom) VALUES ('p2','cooperative','citrus',1, '{0.5,0.5,0.5,0,0,0,0,0,0,0,0,0}', ST_SetSRID(ST_MakePoint(114,26),4326))`},
		{"wrong SRID", `INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom) VALUES ('p2','cooperative','citrus',1, ST_SetSRID(ST_MakePoint(114,26),3857))`},
		{"bowtie polygon", `INSERT INTO exclusion_zone (id, kind, applies_to_tiers, geom) VALUES ('x1','flood','{county}', ST_GeomFromText('MULTIPOLYGON(((0 0,1 1,1 0,0 1,0 0)))',4326))`},
		{"facility unknown class", `INSERT INTO facility (id, facility_type, tier, product_classes, geom) VALUES ('f1','cold_room','field','{durian}', ST_SetSRID(ST_MakePoint(114,26),4326))`},
		{"candidate bad tier", `INSERT INTO candidate_site (id, allowed_tiers, land_use, geom) VALUES ('c1','{galactic}','farmland', ST_SetSRID(ST_MakePoint(114,26),4326))`},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			_, err := pool.Exec(ctx, b.sql)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(postgres.Translate(err, "row"), derrors.ErrInvalid) {
				t.Errorf("not translated to ErrInvalid: %v", err)
			}
		})
	}
}

func TestPlanImmutable(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	var id string
	if err := pool.QueryRow(ctx, `INSERT INTO plan (params, status, result) VALUES ('{}', 'done', '{}') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, err := pool.Exec(ctx, `UPDATE plan SET result = '{"x":1}' WHERE id = $1`, id)
	if !errors.Is(postgres.Translate(err, "plan"), derrors.ErrConflict) {
		t.Fatalf("finished plan changed or wrong error: %v", err)
	}
}

// Rows an interrupted import left dead, with the statistics lost as after
// a crash, are gone after Vacuum: the table shrinks back.
func TestVacuumAfterInterruptedImport(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
		SELECT 'p' || i, 'cooperative', 'citrus', 10, ST_SetSRID(ST_MakePoint(114 + i * 1e-6, 26), 4326)
		  FROM generate_series(1, 50000) i`); err != nil {
		t.Fatal(err)
	}
	tx.Rollback(ctx)
	if _, err := pool.Exec(ctx, `SELECT pg_stat_reset()`); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		var n int64
		if err := pool.QueryRow(ctx, `SELECT pg_relation_size('producer')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := size()
	if before < 1<<20 {
		t.Fatalf("the rolled-back import left only %d bytes: nothing to test", before)
	}
	if err := postgres.Vacuum(ctx, pool, []string{"producer"}); err != nil {
		t.Fatal(err)
	}
	if after := size(); after > before/10 {
		t.Errorf("producer holds %d bytes after vacuum (%d before): dead rows stayed", after, before)
	}
}

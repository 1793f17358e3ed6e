package province_test

import (
	"context"
	"testing"
	"time"

	"github.com/coldchain/coldchain/geodata/province"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestLoad loads the default province through the importer: every feature
// is accepted, every village gets a derived area, and every producer,
// facility and candidate is assigned the village area of the county its id
// names.
func TestLoad(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	p := generate(t, province.Default())
	start := time.Now()
	counts, err := province.Load(ctx, &layer.Store{Pool: pool}, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %v in %v", counts, time.Since(start).Round(time.Millisecond))
	for _, name := range province.LayerNames {
		if counts[name] != int64(len(p.Layers[name])) {
			t.Errorf("%s: loaded %d of %d", name, counts[name], len(p.Layers[name]))
		}
	}
	var villages, derived, invalid int
	err = pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE level = 'village'), count(*) FILTER (WHERE derived),
	        count(*) FILTER (WHERE NOT ST_IsValid(geom)) FROM region`).Scan(&villages, &derived, &invalid)
	if err != nil {
		t.Fatal(err)
	}
	if villages == 0 || derived != villages || invalid != 0 {
		t.Errorf("%d villages, %d derived areas, %d invalid regions", villages, derived, invalid)
	}
	for _, table := range []string{"producer", "facility", "candidate_site"} {
		var wrong int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM `+table+`
		  WHERE region_code IS NULL OR length(region_code) <> 12 OR left(region_code, 6) <> substr(id, 2, 6)`).Scan(&wrong)
		if err != nil {
			t.Fatal(err)
		}
		if wrong != 0 {
			t.Errorf("%s: %d features without the village of their county", table, wrong)
		}
	}
}

package parks_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/parks"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// TestDerivedTownships runs park siting on a county whose townships are
// known only by their points: the township table covers the ten derived
// areas and their areas add up to the county's.
func TestDerivedTownships(t *testing.T) {
	pool := pgtest.Pool(t)
	ctx := context.Background()
	st := &layer.Store{Pool: pool}
	dir := filepath.Join("..", "ingest", "testdata", "pointcounty")
	for _, f := range []struct{ layer, file string }{
		{"regions", "county-datav-gcj02.geojson"}, {"regions", "townships-gcj02.csv"}, {"producers", "producers-gcj02.csv"},
	} {
		r, err := os.Open(filepath.Join(dir, f.file))
		if err != nil {
			t.Fatal(err)
		}
		l, _ := layer.ByName(f.layer)
		_, err = ingest.Import(ctx, st, l, r, ingest.Options{Format: ingest.DetectFormat(f.file), Datum: datum.GCJ02})
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.file, err)
		}
	}
	svc := &parks.Service{Pool: pool, Travel: access.NewGeodesic(0, 0), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	p, err := svc.Run(ctx, parks.Request{FacilityType: "processing_park", HexKm: 2})
	if err != nil {
		t.Fatal(err)
	}
	r, err := parks.ReadResult(p)
	if err != nil {
		t.Fatal(err)
	}
	var countyKm2, sum float64
	if err := pool.QueryRow(ctx, `SELECT ST_Area(geom::geography) / 1e6 FROM region WHERE code = '369905'`).Scan(&countyKm2); err != nil {
		t.Fatal(err)
	}
	for _, tw := range r.Townships {
		sum += tw.AreaKm2
	}
	t.Logf("%d townships, %.1f km² of %.1f km²", len(r.Townships), sum, countyKm2)
	if len(r.Townships) != 10 || math.Abs(sum-countyKm2) > 0.02*countyKm2 {
		t.Errorf("%d townships covering %.1f km², want 10 covering the county's %.1f km²", len(r.Townships), sum, countyKm2)
	}
}

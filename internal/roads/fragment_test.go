package roads_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/internal/roads"
)

// TestSnapPrefersMainNetwork: a stray track fragment lies 30 m from a
// producer, the connected road 100 m. The producer joins the connected
// road and reaches the facility through it; a second producer whose only
// road within the limit is another fragment is reported as such, and the
// snapping report counts each producer once.
func TestSnapPrefersMainNetwork(t *testing.T) {
	a := corner
	pts := map[string]orb.Point{"A": a, "B": at(a, 90, 3), "D": at(a, 0, 3)}
	pts["C"] = at(pts["B"], 0, 3)
	midDA := at(a, 0, 1.5)
	near := at(midDA, 270, 0.1) // 100 m west of the square's west side
	far := at(midDA, 270, 1.0)  // 1 km west of it
	line := func(id, highway string, p, q orb.Point) string {
		return fmt.Sprintf(`{"type":"Feature","id":"%s","properties":{"highway":"%s"},
			"geometry":{"type":"LineString","coordinates":[[%.9f,%.9f],[%.9f,%.9f]]}}`, id, highway, p[0], p[1], q[0], q[1])
	}
	// Fragments: 200 m north-south tracks, 30 m west of near and 50 m
	// west of far, joined to nothing.
	frag := func(id string, mid orb.Point) string { return line(id, "track", at(mid, 0, 0.1), at(mid, 180, 0.1)) }
	fc := `{"type":"FeatureCollection","features":[` + strings.Join([]string{
		line("AB", "tertiary", pts["A"], pts["B"]), line("BC", "tertiary", pts["B"], pts["C"]),
		line("CD", "tertiary", pts["C"], pts["D"]), line("DA", "tertiary", pts["D"], pts["A"]),
		frag("F1", at(near, 270, 0.03)), frag("F2", at(far, 270, 0.05)),
	}, ",") + `]}`
	n, err := roads.ReadGeoJSON(strings.NewReader(fc), "fragments.geojson", roads.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pool := pgtest.Pool(t)
	ctx := context.Background()
	if err := roads.Store(ctx, pool, n, roads.StoreOptions{}); err != nil {
		t.Fatal(err)
	}
	g := load(t, pool)
	if g.Components() != 3 || g.MainVertices() != 4 {
		t.Fatalf("%d components, main %d vertices; want 3 and 4", g.Components(), g.MainVertices())
	}
	opt := roads.PairOptions{SnapMetres: 500}
	s, ok := g.Snap(near, opt.SnapMetres)
	if !ok || s.Fragment || math.Abs(s.Metres-100) > 2 {
		t.Errorf("near producer: snap %+v (%v), want the main road 100 m away", s, ok)
	}
	s, ok = g.Snap(far, opt.SnapMetres)
	if !ok || !s.Fragment || s.FragmentVertices != 2 || math.Abs(s.Metres-50) > 2 {
		t.Errorf("far producer: snap %+v (%v), want the 2-vertex fragment 50 m away", s, ok)
	}

	// near reaches the facility at C: 100 m off road (0.4 min at 15 km/h),
	// 1.5 km north to D and 3 km east to C at 30 km/h (9 min).
	pairs, err := g.Pairs(ctx, []orb.Point{near, far}, []orb.Point{pts["C"]}, []float64{60, 60}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) != 1 || pairs[0].From != 0 || math.Abs(pairs[0].Minutes-9.4) > 0.05 {
		t.Errorf("pairs %+v, want only the near producer, in 9.4 min", pairs)
	}

	// pgRouting, snapped by PostGIS, agrees.
	pg, err := roads.PairsPgRouting(ctx, pool, nil, []orb.Point{near, far}, []orb.Point{pts["C"]}, []float64{60, 60}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != 1 || pg[0].From != 0 || math.Abs(pg[0].Minutes-9.4) > 0.05 {
		t.Errorf("pgRouting pairs %+v, want only the near producer, in 9.4 min", pg)
	}

	for id, p := range map[string]orb.Point{"P-near": near, "P-far": far} {
		if _, err := pool.Exec(ctx, `INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
			VALUES ($1, 'family_farm', 'fruit', 10, ST_SetSRID(ST_MakePoint($2, $3), 4326))`, id, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := g.Report(ctx, pool, opt.SnapMetres)
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Layers[0]
	if p.Total != 2 || p.Snapped != 1 || p.OnFragment != 1 || p.Beyond != 0 || len(p.Fragments) != 1 {
		t.Fatalf("report %+v, want 1 of 2 snapped to the main network and 1 on a fragment", p)
	}
	if f := p.Fragments[0]; f.ID != "P-far" || f.FragmentVertices != 2 || math.Abs(f.Metres-50) > 2 || math.Abs(f.MainMetres-1000) > 10 {
		t.Errorf("fragment entry %+v", f)
	}
}

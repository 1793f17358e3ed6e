package roads

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/postgres"
)

// PairsPgRouting answers the same question as Graph.Pairs in the
// database, the way a pgRouting user would: pgr_withPointsCost computes
// many-to-many travel times with the points inserted into the graph as
// (edge, fraction), and pairs over each origin's limit are dropped. With g
// nil the points also snap in PostGIS (a KNN search for the nearest edge,
// ST_LineLocatePoint for the fraction); with g they snap in process, so
// that both methods route between the same places (for cross-checks).
//
// It exists to measure pgRouting against the in-process search (see the
// benchmarks and docs/roads.md); the access model uses Graph.Pairs. Km is
// not computed (0): pgr_withPointsCost returns one aggregate cost per pair.
func PairsPgRouting(ctx context.Context, pool *pgxpool.Pool, g *Graph, from, to []orb.Point, maxMinutes []float64, opt PairOptions) ([]Pair, error) {
	opt = opt.withDefaults()
	if len(from) != len(maxMinutes) {
		return nil, fmt.Errorf("roads: %d origins but %d limits", len(from), len(maxMinutes))
	}
	if len(from) == 0 || len(to) == 0 {
		return nil, nil
	}
	all := append(append([]orb.Point(nil), from...), to...)
	var out []Pair
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var err error
		if g != nil {
			err = pgrSnapInProcess(ctx, tx, g, all, opt)
		} else {
			err = pgrSnapInPostGIS(ctx, tx, all, opt)
		}
		if err != nil {
			return err
		}
		ends, err := pgrReadSnaps(ctx, tx, len(from), len(all), maxMinutes, opt)
		if err != nil || len(ends.starts) == 0 || len(ends.ends) == 0 {
			return err
		}
		out, err = ends.costs(ctx, tx)
		return err
	})
	if err != nil {
		return nil, postgres.Translate(err, "pgRouting travel times")
	}
	slices.SortFunc(out, byOriginMinutesDest)
	return out, nil
}

// byOriginMinutesDest orders pairs by origin, then time, then destination.
func byOriginMinutesDest(a, b Pair) int {
	switch {
	case a.From != b.From:
		return int(a.From - b.From)
	case a.Minutes < b.Minutes:
		return -1
	case a.Minutes > b.Minutes:
		return 1
	}
	return int(a.To - b.To)
}

// pgrSnapInProcess fills the temporary table rp_snap (pid, edge_id,
// fraction, d) with the points snapped by g; pid k+1 is point k.
func pgrSnapInProcess(ctx context.Context, tx pgx.Tx, g *Graph, all []orb.Point, opt PairOptions) error {
	var pids, edges []int64
	var fracs, dists []float64
	for k, p := range all {
		if s, ok := g.Snap(p, opt.SnapMetres); ok {
			pids = append(pids, int64(k+1))
			edges = append(edges, g.edges[s.Edge].id)
			fracs = append(fracs, s.Frac)
			dists = append(dists, s.Metres)
		}
	}
	_, err := tx.Exec(ctx, `CREATE TEMP TABLE rp_snap ON COMMIT DROP AS
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::float8[], $4::float8[]) AS t(pid, edge_id, fraction, d)`,
		pids, edges, fracs, dists)
	return err
}

// pgrSnapInPostGIS fills the temporary table rp_snap (pid, edge_id,
// fraction, d) with the points snapped in PostGIS; pid k+1 is point k.
func pgrSnapInPostGIS(ctx context.Context, tx pgx.Tx, all []orb.Point, opt PairOptions) error {
	xs := make([]float64, len(all))
	ys := make([]float64, len(all))
	for i, p := range all {
		xs[i], ys[i] = p[0], p[1]
	}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE rp_point ON COMMIT DROP AS
		SELECT n AS pid, ST_SetSRID(ST_MakePoint(x, y), 4326) AS g
		  FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS t(x, y, n)`, xs, ys); err != nil {
		return err
	}
	// Like Graph.Snap, points join the largest connected component when it
	// is within the limit (pgr_connectedComponents), else the nearest road.
	// The KNN operator orders by planar degrees; the geodesic distance picks
	// the nearest of the few candidates it returns.
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE rp_main ON COMMIT DROP AS
		WITH cc AS (SELECT component, node FROM pgr_connectedComponents('SELECT id, source, target, cost, reverse_cost FROM road')),
		     main AS (SELECT component FROM cc GROUP BY component ORDER BY count(*) DESC, component LIMIT 1)
		SELECT r.id FROM road r JOIN cc ON cc.node = r.source JOIN main USING (component)`); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `CREATE TEMP TABLE rp_snap ON COMMIT DROP AS
		SELECT DISTINCT ON (p.pid) p.pid, c.id AS edge_id, ST_LineLocatePoint(c.geom, p.g) AS fraction, c.d
		  FROM rp_point p
		  CROSS JOIN LATERAL (
		    (SELECT r.id, r.geom, ST_Distance(r.geom::geography, p.g::geography) AS d, 0 AS pref
		       FROM road r WHERE r.id IN (SELECT id FROM rp_main) ORDER BY r.geom <-> p.g LIMIT 5)
		    UNION ALL
		    (SELECT r.id, r.geom, ST_Distance(r.geom::geography, p.g::geography) AS d, 1 AS pref
		       FROM road r ORDER BY r.geom <-> p.g LIMIT 5)) c
		 WHERE c.d <= $1
		 ORDER BY p.pid, c.pref, c.d, c.id`, opt.SnapMetres)
	return err
}

// pgrEnds are the snapped points as pgRouting sees them. pgRouting takes
// a point at an end of its edge (fraction 0 or 1) as that vertex: such
// points go in by vertex id, the others as points (negative pids).
type pgrEnds struct {
	n            int             // origins; points n.. are destinations
	maxMinutes   []float64       // by origin
	off          []float64       // off-road minutes, by point
	starts, ends map[int64][]int // pgRouting id -> origins / destinations
	points       int             // points not at a vertex
}

// pgrReadSnaps reads rp_snap into pgrEnds; origins that cannot reach their
// road within their limit are left out.
func pgrReadSnaps(ctx context.Context, tx pgx.Tx, n, total int, maxMinutes []float64, opt PairOptions) (*pgrEnds, error) {
	rows, err := tx.Query(ctx, `
		SELECT s.pid, s.d, CASE WHEN s.fraction <= 0 THEN r.source WHEN s.fraction >= 1 THEN r.target END
		  FROM rp_snap s JOIN road r ON r.id = s.edge_id ORDER BY s.pid`)
	if err != nil {
		return nil, err
	}
	e := &pgrEnds{n: n, maxMinutes: maxMinutes, off: make([]float64, total), starts: map[int64][]int{}, ends: map[int64][]int{}}
	var pid int64
	var d float64
	var vertex *int64
	_, err = pgx.ForEachRow(rows, []any{&pid, &d, &vertex}, func() error {
		k := int(pid - 1)
		e.off[k] = d / 1000 / opt.OffRoadKmh * 60
		id := -pid
		if vertex != nil {
			id = *vertex
		} else {
			e.points++
		}
		switch {
		case k >= n:
			e.ends[id] = append(e.ends[id], k-n)
		case maxMinutes[k] >= e.off[k]:
			e.starts[id] = append(e.starts[id], k)
		}
		return nil
	})
	return e, err
}

// costs asks pgRouting for the many-to-many road costs within the largest
// origin limit and returns the pairs within their origin's limit.
func (e *pgrEnds) costs(ctx context.Context, tx pgx.Tx) ([]Pair, error) {
	limit := math.Inf(-1)
	for _, ks := range e.starts {
		for _, k := range ks {
			limit = math.Max(limit, e.maxMinutes[k])
		}
	}
	sql := `SELECT start_pid, end_pid, agg_cost
		  FROM pgr_withPointsCost('SELECT id, source, target, cost, reverse_cost FROM road',
		         'SELECT pid, edge_id, fraction FROM rp_snap WHERE fraction > 0 AND fraction < 1',
		         $1::bigint[], $2::bigint[], directed => true)
		 WHERE agg_cost <= $3`
	if e.points == 0 { // pgr_withPointsCost wants points
		sql = `SELECT start_vid, end_vid, agg_cost
		  FROM pgr_dijkstraCost('SELECT id, source, target, cost, reverse_cost FROM road', $1::bigint[], $2::bigint[], directed => true)
		 WHERE agg_cost <= $3`
	}
	rows, err := tx.Query(ctx, sql, slices.Collect(maps.Keys(e.starts)), slices.Collect(maps.Keys(e.ends)), limit)
	if err != nil {
		return nil, err
	}
	var out []Pair
	var a, b int64
	var cost float64
	seen := map[int64]bool{}
	if _, err := pgx.ForEachRow(rows, []any{&a, &b, &cost}, func() error {
		if a == b {
			seen[a] = true
		}
		out = e.add(out, a, b, cost)
		return nil
	}); err != nil {
		return nil, err
	}
	// pgRouting leaves out a vertex's trip to itself.
	for id := range e.starts {
		if _, ok := e.ends[id]; ok && !seen[id] {
			out = e.add(out, id, id, 0)
		}
	}
	return out, nil
}

// add appends the pairs between the origins at pgRouting id a and the
// destinations at id b, road cost apart, that are within the origin's limit.
func (e *pgrEnds) add(out []Pair, a, b int64, cost float64) []Pair {
	for _, i := range e.starts[a] {
		for _, j := range e.ends[b] {
			if m := e.off[i] + cost + e.off[e.n+j]; m <= e.maxMinutes[i] {
				out = append(out, Pair{From: int32(i), To: int32(j), Minutes: m})
			}
		}
	}
	return out
}

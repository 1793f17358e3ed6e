package roads

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/postgres"
)

// SnapReport says which producers, facilities and candidate sites join the
// road network and which are too far from every road (and so unreachable
// by road: they stay in the data, without access).
type SnapReport struct {
	LimitMetres float64     `json:"limit_m"`
	Layers      []LayerSnap `json:"layers"`
}

// LayerSnap is the snapping of one layer.
type LayerSnap struct {
	Layer   string `json:"layer"`
	Total   int    `json:"total"`
	Snapped int    `json:"snapped"`
	// Beyond counts the features farther than the limit from every road;
	// Unreachable lists them, farthest first.
	Beyond      int         `json:"beyond"`
	Unreachable []Unreached `json:"unreachable"`
	// MedianMetres is the median distance from a snapped feature to its road.
	MedianMetres float64 `json:"median_m"`
	MaxMetres    float64 `json:"max_m"`
}

// snapLayers are the layers snapped, with the SQL reading their points
// (a polygon's point on surface stands for it).
var snapLayers = []struct{ name, sql string }{
	{"producers", `SELECT id, name, ST_X(geom), ST_Y(geom) FROM producer ORDER BY id`},
	{"facilities", `SELECT id, name, ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM facility ORDER BY id`},
	{"candidates", `SELECT id, name, ST_X(geom), ST_Y(geom) FROM candidate_site ORDER BY id`},
}

// Report snaps every producer, facility and candidate site to g within
// limit metres (0: DefaultSnapMetres).
func (g *Graph) Report(ctx context.Context, pool *pgxpool.Pool, limit float64) (*SnapReport, error) {
	if limit <= 0 {
		limit = DefaultSnapMetres
	}
	rep := &SnapReport{LimitMetres: limit}
	for _, l := range snapLayers {
		rows, err := pool.Query(ctx, l.sql)
		if err != nil {
			return nil, postgres.Translate(err, l.name)
		}
		ls := LayerSnap{Layer: l.name, Unreachable: []Unreached{}}
		var dists []float64
		var id, name string
		var p orb.Point
		if _, err := pgx.ForEachRow(rows, []any{&id, &name, &p[0], &p[1]}, func() error {
			ls.Total++
			if s, ok := g.Snap(p, limit); ok {
				ls.Snapped++
				dists = append(dists, s.Metres)
				return nil
			}
			ls.Beyond++
			ls.Unreachable = append(ls.Unreachable, g.unreached(id, name, p))
			return nil
		}); err != nil {
			return nil, postgres.Translate(err, l.name)
		}
		if len(dists) > 0 {
			slices.Sort(dists)
			ls.MedianMetres = dists[len(dists)/2]
			ls.MaxMetres = dists[len(dists)-1]
		}
		slices.SortStableFunc(ls.Unreachable, func(a, b Unreached) int {
			da, db := a.NearestMetres, b.NearestMetres
			if da < 0 {
				da = 1e12
			}
			if db < 0 {
				db = 1e12
			}
			switch {
			case da > db:
				return -1
			case da < db:
				return 1
			}
			return 0
		})
		rep.Layers = append(rep.Layers, ls)
	}
	return rep, nil
}

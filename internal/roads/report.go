package roads

import (
	"context"
	"math"
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
	LimitMetres float64 `json:"limit_m"`
	// Components is how many disconnected pieces the network has;
	// MainVertices the size of the largest, which points join first.
	Components   int         `json:"components"`
	MainVertices int         `json:"main_vertices"`
	Layers       []LayerSnap `json:"layers"`
}

// LayerSnap is the snapping of one layer. Every feature is counted once:
// Total = Snapped + OnFragment + Beyond.
type LayerSnap struct {
	Layer string `json:"layer"`
	Total int    `json:"total"`
	// Snapped counts the features joined to the main network (the largest
	// connected component).
	Snapped int `json:"snapped"`
	// OnFragment counts the features whose only road within the limit is
	// an isolated piece of road; Fragments lists them. They reach only
	// what lies on their fragment.
	OnFragment int            `json:"on_fragment"`
	Fragments  []FragmentSnap `json:"fragments"`
	// Beyond counts the features farther than the limit from every road;
	// Unreachable lists them, farthest first.
	Beyond      int         `json:"beyond"`
	Unreachable []Unreached `json:"unreachable"`
	// MedianMetres is the median distance from a snapped feature to its road.
	MedianMetres float64 `json:"median_m"`
	MaxMetres    float64 `json:"max_m"`
}

// FragmentSnap is a feature that joins only an isolated piece of road.
type FragmentSnap struct {
	ID   string  `json:"id"`
	Name string  `json:"name,omitempty"`
	Lon  float64 `json:"lon"`
	Lat  float64 `json:"lat"`
	// Metres to the fragment, and the fragment's size in vertices.
	Metres           float64 `json:"fragment_m"`
	FragmentVertices int     `json:"fragment_vertices"`
	// MainMetres is the distance to the main network (beyond the limit),
	// or -1 when it is more than 50 km away.
	MainMetres float64 `json:"main_network_m"`
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
	rep := &SnapReport{LimitMetres: limit, Components: g.Components(), MainVertices: g.MainVertices()}
	for _, l := range snapLayers {
		rows, err := pool.Query(ctx, l.sql)
		if err != nil {
			return nil, postgres.Translate(err, l.name)
		}
		ls := LayerSnap{Layer: l.name, Unreachable: []Unreached{}, Fragments: []FragmentSnap{}}
		var dists []float64
		var id, name string
		var p orb.Point
		if _, err := pgx.ForEachRow(rows, []any{&id, &name, &p[0], &p[1]}, func() error {
			ls.Total++
			if s, ok := g.Snap(p, limit); ok {
				if s.Fragment {
					ls.OnFragment++
					ls.Fragments = append(ls.Fragments, FragmentSnap{ID: id, Name: name, Lon: p[0], Lat: p[1],
						Metres: math.Round(s.Metres), FragmentVertices: s.FragmentVertices, MainMetres: math.Round(g.mainDistance(p))})
					return nil
				}
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

// mainDistance is the distance in metres from p to the main network within
// 50 km, or -1.
func (g *Graph) mainDistance(p orb.Point) float64 {
	seg, t, ok := g.nearestSegment(p, 50000, true)
	if !ok {
		return -1
	}
	s, ok := g.snapAt(p, seg, t, 50000)
	if !ok {
		return -1
	}
	return s.Metres
}

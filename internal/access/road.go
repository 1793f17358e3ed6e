package access

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/roads"
)

// Road is travel time on the stored road network (coldchain import roads):
// each point joins the nearest road within SnapMetres by an off-road leg at
// OffRoadKmh, then travels the network at each road class's speed, oneways
// respected. Points farther from every road are unreachable by road: they
// are in no pair.
//
// The network is loaded from PostGIS into memory on first use and kept;
// every call checks the stored network's version (one small query) and
// reloads it when the roads have changed. Travel times come from bounded
// Dijkstra searches in process, which measured many times faster than
// pgRouting's pgr_withPointsCost on the same pairs (docs/roads.md).
//
// With no road network stored, Road answers with Fallback if set (the
// geodesic model, for --travel auto) and otherwise fails with ErrInvalid.
// Road is safe for concurrent use.
type Road struct {
	Pool       *pgxpool.Pool
	SnapMetres float64
	OffRoadKmh float64
	Fallback   Model

	mu    sync.Mutex
	graph *roads.Graph
}

// NewRoad returns the road model; 0 takes the default snapping limit and
// off-road speed. fallback (may be nil) answers while no roads are stored.
func NewRoad(pool *pgxpool.Pool, snapMetres, offRoadKmh float64, fallback Model) *Road {
	if snapMetres <= 0 {
		snapMetres = roads.DefaultSnapMetres
	}
	if offRoadKmh <= 0 {
		offRoadKmh = roads.DefaultOffRoadKmh
	}
	return &Road{Pool: pool, SnapMetres: snapMetres, OffRoadKmh: offRoadKmh, Fallback: fallback}
}

// Graph returns the road network in memory, reloading it if the stored
// network changed since it was loaded. The graph is empty when no roads
// are stored.
func (r *Road) Graph(ctx context.Context) (*roads.Graph, error) {
	v, err := roads.Version(ctx, r.Pool)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.graph != nil && r.graph.Version == v {
		return r.graph, nil
	}
	g, err := roads.Load(ctx, r.Pool)
	if err != nil {
		return nil, err
	}
	r.graph = g
	return g, nil
}

// Loaded reports whether a road network is stored (loading it).
func (r *Road) Loaded(ctx context.Context) (bool, error) {
	g, err := r.Graph(ctx)
	if err != nil {
		return false, err
	}
	return !g.Empty(), nil
}

// Options are the snapping settings as roads options.
func (r *Road) Options() roads.PairOptions {
	return roads.PairOptions{SnapMetres: r.SnapMetres, OffRoadKmh: r.OffRoadKmh}
}

// Pairs implements Model.
func (r *Road) Pairs(ctx context.Context, from, to []Point, maxMinutes []float64) ([]Pair, error) {
	if len(from) != len(maxMinutes) {
		return nil, fmt.Errorf("access: %d origins but %d limits", len(from), len(maxMinutes))
	}
	g, err := r.Graph(ctx)
	if err != nil {
		return nil, err
	}
	if g.Empty() {
		if r.Fallback != nil {
			return r.Fallback.Pairs(ctx, from, to, maxMinutes)
		}
		return nil, derrors.Invalid("no road network is loaded: import one with `coldchain import roads FILE.osm.pbf`, or use geodesic travel")
	}
	ps, err := g.Pairs(ctx, orbPoints(from), orbPoints(to), maxMinutes, r.Options())
	if err != nil {
		return nil, err
	}
	out := make([]Pair, len(ps))
	for i, p := range ps {
		out[i] = Pair{From: p.From, To: p.To, Minutes: p.Minutes, Km: p.Km}
	}
	return out, nil
}

// Describe implements Model: it describes the network last loaded (or the
// fallback when none is stored).
func (r *Road) Describe() string {
	r.mu.Lock()
	g := r.graph
	r.mu.Unlock()
	switch {
	case g == nil:
		return "road network travel times"
	case g.Empty() && r.Fallback != nil:
		return r.Fallback.Describe() + " (no road network loaded)"
	case g.Empty():
		return "road network travel times (no road network loaded)"
	}
	return fmt.Sprintf("road network: %d edges, %.0f km; points within %.0f m of a road join it at %.0f km/h, farther ones are unreachable by road",
		g.Edges(), g.Km, r.SnapMetres, r.OffRoadKmh)
}

func orbPoints(ps []Point) []orb.Point {
	out := make([]orb.Point, len(ps))
	for i, p := range ps {
		out[i] = orb.Point{p.Lon, p.Lat}
	}
	return out
}

package roads

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/wkb"

	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/shortest"
)

// Graph is the road network in memory, read-only once loaded and safe for
// concurrent use: forward and reverse adjacency in compressed sparse rows
// (travel minutes and metres per arc), the edges' shapes for snapping, and
// a grid index over their segments.
type Graph struct {
	// Version is road_network.version when the graph was read.
	Version int64
	// Source and ImportedAt describe the import the graph came from.
	Source     string
	ImportedAt time.Time
	// Km is the network's length.
	Km float64

	vertices int
	edges    []gEdge
	pts      []orb.Point // edges' vertices, edge by edge
	cum      []float64   // metres from the edge's start to each of pts
	fwd, rev *shortest.Graph
	grid     grid
	// comp is the connected component of each vertex (directions
	// ignored), compSize the vertices of each, main the largest.
	comp     []int32
	compSize []int32
	main     int32
}

// gEdge is an edge of the in-memory graph.
type gEdge struct {
	id         int64
	u, v       int32   // vertex indices
	fwd, rev   float64 // minutes from u to v and from v to u; negative: not allowed
	metres     float64
	first, end int32 // pts[first:end] is the shape, u to v
}

// Edges is the number of edges.
func (g *Graph) Edges() int { return len(g.edges) }

// Vertices is the number of vertices.
func (g *Graph) Vertices() int { return g.vertices }

// Empty reports whether the graph has no edges.
func (g *Graph) Empty() bool { return len(g.edges) == 0 }

// Version returns the stored network's version: it changes whenever the
// road table does.
func Version(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var v int64
	err := pool.QueryRow(ctx, `SELECT version FROM road_network`).Scan(&v)
	return v, postgres.Translate(err, "road network")
}

// Load reads the stored network into memory, consistently (one snapshot).
func Load(ctx context.Context, pool *pgxpool.Pool) (*Graph, error) {
	g := &Graph{}
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var src *string
		var at *time.Time
		if err := tx.QueryRow(ctx, `SELECT version, source, imported_at FROM road_network`).Scan(&g.Version, &src, &at); err != nil {
			return err
		}
		if src != nil {
			g.Source = *src
		}
		if at != nil {
			g.ImportedAt = *at
		}
		rows, err := tx.Query(ctx, `SELECT id, source, target, cost, reverse_cost, length_m, ST_AsBinary(geom) FROM road ORDER BY id`)
		if err != nil {
			return err
		}
		index := map[int64]int32{}
		vertex := func(id int64) int32 {
			i, ok := index[id]
			if !ok {
				i = int32(len(index))
				index[id] = i
			}
			return i
		}
		var id, source, target int64
		var cost, rcost, metres float64
		var shape []byte
		_, err = pgx.ForEachRow(rows, []any{&id, &source, &target, &cost, &rcost, &metres, &shape}, func() error {
			t, err := wkb.Unmarshal(shape)
			if err != nil {
				return fmt.Errorf("road %d: %w", id, err)
			}
			ls, ok := t.(*geom.LineString)
			if !ok || ls.NumCoords() < 2 {
				return fmt.Errorf("road %d: not a line", id)
			}
			e := gEdge{id: id, u: vertex(source), v: vertex(target), fwd: cost, rev: rcost, metres: metres, first: int32(len(g.pts))}
			flat := ls.FlatCoords()
			for i := 0; i+1 < len(flat); i += 2 {
				g.pts = append(g.pts, orb.Point{flat[i], flat[i+1]})
			}
			e.end = int32(len(g.pts))
			g.edges = append(g.edges, e)
			g.Km += metres / 1000
			return nil
		})
		if err != nil {
			return err
		}
		g.vertices = len(index)
		return nil
	})
	if err != nil {
		return nil, postgres.Translate(err, "road network")
	}
	g.index()
	return g, nil
}

// index builds the adjacency and the snapping grid.
func (g *Graph) index() {
	g.fwd = g.adjacency(false)
	g.rev = g.adjacency(true)
	g.cum = make([]float64, len(g.pts))
	for _, e := range g.edges {
		m := 0.0
		for k := e.first + 1; k < e.end; k++ {
			m += planarMetres(g.pts[k-1], g.pts[k])
			g.cum[k] = m
		}
	}
	g.components()
	g.grid = newGrid(g)
}

// components labels the connected components of the network (directions
// ignored) by union-find, and finds the largest.
func (g *Graph) components() {
	parent := make([]int32, g.vertices)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(v int32) int32 {
		for parent[v] != v {
			parent[v] = parent[parent[v]]
			v = parent[v]
		}
		return v
	}
	for _, e := range g.edges {
		if a, b := find(e.u), find(e.v); a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	g.comp = make([]int32, g.vertices)
	label := map[int32]int32{}
	g.compSize = g.compSize[:0]
	for v := range parent {
		r := find(int32(v))
		c, ok := label[r]
		if !ok {
			c = int32(len(g.compSize))
			label[r] = c
			g.compSize = append(g.compSize, 0)
		}
		g.comp[v] = c
		g.compSize[c]++
	}
	g.main = 0
	for c, n := range g.compSize {
		if n > g.compSize[g.main] {
			g.main = int32(c)
		}
	}
}

// Components is the number of connected components of the network.
func (g *Graph) Components() int { return len(g.compSize) }

// MainVertices is the number of vertices of the largest component.
func (g *Graph) MainVertices() int {
	if len(g.compSize) == 0 {
		return 0
	}
	return int(g.compSize[g.main])
}

// adjacency lists arcs by tail vertex (reverse: by head vertex, for
// searching towards a destination), with travel minutes as the cost and
// metres as the auxiliary measure.
func (g *Graph) adjacency(reverse bool) *shortest.Graph {
	a := &shortest.Graph{Start: make([]int32, g.vertices+1)}
	each := func(fn func(from, to int32, minutes, metres float64)) {
		for _, e := range g.edges {
			if e.fwd >= 0 {
				fn(e.u, e.v, e.fwd, e.metres)
			}
			if e.rev >= 0 {
				fn(e.v, e.u, e.rev, e.metres)
			}
		}
	}
	tail := func(from, to int32) (int32, int32) {
		if reverse {
			return to, from
		}
		return from, to
	}
	each(func(from, to int32, _, _ float64) {
		t, _ := tail(from, to)
		a.Start[t+1]++
	})
	for v := 0; v < g.vertices; v++ {
		a.Start[v+1] += a.Start[v]
	}
	n := a.Start[g.vertices]
	a.To, a.Cost, a.Aux = make([]int32, n), make([]float64, n), make([]float64, n)
	next := append([]int32(nil), a.Start[:g.vertices]...)
	each(func(from, to int32, minutes, metres float64) {
		t, h := tail(from, to)
		k := next[t]
		a.To[k], a.Cost[k], a.Aux[k] = h, minutes, metres
		next[t]++
	})
	return a
}

// Metres per degree of latitude, and of longitude at the equator.
const (
	metresPerDegLat = 110574.0
	metresPerDegLon = 111320.0
)

// planarMetres is the distance between two near points in a local plane.
func planarMetres(a, b orb.Point) float64 {
	kx := metresPerDegLon * math.Cos((a[1]+b[1])/2*math.Pi/180)
	return math.Hypot((b[0]-a[0])*kx, (b[1]-a[1])*metresPerDegLat)
}

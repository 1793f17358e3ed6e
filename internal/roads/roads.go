// Package roads is coldchain's road network: reading OpenStreetMap
// (.osm.pbf, .osm) and GeoJSON road files into routable edges with speeds by
// road class, storing them in PostGIS with pgRouting topology (road,
// road_vertex), loading them back as an in-memory graph, snapping points to
// the nearest edge, bounded Dijkstra travel times (in process, and with
// pgRouting for comparison) and nested service areas (isochrones).
//
// Geometry libraries have one job each: orb holds geometry in Go (reading,
// lengths, snapping); go-geom encodes and decodes EWKB where geometry
// crosses the pgx boundary (layer.EWKB on the way in, decodeLine on the way
// out); PostGIS buffers, unions and shapes output.
//
// An edge runs between two vertices: way ends and nodes shared by two ways
// (or used twice by one). Its cost is its travel time in minutes; a oneway
// edge is stored in its direction of travel with reverse_cost -1, as
// pgRouting expects.
package roads

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/coldchain/coldchain/internal/datum"
)

// Edge is one routable road segment between two vertices.
type Edge struct {
	Way      string // where it came from: "way/123" (OSM) or the GeoJSON feature id
	Name     string
	Ref      string // road number, e.g. G105, X012
	Highway  string // OSM class
	Oneway   bool   // travel only from Source to Target
	Maxspeed float64
	Speed    float64 // km/h
	Length   float64 // metres
	Source   int64   // vertex ids, 1-based
	Target   int64
	Geom     orb.LineString
}

// Minutes is the edge's travel time.
func (e *Edge) Minutes() float64 { return e.Length / 1000 / e.Speed * 60 }

// Network is a road network read from a file, ready to store.
type Network struct {
	Source   string      // file name
	Vertices []orb.Point // vertex id i+1 is at Vertices[i]
	Edges    []Edge
	Speeds   Speeds
	Stats    ReadStats
}

// ReadStats says what a read kept and dropped.
type ReadStats struct {
	Ways        int                `json:"ways"`         // roads read (OSM: ways with a highway tag)
	Drivable    int                `json:"drivable"`     // of them, drivable and kept
	NotDrivable map[string]int     `json:"not_drivable"` // dropped, by highway class
	NoAccess    int                `json:"no_access"`    // dropped for access=no/private, motor_vehicle=no
	Cut         int                `json:"cut"`          // ways cut where nodes were missing or outside the bounding box
	Edges       int                `json:"edges"`
	Vertices    int                `json:"vertices"`
	Km          float64            `json:"km"`
	KmByClass   map[string]float64 `json:"km_by_class"`
}

// ReadOptions tune reading a road file.
type ReadOptions struct {
	// Speeds by class (default DefaultSpeeds).
	Speeds Speeds
	// BBox keeps only the roads inside it (edges are cut at the last node
	// inside); nil keeps everything.
	BBox *orb.Bound
	// Datum of a GeoJSON file's coordinates, converted to WGS84 (OSM is
	// always WGS84).
	Datum datum.Datum
	// Progress, if set, is called once per pass over the input with the
	// stage's name and the input's size in bytes (-1 if unknown); the bytes
	// read are copied to the writer it returns.
	Progress func(stage string, size int64) io.Writer
}

func (o *ReadOptions) speeds() Speeds {
	if o.Speeds == nil {
		return DefaultSpeeds
	}
	return o.Speeds
}

// way is a road as read, before it is split into edges.
type way struct {
	ref, name, roadRef, class string
	maxspeed                  float64
	oneway                    int8 // 0 both ways, 1 forward, -1 backward
	nodes                     []int64
}

// build splits ways into edges at shared nodes. coord gives a node's
// position (false if the node is missing); nodes outside bbox count as
// missing.
func build(ways []way, coord func(int64) (orb.Point, bool), opt *ReadOptions, st ReadStats) *Network {
	present := func(k int64) bool {
		p, ok := coord(k)
		return ok && (opt.BBox == nil || opt.BBox.Contains(p))
	}
	var runs []nodeRun
	for wi := range ways {
		w := &ways[wi]
		if w.oneway < 0 {
			slices.Reverse(w.nodes)
			w.oneway = 1
		}
		var cut bool
		if runs, cut = appendRuns(runs, wi, w.nodes, present); cut {
			st.Cut++
		}
	}
	st.KmByClass = map[string]float64{}
	b := &edgeBuilder{
		n:     &Network{Speeds: opt.speeds()},
		coord: coord,
		uses:  vertexUses(runs),
		vid:   map[int64]int64{},
		st:    &st,
	}
	for _, r := range runs {
		b.addRun(&ways[r.w], r.nodes)
	}
	st.Edges, st.Vertices = len(b.n.Edges), len(b.n.Vertices)
	b.n.Stats = st
	return b.n
}

// nodeRun is a run of present nodes of way w, without consecutive repeats.
type nodeRun struct {
	w     int
	nodes []int64
}

// appendRuns cuts way wi's nodes at the missing ones and appends the runs
// of 2 or more nodes to runs; cut reports whether a node was missing.
func appendRuns(runs []nodeRun, wi int, nodes []int64, present func(int64) bool) (_ []nodeRun, cut bool) {
	var cur []int64
	for _, k := range nodes {
		if !present(k) {
			cut = true
			if len(cur) >= 2 {
				runs = append(runs, nodeRun{wi, cur})
			}
			cur = nil
			continue
		}
		if len(cur) > 0 && cur[len(cur)-1] == k {
			continue
		}
		cur = append(cur, k)
	}
	if len(cur) >= 2 {
		runs = append(runs, nodeRun{wi, cur})
	}
	return runs, cut
}

// vertexUses counts how often each node is used by the runs; run ends
// count 2 more, so that every node counted 2 or more is a vertex.
func vertexUses(runs []nodeRun) map[int64]int32 {
	uses := map[int64]int32{}
	for _, r := range runs {
		for _, k := range r.nodes {
			uses[k]++
		}
		uses[r.nodes[0]] += 2
		uses[r.nodes[len(r.nodes)-1]] += 2
	}
	return uses
}

// edgeBuilder splits runs into edges at their vertices, numbering the
// vertices in the order they are first used.
type edgeBuilder struct {
	n     *Network
	coord func(int64) (orb.Point, bool)
	uses  map[int64]int32 // from vertexUses
	vid   map[int64]int64 // node -> vertex id
	st    *ReadStats
}

// vertex returns node k's vertex id, adding the vertex on first use.
func (b *edgeBuilder) vertex(k int64) int64 {
	if id, ok := b.vid[k]; ok {
		return id
	}
	p, _ := b.coord(k)
	b.n.Vertices = append(b.n.Vertices, p)
	b.vid[k] = int64(len(b.n.Vertices))
	return b.vid[k]
}

// addRun adds the edges of one run of way w, skipping pieces of zero
// length.
func (b *edgeBuilder) addRun(w *way, nodes []int64) {
	start := 0
	for i := 1; i < len(nodes); i++ {
		if b.uses[nodes[i]] < 2 && i < len(nodes)-1 {
			continue
		}
		piece := nodes[start : i+1]
		start = i
		line := make(orb.LineString, len(piece))
		for j, k := range piece {
			line[j], _ = b.coord(k)
		}
		length := lineLength(line)
		if length == 0 {
			continue // a piece whose nodes share one position
		}
		b.n.Edges = append(b.n.Edges, Edge{
			Way: w.ref, Name: w.name, Ref: w.roadRef, Highway: w.class, Oneway: w.oneway > 0,
			Maxspeed: w.maxspeed, Speed: b.n.Speeds.Speed(w.class, w.maxspeed), Length: length,
			Source: b.vertex(piece[0]), Target: b.vertex(piece[len(piece)-1]), Geom: line,
		})
		b.st.Km += length / 1000
		b.st.KmByClass[w.class] += length / 1000
	}
}

// lineLength is a line's geodesic (haversine) length in metres.
func lineLength(l orb.LineString) float64 {
	m := 0.0
	for i := 1; i < len(l); i++ {
		m += geo.Distance(l[i-1], l[i])
	}
	return m
}

// Summary describes the network in one line, e.g. for the import's output.
func (s ReadStats) Summary() string {
	classes := make([]string, 0, len(s.KmByClass))
	for c := range s.KmByClass {
		classes = append(classes, c)
	}
	sort.Slice(classes, func(i, j int) bool { return s.KmByClass[classes[i]] > s.KmByClass[classes[j]] })
	out := fmt.Sprintf("%d edges, %d vertices, %.1f km", s.Edges, s.Vertices, s.Km)
	for i, c := range classes {
		if i == 0 {
			out += " ("
		} else {
			out += ", "
		}
		out += fmt.Sprintf("%s %.1f", c, s.KmByClass[c])
	}
	if len(classes) > 0 {
		out += ")"
	}
	return out
}

// finite reports whether x is a usable number.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

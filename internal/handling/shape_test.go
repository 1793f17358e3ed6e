package handling

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// without returns n with the arcs to nodes of no capacity under cap left
// out: the graph each month was built as before layouts were shared.
func (n *Network) without(cap []float64) *Network {
	out := &Network{Cap: cap}
	for i := 0; i < n.Len(); i++ {
		var ns []int32
		var mins []float64
		for a := n.Start[i]; a < n.Start[i+1]; a++ {
			if cap[n.Node[a]] > 0 {
				ns, mins = append(ns, n.Node[a]), append(mins, n.Minutes[a])
			}
		}
		out.AddDemand(n.Stock[i], ns, mins)
	}
	return out
}

// A prepared layout, reused by assignment after assignment and with
// nodes of no capacity left in it, assigns exactly what a graph built for
// one assignment with those nodes left out assigns.
func TestPreparedLayoutMatchesOwnGraph(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 12; seed++ {
		r := rand.New(rand.NewPCG(seed, 5))
		n, base := provinceNetwork(50+r.IntN(400), 5+r.IntN(60), seed)
		n.Cap = base
		n.Prepare()
		for try := 0; try < 4; try++ {
			cap := make([]float64, len(base))
			for k := range cap {
				if r.IntN(3) > 0 {
					cap[k] = base[k] * r.Float64() * 0.5
				}
			}
			got, err := n.Assign(ctx, cap)
			if err != nil {
				t.Fatal(err)
			}
			want, err := n.without(cap).Assign(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			total := 0.0
			for i := range want.Handled {
				for m := 0; m < 12; m++ {
					total += want.Handled[i][m]
					if a, b := got.Handled[i][m], want.Handled[i][m]; math.Abs(a-b) > 1e-9 {
						t.Fatalf("seed %d try %d: demand %d month %d handles %.9f on the shared layout, %.9f on its own graph", seed, try, i, m, a, b)
					}
				}
			}
			for k := range want.NodeUsed {
				for m := 0; m < 12; m++ {
					if a, b := got.NodeUsed[k][m], want.NodeUsed[k][m]; math.Abs(a-b) > 1e-9 {
						t.Fatalf("seed %d try %d: node %d month %d uses %.9f on the shared layout, %.9f on its own graph", seed, try, k, m, a, b)
					}
				}
			}
			if total <= 0 {
				t.Fatalf("seed %d try %d: nothing handled: the comparison proves nothing", seed, try)
			}
		}
	}
}

// plainMaxFlow is the reference: the maximum flow of month m from the
// demands in bands up to b (under cap) to the nodes, on a plain graph
// built for it (no layout, lists or closed arcs).
func (n *Network) plainMaxFlow(m int, cap []float64, band []int, b int) float64 {
	nd := n.Len()
	src, sink := int32(nd+len(cap)), int32(nd+len(cap)+1)
	var edges [][2]int32
	var caps []float64
	for i := 0; i < nd; i++ {
		if band[i] <= b && n.Stock[i][m] > 0 {
			edges, caps = append(edges, [2]int32{src, int32(i)}), append(caps, n.Stock[i][m])
			for _, k := range n.Arcs(i) {
				edges, caps = append(edges, [2]int32{int32(i), int32(nd) + k}), append(caps, math.Inf(1))
			}
		}
	}
	for k, c := range cap {
		edges, caps = append(edges, [2]int32{int32(nd + k), sink}), append(caps, c)
	}
	return edgeListNet(nd+len(cap)+2, edges, caps).maxFlow(int(src), int(sink))
}

// edgeListNet is a flow network of n vertices with edges (u, v) of
// capacities caps.
func edgeListNet(n int, edges [][2]int32, caps []float64) *flowNet {
	g := &flowNet{n: n, level: make([]int32, n), iter: make([]int32, n)}
	arcs := make([]int32, len(edges))
	g.lay(func(add func(u, v int32) int32) {
		for i, e := range edges {
			arcs[i] = add(e[0], e[1])
		}
	})
	g.cap = make([]float64, len(g.to))
	for i, a := range arcs {
		g.cap[a] = caps[i]
	}
	return g
}

// scarceNetwork is provinceNetwork (nd demands, nodes nodes) with each
// node's capacity cut to a random share of it below most, so that the
// bands compete; the capacities are the network's Cap.
func scarceNetwork(r *rand.Rand, nd, nodes int, seed uint64, most float64) *Network {
	n, cap := provinceNetwork(nd, nodes, seed)
	for k := range cap {
		cap[k] *= r.Float64() * most
	}
	n.Cap = cap
	return n
}

// The banded assignment is a lexicographic maximum flow: for every band b,
// what the demands of bands up to b hold together is the maximum flow of
// those demands alone (a later band never takes stock from an earlier
// one, and each band takes all it can). Checked against a plain maximum
// flow on random networks with scarce capacity, where the bands compete.
func TestBandedAssignmentIsLexicographicMaximum(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		n := scarceNetwork(r, 40+r.IntN(300), 4+r.IntN(40), seed, 0.4)
		cap := n.Cap
		n.Prepare()
		a, err := n.Assign(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		band := n.bands(cap)
		for m := 0; m < 12; m++ {
			for b := 0; b <= len(Bands); b++ {
				held := 0.0
				for i := range band {
					if band[i] <= b {
						held += a.Handled[i][m]
					}
				}
				if want := n.plainMaxFlow(m, cap, band, b); math.Abs(held-want) > 1e-6*(1+want) {
					t.Fatalf("seed %d month %d: bands up to %d hold %.6f, their maximum flow is %.6f", seed, m, b, held, want)
				}
			}
		}
	}
}

// A network whose demands each stand for one member (all its stock, its
// nearest arcs first) assigns each member what the demand is assigned
// without members, and the demands the same.
func TestOneMemberPerDemand(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 10; seed++ {
		n, cap := provinceNetwork(300, 30, seed)
		for k := range cap {
			cap[k] *= 0.3
		}
		n.Cap = cap
		n.Prepare()
		want, err := n.Assign(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		mb := oneMemberEach(n)
		n.Members = mb
		got, err := n.Assign(ctx, nil)
		n.Members = nil
		if err != nil {
			t.Fatal(err)
		}
		for i := range want.Handled {
			for m := 0; m < 12; m++ {
				if a, b, c := got.Member[i][m], got.Handled[i][m], want.Handled[i][m]; math.Abs(a-c) > 1e-9 || math.Abs(b-c) > 1e-9 {
					t.Fatalf("seed %d demand %d month %d: member %.9f, demand %.9f with members; %.9f without", seed, i, m, a, b, c)
				}
			}
		}
	}
}

// oneMemberEach makes each demand of n a member of its own (all its
// stock, its nearest arcs first).
func oneMemberEach(n *Network) *Members {
	mb := &Members{}
	for i := 0; i < n.Len(); i++ {
		var near [NearLen]int32
		for x := range near {
			near[x] = -1
		}
		for x := 0; x < NearLen && int(n.Start[i])+x < int(n.Start[i+1]); x++ {
			near[x] = n.Start[i] + int32(x)
		}
		mb.Of, mb.Share, mb.Near = append(mb.Of, int32(i)), append(mb.Share, 1), append(mb.Near, near)
	}
	return mb
}

// The demands' node sets (which let a breadth-first pass, a dead end of
// the depth-first search and a direct send skip reading arcs) change
// nothing: the same network assigns bit for bit the same with every
// demand's arcs read one by one. Networks of 5 to 300 nodes, so that some
// demands have sets and others not, with and without members.
func TestNodeSetsChangeNothing(t *testing.T) {
	ctx := context.Background()
	sets := 0
	for seed := uint64(1); seed <= 16; seed++ {
		r := rand.New(rand.NewPCG(seed, 17))
		n := scarceNetwork(r, 100+r.IntN(600), 5+r.IntN(296), seed, 0.5)
		if seed%2 == 0 {
			n.Members = oneMemberEach(n)
		}
		n.Prepare()
		for _, b := range n.shape.bits {
			if b != nil {
				sets++
			}
		}
		with, err := n.Assign(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		n.Prepare()
		clear(n.shape.bits)
		without, err := n.Assign(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, pair := range [][2][][12]float64{{with.Handled, without.Handled}, {with.NodeUsed, without.NodeUsed}, {with.Member, without.Member}} {
			for i := range pair[0] {
				if pair[0][i] != pair[1][i] {
					t.Fatalf("seed %d row %d: %v with node sets, %v without", seed, i, pair[0][i], pair[1][i])
				}
			}
		}
	}
	if sets == 0 {
		t.Fatal("no demand had a node set: the comparison proves nothing")
	}
}

// A shape lays its graph out straight from the network (flowNet.lay) in
// compressed rows: vertex by vertex, each vertex's arcs in the order of
// the edges (source, then each demand's arcs in order, then sinks), an
// edge's forward arc at its tail and its reverse at its head. The
// reference below lays the same edge list out by brute force.
func TestShapeLayoutAsEdgeList(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		n, base := provinceNetwork(20+r.IntN(300), 3+r.IntN(40), seed)
		s := n.newShape(len(base))
		nd := n.Len()
		type edge struct{ u, v int }
		var edges []edge
		var in, out, arc []int // edge ids
		for i := 0; i < nd; i++ {
			in, edges = append(in, len(edges)), append(edges, edge{s.src, i})
			for _, k := range n.Arcs(i) {
				arc, edges = append(arc, len(edges)), append(edges, edge{i, nd + int(k)})
			}
		}
		for k := range base {
			out, edges = append(out, len(edges)), append(edges, edge{nd + k, s.sink})
		}
		// Slots vertex by vertex: fwd[e] and back[e] are edge e's arcs.
		fwd, back := make([]int, len(edges)), make([]int, len(edges))
		var to []int32
		off := []int32{0}
		for v := 0; v < nd+len(base)+2; v++ {
			for e, x := range edges {
				switch v {
				case x.u:
					fwd[e] = len(to)
					to = append(to, int32(x.v))
				case x.v:
					back[e] = len(to)
					to = append(to, int32(x.u))
				}
			}
			off = append(off, int32(len(to)))
		}
		rev := make([]int32, len(to))
		for e := range edges {
			rev[fwd[e]], rev[back[e]] = int32(back[e]), int32(fwd[e])
		}
		if !slices.Equal(s.g.off, off) || !slices.Equal(s.g.to, to) || !slices.Equal(s.g.rev, rev) {
			t.Fatalf("seed %d: the shape's rows differ from the edge list laid out by hand", seed)
		}
		for _, c := range []struct {
			what string
			got  []int32
			ids  []int
		}{{"source", s.in, in}, {"sink", s.out, out}, {"demand", s.arcEdge, arc}} {
			for i, id := range c.ids {
				if int(c.got[i]) != fwd[id] {
					t.Fatalf("seed %d: %s edge %d at arc %d, laid out by hand at %d", seed, c.what, i, c.got[i], fwd[id])
				}
			}
		}
		if s.g.cap != nil {
			t.Fatalf("seed %d: the shape keeps %d capacities it never reads", seed, len(s.g.cap))
		}
	}
}

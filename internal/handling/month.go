package handling

import "math"

// monthFlow is one month's network: demands, nodes, a source and a sink,
// with the arcs (frozen indices) the banded assignment needs.
type monthFlow struct {
	g       *flowNet
	src     int
	sink    int
	in      []int   // demand -> its source arc, or -1
	out     []int   // node -> its sink arc, or -1
	arcEdge []int32 // arc (as in Network.Node) -> demand->node arc, or -1
}

// buildMonth builds month m's network under cap: an edge from each demand
// with stock to each node with capacity it may use, from each such node to
// the sink, and from the source to each such demand with no capacity yet
// (assignMonth opens them band by band).
func (n *Network) buildMonth(m int, cap []float64) *monthFlow {
	nd := n.Len()
	used := make([]bool, len(cap))
	edges := 0
	for i := 0; i < nd; i++ {
		if n.Stock[i][m] <= 0 {
			continue
		}
		for _, k := range n.Arcs(i) {
			if cap[k] > 0 {
				used[k] = true
				edges++
			}
		}
		edges++
	}
	f := &monthFlow{src: nd + len(cap), sink: nd + len(cap) + 1, in: make([]int, nd), out: make([]int, len(cap)),
		arcEdge: make([]int32, len(n.Node))}
	f.g = newFlowNet(nd+len(cap)+2, edges+len(cap))
	for i := 0; i < nd; i++ {
		f.in[i] = -1
		if n.Stock[i][m] <= 0 {
			for a := n.Start[i]; a < n.Start[i+1]; a++ {
				f.arcEdge[a] = -1
			}
			continue
		}
		f.in[i] = f.g.addEdge(f.src, i, 0)
		for a := n.Start[i]; a < n.Start[i+1]; a++ {
			f.arcEdge[a] = -1
			if k := n.Node[a]; cap[k] > 0 {
				f.arcEdge[a] = int32(f.g.addEdge(i, nd+int(k), math.Inf(1)))
			}
		}
	}
	for k, c := range cap {
		f.out[k] = -1
		if used[k] {
			f.out[k] = f.g.addEdge(nd+k, f.sink, c)
		}
	}
	f.freeze()
	return f
}

// freeze freezes the network and turns the recorded edge ids into arcs.
func (f *monthFlow) freeze() {
	g := f.g
	g.freeze()
	for _, ids := range [][]int{f.in, f.out} {
		for i, id := range ids {
			if id >= 0 {
				ids[i] = g.arc(id)
			}
		}
	}
	for a, id := range f.arcEdge {
		if id >= 0 {
			f.arcEdge[a] = int32(g.arc(int(id)))
		}
	}
}

// assignMonth runs month m's banded assignment: each band's demands send
// their stock straight to their nearest nodes with room first, then the
// maximum flow reroutes what is left (never taking stock back from an
// earlier band). It records the month in a.
func (n *Network) assignMonth(m int, cap []float64, band []int, a *Assignment) {
	f := n.buildMonth(m, cap)
	g := f.g
	nd := n.Len()
	for b := 0; b <= len(Bands); b++ {
		added := false
		for i := 0; i < nd; i++ {
			if band[i] != b || f.in[i] < 0 {
				continue
			}
			g.cap[f.in[i]] = n.Stock[i][m]
			n.direct(f, i)
			added = added || g.cap[f.in[i]] > flowEps
		}
		if added {
			g.maxFlow(f.src, f.sink)
		}
	}
	for i, e := range f.in {
		if e >= 0 {
			a.Handled[i][m] = g.flow(e)
		}
	}
	for k, e := range f.out {
		if e >= 0 {
			a.NodeUsed[k][m] = g.flow(e)
		}
	}
}

// direct sends demand i's stock along its arcs, nearest first, into the
// room its nodes have left.
func (n *Network) direct(f *monthFlow, i int) {
	g := f.g
	left := g.cap[f.in[i]]
	for a := n.Start[i]; a < n.Start[i+1] && left > flowEps; a++ {
		e := f.arcEdge[a]
		if e < 0 {
			continue
		}
		o := f.out[n.Node[a]]
		x := math.Min(left, g.cap[o])
		if x <= flowEps {
			continue
		}
		g.push(f.in[i], x)
		g.push(int(e), x)
		g.push(o, x)
		left -= x
	}
}

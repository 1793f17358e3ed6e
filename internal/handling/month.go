package handling

import "math"

// monthFlow is one month's network: demands, nodes, a source and a sink,
// with the edge indices the banded assignment needs.
type monthFlow struct {
	g       *flowNet
	src     int
	sink    int
	in      []int   // demand -> source edge, or -1
	out     []int   // node -> sink edge, or -1
	arcEdge []int32 // arc (as in Network.Node) -> demand->node edge, or -1
}

// buildMonth builds month m's network under cap: an edge from each demand
// with stock to each node with capacity it may use, and from each such
// node to the sink. Source edges are added band by band by assignMonth.
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
	}
	nodes := 0
	for _, u := range used {
		if u {
			nodes++
		}
	}
	f := &monthFlow{src: nd + len(cap), sink: nd + len(cap) + 1, in: make([]int, nd), out: make([]int, len(cap)),
		arcEdge: make([]int32, len(n.Node))}
	f.g = newFlowNetCap(nd+len(cap)+2, edges+nodes+nd)
	for a := range f.arcEdge {
		f.arcEdge[a] = -1
	}
	for i := 0; i < nd; i++ {
		f.in[i] = -1
		if n.Stock[i][m] <= 0 {
			continue
		}
		for a := n.Start[i]; a < n.Start[i+1]; a++ {
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
	return f
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
			if band[i] != b || n.Stock[i][m] <= 0 {
				continue
			}
			f.in[i] = g.addEdge(f.src, i, n.Stock[i][m])
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

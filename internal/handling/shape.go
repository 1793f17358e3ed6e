package handling

import (
	"math"
	"sync"
)

// shape is a network's flow graph laid out once: a source arc into every
// demand, an arc from each demand to each node it may use, and an arc from
// every node to the sink. Only the capacities differ between months and
// between the capacities an assignment is asked about, so each assignment
// copies the layout's arrays it writes (capacities, levels) and shares the
// rest. Before, every month of every assignment built and froze its own
// graph, which was over half of a capacity plan's time.
//
// Arcs are laid out in the order the per-month graphs used (a demand's arcs
// nearest first, a node's sink arc after its demand arcs), and arcs into
// demands without stock or nodes without capacity carry nothing, so the
// flows found are the same.
type shape struct {
	g         *flowNet // frozen; its capacities are not used
	src, sink int
	in        []int32   // demand -> its source arc
	out       []int32   // node -> its sink arc
	arcEdge   []int32   // arc (as in Network.Node) -> its demand->node arc
	bits      []nodeSet // demand -> its nodes, for demands with many arcs (flowNet.bits)
	demands   int
	arcs      int
	nodes     int
	free      sync.Pool // *flowNet working copies
}

// Prepare lays out the network's flow graph once, for every later Assign,
// AssignMonths and Headroom with as many node capacities as Cap. Call it
// after the last AddDemand and before any concurrent use; without it each
// call lays the graph out again.
func (n *Network) Prepare() { n.shape = n.newShape(len(n.Cap)) }

// shapeFor returns the prepared layout when it fits nodes node capacities
// and the network's arcs, or a new one.
func (n *Network) shapeFor(nodes int) *shape {
	if s := n.shape; s != nil && s.demands == n.Len() && s.arcs == len(n.Node) && s.nodes == nodes {
		return s
	}
	return n.newShape(nodes)
}

func (n *Network) newShape(nodes int) *shape {
	nd := n.Len()
	s := &shape{src: nd + nodes, sink: nd + nodes + 1, in: make([]int32, nd), out: make([]int32, nodes),
		arcEdge: make([]int32, len(n.Node)), demands: nd, arcs: len(n.Node), nodes: nodes}
	g := &flowNet{n: nd + nodes + 2}
	g.lay(func(add func(u, v int32) int32) {
		src, sink := int32(s.src), int32(s.sink)
		for i := 0; i < nd; i++ {
			s.in[i] = add(src, int32(i))
			for a := n.Start[i]; a < n.Start[i+1]; a++ {
				s.arcEdge[a] = add(int32(i), int32(nd)+n.Node[a])
			}
		}
		for k := 0; k < nodes; k++ {
			s.out[k] = add(int32(nd+k), sink)
		}
	})
	s.g = g
	s.bits = n.nodeSets(nodes)
	return s
}

// nodeSets returns each demand's nodes as a set of nodes bits, for the
// demands with at least twice as many arcs as the set has words (nil for
// the others): reading the set then costs less than reading the arcs,
// and the sets take at most half the arcs' memory again.
func (n *Network) nodeSets(nodes int) []nodeSet {
	words := setWords(nodes)
	out := make([]nodeSet, n.Len())
	var block nodeSet
	for i := range out {
		if int(n.Start[i+1]-n.Start[i]) < 2*words {
			continue
		}
		if len(block) < words {
			block = make(nodeSet, max(words, 1<<16))
		}
		b := block[:words:words]
		block = block[words:]
		for _, k := range n.Arcs(i) {
			b.add(k)
		}
		out[i] = b
	}
	return out
}

// get returns a working copy with no flow: every source arc closed, demand
// arcs open, node k's sink arc holding cap[k]; nodes without capacity are
// left out of the level graph.
func (s *shape) get(cap []float64) *flowNet {
	w, _ := s.free.Get().(*flowNet)
	if w == nil {
		w = &flowNet{n: s.g.n, off: s.g.off, to: s.g.to, rev: s.g.rev,
			cap: make([]float64, len(s.g.to)), level: make([]int32, s.g.n), iter: make([]int32, s.g.n),
			nodeLo: int32(s.demands), nodeHi: int32(s.demands + s.nodes), held: make([][]int32, s.nodes), listed: make([]bool, len(s.g.to)),
			bits: s.bits}
		for _, e := range s.arcEdge {
			w.cap[e] = math.Inf(1)
		}
	} else {
		s.reset(w)
	}
	for k, e := range s.out {
		w.held[k] = append(w.held[k][:0], e)
		w.listed[e] = true
	}
	w.blocked = w.blocked[:0]
	nd := int32(s.demands)
	if len(w.room) != setWords(s.nodes) {
		w.room = make(nodeSet, setWords(s.nodes))
	}
	clear(w.room)
	for k, c := range cap {
		if c > flowEps {
			w.room.add(int32(k))
		}
		if c > 0 {
			w.cap[s.out[k]] = c
		} else {
			w.blocked = append(w.blocked, nd+int32(k))
		}
	}
	return w
}

// reset takes all flow off a used working copy. Flow changes only the
// residuals of the source and sink arcs (both ways) and of the arcs back
// from nodes to demands, which are in the nodes' lists (an arc leaves a
// list only with no residual); arcs from demands to nodes keep their
// unlimited residual. So the reset costs the demands, nodes and arcs used,
// not the network's millions of arcs.
func (s *shape) reset(w *flowNet) {
	for _, l := range w.held {
		for _, e := range l {
			w.cap[e] = 0
			w.listed[e] = false
		}
	}
	for _, ids := range [][]int32{s.in, s.out} {
		for _, e := range ids {
			w.cap[e], w.cap[w.rev[e]] = 0, 0
		}
	}
}

// put hands a working copy back for reuse.
func (s *shape) put(w *flowNet) { s.free.Put(w) }

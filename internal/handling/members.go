package handling

// Members lets each demand of a network stand for several producers that
// the assignment cannot tell apart: same stock per tonne of output month
// by month, and the same storage nodes (coverage groups a province's
// million producers so). The assignment then serves the members in turn,
// as it would serve them as demands of their own: in each band, member by
// member, each sends its stock to its own nearest nodes with room first
// (Near), then to its demand's other nodes; the maximum flow then
// reroutes what is left for the demand as a whole, and what it adds is
// shared among the members in proportion to the stock they still held.
// Totals by band, month and node are those of the members as demands;
// what the flow adds is split pro rata instead of by its search order.
type Members struct {
	// Of is each member's demand. Members are served in this order.
	Of []int32
	// Share is each member's share of its demand's stock (its output over
	// the demand's, since members hold stock in the same proportions).
	Share []float64
	// Near holds each member's nearest arcs to nodes with capacity
	// (indices into Network.Node, within its demand's arcs), nearest
	// first; -1 where it has fewer.
	Near [][NearLen]int32
}

// NearLen is how many of its nearest nodes a member tries before its
// demand's other nodes.
const NearLen = 4

// byBand lists the members of each band (demands' bands under some
// capacities), in order.
func (mb *Members) byBand(band []int) [][]int32 {
	out := make([][]int32, len(Bands)+2)
	for x, d := range mb.Of {
		b := band[d]
		out[b] = append(out[b], int32(x))
	}
	return out
}

// directMembers runs the direct step of one band in month m member by
// member (members lists the band's), recording what each sent in
// a.Member, and reports whether any member kept stock (the maximum flow
// may place it).
//
// A member whose nearest nodes are full goes on along its demand's arcs.
// Nodes only fill within a month (the direct sends and augmenting paths
// never lower what a node holds), so cursor[d] keeps where demand d's
// members found the first node with room, and the arcs before it are not
// read again: a group of hardy producers has a thousand arcs, mostly to
// full stores, and a thousand members.
func (n *Network) directMembers(sh *shape, g *flowNet, m int, members []int32, cursor []int32, a *Assignment) bool {
	mb := n.Members
	added := false
	for _, x := range members {
		d := mb.Of[x]
		if n.Stock[d][m] <= 0 {
			continue
		}
		s := mb.Share[x] * n.Stock[d][m]
		in := int(sh.in[d])
		g.cap[in] += s
		left := s
		if b := g.bits[d]; b != nil && !b.meets(g.room) {
			added = added || s > flowEps // the maximum flow may still place it
			continue
		}
		for _, arc := range mb.Near[x] {
			if arc < 0 || left <= flowEps {
				break
			}
			left = n.send(sh, g, in, arc, left)
		}
		for arc := n.Start[d] + cursor[d]; arc < n.Start[d+1] && left > flowEps; arc++ {
			if left = n.send(sh, g, in, arc, left); left > flowEps {
				cursor[d] = arc + 1 - n.Start[d]
			}
		}
		a.Member[x][m] = s - left
		added = added || left > flowEps
	}
	return added
}

// send sends up to left from source arc in along arc (of Network.Node)
// into the room its node has, and returns what is left.
func (n *Network) send(sh *shape, g *flowNet, in int, arc int32, left float64) float64 {
	o := int(sh.out[n.Node[arc]])
	x := min(left, g.cap[o])
	if x <= flowEps {
		return left
	}
	g.push(in, x)
	g.push(int(sh.arcEdge[arc]), x)
	g.sent(sh.arcEdge[arc])
	g.push(o, x)
	g.sent(int32(o))
	return left - x
}

// shareMembers shares out what the maximum flow added to each demand of
// month m beyond its members' direct sends, in proportion to the stock
// each member still held. a.Member holds the direct sends on entry.
func (n *Network) shareMembers(sh *shape, g *flowNet, m int, a *Assignment) {
	mb := n.Members
	sent := make([]float64, n.Len())
	unmet := make([]float64, n.Len())
	for x, d := range mb.Of {
		sent[d] += a.Member[x][m]
		unmet[d] += mb.Share[x]*n.Stock[d][m] - a.Member[x][m]
	}
	for x, d := range mb.Of {
		if unmet[d] <= flowEps {
			continue
		}
		extra := max(0, g.flow(int(sh.in[d]))-sent[d])
		a.Member[x][m] += extra * (mb.Share[x]*n.Stock[d][m] - a.Member[x][m]) / unmet[d]
	}
}

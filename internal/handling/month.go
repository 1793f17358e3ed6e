package handling

// assignMonth runs month m's banded assignment on the layout sh: each
// band's demands send their stock straight to their nearest nodes with
// room first, then the maximum flow reroutes what is left (never taking
// stock back from an earlier band). It records the month in a.
func (n *Network) assignMonth(m int, sh *shape, cap []float64, band []int, byBand [][]int32, a *Assignment) {
	g := sh.get(cap)
	defer sh.put(g)
	nd := n.Len()
	var cursor []int32
	if n.Members != nil {
		cursor = make([]int32, nd)
	}
	// Nodes only fill within a month, so once none has room the later
	// bands can place nothing: their direct sends would find every node
	// full and their maximum flow search the whole residual network for a
	// path to the sink that cannot exist (most of the time where capacity
	// is short).
	for b := 0; b <= len(Bands) && !g.room.empty(); b++ {
		added := false
		if n.Members != nil {
			added = n.directMembers(sh, g, m, byBand[b], cursor, a)
		}
		for i := 0; i < nd && n.Members == nil; i++ {
			if band[i] != b || n.Stock[i][m] <= 0 {
				continue
			}
			e := int(sh.in[i])
			g.cap[e] = n.Stock[i][m]
			n.direct(sh, g, i)
			added = added || g.cap[e] > flowEps
		}
		if added {
			g.maxFlow(sh.src, sh.sink)
			n.closeUnmet(sh, g, band, b, m)
		}
	}
	for i, e := range sh.in {
		if n.Stock[i][m] > 0 {
			a.Handled[i][m] = g.flow(int(e))
		}
	}
	for k, e := range sh.out {
		if cap[k] > 0 {
			a.NodeUsed[k][m] = g.flow(int(e))
		}
	}
	if n.Members != nil {
		n.shareMembers(sh, g, m, a)
	}
}

// direct sends demand i's stock along its arcs, nearest first, into the
// room its nodes have left (a full node's arc is passed over here, not in
// a call of send: most are full where capacity is short).
func (n *Network) direct(sh *shape, g *flowNet, i int) {
	if b := g.bits[i]; b != nil && !b.meets(g.room) {
		return
	}
	in := int(sh.in[i])
	left := g.cap[in]
	for a := n.Start[i]; a < n.Start[i+1] && left > flowEps; a++ {
		if g.cap[sh.out[n.Node[a]]] > flowEps {
			left = n.send(sh, g, in, a, left)
		}
	}
}

// closeUnmet closes the source arcs of band b's demands that kept stock
// after the band's maximum flow. In an augmenting-path maximum flow, a
// vertex that cannot reach the sink never can again (distances to the sink
// only grow), so these demands take no more in later bands; open, their
// arcs led every later breadth-first pass through all they reach, which is
// most of the network when capacity is short. What they were sent (the
// reverse arc's residual) stays as it is.
func (n *Network) closeUnmet(sh *shape, g *flowNet, band []int, b, m int) {
	for i, e := range sh.in {
		if band[i] == b && n.Stock[i][m] > 0 {
			g.cap[e] = 0
		}
	}
}

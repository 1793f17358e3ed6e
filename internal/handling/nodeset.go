package handling

// nodeSet is a set of storage nodes, node k (0-based) being bit k. The
// flow keeps a few (each demand's nodes, the nodes with room, the nodes
// of each level): a county's demands have a hundred arcs each into a few
// hundred nodes, and a set is read in a few words where the arcs take a
// hundred reads.
type nodeSet []uint64

// setWords is the number of words a set of n nodes takes.
func setWords(n int) int { return (n + 63) >> 6 }

func (s nodeSet) add(k int32)    { s[k>>6] |= 1 << (k & 63) }
func (s nodeSet) remove(k int32) { s[k>>6] &^= 1 << (k & 63) }

// fill makes s hold nodes 0..n-1 (s has setWords(n) words).
func (s nodeSet) fill(n int) {
	for w := range s {
		s[w] = ^uint64(0)
	}
	if r := n & 63; r != 0 {
		s[len(s)-1] = 1<<r - 1
	}
}

// meets reports whether s and o (of as many words) share a node.
func (s nodeSet) meets(o nodeSet) bool {
	for w, x := range s {
		if x&o[w] != 0 {
			return true
		}
	}
	return false
}

// empty reports whether s holds no node.
func (s nodeSet) empty() bool {
	for _, x := range s {
		if x != 0 {
			return false
		}
	}
	return true
}

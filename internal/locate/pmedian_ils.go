package locate

import "slices"

// pmDupLimit is how many kicks in a row may land on start sets already
// searched before diversify concludes that the neighbourhood is exhausted.
const pmDupLimit = 10000

// diversify spends the time left while the gap is open on an iterated local
// search: a kick replaces k open sites of the best (or an elite) solution by
// candidates near random demand points, local search follows, then path
// relinking towards an elite solution. k cycles from 1 up to a tenth of p
// as kicks keep failing, so the search reaches farther from the best.
func (s *pmSearch) diversify() {
	if s.p == 0 || len(s.d.cands) <= s.p {
		return
	}
	kmax := max(1, min(s.p, 2+s.p/10))
	idle, dup := 0, 0
	for !s.stop() {
		base := s.bestSites
		if len(s.elite) > 1 && s.rng.IntN(3) == 0 {
			base = s.elite[s.rng.IntN(len(s.elite))].sites
		}
		sites := s.kick(base, 1+(idle/10)%kmax)
		if s.tried[hashSites(sites)] {
			if dup++; dup > pmDupLimit {
				return
			}
			continue
		}
		dup = 0
		if s.searchAndRelink(sites) {
			idle = 0
		} else {
			idle++
		}
	}
}

// kick returns a copy of sites with k of them replaced, each by a candidate
// among the nearest few of a random demand point, within the budget.
func (s *pmSearch) kick(sites []int32, k int) []int32 {
	d := s.d
	out := slices.Clone(sites)
	spent := 0.0
	for _, j := range out {
		spent += d.fixedCost(j)
	}
	for range k {
		x := s.rng.IntN(len(out))
		for try := 0; try < 8; try++ {
			u := s.rng.IntN(d.n)
			a, b := d.rowStart[u], d.rowStart[u+1]
			if a == b {
				continue
			}
			j := d.rowSite[a+s.rng.IntN(min(b-a, 8))]
			if d.status[j] != Candidate || slices.Contains(out, j) {
				continue
			}
			if d.budget > 0 && spent-d.fixedCost(out[x])+d.fixedCost(j) > d.budget*(1+1e-12) {
				continue
			}
			spent += d.fixedCost(j) - d.fixedCost(out[x])
			out[x] = j
			break
		}
	}
	slices.Sort(out)
	return out
}

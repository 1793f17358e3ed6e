package locate

import (
	"math/rand/v2"
	"testing"
)

// modelMinCover returns the fewest open sites (fix[j] >= 0; at most 16
// sites) of m covering every group, by enumeration, or -1 if none does.
func modelMinCover(m *coverModel, fix []int8) int {
	best := -1
	for mask := 0; mask < 1<<len(m.site); mask++ {
		k, ok := 0, true
		for j := range m.site {
			if mask>>j&1 == 1 {
				k++
				ok = ok && fix[j] >= 0
			}
		}
		if !ok || (best >= 0 && k >= best) {
			continue
		}
		all := true
		for g := range m.w {
			hit := false
			for _, j := range m.rowSite[m.rowStart[g]:m.rowStart[g+1]] {
				hit = hit || mask>>j&1 == 1
			}
			all = all && hit
		}
		if all {
			best = k
		}
	}
	return best
}

// TestCoverReductions checks on random instances that closing dominated
// sites and dropping implied rows leaves the fewest sites covering every
// group unchanged.
func TestCoverReductions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	reduced := 0
	for trial := range 300 {
		in := coverRandomInstance(t, rng)
		m, err := newCoverModel(in, in.Radius)
		if err != nil || len(m.site) > 12 {
			continue
		}
		none := make([]int8, len(m.site))
		want := modelMinCover(m, none)
		fix := m.dominated(0)
		r := m.coverReduced(fix)
		if got := modelMinCover(r, fix); got != want {
			t.Errorf("trial %d: minimum cover %d after reduction, %d before", trial, got, want)
		}
		if len(r.w) < len(m.w) {
			reduced++
		}
	}
	if reduced == 0 {
		t.Error("no instance was reduced: the test checks nothing")
	}
}

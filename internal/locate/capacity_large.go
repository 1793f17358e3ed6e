package locate

import (
	"math"
	"sort"
)

// largeWork is options × demands above which the search estimates gains
// from the current assignment instead of measuring every option alone.
const largeWork = 5e7

// large reports whether the instance needs the estimating search.
func (sv *capSolver) large() bool {
	return float64(len(sv.in.Sites))*float64(sv.m.Net.Len()) > largeWork
}

// byNode lists, for each node, the demands with an arc to it.
func (sv *capSolver) byNode() [][]int32 {
	if sv.users == nil {
		net := sv.m.Net
		sv.users = make([][]int32, len(net.Cap))
		for i := 0; i < net.Len(); i++ {
			for _, k := range net.Arcs(i) {
				sv.users[k] = append(sv.users[k], int32(i))
			}
		}
	}
	return sv.users
}

// estimate guesses each option's gain over st: each month, its capacity
// filled with the unhandled stock of the demands with an arc to it, most
// valuable first. It ignores rerouting and nearest-first order, so it is
// neither a bound nor exact, but it costs one pass over the arcs.
func (sv *capSolver) estimate(st *capState, weight []float64) []float64 {
	users := sv.byNode()
	est := make([]float64, len(sv.in.Sites))
	type lot struct{ w, t float64 }
	var lots []lot
	for j, adds := range sv.m.Adds {
		if !sv.usable(j) || st.open[j] {
			continue
		}
		for _, a := range adds {
			for m := 0; m < 12; m++ {
				lots = lots[:0]
				for _, i := range users[a.Node] {
					if left := sv.m.Net.Stock[i][m] - st.val.Assign.Handled[i][m]; left > 1e-9 && weight[i] > 0 {
						lots = append(lots, lot{weight[i], left})
					}
				}
				sort.Slice(lots, func(x, y int) bool { return lots[x].w > lots[y].w })
				room := a.T
				for _, l := range lots {
					take := math.Min(room, l.t)
					est[j] += take * l.w
					if room -= take; room <= 0 {
						break
					}
				}
			}
		}
	}
	return est
}

// batchGreedy adds, each round, the options of best estimated gain per
// cost whose demands do not overlap (so their estimates do not compete),
// within the budget, then measures the state once; it stops when a round
// adds nothing or gains nothing, or stop(st) holds.
func (sv *capSolver) batchGreedy(st *capState, budget float64, weight []float64, value func(*CapacityValue) float64, stop func(*capState) bool) (*capState, error) {
	users := sv.byNode()
	for !stop(st) && !sv.clock.done() {
		est := sv.estimate(st, weight)
		order := sv.byRatio(est)
		touched := make([]bool, sv.m.Net.Len())
		next := st.clone()
		left := budget - st.val.Cost
		picked := 0
		for _, j := range order {
			if sv.cost(j) > left*(1+1e-12) {
				continue
			}
			if g := sv.m.Group[j]; g >= 0 {
				if _, used := next.group[g]; used {
					continue
				}
			}
			if overlaps(users, sv.m.Adds[j], touched) {
				continue
			}
			for _, a := range sv.m.Adds[j] {
				for _, i := range users[a.Node] {
					touched[i] = true
				}
			}
			sv.toggle(next, j, true)
			left -= sv.cost(j)
			picked++
		}
		if picked == 0 {
			break
		}
		if err := sv.eval(next); err != nil {
			return st, err
		}
		if value(next.val) <= value(st.val)+1e-9 {
			break
		}
		st = next
	}
	return st, nil
}

// overlaps reports whether an option's nodes serve a touched demand.
func overlaps(users [][]int32, adds []NodeAdd, touched []bool) bool {
	for _, a := range adds {
		for _, i := range users[a.Node] {
			if touched[i] {
				return true
			}
		}
	}
	return false
}

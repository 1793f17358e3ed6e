package locate

import (
	"context"
	"math"
)

// lazyPick returns the option whose gain per cost is best, evaluating
// stale bounds lazily: gains only shrink as options are added, so an
// option whose fresh gain still beats every other's bound is the best.
// gainOf returns the measured gain of st plus j. It returns -1 when no
// option fits in left or gains anything.
func (sv *capSolver) lazyPick(st *capState, ub []float64, left float64, gainOf func(j int) (float64, error)) (int, float64, error) {
	fresh := make([]bool, len(ub))
	for !sv.clock.done() {
		best, second := -1, -1
		ratio := func(j int) float64 {
			if c := sv.cost(j); c > 0 {
				return ub[j] / c
			}
			return math.Inf(1) * ub[j]
		}
		for j := range ub {
			if st.open[j] || !sv.usable(j) || ub[j] <= 1e-9 || sv.cost(j) > left*(1+1e-12) {
				continue
			}
			if g := sv.m.Group[j]; g >= 0 {
				if _, used := st.group[g]; used {
					continue
				}
			}
			switch {
			case best < 0 || ratio(j) > ratio(best):
				best, second = j, best
			case second < 0 || ratio(j) > ratio(second):
				second = j
			}
		}
		if best < 0 {
			return -1, 0, nil
		}
		if fresh[best] && (second < 0 || ratio(best) >= ratio(second)) {
			return best, ub[best], nil
		}
		g, err := gainOf(best)
		if err != nil {
			return -1, 0, err
		}
		ub[best], fresh[best] = math.Max(g, 0), true
	}
	return -1, 0, nil
}

// greedy adds options best gain per cost first while the budget lasts
// and stop(st) is false; gain measures the gain of a state over st.
func (sv *capSolver) greedy(st *capState, budget float64, ub []float64, gain func(from, to *CapacityValue) float64, stop func(*capState) bool) (*capState, error) {
	for !stop(st) && !sv.clock.done() {
		j, _, err := sv.lazyPick(st, ub, budget-st.val.Cost, func(j int) (float64, error) {
			trial := st.clone()
			sv.toggle(trial, j, true)
			if err := sv.eval(trial); err != nil {
				return 0, err
			}
			return gain(st.val, trial.val), nil
		})
		if err != nil || j < 0 {
			return st, err
		}
		sv.toggle(st, j, true)
		if err := sv.eval(st); err != nil {
			return st, err
		}
	}
	return st, nil
}

// maximise is the budget mode.
func (sv *capSolver) maximise(ctx context.Context) (*Result, error) {
	budget := sv.params.Budget
	u0, err := sv.gainBounds(ctx, sv.m.Value)
	if err != nil {
		return nil, err
	}
	bound := math.Max(u0+sv.knapsackBound(budget), sv.base.Weighted)
	weighted := func(v *CapacityValue) float64 { return v.Weighted }
	if sv.large() {
		sv.single = sv.estimate(sv.emptyState(), sv.m.Value)
		st, err := sv.batchGreedy(sv.emptyState(), budget, sv.m.Value, weighted, func(*capState) bool { return false })
		if err != nil {
			return nil, err
		}
		sv.single = sv.estimate(st, sv.m.Value)
		better := func(a, b *capState) bool { return a.val.Weighted > b.val.Weighted*(1+1e-12)+1e-9 }
		if st, err = sv.swaps(st, budget, better, func(st *capState) bool { return GapPercent(st.val.Weighted, bound) < 1e-6 }); err != nil {
			return nil, err
		}
		return sv.result(st, st.val.Weighted, bound), nil
	}
	if err := sv.singles(weighted, sv.m.Value); err != nil {
		return nil, err
	}
	st, err := sv.bestWithin(budget, weighted, bound)
	if err != nil {
		return nil, err
	}
	return sv.result(st, st.val.Weighted, bound), nil
}

// bestWithin searches the options within budget for the largest value:
// lazy greedy, the best single option, then swaps. sv.single must hold
// the options' single gains for the same value.
func (sv *capSolver) bestWithin(budget float64, value func(*CapacityValue) float64, bound float64) (*capState, error) {
	gain := func(from, to *CapacityValue) float64 { return value(to) - value(from) }
	never := func(*capState) bool { return false }
	ub := append([]float64(nil), sv.single...)
	st, err := sv.greedy(sv.emptyState(), budget, ub, gain, never)
	if err != nil {
		return nil, err
	}
	if sv.clock.done() {
		if st, err = sv.fill(st, budget, ub, value); err != nil {
			return nil, err
		}
	}
	if single, err := sv.bestSingle(budget, value); err != nil {
		return nil, err
	} else if single != nil && value(single.val) > value(st.val) {
		st = single
	}
	better := func(a, b *capState) bool { return value(a.val) > value(b.val)*(1+1e-12)+1e-9 }
	return sv.swaps(st, budget, better, func(st *capState) bool { return GapPercent(value(st.val), bound) < 1e-6 })
}

// fill spends what the budget has left when the clock stopped the greedy:
// options by their last known gain per cost, measured once together. The
// filled state replaces st only when it measures better.
func (sv *capSolver) fill(st *capState, budget float64, ub []float64, value func(*CapacityValue) float64) (*capState, error) {
	next := st.clone()
	left := budget - st.cost(sv)
	added := false
	for _, j := range sv.byRatio(ub) {
		if next.open[j] || sv.cost(j) > left*(1+1e-12) {
			continue
		}
		if g := sv.m.Group[j]; g >= 0 {
			if _, used := next.group[g]; used {
				continue
			}
		}
		sv.toggle(next, j, true)
		left -= sv.cost(j)
		added = true
	}
	if !added {
		return st, nil
	}
	if err := sv.eval(next); err != nil {
		return st, err
	}
	if value(next.val) > value(st.val) {
		return next, nil
	}
	return st, nil
}

// bestSingle returns the state with the one option of largest single
// gain within budget (nil if none fits or gains).
func (sv *capSolver) bestSingle(budget float64, value func(*CapacityValue) float64) (*capState, error) {
	best := -1
	for j, g := range sv.single {
		if sv.usable(j) && sv.cost(j) <= budget && g > 0 && (best < 0 || g > sv.single[best]) {
			best = j
		}
	}
	if best < 0 {
		return nil, nil
	}
	st := sv.emptyState()
	sv.toggle(st, best, true)
	return st, sv.eval(st)
}

// swapWidth is how many closed options, best gain bound per cost first,
// each open option is tried against.
const swapWidth = 24

// swaps improves st by replacing one open option with a closed one (or
// adding one) within the budget, first improvement, until no move
// improves, the clock runs out or proven(st) says it is optimal.
func (sv *capSolver) swaps(st *capState, budget float64, better func(a, b *capState) bool, proven func(*capState) bool) (*capState, error) {
	order := sv.byRatio(sv.single)
	rng := sv.rng()
	for improved := true; improved && !sv.clock.done(); {
		improved = false
		if proven(st) {
			break
		}
		outs := append([]int{-1}, st.openList()...)
		rng.Shuffle(len(outs)-1, func(a, b int) { outs[a+1], outs[b+1] = outs[b+1], outs[a+1] })
		for _, o := range outs {
			next, err := sv.tryIns(st, o, order, budget, better)
			if err != nil {
				return st, err
			}
			if next != nil {
				st, improved = next, true
				break
			}
		}
	}
	return st, nil
}

// tryIns tries closing o (-1: nothing) and opening one of the first
// swapWidth fitting options in order; it returns the first better state.
func (sv *capSolver) tryIns(st *capState, o int, order []int, budget float64, better func(a, b *capState) bool) (*capState, error) {
	tried := 0
	for _, j := range order {
		if tried >= swapWidth || sv.clock.done() {
			break
		}
		if st.open[j] || j == o {
			continue
		}
		trial := st.clone()
		if o >= 0 {
			sv.toggle(trial, o, false)
		}
		sv.toggle(trial, j, true)
		if trial.cost(sv) > budget*(1+1e-12) {
			continue
		}
		tried++
		if err := sv.eval(trial); err != nil {
			return nil, err
		}
		if better(trial, st) {
			return trial, nil
		}
	}
	return nil, nil
}

func (st *capState) openList() []int {
	var out []int
	for j, o := range st.open {
		if o {
			out = append(out, j)
		}
	}
	return out
}

func (st *capState) cost(sv *capSolver) float64 {
	c := 0.0
	for j, o := range st.open {
		if o {
			c += sv.cost(j)
		}
	}
	return c
}

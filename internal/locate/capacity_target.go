package locate

import (
	"context"
	"math"
	"sort"
)

// reachTarget is the target mode: the least build cost whose plain
// tonnes handled reach the target.
func (sv *capSolver) reachTarget(ctx context.Context) (*Result, error) {
	target := sv.m.Target
	if sv.base.Tonnes >= target*(1-1e-9) {
		return sv.result(sv.emptyState(), 0, 0), nil
	}
	full, err := sv.fullState()
	if err != nil {
		return nil, err
	}
	if full.val.Tonnes < target*(1-1e-9) {
		return nil, &TargetError{Target: target, Best: full.val.Tonnes}
	}
	u0, err := sv.gainBounds(ctx, sv.m.Tonnes)
	if err != nil {
		return nil, err
	}
	bound := sv.coverBound(target - u0)
	plain := func(from, to *CapacityValue) float64 { return to.Tonnes - from.Tonnes }
	reached := func(st *capState) bool { return st.val.Tonnes >= target*(1-1e-9) }
	if err := sv.singles(func(v *CapacityValue) float64 { return v.Tonnes }, sv.m.Tonnes); err != nil {
		return nil, err
	}
	st, err := sv.greedy(sv.emptyState(), math.Inf(1), append([]float64(nil), sv.single...), plain, reached)
	if err != nil {
		return nil, err
	}
	if !reached(st) {
		// Out of time: finish on estimated gains, one measure per round,
		// rather than answer with everything built.
		sv.clock.grace = true
		st, err = sv.batchGreedy(st, math.Inf(1), sv.m.Tonnes, func(v *CapacityValue) float64 { return v.Tonnes }, reached)
		sv.clock.grace = false
		if err != nil {
			return nil, err
		}
		if !reached(st) {
			st = full
		}
	}
	if st, err = sv.prune(st, reached); err != nil {
		return nil, err
	}
	cheaper := func(a, b *capState) bool { return reached(a) && a.val.Cost < b.val.Cost-1e-9 }
	for improved := true; improved && !sv.clock.done() && GapPercent(st.val.Cost, bound) > 1e-6; {
		improved = false
		for _, o := range st.openList() {
			next, err := sv.tryIns(st, o, sv.byRatio(sv.single), st.val.Cost, cheaper)
			if err != nil {
				return nil, err
			}
			if next != nil {
				st, improved = next, true
				break
			}
		}
		if improved {
			if st, err = sv.prune(st, reached); err != nil {
				return nil, err
			}
		}
	}
	if st, err = sv.tighten(st, bound, reached); err != nil {
		return nil, err
	}
	return sv.result(st, st.val.Cost, math.Min(bound, st.val.Cost)), nil
}

// tighten bisects the budget between the cost bound and st's cost: the
// most plain tonnes within a smaller budget may still reach the target.
func (sv *capSolver) tighten(st *capState, bound float64, reached func(*capState) bool) (*capState, error) {
	plain := func(v *CapacityValue) float64 { return v.Tonnes }
	lo := bound
	for step := 0; step < 10 && !sv.clock.done() && GapPercent(st.val.Cost, lo) > 0.5; step++ {
		mid := (lo + st.val.Cost) / 2
		cand, err := sv.bestWithin(mid, plain, math.Inf(1))
		if err != nil {
			return st, err
		}
		if reached(cand) {
			if cand, err = sv.prune(cand, reached); err != nil {
				return st, err
			}
			st = cand
		} else {
			lo = mid
		}
	}
	return st, nil
}

// Best measures the instance with every option built at its largest size:
// the most that any plan can handle.
func (m *CapacityModel) Best(ctx context.Context, in *Instance) (*CapacityValue, error) {
	if err := m.check(in); err != nil {
		return nil, err
	}
	sv := &capSolver{in: in, m: m, clock: &capClock{ctx: ctx}}
	st, err := sv.fullState()
	if err != nil {
		return nil, err
	}
	return st.val, nil
}

// fullState opens every usable option, the largest of each group.
func (sv *capSolver) fullState() (*capState, error) {
	st := sv.emptyState()
	size := func(j int) float64 {
		t := 0.0
		for _, a := range sv.m.Adds[j] {
			t += a.T
		}
		return t
	}
	for j := range sv.in.Sites {
		if !sv.usable(j) {
			continue
		}
		if g := sv.m.Group[j]; g >= 0 {
			if k, ok := st.group[g]; ok && size(k) >= size(j) {
				continue
			}
		}
		sv.toggle(st, j, true)
	}
	return st, sv.eval(st)
}

// coverBound is a lower bound on the cost of gaining need plain tonnes:
// the fractional covering knapsack over the options' gain bounds.
func (sv *capSolver) coverBound(need float64) float64 {
	if need <= 0 {
		return 0
	}
	if sv.slack < need*(1-1e-9) {
		// The bounds say no set can gain enough; the search will show
		// the target is reached all the same only if they are loose,
		// so fall back to the cheapest option as the bound.
		return sv.cheapest()
	}
	cost := 0.0
	for _, j := range sv.byRatio(sv.gain) {
		if sv.gain[j] >= need {
			return cost + sv.cost(j)*need/sv.gain[j]
		}
		need -= sv.gain[j]
		cost += sv.cost(j)
	}
	return cost
}

func (sv *capSolver) cheapest() float64 {
	c := math.Inf(1)
	for j := range sv.in.Sites {
		if sv.usable(j) {
			c = math.Min(c, sv.cost(j))
		}
	}
	if math.IsInf(c, 1) {
		return 0
	}
	return c
}

// prune closes open options, dearest first, while the target stays reached.
func (sv *capSolver) prune(st *capState, reached func(*capState) bool) (*capState, error) {
	open := st.openList()
	sort.SliceStable(open, func(a, b int) bool { return sv.cost(open[a]) > sv.cost(open[b]) })
	for _, j := range open {
		if sv.clock.done() {
			break
		}
		trial := st.clone()
		sv.toggle(trial, j, false)
		if err := sv.eval(trial); err != nil {
			return st, err
		}
		if reached(trial) {
			st = trial
		}
	}
	return st, nil
}

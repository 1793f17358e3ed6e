package locate

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"
)

// capSolver searches the capacity problem: which options to open.
type capSolver struct {
	in     *Instance
	m      *CapacityModel
	params Params
	clock  *capClock
	gain   []float64 // per option: an upper bound on its gain (weighted or plain), for the bound
	single []float64 // per option: its measured gain alone, for the search
	users  [][]int32 // per node: the demands with an arc to it (large instances)
	// evalTime is how long one measure took (the empty plan's).
	evalTime time.Duration
	slack    float64 // the most any set of options can add
	base     *CapacityValue
	evals    int
}

// capClock stops the search at the time limit or on cancellation; grace
// lets a search that must finish (a target not yet reached) go past the
// limit, never past cancellation.
type capClock struct {
	ctx      context.Context
	deadline time.Time
	grace    bool
}

func (c *capClock) done() bool {
	return c.ctx.Err() != nil || (!c.grace && time.Now().After(c.deadline))
}

// solveCapacity maximises the priority-weighted tonnes handled with build
// cost within params.Budget, or (CapacityModel.Target > 0) finds the least
// build cost reaching the target. The bound comes from the maximum-weight
// assignment and per-option gain bounds (package handling), combined by a
// fractional knapsack: the gain of a set of options never exceeds the sum
// of their single gains, because handled stock is submodular in added
// capacity.
func solveCapacity(ctx context.Context, in *Instance, params Params) (*Result, error) {
	start := time.Now()
	m := in.Capacity
	if err := m.check(in); err != nil {
		return nil, err
	}
	limit := params.TimeLimit
	if limit <= 0 {
		limit = 30 * time.Second
	}
	sv := &capSolver{in: in, m: m, params: params, clock: &capClock{ctx: ctx, deadline: start.Add(limit)}}
	t0 := time.Now()
	base, err := m.Evaluate(ctx, in, make([]bool, len(in.Sites)))
	if err != nil {
		return nil, err
	}
	sv.base, sv.evalTime = base, time.Since(t0)
	var res *Result
	if m.Target > 0 {
		res, err = sv.reachTarget(ctx)
	} else {
		res, err = sv.maximise(ctx)
	}
	if err != nil {
		return nil, err
	}
	res.Problem = Capacity
	res.Seconds = time.Since(start).Seconds()
	res.Iterations = sv.evals
	return res, nil
}

// gainBounds fills sv.gain with each option's gain bound under weights w
// (per demand, per tonne of stock) and returns the maximum-weight value
// with no option open.
func (sv *capSolver) gainBounds(ctx context.Context, w []float64) (float64, error) {
	var nodes []int32
	at := map[int32]int{}
	for _, adds := range sv.m.Adds {
		for _, a := range adds {
			if _, ok := at[a.Node]; !ok {
				at[a.Node] = len(nodes)
				nodes = append(nodes, a.Node)
			}
		}
	}
	h, err := sv.m.Net.Headroom(ctx, sv.m.Net.Cap, w, nodes)
	if err != nil {
		return 0, err
	}
	sv.gain = make([]float64, len(sv.in.Sites))
	for j, adds := range sv.m.Adds {
		for _, a := range adds {
			sv.gain[j] += h.Gain(at[a.Node], a.T)
		}
	}
	sv.slack = 0
	for q := range nodes {
		sv.slack += h.Slack(q)
	}
	return h.Base, nil
}

// cost is an option's build cost.
func (sv *capSolver) cost(j int) float64 { return sv.in.Sites[j].FixedCost }

// usable reports whether option j may be opened.
func (sv *capSolver) usable(j int) bool {
	return sv.in.Sites[j].Status == Candidate && len(sv.m.Adds[j]) > 0
}

// singles measures each usable option's gain alone under value: the
// search's first estimate of every option (gains shrink as options are
// added, nearly always).
//
// When measuring every option would take more than a quarter of the time
// limit (as timed on the first measure), the cheap estimate stands in.
func (sv *capSolver) singles(value func(*CapacityValue) float64, weight []float64) error {
	usable := 0
	for j := range sv.in.Sites {
		if sv.usable(j) {
			usable++
		}
	}
	if time.Duration(usable)*sv.evalTime > time.Until(sv.clock.deadline)/4 {
		sv.single = sv.estimate(sv.emptyState(), weight)
		return nil
	}
	sv.single = make([]float64, len(sv.in.Sites))
	var rough []float64 // the cheap estimate, for options the clock left unmeasured
	for j := range sv.in.Sites {
		if !sv.usable(j) {
			continue
		}
		if sv.clock.done() {
			if rough == nil {
				rough = sv.estimate(sv.emptyState(), weight)
			}
			sv.single[j] = rough[j]
			continue
		}
		st := sv.emptyState()
		sv.toggle(st, j, true)
		if err := sv.eval(st); err != nil {
			return err
		}
		sv.single[j] = value(st.val) - value(sv.base)
	}
	return nil
}

// knapsackBound is the fractional knapsack over gain bounds within budget.
func (sv *capSolver) knapsackBound(budget float64) float64 {
	idx := sv.byRatio(sv.gain)
	t, left := 0.0, budget
	for _, j := range idx {
		c := sv.cost(j)
		if c <= left {
			t += sv.gain[j]
			left -= c
			continue
		}
		t += sv.gain[j] * left / c
		break
	}
	return math.Min(t, sv.slack)
}

// byRatio returns the usable options with a positive gain, best gain per
// cost first.
func (sv *capSolver) byRatio(gain []float64) []int {
	var idx []int
	for j := range sv.in.Sites {
		if sv.usable(j) && gain[j] > 0 {
			idx = append(idx, j)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return gain[idx[a]]*sv.cost(idx[b]) > gain[idx[b]]*sv.cost(idx[a])
	})
	return idx
}

// state is a set of open options and its value.
type capState struct {
	open  []bool
	group map[int32]int // group -> open option
	val   *CapacityValue
}

func (sv *capSolver) emptyState() *capState {
	return &capState{open: make([]bool, len(sv.in.Sites)), group: map[int32]int{}, val: sv.base}
}

func (st *capState) clone() *capState {
	c := &capState{open: slices.Clone(st.open), group: map[int32]int{}, val: st.val}
	for g, j := range st.group {
		c.group[g] = j
	}
	return c
}

// toggle opens or closes option j (closing its group's open option first).
func (sv *capSolver) toggle(st *capState, j int, on bool) {
	g := sv.m.Group[j]
	if on && g >= 0 {
		if k, ok := st.group[g]; ok {
			st.open[k] = false
		}
		st.group[g] = j
	}
	if !on && g >= 0 && st.group[g] == j {
		delete(st.group, g)
	}
	st.open[j] = on
}

// eval re-measures st.
func (sv *capSolver) eval(st *capState) error {
	v, err := sv.m.Evaluate(sv.clock.ctx, sv.in, st.open)
	if err != nil {
		return err
	}
	sv.evals++
	st.val = v
	return nil
}

// result turns a state into a Result with the bound.
func (sv *capSolver) result(st *capState, obj, bound float64) *Result {
	res := &Result{Objective: obj, Bound: bound, Covered: st.val.Tonnes, Gap: GapPercent(obj, bound)}
	for j, o := range st.open {
		if o {
			res.Sites = append(res.Sites, j)
		}
	}
	return res
}

// rng returns the search's random source for the seed.
func (sv *capSolver) rng() *rand.Rand {
	return rand.New(rand.NewPCG(uint64(sv.params.Seed), 0x9e3779b97f4a7c15))
}

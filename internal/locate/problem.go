package locate

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// Sense says whether a problem's objective is minimised or maximised.
type Sense string

// The senses.
const (
	Minimise Sense = "min"
	Maximise Sense = "max"
)

// Text is a planner-facing text in English and Chinese.
type Text struct {
	EN string `json:"en"`
	ZH string `json:"zh"`
}

// In returns the text in lang ("zh…" for Chinese, English otherwise).
func (t Text) In(lang string) string {
	if strings.HasPrefix(lang, "zh") && t.ZH != "" {
		return t.ZH
	}
	return t.EN
}

// Spec declares a problem once: what it needs, how its objective reads and
// is evaluated, and how it is solved. Planner, CLI, API and UI read the
// table Problems; adding a problem type is its solver file, one entry here,
// its strings and its test.
type Spec struct {
	Name  Problem `json:"name"`
	Title Text    `json:"title"`
	// Objective labels the objective; Unit the marginal gain of a site.
	Objective Text  `json:"objective"`
	Unit      Text  `json:"unit"`
	Sense     Sense `json:"sense"`
	// NeedsP: the number of new sites p must be given; UsesP: it may be.
	NeedsP bool `json:"needs_p"`
	UsesP  bool `json:"uses_p"`
	// UsesTarget: a coverage target share applies (lscp).
	UsesTarget bool `json:"uses_coverage_target"`
	// BudgetOrTarget: a budget or a handling target must be given (capacity).
	BudgetOrTarget bool `json:"budget_or_handling_target"`
	// Menu: sites come in modular sizes (capacity menu) and may expand
	// existing facilities.
	Menu bool `json:"capacity_menu"`
	// Network: the instance is a handling network (Instance.Capacity)
	// rather than demand-to-site arcs.
	Network bool `json:"-"`
	// Money: arc costs are money and demand weights are storage use
	// (capacitated cost problems).
	Money bool `json:"-"`
	// Expansions: existing facilities may be expanded (expansion menu).
	Expansions bool `json:"expansions"`
	// TargetObjective labels the objective when a target is given instead
	// of a budget (the least build cost reaching it).
	TargetObjective *Text `json:"target_objective,omitempty"`
	// Gain names what a plan's gain is counted in: "covered" or "handled" tonnes.
	Gain string `json:"gain"`
	// Covering: only arcs within each class's threshold matter; otherwise
	// arcs reach the allocation horizon.
	Covering bool `json:"covering"`
	// Separable: the objective is a sum over demand points, so a region's
	// problem splits into parts by county (p or the budget shared out, a
	// target applied in each part); p-center's longest time is not a sum.
	Separable bool `json:"separable"`
	// Evaluate returns the objective of in with the sites open (existing
	// sites must be set open by the caller), for marginal gains and
	// runner-ups. lscp evaluates covered weight.
	Evaluate func(in *Instance, open []bool) float64 `json:"-"`
	solve    func(ctx context.Context, in *Instance, p Params) (*Result, error)
}

// Problems is the problem registry, in the order planners see them.
var Problems = []*Spec{
	{Name: MCLP, Title: Text{"Maximal covering", "最大覆盖"},
		Objective: Text{"tonnes covered within the class threshold", "类别时限内覆盖吨数"}, Unit: Text{"t covered", "吨覆盖"},
		Sense: Maximise, NeedsP: true, UsesP: true, Covering: true, Separable: true, Gain: "covered", Evaluate: evalCovered, solve: solveMCLP},
	{Name: Capacity, Title: Text{"Capacity (handling rate)", "库容缺口（产地低温处理率）"},
		Objective: Text{"tonnes handled per year by reachable cold storage", "可达冷库年处理吨数"}, Unit: Text{"t handled", "吨处理"},
		Sense: Maximise, BudgetOrTarget: true, Menu: true, Expansions: true, Covering: true, Network: true, Gain: "handled",
		TargetObjective: &Text{"build cost to reach the handling target (10,000 CNY)", "达到处理率目标的建设成本（万元）"},
		Separable:       true, Evaluate: evalCapacity, solve: solveCapacity},
	{Name: LSCP, Title: Text{"Set covering", "集合覆盖"},
		Objective: Text{"new sites needed", "所需新站点数"}, Unit: Text{"t covered", "吨覆盖"},
		Separable: true, Sense: Minimise, UsesTarget: true, Covering: true, Gain: "covered", Evaluate: evalCovered, solve: solveLSCP},
	{Name: PMedian, Title: Text{"p-median", "p-中位"},
		Objective: Text{"tonne-weighted travel minutes", "吨加权运输分钟"}, Unit: Text{"t·min", "吨·分钟"},
		Sense: Minimise, NeedsP: true, UsesP: true, Separable: true, Gain: "covered", Evaluate: evalMedian, solve: solvePMedian},
	{Name: PCenter, Title: Text{"p-center", "p-中心"},
		Objective: Text{"longest travel minutes", "最长运输分钟"}, Unit: Text{"min (longest access)", "分钟（最长可达时间）"},
		Sense: Minimise, NeedsP: true, UsesP: true, Gain: "covered", Evaluate: evalCenter, solve: solvePCenter},
	{Name: CFLP, Title: Text{"Capacitated facility location", "带容量设施选址"},
		Objective: Text{"build + transport + spoilage cost over the horizon (10,000 CNY)", "规划期内建设+运输+损耗成本（万元）"},
		Unit:      Text{"10,000 CNY", "万元"},
		Sense:     Minimise, UsesP: true, Menu: true, Money: true, Separable: true, Gain: "handled", Evaluate: evalCost, solve: solveCFLP},
}

// Lookup returns the Spec of the problem named s, or an error listing
// the valid names.
func Lookup(s string) (*Spec, error) {
	for _, sp := range Problems {
		if string(sp.Name) == s {
			return sp, nil
		}
	}
	names := make([]string, len(Problems))
	for i, sp := range Problems {
		names[i] = string(sp.Name)
	}
	return nil, fmt.Errorf("unknown problem %q (want %s)", s, strings.Join(names, ", "))
}

// ParseProblem returns the Problem named s or an error listing the valid names.
func ParseProblem(s string) (Problem, error) {
	sp, err := Lookup(s)
	if err != nil {
		return "", err
	}
	return sp.Name, nil
}

// Loss is how much worse v is than base under the sense (positive when worse).
func (sp *Spec) Loss(base, v float64) float64 {
	if sp.Sense == Maximise {
		return base - v
	}
	return v - base
}

// unreachedMinutes stands in for the travel of a demand with no open site
// in reach when evaluating p-median and p-center.
const unreachedMinutes = 360

// nearestOpen returns demand i's cheapest open site cost (+Inf for none).
func nearestOpen(in *Instance, open []bool, i int) float64 {
	sites, costs := in.Costs.Row(i)
	for k, s := range sites { // rows are sorted by cost
		if open[s] {
			return costs[k]
		}
	}
	return math.Inf(1)
}

func evalCovered(in *Instance, open []bool) float64 {
	t := 0.0
	for i, d := range in.Demand {
		r := d.Radius
		if r <= 0 {
			r = in.Radius
		}
		if nearestOpen(in, open, i) <= r {
			t += d.Weight
		}
	}
	return t
}

func evalMedian(in *Instance, open []bool) float64 {
	t := 0.0
	for i, d := range in.Demand {
		t += d.Weight * math.Min(nearestOpen(in, open, i), unreachedMinutes)
	}
	return t
}

func evalCenter(in *Instance, open []bool) float64 {
	t := 0.0
	for i := range in.Demand {
		t = math.Max(t, math.Min(nearestOpen(in, open, i), unreachedMinutes))
	}
	return t
}

// evalCost is the uncapacitated cost: fixed costs of open new sites plus
// each demand's cheapest open arc.
func evalCost(in *Instance, open []bool) float64 {
	t := 0.0
	for i := range in.Demand {
		if c := nearestOpen(in, open, i); !math.IsInf(c, 1) {
			t += c
		}
	}
	for j, s := range in.Sites {
		if open[j] && s.Status == Candidate {
			t += s.FixedCost
		}
	}
	return t
}

package plan

import (
	"math"

	"github.com/coldchain/coldchain/internal/coverage"
)

// fillMeasures records the before/after figures: totals, the change a
// planner reads, classes, months, regions, where the gain lands and what
// stays unserved.
func (in *instance) fillMeasures(out *Result, ch *choice, before, after *coverage.Report) {
	out.Before, out.After = before.Totals, after.Totals
	out.Regions = after.Regions
	out.Change = in.change(ch, before, after)
	for i, c := range before.Classes {
		a := after.Classes[i]
		out.ByClass = append(out.ByClass, ClassChange{Class: c.Class, OutputT: c.OutputT, CoveredTBefore: c.CoveredT, CoveredTAfter: a.CoveredT,
			HandledTBefore: c.HandledT, HandledTAfter: a.HandledT, HandlingRateBefore: c.HandlingRate, HandlingRateAfter: a.HandlingRate})
	}
	for m, b := range before.Months {
		a := after.Months[m]
		out.Months = append(out.Months, MonthChange{Month: b.Month, StockT: b.StockT, HandledBefore: b.HandledStockT,
			HandledAfter: a.HandledStockT, ShortfallT: a.ShortfallT})
	}
	out.Priority = in.priorityGain(before, after)
	if in.spec.Gain == "handled" {
		out.UnservedT = math.Max(0, after.Totals.OutputT-after.Totals.HandledT)
	} else {
		out.UnservedT = math.Max(0, after.Totals.OutputT-after.Totals.CoveredT)
	}
	out.Unserved = in.unservedProducers(after)
}

// change is the before/after difference of producers' access and the
// sites' capacity and cost.
func (in *instance) change(ch *choice, before, after *coverage.Report) Change {
	c := Change{CapacityAddedT: map[string]float64{}, CoverageRateBefore: before.Totals.CoverageRate,
		CoverageRateAfter: after.Totals.CoverageRate, HandlingRateBefore: before.Totals.HandlingRate, HandlingRateAfter: after.Totals.HandlingRate}
	sum, n := 0.0, 0
	for i := range before.Producers {
		b, a := before.Producers[i], after.Producers[i]
		if a.Covered && !b.Covered {
			c.NewlyCoveredProducers++
			c.NewlyCoveredT += a.OutputT
		}
		if a.Minutes >= 0 && (b.Minutes < 0 || a.Minutes < b.Minutes-1e-6) {
			c.ImprovedProducers++
			if b.Minutes < 0 || b.Minutes-a.Minutes > 15 {
				c.ImprovedOver15Min++
			}
			if b.Minutes >= 0 {
				sum += b.Minutes - a.Minutes
				n++
			}
		}
	}
	if n > 0 {
		c.MeanImprovementMinutes = sum / float64(n)
	}
	for _, k := range ch.order {
		s := ch.newSite[k]
		for z, t := range s.Capacity {
			c.CapacityAddedT[z] += t
		}
		c.BuildCost += s.BuildCost
	}
	for _, j := range ch.xorder {
		c.CapacityAddedT[in.req.Zones[0]] += ch.addT[j]
		for _, e := range ch.expand[j] {
			c.BuildCost += in.req.ExpansionMenu[in.refs[e].module].BuildCost
		}
	}
	c.SubsidyEstimate = c.BuildCost * in.req.SubsidyRate
	return c
}

// priorityGain sums each producer's gain (tonnes newly covered, or
// tonnes handled more, per the problem) by priority area.
func (in *instance) priorityGain(before, after *coverage.Report) PriorityGain {
	g := PriorityGain{Measure: in.spec.Gain}
	var out, povOut float64
	for i := range before.Producers {
		b, a := before.Producers[i], after.Producers[i]
		p := &in.data.Producers[a.Index]
		gain := a.HandledT - b.HandledT
		if g.Measure == "covered" {
			gain = 0
			if a.Covered && !b.Covered {
				gain = a.OutputT
			} else if b.Covered && !a.Covered {
				gain = -a.OutputT
			}
		}
		g.GainT += gain
		out += a.OutputT
		if p.PovertyExit {
			g.PovertyExitGainT += gain
			povOut += a.OutputT
		}
		if p.KeyCounty {
			g.KeyCountyGainT += gain
		}
	}
	if g.GainT > 1e-9 {
		g.PovertyExitShare = g.PovertyExitGainT / g.GainT
		g.KeyCountyShare = g.KeyCountyGainT / g.GainT
	}
	if out > 0 {
		g.PovertyExitOutput = povOut / out
	}
	return g
}

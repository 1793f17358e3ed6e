package locate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
)

// WriteLP writes in as a mixed-integer program in CPLEX LP format, for an
// exact solver (CBC, HiGHS, CPLEX, Gurobi) to check the engine's results.
// The models follow the engine's definitions:
//
//   - pmedian: minimise the weighted cost; every demand of positive weight
//     is served by one open site over an arc of its cost row, or left
//     unserved at 2 x (largest arc cost) + 1 per unit weight; exactly p new
//     sites (params.P, else in.P), existing sites open; x_i_j <= y_j.
//   - mclp: maximise the covered weight (the weight already covered by
//     existing sites is a constant, carried by a variable fixed to 1); a
//     demand is covered by a site whose cost is within its radius (its own,
//     else params.Radius, else in.Radius); at most params.P new sites.
//   - cflp: single source: binary x_i_j, every demand served once, the
//     weight assigned to a site within its capacity (0: unlimited), fixed
//     plus assignment costs; x_i_j <= y_j; exactly p new sites when
//     params.P (else in.P) is positive.
//
// Forbidden sites never open; params.Budget > 0 caps the new sites' fixed
// costs. Variables: y_j for candidate site j, x_i_j for demand i and site
// j, u_i (pmedian, unserved), z_i (mclp, covered), indices 0-based as in
// the Instance. WriteLP returns an error for another problem or an
// ill-formed instance.
func WriteLP(w io.Writer, in *Instance, params Params) error {
	if err := in.Validate(); err != nil {
		return err
	}
	lw := &lpWriter{w: bufio.NewWriter(w)}
	var err error
	switch params.Problem {
	case PMedian:
		err = lw.pmedian(in, params)
	case MCLP:
		err = lw.mclp(in, params)
	case CFLP:
		err = lw.cflp(in, params)
	default:
		return fmt.Errorf("WriteLP: no LP model for problem %q (want pmedian, mclp or cflp)", params.Problem)
	}
	if err != nil {
		return err
	}
	if lw.err != nil {
		return lw.err
	}
	return lw.w.Flush()
}

// lpWriter writes LP text, wrapping long expressions, and keeps the first
// write error.
type lpWriter struct {
	w     *bufio.Writer
	err   error
	line  int  // length of the current line
	terms int  // terms written in the current expression
	zero  bool // the variable lpZero was used
}

func (lw *lpWriter) printf(format string, args ...any) {
	if lw.err != nil {
		return
	}
	s := fmt.Sprintf(format, args...)
	if _, err := lw.w.WriteString(s); err != nil {
		lw.err = err
	}
	for _, r := range s {
		lw.line++
		if r == '\n' {
			lw.line = 0
		}
	}
}

// begin starts an expression, with a name label when name is not empty.
func (lw *lpWriter) begin(name string) {
	lw.terms = 0
	if name != "" {
		lw.printf(" %s:", name)
	}
}

// term adds coef * v to the current expression.
func (lw *lpWriter) term(coef float64, v string) {
	if lw.line > 200 {
		lw.printf("\n  ")
	}
	switch {
	case coef < 0:
		lw.printf(" - %s %s", lpNum(-coef), v)
	case lw.terms == 0:
		lw.printf(" %s %s", lpNum(coef), v)
	default:
		lw.printf(" + %s %s", lpNum(coef), v)
	}
	lw.terms++
}

// end closes the current expression with a relation ("" for the objective).
func (lw *lpWriter) end(rel string, rhs float64) {
	if lw.terms == 0 {
		lw.printf(" 0 %s", lpZero)
		lw.zero = true
	}
	if rel != "" {
		lw.printf(" %s %s", rel, lpNum(rhs))
	}
	lw.printf("\n")
}

// lpZero is a variable fixed to 0, written when an expression is empty.
const lpZero = "zero"

func lpNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func lpX(i int, j int32) string { return "x_" + strconv.Itoa(i) + "_" + strconv.Itoa(int(j)) }
func lpY(j int32) string        { return "y_" + strconv.Itoa(int(j)) }

// lpArcs returns the arcs of demand i to sites that may open, the cheapest
// of duplicate pairs only, in row order.
func lpArcs(in *Instance, i int, sites []int32, costs []float64) ([]int32, []float64) {
	s, c := in.Costs.Row(i)
	sites, costs = sites[:0], costs[:0]
	for k, j := range s {
		if in.Sites[j].Status == Forbidden {
			continue
		}
		dup := false
		for x, o := range sites {
			if o == j {
				costs[x] = math.Min(costs[x], c[k])
				dup = true
				break
			}
		}
		if !dup {
			sites = append(sites, j)
			costs = append(costs, c[k])
		}
	}
	return sites, costs
}

// siteRows writes the constraint on the number p of new sites (rel "=" or
// "<="; none when rel is "") and the budget constraint.
func (lw *lpWriter) siteRows(in *Instance, p int, rel string, budget float64) {
	if rel != "" {
		lw.begin("p")
		for j, s := range in.Sites {
			if s.Status == Candidate {
				lw.term(1, lpY(int32(j)))
			}
		}
		lw.end(rel, float64(p))
	}
	if budget > 0 {
		lw.begin("budget")
		for j, s := range in.Sites {
			if s.Status == Candidate && s.FixedCost != 0 {
				lw.term(s.FixedCost, lpY(int32(j)))
			}
		}
		lw.end("<=", budget)
	}
}

// tail writes the bounds and the binary site variables.
func (lw *lpWriter) tail(in *Instance, bounds []string) {
	lw.printf("Bounds\n")
	if lw.zero {
		lw.printf(" %s = 0\n", lpZero)
	}
	for _, b := range bounds {
		lw.printf(" %s\n", b)
	}
	lw.printf("Binaries\n")
	n := 0
	for j, s := range in.Sites {
		if s.Status == Candidate {
			lw.printf(" %s", lpY(int32(j)))
			if n++; n%10 == 0 {
				lw.printf("\n")
			}
		}
	}
	lw.printf("\n")
}

func (lw *lpWriter) pmedian(in *Instance, params Params) error {
	p := params.P
	if p == 0 {
		p = in.P
	}
	ncand, nexist := lpCount(in)
	switch {
	case p < 0:
		return fmt.Errorf("WriteLP: p = %d must not be negative", p)
	case p > ncand:
		return fmt.Errorf("WriteLP: p = %d new sites but only %d candidate sites: %w", p, ncand, ErrInfeasible)
	case p == 0 && nexist == 0:
		return fmt.Errorf("WriteLP: pmedian needs p > 0 (no existing sites)")
	}
	var sites []int32
	var costs []float64
	maxArc := 0.0
	for i, d := range in.Demand {
		if d.Weight > 0 {
			sites, costs = lpArcs(in, i, sites, costs)
			for _, c := range costs {
				maxArc = math.Max(maxArc, c)
			}
		}
	}
	penalty := 2*maxArc + 1
	lw.printf("\\ coldchain pmedian %q: %d demands, %d sites, p = %d\n", in.Name, len(in.Demand), len(in.Sites), p)
	lw.printf("\\ u_i = 1: demand i unserved, charged %s per unit weight\nMinimize\n", lpNum(penalty))
	lw.begin("cost")
	for i, d := range in.Demand {
		if d.Weight <= 0 {
			continue
		}
		sites, costs = lpArcs(in, i, sites, costs)
		for k, j := range sites {
			lw.term(d.Weight*costs[k], lpX(i, j))
		}
		lw.term(d.Weight*penalty, "u_"+strconv.Itoa(i))
	}
	lw.end("", 0)
	lw.printf("Subject To\n")
	for i, d := range in.Demand {
		if d.Weight <= 0 {
			continue
		}
		sites, costs = lpArcs(in, i, sites, costs)
		lw.begin("a_" + strconv.Itoa(i))
		for _, j := range sites {
			lw.term(1, lpX(i, j))
		}
		lw.term(1, "u_"+strconv.Itoa(i))
		lw.end("=", 1)
		for _, j := range sites {
			if in.Sites[j].Status == Candidate {
				lw.begin("l_" + strconv.Itoa(i) + "_" + strconv.Itoa(int(j)))
				lw.term(1, lpX(i, j))
				lw.term(-1, lpY(j))
				lw.end("<=", 0)
			}
		}
	}
	lw.siteRows(in, p, "=", params.Budget)
	lw.tail(in, nil)
	lw.printf("End\n")
	return nil
}

// mclp writes the maximal covering model: maximise the covered weight with
// at most p new sites (and the budget), a demand covered when a chosen site
// is within its radius.
func (lw *lpWriter) mclp(in *Instance, params Params) error {
	p := params.P
	if p < 0 {
		return fmt.Errorf("WriteLP: p = %d must not be negative", p)
	}
	if ncand, _ := lpCount(in); p > ncand {
		return fmt.Errorf("WriteLP: p = %d exceeds the %d candidate sites", p, ncand)
	}
	r := params.Radius
	if r <= 0 {
		r = in.Radius
	}
	rows, base, err := lpCoverRows(in, r)
	if err != nil {
		return err
	}
	lw.printf("\\ coldchain mclp %q: %d demands, %d sites, at most p = %d new sites\n", in.Name, len(in.Demand), len(in.Sites), p)
	lw.printf("\\ const = 1 carries the weight %s covered by existing sites\nMaximize\n", lpNum(base))
	lw.begin("covered")
	for _, rw := range rows {
		lw.term(in.Demand[rw.i].Weight, "z_"+strconv.Itoa(rw.i))
	}
	if base > 0 {
		lw.term(base, "const")
	}
	lw.end("", 0)
	lw.printf("Subject To\n")
	var bounds []string
	for _, rw := range rows {
		z := "z_" + strconv.Itoa(rw.i)
		lw.begin("c_" + strconv.Itoa(rw.i))
		lw.term(1, z)
		for _, j := range rw.cover {
			lw.term(-1, lpY(j))
		}
		lw.end("<=", 0)
		bounds = append(bounds, "0 <= "+z+" <= 1")
	}
	if base > 0 {
		bounds = append(bounds, "const = 1")
	}
	lw.siteRows(in, p, "<=", params.Budget)
	lw.tail(in, bounds)
	lw.printf("End\n")
	return nil
}

// lpCoverRow is demand i with the new sites that would cover it.
type lpCoverRow struct {
	i     int
	cover []int32
}

// lpCoverRows returns the coverage rows of the demand points of positive
// weight that a new site can cover and no existing site does, and the
// weight existing sites cover (base), with global radius r.
func lpCoverRows(in *Instance, r float64) (rows []lpCoverRow, base float64, err error) {
	var sites []int32
	var costs []float64
	for i, d := range in.Demand {
		if d.Weight <= 0 {
			continue
		}
		ri := r
		if d.Radius > 0 {
			ri = d.Radius
		}
		if !(ri > 0) {
			return nil, 0, fmt.Errorf("WriteLP: demand %q has no covering radius", d.ID)
		}
		sites, costs = lpArcs(in, i, sites, costs)
		var cover []int32
		existing := false
		for k, j := range sites {
			if costs[k] > ri*(1+1e-9) {
				continue
			}
			if in.Sites[j].Status == Existing {
				existing = true
			} else {
				cover = append(cover, j)
			}
		}
		switch {
		case existing:
			base += d.Weight
		case len(cover) > 0:
			rows = append(rows, lpCoverRow{i, cover})
		}
	}
	return rows, base, nil
}

func (lw *lpWriter) cflp(in *Instance, params Params) error {
	pr, err := newCFLPProblem(in, params)
	if err != nil {
		return err
	}
	lw.printf("\\ coldchain cflp %q: %d demands, %d sites", in.Name, pr.n, pr.m)
	if pr.p > 0 {
		lw.printf(", p = %d", pr.p)
	}
	lw.printf("\nMinimize\n")
	lw.begin("cost")
	for _, j := range pr.cands {
		if pr.fixed[j] != 0 {
			lw.term(pr.fixed[j], lpY(j))
		}
	}
	for i := range pr.n {
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			if pr.rCost[k] != 0 {
				lw.term(pr.rCost[k], lpX(i, pr.rSite[k]))
			}
		}
	}
	lw.end("", 0)
	lw.printf("Subject To\n")
	for i := range pr.n {
		lw.begin("a_" + strconv.Itoa(i))
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			lw.term(1, lpX(i, pr.rSite[k]))
		}
		lw.end("=", 1)
	}
	for j := range int32(pr.m) {
		if pr.status[j] == Forbidden || math.IsInf(pr.capa[j], 1) {
			continue
		}
		lw.begin("k_" + strconv.Itoa(int(j)))
		for k := pr.cStart[j]; k < pr.cStart[j+1]; k++ {
			if q := pr.q[pr.cCust[k]]; q != 0 {
				lw.term(q, lpX(int(pr.cCust[k]), j))
			}
		}
		if pr.status[j] == Candidate {
			lw.term(-pr.capa[j], lpY(j))
			lw.end("<=", 0)
		} else {
			lw.end("<=", pr.capa[j])
		}
	}
	for i := range pr.n {
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			if j := pr.rSite[k]; pr.status[j] == Candidate {
				lw.begin("l_" + strconv.Itoa(i) + "_" + strconv.Itoa(int(j)))
				lw.term(1, lpX(i, j))
				lw.term(-1, lpY(j))
				lw.end("<=", 0)
			}
		}
	}
	rel := ""
	if pr.p > 0 {
		rel = "="
	}
	lw.siteRows(in, pr.p, rel, pr.budget)
	lw.tail(in, nil)
	n := 0
	for i := range pr.n {
		for k := pr.rStart[i]; k < pr.rStart[i+1]; k++ {
			lw.printf(" %s", lpX(i, pr.rSite[k]))
			if n++; n%10 == 0 {
				lw.printf("\n")
			}
		}
	}
	lw.printf("\nEnd\n")
	return nil
}

// lpCount returns the numbers of candidate and existing sites.
func lpCount(in *Instance) (cand, exist int) {
	for _, s := range in.Sites {
		switch s.Status {
		case Candidate:
			cand++
		case Existing:
			exist++
		}
	}
	return cand, exist
}

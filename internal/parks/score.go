package parks

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Direction says how a criterion's raw values become scores in [0, 1].
type Direction int

// Directions of criteria.
const (
	// Benefit: more is better, scored (x − min)/(max − min).
	Benefit Direction = iota
	// Cost: less is better, scored (max − x)/(max − min).
	Cost
	// Ready: the raw value is already a score in [0, 1].
	Ready
)

// String names the direction as results print it.
func (d Direction) String() string {
	switch d {
	case Benefit:
		return "benefit"
	case Cost:
		return "cost"
	}
	return "score"
}

// Table is a suitability table: the raw value of every criterion in every
// cell. Scores are the weighted linear combination of the criteria's
// min–max normalised values (Malczewski's weighted overlay).
type Table struct {
	Directions []Direction
	// Values[i][c] is cell i's raw value of criterion c.
	Values [][]float64
	// X and Y place the cells in planar metres, for the separation of sites.
	X, Y []float64
	// IDs break ties between equal scores (smaller first).
	IDs []string

	min, max []float64
	norm     [][]float64
}

// Normalise scales every criterion to [0, 1] over the table's cells, in the
// criterion's direction: 1 is the best value of a benefit criterion and the
// smallest of a cost criterion. A criterion equal in every cell scores 1
// everywhere: it does not discriminate.
func (t *Table) Normalise() {
	nc := len(t.Directions)
	t.min = make([]float64, nc)
	t.max = make([]float64, nc)
	for c := range t.min {
		t.min[c], t.max[c] = math.Inf(1), math.Inf(-1)
	}
	for _, v := range t.Values {
		for c, x := range v {
			t.min[c] = math.Min(t.min[c], x)
			t.max[c] = math.Max(t.max[c], x)
		}
	}
	t.norm = make([][]float64, len(t.Values))
	for i, v := range t.Values {
		row := make([]float64, nc)
		for c, x := range v {
			lo, hi := t.min[c], t.max[c]
			switch {
			case t.Directions[c] == Ready:
				row[c] = math.Max(0, math.Min(1, x))
			case hi-lo <= 1e-12*math.Max(1, math.Abs(hi)):
				row[c] = 1
			case t.Directions[c] == Benefit:
				row[c] = (x - lo) / (hi - lo)
			default:
				row[c] = (hi - x) / (hi - lo)
			}
		}
		t.norm[i] = row
	}
}

// Range returns criterion c's smallest and largest raw value.
func (t *Table) Range(c int) (float64, float64) { return t.min[c], t.max[c] }

// Part returns cell i's score on criterion c under the signed weight w, and
// its contribution to the cell's score. A negative weight reverses the
// criterion (1 − score) and weighs it by |w|: for the distance to existing
// parks, a positive weight co-locates and a negative one spreads.
func (t *Table) Part(i, c int, w float64) (score, contribution float64) {
	s := t.norm[i][c]
	if w < 0 {
		s = 1 - s
	}
	return s, math.Abs(w) * s
}

// Scores returns every cell's suitability under the signed weights w (one
// per criterion; their absolute values should sum to 1).
func (t *Table) Scores(w []float64) []float64 {
	out := make([]float64, len(t.Values))
	for i := range t.Values {
		s := 0.0
		for c, wc := range w {
			if wc == 0 {
				continue
			}
			_, part := t.Part(i, c, wc)
			s += part
		}
		out[i] = s
	}
	return out
}

// Order returns the cells from best to worst score (ties: smaller ID first).
func (t *Table) Order(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if scores[ia] != scores[ib] {
			return scores[ia] > scores[ib]
		}
		return t.IDs[ia] < t.IDs[ib]
	})
	return idx
}

// Top returns the k best cells of order, greedily, no two closer than
// separation metres: a cell is skipped when a better chosen cell is too
// close.
func (t *Table) Top(order []int, k int, separation float64) []int {
	var chosen []int
	for _, i := range order {
		if len(chosen) == k {
			break
		}
		ok := true
		for _, j := range chosen {
			if math.Hypot(t.X[i]-t.X[j], t.Y[i]-t.Y[j]) < separation {
				ok = false
				break
			}
		}
		if ok {
			chosen = append(chosen, i)
		}
	}
	return chosen
}

// Normalised returns w scaled so that its absolute values sum to 1.
func Normalised(w []float64) []float64 {
	sum := 0.0
	for _, x := range w {
		sum += math.Abs(x)
	}
	out := make([]float64, len(w))
	if sum == 0 {
		return out
	}
	for i, x := range w {
		out[i] = x / sum
	}
	return out
}

// Sensitivity says how stable the top sites are when each weight moves.
type Sensitivity struct {
	// ChangePct is the move of each weight, in percent (up and down).
	ChangePct float64 `json:"change_pct"`
	Runs      []Run   `json:"runs"`
	// Sites: the stability of each top site across the runs.
	Sites []SiteStability `json:"sites"`
	// SameSetShare is the share of runs whose top K are the same sites;
	// SameOrderShare the share with the same sites in the same order;
	// SameFirstShare the share with the same best site.
	SameSetShare   float64 `json:"same_set_share"`
	SameOrderShare float64 `json:"same_order_share"`
	SameFirstShare float64 `json:"same_first_share"`
	// Kendall's τ-b between the base and each run's ranking of all
	// feasible cells: mean and smallest.
	MeanKendallTau float64 `json:"mean_kendall_tau"`
	MinKendallTau  float64 `json:"min_kendall_tau"`
	Verdict        string  `json:"verdict"`
}

// Run is the ranking with one weight moved.
type Run struct {
	Criterion string             `json:"criterion"`
	ChangePct float64            `json:"change_pct"` // +20 or -20
	Weights   map[string]float64 `json:"weights"`    // renormalised, signed
	Top       []string           `json:"top"`        // cells of the top K
	// Kept is the share of the base top K still in this run's top K.
	Kept       float64 `json:"kept"`
	KendallTau float64 `json:"kendall_tau"`
}

// SiteStability is one base top site across the runs.
type SiteStability struct {
	Rank int    `json:"rank"`
	Cell string `json:"cell"`
	// StayShare is the share of runs where the site stays in the top K.
	StayShare float64 `json:"stay_share"`
	// BestRank and WorstRank are the site's cell rank (1 = best score of
	// all cells) over the base and every run; MeanRankShift the mean
	// absolute change of that rank from the base.
	BaseCellRank  int     `json:"base_cell_rank"`
	BestRank      int     `json:"best_cell_rank"`
	WorstRank     int     `json:"worst_cell_rank"`
	MeanRankShift float64 `json:"mean_rank_shift"`
	// DroppedBy lists the runs that push the site out of the top K
	// ("roads +20 %").
	DroppedBy []string `json:"dropped_by,omitempty"`
}

// Sensitise re-ranks the table with each non-zero weight moved up and down
// by pct percent (the weights renormalised to sum 1 in absolute value) and
// reports how stable the top k (separation metres apart) are.
func (t *Table) Sensitise(names []string, w []float64, k int, separation, pct float64) Sensitivity {
	base := t.Scores(w)
	baseOrder := t.Order(base)
	baseTop := t.Top(baseOrder, k, separation)
	baseRank := rankOf(baseOrder)
	out := Sensitivity{ChangePct: pct, MinKendallTau: 1}
	stay := make([]int, len(baseTop))
	shift := make([]float64, len(baseTop))
	out.Sites = make([]SiteStability, len(baseTop))
	for r, i := range baseTop {
		out.Sites[r] = SiteStability{Rank: r + 1, Cell: t.IDs[i], BaseCellRank: baseRank[i] + 1, BestRank: baseRank[i] + 1, WorstRank: baseRank[i] + 1}
	}
	for c, wc := range w {
		if wc == 0 {
			continue
		}
		for _, sign := range []float64{1, -1} {
			moved := slices.Clone(w)
			moved[c] = wc * (1 + sign*pct/100)
			moved = Normalised(moved)
			scores := t.Scores(moved)
			order := t.Order(scores)
			top := t.Top(order, k, separation)
			rank := rankOf(order)
			run := Run{Criterion: names[c], ChangePct: sign * pct, Weights: map[string]float64{}, KendallTau: round(KendallTau(base, scores), 6)}
			for cc, x := range moved {
				if x != 0 {
					run.Weights[names[cc]] = round(x, 4)
				}
			}
			label := fmt.Sprintf("%s %+.0f %%", names[c], sign*pct)
			kept := 0
			for r, i := range baseTop {
				if slices.Contains(top, i) {
					kept++
					stay[r]++
				} else {
					out.Sites[r].DroppedBy = append(out.Sites[r].DroppedBy, label)
				}
				cr := rank[i] + 1
				s := &out.Sites[r]
				s.BestRank = min(s.BestRank, cr)
				s.WorstRank = max(s.WorstRank, cr)
				shift[r] += math.Abs(float64(cr - s.BaseCellRank))
			}
			for _, i := range top {
				run.Top = append(run.Top, t.IDs[i])
			}
			if len(baseTop) > 0 {
				run.Kept = float64(kept) / float64(len(baseTop))
			}
			if kept == len(baseTop) && len(top) == len(baseTop) {
				out.SameSetShare++
				if slices.Equal(top, baseTop) {
					out.SameOrderShare++
				}
			}
			if len(top) > 0 && len(baseTop) > 0 && top[0] == baseTop[0] {
				out.SameFirstShare++
			}
			out.MeanKendallTau += run.KendallTau
			out.MinKendallTau = math.Min(out.MinKendallTau, run.KendallTau)
			out.Runs = append(out.Runs, run)
		}
	}
	summarise(&out, stay, shift)
	return out
}

// summarise turns the counts over the runs into shares and means, and
// states the verdict; stay and shift are per base site: the runs keeping
// it in the top k, and its summed rank shift.
func summarise(out *Sensitivity, stay []int, shift []float64) {
	n := float64(len(out.Runs))
	if n == 0 {
		out.SameSetShare, out.SameOrderShare, out.SameFirstShare, out.MeanKendallTau = 1, 1, 1, 1
		for r := range out.Sites {
			out.Sites[r].StayShare = 1
		}
		out.Verdict = "no weight to move"
		return
	}
	out.SameSetShare /= n
	out.SameOrderShare /= n
	out.SameFirstShare /= n
	out.MeanKendallTau = round(out.MeanKendallTau/n, 6)
	for r := range out.Sites {
		out.Sites[r].StayShare = float64(stay[r]) / n
		out.Sites[r].MeanRankShift = round(shift[r]/n, 2)
	}
	out.Verdict = verdict(*out, len(out.Runs))
}

func verdict(s Sensitivity, runs int) string {
	if len(s.Sites) == 0 {
		return "no site to rank"
	}
	if s.SameSetShare == 1 {
		if s.SameOrderShare == 1 {
			return fmt.Sprintf("stable: the same top %d in the same order in all %d runs (each weight ±%.0f %%)", len(s.Sites), runs, s.ChangePct)
		}
		return fmt.Sprintf("stable: the same top %d in all %d runs (each weight ±%.0f %%); only their order changes", len(s.Sites), runs, s.ChangePct)
	}
	weakest := s.Sites[0]
	for _, x := range s.Sites[1:] {
		if x.StayShare < weakest.StayShare {
			weakest = x
		}
	}
	kind := "fairly stable"
	if s.SameSetShare < 0.5 {
		kind = "sensitive"
	}
	return fmt.Sprintf("%s: the top %d stay the same in %.0f %% of %d runs; site %d (cell %s) is the least secure, in the top %d in %.0f %% of runs (out with %s)",
		kind, len(s.Sites), 100*s.SameSetShare, runs, weakest.Rank, weakest.Cell, len(s.Sites), 100*weakest.StayShare, joinMax(weakest.DroppedBy, 4))
}

func joinMax(s []string, n int) string {
	if len(s) <= n {
		return joinComma(s)
	}
	return fmt.Sprintf("%s and %d more", joinComma(s[:n]), len(s)-n)
}

func joinComma(s []string) string { return strings.Join(s, ", ") }

// rankOf inverts an order: rank[i] is cell i's position (0 = best).
func rankOf(order []int) []int {
	rank := make([]int, len(order))
	for r, i := range order {
		rank[i] = r
	}
	return rank
}

// KendallTau returns Kendall's τ-b between two paired score lists (ties
// accounted for), in O(n log n) by Knight's algorithm: sort by x then y,
// count the pairs tied in x, in y and in both, and count discordant pairs
// as the swaps of a merge sort by y. Lists shorter than 2, or constant in
// either variable, give 1 when equal and 0 otherwise.
func KendallTau(x, y []float64) float64 {
	n := len(x)
	if n < 2 {
		return 1
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		ia, ib := idx[a], idx[b]
		if x[ia] != x[ib] {
			return x[ia] < x[ib]
		}
		return y[ia] < y[ib]
	})
	var tiedX, tiedXY int64
	for i := 0; i < n; {
		j, jointStart := i+1, i
		for j < n && x[idx[j]] == x[idx[i]] {
			if y[idx[j]] != y[idx[jointStart]] {
				tiedXY += pairs(int64(j - jointStart))
				jointStart = j
			}
			j++
		}
		tiedXY += pairs(int64(j - jointStart))
		tiedX += pairs(int64(j - i))
		i = j
	}
	ys := make([]float64, n)
	for i, k := range idx {
		ys[i] = y[k]
	}
	swaps := mergeCount(ys, make([]float64, n))
	var tiedY int64
	for i := 0; i < n; {
		j := i + 1
		for j < n && ys[j] == ys[i] {
			j++
		}
		tiedY += pairs(int64(j - i))
		i = j
	}
	total := pairs(int64(n))
	den := math.Sqrt(float64(total-tiedX) * float64(total-tiedY))
	if den == 0 {
		if slices.Equal(x, y) {
			return 1
		}
		return 0
	}
	return float64(total-tiedX-tiedY+tiedXY-2*swaps) / den
}

func pairs(n int64) int64 { return n * (n - 1) / 2 }

// mergeCount sorts a ascending and returns the number of pairs i < j with
// a[i] > a[j] (strictly).
func mergeCount(a, buf []float64) int64 {
	if len(a) < 2 {
		return 0
	}
	mid := len(a) / 2
	swaps := mergeCount(a[:mid], buf[:mid]) + mergeCount(a[mid:], buf[mid:])
	copy(buf, a)
	l, r, k := 0, mid, 0
	for l < mid && r < len(a) {
		if buf[r] < buf[l] {
			a[k] = buf[r]
			swaps += int64(mid - l)
			r++
		} else {
			a[k] = buf[l]
			l++
		}
		k++
	}
	for l < mid {
		a[k] = buf[l]
		l++
		k++
	}
	for r < len(a) {
		a[k] = buf[r]
		r++
		k++
	}
	return swaps
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

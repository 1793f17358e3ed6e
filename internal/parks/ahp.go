package parks

import (
	"fmt"
	"math"
	"strings"

	"github.com/coldchain/coldchain/internal/derrors"
)

// MaxCR is the largest consistency ratio a pairwise comparison matrix may
// have (Saaty: judgements with CR ≥ 0.1 should be revised).
const MaxCR = 0.1

// randomIndex is Saaty's random consistency index RI by matrix order n: the
// mean consistency index of random reciprocal matrices on the 1/9–9 scale
// (Saaty 1980, The Analytic Hierarchy Process, table 1.7). Orders 1 and 2
// are always consistent.
var randomIndex = []float64{0, 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49}

// AHPInput is a pairwise comparison matrix over some criteria:
// Matrix[i][j] says how much more important Criteria[i] is than
// Criteria[j] on Saaty's 1–9 scale (1/9–1 for less important).
type AHPInput struct {
	Criteria []string    `json:"criteria"`
	Matrix   [][]float64 `json:"matrix"`
	// Signs turn a criterion's weight negative (-1). Only existing_parks
	// may be negative: -1 spreads new parks away from existing parks and
	// collection centres, 1 co-locates them. Default: the park type's
	// default sign.
	Signs map[string]float64 `json:"signs,omitempty"`
}

// AHPResult is the outcome of an AHP weighting: the principal
// eigenvector's weights and the consistency of the judgements.
type AHPResult struct {
	Criteria []string  `json:"criteria"`
	Weights  []float64 `json:"weights"` // principal eigenvector, summing to 1
	// LambdaMax is the principal eigenvalue; CI = (LambdaMax − n)/(n − 1)
	// is the consistency index, RI Saaty's random index for n and CR =
	// CI/RI the consistency ratio (0 for n ≤ 2).
	LambdaMax float64 `json:"lambda_max"`
	CI        float64 `json:"ci"`
	RI        float64 `json:"ri"`
	CR        float64 `json:"cr"`
}

// AHP computes criterion weights from a pairwise comparison matrix: the
// principal right eigenvector (power iteration), λmax, CI, RI and CR. The
// matrix must be square, positive, on the 1/9–9 scale, with ones on the
// diagonal and reciprocal (m[j][i]·m[i][j] = 1 within 1 %, so 0.33 may
// stand for 1/3; the lower triangle is then taken as the exact reciprocal
// of the upper). It returns the result together with an ErrInvalid error
// that says why when the matrix is malformed or its CR is at least MaxCR.
func AHP(criteria []string, m [][]float64) (*AHPResult, error) {
	n := len(criteria)
	if n < 2 || n > len(randomIndex)-1 {
		return nil, derrors.Invalid("ahp: want 2 to %d criteria, got %d", len(randomIndex)-1, n)
	}
	if len(m) != n {
		return nil, derrors.Invalid("ahp.matrix: want %d rows (one per criterion), got %d", n, len(m))
	}
	a := make([][]float64, n)
	for i := range m {
		if len(m[i]) != n {
			return nil, derrors.Invalid("ahp.matrix: row %d (%s) has %d values, want %d", i+1, criteria[i], len(m[i]), n)
		}
		a[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := m[i][j]
			switch {
			case math.IsNaN(v) || math.IsInf(v, 0) || v <= 0:
				return nil, derrors.Invalid("ahp.matrix[%d][%d] (%s vs %s): want a positive judgement, got %v", i+1, j+1, criteria[i], criteria[j], v)
			case i == j && math.Abs(v-1) > 1e-9:
				return nil, derrors.Invalid("ahp.matrix[%d][%d]: a criterion compared with itself must be 1, got %v", i+1, j+1, v)
			case v < 1.0/9-1e-3 || v > 9+1e-9:
				return nil, derrors.Invalid("ahp.matrix[%d][%d] (%s vs %s): %v is off Saaty's scale (1/9 to 9)", i+1, j+1, criteria[i], criteria[j], v)
			}
			if j > i && math.Abs(v*m[j][i]-1) > 0.01 {
				return nil, derrors.Invalid("ahp.matrix: [%d][%d] = %v and [%d][%d] = %v are not reciprocal (%s vs %s)", i+1, j+1, v, j+1, i+1, m[j][i], criteria[i], criteria[j])
			}
			if j >= i {
				a[i][j] = v
				a[j][i] = 1 / v
			}
		}
	}
	w, lambda := principal(a)
	res := &AHPResult{Criteria: append([]string(nil), criteria...), Weights: w, LambdaMax: lambda, RI: randomIndex[n]}
	if n > 2 {
		res.CI = math.Max(0, (lambda-float64(n))/float64(n-1))
		res.CR = res.CI / res.RI
	}
	if res.CR >= MaxCR {
		i, j, implied := worstJudgement(a, w)
		return res, derrors.Invalid("ahp: the pairwise judgements are inconsistent: consistency ratio CR = %.3f ≥ %.2f (λmax = %.3f, CI = %.3f, RI = %.2f for %d criteria); revise them, starting with %s vs %s = %s where the other judgements imply about %s",
			res.CR, MaxCR, lambda, res.CI, res.RI, n, criteria[i], criteria[j], scale(a[i][j]), scale(implied))
	}
	return res, nil
}

// principal returns the principal eigenvector of the positive matrix a
// (normalised to sum 1) and its eigenvalue, by power iteration. For a
// positive matrix the iteration converges to the Perron vector.
func principal(a [][]float64) ([]float64, float64) {
	n := len(a)
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	lambda := 0.0
	for iter := 0; iter < 10000; iter++ {
		sum := 0.0
		for i := range a {
			s := 0.0
			for j, v := range a[i] {
				s += v * w[j]
			}
			next[i] = s
			sum += s
		}
		// With w summing to 1, the sum of A·w tends to λmax.
		lambda = sum
		diff := 0.0
		for i := range next {
			next[i] /= sum
			diff = math.Max(diff, math.Abs(next[i]-w[i]))
		}
		w, next = next, w
		if diff < 1e-15 {
			break
		}
	}
	return w, lambda
}

// worstJudgement finds the judgement a[i][j] furthest (in ratio) from what
// the weights imply, w[i]/w[j].
func worstJudgement(a [][]float64, w []float64) (int, int, float64) {
	bi, bj, worst := 0, 1, -1.0
	for i := range a {
		for j := i + 1; j < len(a); j++ {
			if d := math.Abs(math.Log(a[i][j] * w[j] / w[i])); d > worst {
				bi, bj, worst = i, j, d
			}
		}
	}
	return bi, bj, w[bi] / w[bj]
}

// scale writes a judgement as Saaty would: 3, 1/3, 2.4.
func scale(v float64) string {
	if v >= 1 {
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
	}
	return "1/" + strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", 1/v), "0"), ".")
}

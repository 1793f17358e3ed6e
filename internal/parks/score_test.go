package parks_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/coldchain/coldchain/internal/parks"
)

// handGrid is five cells on a line (x in metres) scored on supply (t,
// benefit), distance to a main road (km, cost) and to a town (km, cost).
//
//	cell  x (m)   supply  road km  town km
//	A         0     1000        4        2
//	B      1000      900        0        2
//	C      6000      600        1        0
//	D     12000      200        2       10
//	E     20000        0        8       10
//
// Min–max normalisation (benefit (x−min)/(max−min), cost (max−x)/(max−min)):
//
//	supply: min 0, max 1000  → A 1.0, B 0.9, C 0.6, D 0.2, E 0
//	road:   min 0, max 8     → A 0.5, B 1.0, C 0.875, D 0.75, E 0
//	town:   min 0, max 10    → A 0.8, B 0.8, C 1.0, D 0, E 0
func handGrid() *parks.Table {
	t := &parks.Table{
		Directions: []parks.Direction{parks.Benefit, parks.Cost, parks.Cost},
		Values:     [][]float64{{1000, 4, 2}, {900, 0, 2}, {600, 1, 0}, {200, 2, 10}, {0, 8, 10}},
		X:          []float64{0, 1000, 6000, 12000, 20000},
		Y:          []float64{0, 0, 0, 0, 0},
		IDs:        []string{"A", "B", "C", "D", "E"},
	}
	t.Normalise()
	return t
}

// TestHandGridRanking weighs the hand grid with the AHP weights of the
// 1-3-5 matrix (see TestAHPByHand: 0.636986, 0.258285, 0.104729):
//
//	A = 0.636986·1.0 + 0.258285·0.5   + 0.104729·0.8 = 0.849912
//	B = 0.636986·0.9 + 0.258285·1.0   + 0.104729·0.8 = 0.915356
//	C = 0.636986·0.6 + 0.258285·0.875 + 0.104729·1.0 = 0.712920
//	D = 0.636986·0.2 + 0.258285·0.75  + 0.104729·0   = 0.321111
//	E = 0
//
// so the ranking is B, A, C, D, E. With sites at least 2 km apart, A (1 km
// from B) is skipped: the top 2 are B and C, the top 3 B, C and D; with no
// separation the top 2 are B and A.
func TestHandGridRanking(t *testing.T) {
	third, fifth := 1.0/3, 1.0/5
	ahp, err := parks.AHP([]string{"supply", "roads", "labour"}, [][]float64{{1, 3, 5}, {third, 1, 3}, {fifth, third, 1}})
	if err != nil {
		t.Fatal(err)
	}
	g := handGrid()
	scores := g.Scores(ahp.Weights)
	want := []float64{0.849912, 0.915356, 0.712920, 0.321111, 0}
	for i, w := range want {
		if math.Abs(scores[i]-w) > 5e-6 {
			t.Errorf("score %s = %.6f, want %.6f", g.IDs[i], scores[i], w)
		}
	}
	order := g.Order(scores)
	if got := ids(g, order); !slices.Equal(got, []string{"B", "A", "C", "D", "E"}) {
		t.Errorf("order = %v, want B A C D E", got)
	}
	tests := []struct {
		k          int
		separation float64
		want       []string
	}{
		{2, 2000, []string{"B", "C"}},
		{3, 2000, []string{"B", "C", "D"}},
		{2, 0, []string{"B", "A"}},
		{5, 7000, []string{"B", "D", "E"}}, // C is 5 km from B; only 3 fit
	}
	for _, tt := range tests {
		if got := ids(g, g.Top(order, tt.k, tt.separation)); !slices.Equal(got, tt.want) {
			t.Errorf("top %d at %.0f m = %v, want %v", tt.k, tt.separation, got, tt.want)
		}
	}
	// The breakdown of B: supply 0.9 × 0.636986 = 0.573287.
	if s, c := g.Part(1, 0, ahp.Weights[0]); math.Abs(s-0.9) > 1e-12 || math.Abs(c-0.573287) > 5e-7 {
		t.Errorf("B supply part = %v, %v", s, c)
	}
	// Moving each weight by ±20 % (then rescaling to sum 1) never changes
	// the order here: e.g. supply +20 % gives weights 0.678007, 0.229099,
	// 0.092895 and scores A 0.866872, B 0.913620, C 0.700160, D 0.307425;
	// labour −20 % gives 0.650613, 0.263811, 0.085576 and B 0.917823 still
	// leads A 0.850979. Six runs, all with the top 2 B and C.
	sens := g.Sensitise([]string{"supply", "roads", "labour"}, ahp.Weights, 2, 2000, 20)
	if len(sens.Runs) != 6 || sens.SameSetShare != 1 || sens.SameOrderShare != 1 || sens.MeanKendallTau != 1 {
		t.Errorf("sensitivity = %+v, want 6 runs, all the same", sens)
	}
	if sens.Sites[0].Cell != "B" || sens.Sites[0].StayShare != 1 || sens.Sites[1].Cell != "C" || sens.Sites[1].BaseCellRank != 3 {
		t.Errorf("sites = %+v", sens.Sites)
	}
}

// TestHandGridSensitivity: three cells, weights supply 0.55 and roads 0.45.
//
//	cell  supply (t)  road km   normalised   score
//	P          100       10     1.0, 0.0     0.55
//	Q            0        0     0.0, 1.0     0.45
//	R           50        5     0.5, 0.5     0.50
//
// P is the top site. Moving each weight by 20 % and rescaling:
//
//	supply +20 %: 0.66/1.11 = 0.594595, 0.45/1.11 = 0.405405 → P 0.5946, R 0.5, Q 0.4054
//	supply −20 %: 0.44/0.89 = 0.494382, 0.45/0.89 = 0.505618 → Q 0.5056, R 0.5, P 0.4944
//	roads  +20 %: 0.55/1.09 = 0.504587, 0.54/1.09 = 0.495413 → P 0.5046, R 0.5, Q 0.4954
//	roads  −20 %: 0.55/0.91 = 0.604396, 0.36/0.91 = 0.395604 → P 0.6044, R 0.5, Q 0.3956
//
// P stays first in 3 of 4 runs (out with supply −20 %); that run reverses
// the whole order (Kendall τ = −1), the others keep it (τ = 1): mean τ 0.5.
func TestHandGridSensitivity(t *testing.T) {
	g := &parks.Table{
		Directions: []parks.Direction{parks.Benefit, parks.Cost},
		Values:     [][]float64{{100, 10}, {0, 0}, {50, 5}},
		X:          []float64{0, 10000, 20000},
		Y:          []float64{0, 0, 0},
		IDs:        []string{"P", "Q", "R"},
	}
	g.Normalise()
	s := g.Sensitise([]string{"supply", "roads"}, []float64{0.55, 0.45}, 1, 0, 20)
	if len(s.Runs) != 4 {
		t.Fatalf("%d runs, want 4", len(s.Runs))
	}
	wantTop := []string{"P", "Q", "P", "P"}
	wantTau := []float64{1, -1, 1, 1}
	for i, r := range s.Runs {
		if r.Top[0] != wantTop[i] || math.Abs(r.KendallTau-wantTau[i]) > 1e-12 {
			t.Errorf("run %s %+.0f: top %v τ %v, want %s τ %v", r.Criterion, r.ChangePct, r.Top, r.KendallTau, wantTop[i], wantTau[i])
		}
	}
	if r := s.Runs[1]; math.Abs(r.Weights["supply"]-0.4944) > 1e-4 || math.Abs(r.Weights["roads"]-0.5056) > 1e-4 {
		t.Errorf("supply -20 %% weights = %v", r.Weights)
	}
	site := s.Sites[0]
	if site.Cell != "P" || site.StayShare != 0.75 || site.WorstRank != 3 || !slices.Equal(site.DroppedBy, []string{"supply -20 %"}) {
		t.Errorf("site = %+v", site)
	}
	if s.SameSetShare != 0.75 || s.MeanKendallTau != 0.5 || s.MinKendallTau != -1 {
		t.Errorf("same set %v, mean τ %v, min τ %v", s.SameSetShare, s.MeanKendallTau, s.MinKendallTau)
	}
}

// A negative weight reverses a criterion: for the distance to existing
// parks (cost: nearer scores higher), −0.2 spreads new parks away.
func TestSignedWeight(t *testing.T) {
	g := &parks.Table{
		Directions: []parks.Direction{parks.Cost},
		Values:     [][]float64{{0}, {4}, {10}}, // km to the nearest park
		X:          []float64{0, 1, 2}, Y: []float64{0, 0, 0}, IDs: []string{"near", "mid", "far"},
	}
	g.Normalise()
	tests := []struct {
		w    float64
		want []float64
	}{
		{0.2, []float64{0.2, 0.12, 0}},  // co-locate: 0.2·(10−d)/10
		{-0.2, []float64{0, 0.08, 0.2}}, // spread:    0.2·d/10
	}
	for _, tt := range tests {
		got := g.Scores([]float64{tt.w})
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-12 {
				t.Errorf("w %v: score %s = %v, want %v", tt.w, g.IDs[i], got[i], tt.want[i])
			}
		}
	}
}

func TestKendallTau(t *testing.T) {
	tests := []struct {
		name string
		x, y []float64
		want float64
	}{
		{"same", []float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
		// 6 pairs: (2,3) discordant, 5 concordant: (5 − 1)/6.
		{"one swap", []float64{1, 2, 3, 4}, []float64{1, 3, 2, 4}, 4.0 / 6},
		// Pairs: (1,2) tied in x, (2,3) tied in y, 4 concordant:
		// τ-b = 4 / √((6 − 1)(6 − 1)) = 0.8.
		{"ties", []float64{1, 1, 2, 3}, []float64{1, 2, 2, 3}, 0.8},
		{"constant", []float64{1, 1, 1}, []float64{1, 1, 1}, 1},
	}
	for _, tt := range tests {
		if got := parks.KendallTau(tt.x, tt.y); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: τ = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Against the O(n²) definition on random data with ties.
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		n := 2 + r.IntN(60)
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = float64(r.IntN(8)), float64(r.IntN(8))
		}
		if got, want := parks.KendallTau(x, y), bruteTau(x, y); math.Abs(got-want) > 1e-9 {
			t.Fatalf("n %d: τ = %v, brute force %v", n, got, want)
		}
	}
}

func bruteTau(x, y []float64) float64 {
	var c, d, tx, ty float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dx, dy := x[i]-x[j], y[i]-y[j]
			switch {
			case dx == 0 && dy == 0:
			case dx == 0:
				tx++
			case dy == 0:
				ty++
			case dx*dy > 0:
				c++
			default:
				d++
			}
		}
	}
	return (c - d) / math.Sqrt((c+d+tx)*(c+d+ty))
}

func ids(g *parks.Table, idx []int) []string {
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = g.IDs[k]
	}
	return out
}

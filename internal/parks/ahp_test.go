package parks_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/parks"
)

// For a 3×3 reciprocal matrix the AHP can be done by hand: the principal
// eigenvector is the normalised vector of row geometric means, and with
// k = a12·a23/a13 the principal eigenvalue is λmax = 1 + k^(1/3) + k^(-1/3)
// (it is 3 exactly when k = 1, a consistent matrix).
func TestAHPByHand(t *testing.T) {
	third, fifth := 1.0/3, 1.0/5
	tests := []struct {
		name     string
		criteria []string
		m        [][]float64
		weights  []float64
		lambda   float64
		cr       float64
	}{
		{
			// Row geometric means: 15^(1/3) = 2.466212, 1, (1/15)^(1/3) =
			// 0.405480; their sum 3.871692; weights 0.636986, 0.258285,
			// 0.104729. k = 3·3/5 = 1.8, k^(1/3) = 1.216440, k^(-1/3) =
			// 0.822071: λmax = 3.038511; CI = (3.038511 − 3)/2 = 0.019256;
			// RI(3) = 0.58; CR = 0.019256/0.58 = 0.033199 < 0.1: accepted.
			name:     "Saaty 1-3-5",
			criteria: []string{"supply", "roads", "labour"},
			m:        [][]float64{{1, 3, 5}, {third, 1, 3}, {fifth, third, 1}},
			weights:  []float64{0.636986, 0.258285, 0.104729},
			lambda:   3.038511,
			cr:       0.033199,
		},
		{
			// Judgements typed with 4 decimals (0.3333 for 1/3) read as
			// the exact reciprocals of the upper triangle: same result.
			name:     "rounded reciprocals",
			criteria: []string{"supply", "roads", "labour"},
			m:        [][]float64{{1, 3, 5}, {0.3333, 1, 3}, {0.2, 0.3333, 1}},
			weights:  []float64{0.636986, 0.258285, 0.104729},
			lambda:   3.038511,
			cr:       0.033199,
		},
		{
			// a_ij = w_i/w_j with w ∝ 8:4:2:1 is perfectly consistent:
			// weights 8/15, 4/15, 2/15, 1/15; λmax = n = 4; CR = 0.
			name:     "consistent 4×4",
			criteria: []string{"supply", "roads", "labour", "land"},
			m:        [][]float64{{1, 2, 4, 8}, {0.5, 1, 2, 4}, {0.25, 0.5, 1, 2}, {0.125, 0.25, 0.5, 1}},
			weights:  []float64{8.0 / 15, 4.0 / 15, 2.0 / 15, 1.0 / 15},
			lambda:   4,
			cr:       0,
		},
		{
			// Two criteria are always consistent: w = 3/4, 1/4, λmax = 2.
			name:     "two criteria",
			criteria: []string{"supply", "roads"},
			m:        [][]float64{{1, 3}, {third, 1}},
			weights:  []float64{0.75, 0.25},
			lambda:   2,
			cr:       0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := parks.AHP(tt.criteria, tt.m)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tt.weights {
				if math.Abs(res.Weights[i]-w) > 5e-6 {
					t.Errorf("weight %s = %.6f, want %.6f", tt.criteria[i], res.Weights[i], w)
				}
			}
			if math.Abs(res.LambdaMax-tt.lambda) > 5e-6 {
				t.Errorf("λmax = %.6f, want %.6f", res.LambdaMax, tt.lambda)
			}
			if math.Abs(res.CR-tt.cr) > 5e-6 {
				t.Errorf("CR = %.6f, want %.6f", res.CR, tt.cr)
			}
		})
	}
}

func TestAHPRefused(t *testing.T) {
	third := 1.0 / 3
	tests := []struct {
		name string
		m    [][]float64
		want string // in the message
	}{
		// supply > roads (3), roads > labour (3) but labour = supply (1):
		// circular. k = 3·3/1 = 9, k^(1/3) = 2.080084, k^(-1/3) = 0.480750,
		// λmax = 3.560834, CI = 0.280417, CR = 0.280417/0.58 = 0.483477.
		{"inconsistent", [][]float64{{1, 3, 1}, {third, 1, 3}, {1, third, 1}}, "CR = 0.483 ≥ 0.10 (λmax = 3.561, CI = 0.280, RI = 0.58"},
		{"not reciprocal", [][]float64{{1, 3, 5}, {0.5, 1, 3}, {0.2, third, 1}}, "not reciprocal"},
		{"off the scale", [][]float64{{1, 12, 5}, {1.0 / 12, 1, 3}, {0.2, third, 1}}, "off Saaty's scale"},
		{"zero", [][]float64{{1, 0, 5}, {0, 1, 3}, {0.2, third, 1}}, "want a positive judgement"},
		{"diagonal", [][]float64{{2, 3, 5}, {third, 1, 3}, {0.2, third, 1}}, "must be 1"},
		{"short row", [][]float64{{1, 3}, {third, 1, 3}, {0.2, third, 1}}, "row 1"},
		{"missing row", [][]float64{{1, 3, 5}, {third, 1, 3}}, "want 3 rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parks.AHP([]string{"supply", "roads", "labour"}, tt.m)
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to say %q", err, tt.want)
			}
		})
	}
	// The refusal names the judgement to revise. A consistent 8:4:2:1
	// matrix with supply vs land reversed (1/8 instead of 8) has λmax =
	// 6.735, CR = 1.01; its eigenvector (0.218, 0.302, 0.151, 0.330)
	// implies supply/land = 0.66, the ratio furthest from a judgement
	// (|ln(0.125/0.66)| = 1.66; the next is 1.48).
	m := [][]float64{{1, 2, 4, 0.125}, {0.5, 1, 2, 4}, {0.25, 0.5, 1, 2}, {8, 0.25, 0.5, 1}}
	_, err := parks.AHP([]string{"supply", "roads", "labour", "land"}, m)
	if err == nil || !strings.Contains(err.Error(), "starting with supply vs land = 1/8 where the other judgements imply about 1/1.52") {
		t.Errorf("err = %v, want it to name supply vs land", err)
	}
}

func TestNormalizeAHP(t *testing.T) {
	known := map[string]bool{"leafy_vegetable": true}
	third := 1.0 / 3
	req := parks.Request{FacilityType: "processing_park", AHP: &parks.AHPInput{
		Criteria: []string{"supply", "roads", "existing_parks"},
		Matrix:   [][]float64{{1, 3, 5}, {third, 1, 3}, {0.2, third, 1}},
	}}
	res, err := req.Normalize(known)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.CR-0.033199) > 5e-6 {
		t.Errorf("CR = %v", res.CR)
	}
	bad := parks.Request{FacilityType: "processing_park", Weights: map[string]float64{"supply": 1}, AHP: req.AHP}
	if _, err := bad.Normalize(known); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("weights and ahp: err = %v", err)
	}
	inconsistent := parks.Request{FacilityType: "processing_park", AHP: &parks.AHPInput{
		Criteria: []string{"supply", "roads", "labour"}, Matrix: [][]float64{{1, 3, 1}, {third, 1, 3}, {1, third, 1}}}}
	if _, err := inconsistent.Normalize(known); !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), "inconsistent") {
		t.Errorf("inconsistent: err = %v", err)
	}
}

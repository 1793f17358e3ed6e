package report

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestNumbers(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567.4: "1,234,567", -2500: "-2,500"} {
		if got := fmtNum(in); got != want {
			t.Errorf("fmtNum(%v) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[float64]float64{0.3: 0.5, 7: 10, 120: 200, 1: 1} {
		if got := niceStep(in); got != want {
			t.Errorf("niceStep(%v) = %v, want %v", in, got, want)
		}
	}
}

// TestProjection: the map keeps the county's shape (a degree of longitude
// is shorter than one of latitude by the cosine) and fits the width.
func TestProjection(t *testing.T) {
	p := newProjection(orb.Bound{Min: orb.Point{114, 26}, Max: orb.Point{115, 27}}, 900)
	x0, y0 := p.xy(orb.Point{114, 27})
	x1, _ := p.xy(orb.Point{115, 27})
	_, y1 := p.xy(orb.Point{114, 26})
	w, h := x1-x0, y1-y0
	if x0 != p.edge || y0 != p.edge || w > 900 || h <= w || h/w < 1.1 || h/w > 1.13 {
		t.Errorf("1°×1° at 26.5°N draws %.1f × %.1f px from (%.0f, %.0f); want height/width = 1/cos(26.5°) ≈ 1.118", w, h, x0, y0)
	}
}

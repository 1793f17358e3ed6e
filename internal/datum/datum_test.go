package datum

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

func TestRoundTrip(t *testing.T) {
	for _, p := range []orb.Point{{114.2, 26.65}, {116.397, 39.908}, {87.6, 43.8}, {121.47, 31.23}} {
		g := orb.Point{}
		g[0], g[1] = WGSToGCJ(p[0], p[1])
		shift := geo.Distance(p, g)
		// GCJ-02 moves points by a few hundred metres inside China.
		if shift < 50 || shift > 1000 {
			t.Errorf("%v: GCJ-02 offset %.0f m, want 50–1000 m", p, shift)
		}
		w := orb.Point{}
		w[0], w[1] = GCJ02.ToWGS84(g[0], g[1])
		if d := geo.Distance(p, w); d > 0.01 {
			t.Errorf("%v: gcj02 round trip off by %.4f m", p, d)
		}
		b := orb.Point{}
		b[0], b[1] = GCJToBD(g[0], g[1])
		w[0], w[1] = BD09.ToWGS84(b[0], b[1])
		if d := geo.Distance(p, w); d > 0.5 {
			t.Errorf("%v: bd09 round trip off by %.4f m", p, d)
		}
	}
}

func TestOutsideChinaUnchanged(t *testing.T) {
	lon, lat := GCJ02.ToWGS84(1.52, 42.5) // Andorra
	if lon != 1.52 || lat != 42.5 {
		t.Fatalf("moved a point outside China: %v %v", lon, lat)
	}
	if _, err := Parse("mars"); err == nil {
		t.Fatal("unknown datum accepted")
	}
	if d, _ := Parse(""); d != WGS84 || math.IsNaN(0) {
		t.Fatal("empty datum is not wgs84")
	}
}

// TestFromWGS84 hands WGS84 positions back to GCJ-02 and BD-09 and reads
// them again: both ways agree to a centimetre.
func TestFromWGS84(t *testing.T) {
	for _, p := range []orb.Point{{114.2, 26.65}, {116.397, 39.908}, {87.6, 43.8}, {121.47, 31.23}} {
		for _, d := range []Datum{GCJ02, BD09} {
			var q, w orb.Point
			q[0], q[1] = d.FromWGS84(p[0], p[1])
			if geo.Distance(p, q) < 50 {
				t.Errorf("%s %v: moved only %.1f m", d, p, geo.Distance(p, q))
			}
			w[0], w[1] = d.ToWGS84(q[0], q[1])
			if dist := geo.Distance(p, w); dist > 0.01 {
				t.Errorf("%s %v: round trip off by %.4f m", d, p, dist)
			}
		}
	}
	if lon, lat := WGS84.FromWGS84(1, 2); lon != 1 || lat != 2 {
		t.Error("wgs84 moved a point")
	}
}

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

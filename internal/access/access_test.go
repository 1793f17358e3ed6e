package access_test

import (
	"context"
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestGeodesicPairs(t *testing.T) {
	g := access.NewGeodesic(0, 0)
	// Origin at 114E 26.5N; destinations 10, 20 and 40 km east along the
	// parallel (approximately), checked against orb's geodesic distance.
	o := access.Point{Lon: 114, Lat: 26.5}
	var to []access.Point
	for _, km := range []float64{40, 10, 20} {
		p := geo.PointAtBearingAndDistance(orb.Point{o.Lon, o.Lat}, 90, km*1000)
		to = append(to, access.Point{Lon: p[0], Lat: p[1]})
	}
	// 30 min at 40 km/h with detour 1.3 reaches 15.4 km in a straight line.
	pairs, err := g.Pairs(context.Background(), []access.Point{o, o}, to, []float64{30, 120})
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]int32
	for _, p := range pairs {
		got = append(got, [2]int32{p.From, p.To})
		wantKm := geo.Distance(orb.Point{o.Lon, o.Lat}, orb.Point{to[p.To].Lon, to[p.To].Lat}) / 1000 * 1.3
		if math.Abs(p.Km-wantKm) > 0.01*wantKm {
			t.Errorf("pair %v: %.3f km, want %.3f", p, p.Km, wantKm)
		}
		if wantMin := p.Km / 40 * 60; math.Abs(p.Minutes-wantMin) > 1e-9 {
			t.Errorf("pair %v: %.3f min, want %.3f", p, p.Minutes, wantMin)
		}
	}
	want := [][2]int32{{0, 1}, {1, 1}, {1, 2}, {1, 0}}
	if len(got) != len(want) {
		t.Fatalf("pairs %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pairs %v, want %v (by origin, then time)", got, want)
		}
	}
}

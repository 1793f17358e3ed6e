// Package access decides how far producers are from sites: it is the one
// seam through which coverage, gaps and plans get travel times. Geodesic
// is great-circle distance (on the sphere of the earth's mean radius, as
// PostGIS's geography with use_spheroid false) times a detour factor at a
// speed; a road network model answers the same interface with travel
// times on roads.
package access

import (
	"context"
	"fmt"
)

// Point is a WGS84 position.
type Point struct{ Lon, Lat float64 }

// Pair is a reachable origin-destination pair.
type Pair struct {
	From, To int32   // indices into the origin and destination slices
	Minutes  float64 // travel time
	Km       float64 // travel distance
}

// Model computes travel between points.
type Model interface {
	// Pairs returns every pair (i, j) with travel time from from[i] to to[j]
	// at most maxMinutes[i], ordered by origin then time.
	Pairs(ctx context.Context, from, to []Point, maxMinutes []float64) ([]Pair, error)
	// Describe says how travel is computed, for reports.
	Describe() string
}

// Defaults of the geodesic model (docs/design.md#measures).
const (
	DefaultDetour   = 1.3
	DefaultSpeedKmh = 40
)

// Geodesic is great-circle distance times Detour, travelled at SpeedKmh.
// Distances are computed in Go (geodesic.go), not in PostGIS: a
// province's pairs are tens of millions, which PostGIS took minutes to
// return.
type Geodesic struct {
	Detour   float64
	SpeedKmh float64
}

// NewGeodesic returns the geodesic model with the given detour factor and
// speed (0 takes the defaults).
func NewGeodesic(detour, speedKmh float64) *Geodesic {
	if detour <= 0 {
		detour = DefaultDetour
	}
	if speedKmh <= 0 {
		speedKmh = DefaultSpeedKmh
	}
	return &Geodesic{Detour: detour, SpeedKmh: speedKmh}
}

// Describe implements Model.
func (g *Geodesic) Describe() string {
	return fmt.Sprintf("geodesic distance x %.2f detour at %.0f km/h", g.Detour, g.SpeedKmh)
}

// Minutes converts a geodesic distance in metres to travel minutes.
func (g *Geodesic) Minutes(metres float64) float64 {
	return metres / 1000 * g.Detour / g.SpeedKmh * 60
}

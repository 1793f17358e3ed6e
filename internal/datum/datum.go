// Package datum converts coordinates between WGS84 and the datums of
// Chinese web maps. GCJ-02 (Amap, Tencent, DataV) adds a deliberate, position-dependent
// offset of a few hundred metres to WGS84; BD-09 (Baidu) adds a further
// rotation and shift to GCJ-02. The forward GCJ-02 formula is public; the
// inverse has no closed form and is found by fixed-point iteration, accurate
// to well under a centimetre.
package datum

import (
	"fmt"
	"math"
)

// Datum names a coordinate datum of input data.
type Datum string

// Datums.
const (
	WGS84 Datum = "wgs84"
	GCJ02 Datum = "gcj02"
	BD09  Datum = "bd09"
)

// Parse returns the datum named s ("" is WGS84).
func Parse(s string) (Datum, error) {
	switch d := Datum(s); d {
	case "", WGS84:
		return WGS84, nil
	case GCJ02, BD09:
		return d, nil
	}
	return "", fmt.Errorf("unknown datum %q (want wgs84, gcj02 or bd09)", s)
}

// ToWGS84 converts (lon, lat) in datum d to WGS84. Points outside China,
// where GCJ-02 applies no offset, are returned as they are.
func (d Datum) ToWGS84(lon, lat float64) (float64, float64) {
	switch d {
	case GCJ02:
		return gcjToWGS(lon, lat)
	case BD09:
		return gcjToWGS(bdToGCJ(lon, lat))
	}
	return lon, lat
}

// FromWGS84 converts WGS84 (lon, lat) to datum d: the inverse of ToWGS84,
// to hand data back to Chinese web maps.
func (d Datum) FromWGS84(lon, lat float64) (float64, float64) {
	switch d {
	case GCJ02:
		return WGSToGCJ(lon, lat)
	case BD09:
		return GCJToBD(WGSToGCJ(lon, lat))
	}
	return lon, lat
}

// Krasovsky 1940 ellipsoid, which the GCJ-02 formula uses.
const (
	semiMajor = 6378245.0
	ecc2      = 0.00669342162296594323
)

func outsideChina(lon, lat float64) bool {
	return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271
}

// WGSToGCJ applies the GCJ-02 offset to a WGS84 position.
func WGSToGCJ(lon, lat float64) (float64, float64) {
	if outsideChina(lon, lat) {
		return lon, lat
	}
	dlon, dlat := offset(lon, lat)
	return lon + dlon, lat + dlat
}

func offset(lon, lat float64) (float64, float64) {
	x, y := lon-105, lat-35
	dlat := shiftLat(x, y)
	dlon := shiftLon(x, y)
	rad := lat * math.Pi / 180
	m := 1 - ecc2*math.Sin(rad)*math.Sin(rad)
	sm := math.Sqrt(m)
	dlat = dlat * 180 / ((semiMajor * (1 - ecc2)) / (m * sm) * math.Pi)
	dlon = dlon * 180 / (semiMajor / sm * math.Cos(rad) * math.Pi)
	return dlon, dlat
}

func shiftLat(x, y float64) float64 {
	r := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(y*math.Pi) + 40*math.Sin(y/3*math.Pi)) * 2 / 3
	r += (160*math.Sin(y/12*math.Pi) + 320*math.Sin(y*math.Pi/30)) * 2 / 3
	return r
}

func shiftLon(x, y float64) float64 {
	r := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20*math.Sin(6*x*math.Pi) + 20*math.Sin(2*x*math.Pi)) * 2 / 3
	r += (20*math.Sin(x*math.Pi) + 40*math.Sin(x/3*math.Pi)) * 2 / 3
	r += (150*math.Sin(x/12*math.Pi) + 300*math.Sin(x/30*math.Pi)) * 2 / 3
	return r
}

// gcjToWGS inverts WGSToGCJ by fixed-point iteration: w <- w - (f(w) - g).
func gcjToWGS(lon, lat float64) (float64, float64) {
	if outsideChina(lon, lat) {
		return lon, lat
	}
	return invert(WGSToGCJ, lon, lat, lon, lat)
}

// invert solves f(x, y) = (lon, lat) by fixed-point iteration from
// (x, y): x <- x - (f(x) - target), to 1e-10 degrees or 30 steps. The
// datum shifts are small and smooth, so it converges in a few steps.
func invert(f func(x, y float64) (float64, float64), lon, lat, x, y float64) (float64, float64) {
	for i := 0; i < 30; i++ {
		fx, fy := f(x, y)
		dx, dy := fx-lon, fy-lat
		x -= dx
		y -= dy
		if math.Abs(dx) < 1e-10 && math.Abs(dy) < 1e-10 {
			break
		}
	}
	return x, y
}

const bdFactor = math.Pi * 3000 / 180

// bdToGCJ removes Baidu's BD-09 rotation and shift: the usual closed-form
// approximation (off by up to a few decimetres), refined by fixed-point
// iteration on GCJToBD.
func bdToGCJ(lon, lat float64) (float64, float64) {
	x, y := lon-0.0065, lat-0.006
	z := math.Hypot(x, y) - 0.00002*math.Sin(y*bdFactor)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdFactor)
	return invert(GCJToBD, lon, lat, z*math.Cos(theta), z*math.Sin(theta))
}

// GCJToBD applies Baidu's BD-09 transform to a GCJ-02 position.
func GCJToBD(lon, lat float64) (float64, float64) {
	z := math.Hypot(lon, lat) + 0.00002*math.Sin(lat*bdFactor)
	theta := math.Atan2(lat, lon) + 0.000003*math.Cos(lon*bdFactor)
	return z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006
}

package layer

import (
	"encoding/binary"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/twpayne/go-geom"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

// SRID of stored geometry: WGS84 longitude/latitude.
const SRID = 4326

// EWKB encodes an orb geometry as EWKB with SRID 4326 for PostGIS. It is the
// one place where orb geometry becomes go-geom.
func EWKB(g orb.Geometry) ([]byte, error) {
	t, err := toGeom(g)
	if err != nil {
		return nil, err
	}
	return ewkb.Marshal(t, binary.LittleEndian)
}

func toGeom(g orb.Geometry) (geom.T, error) {
	switch t := g.(type) {
	case orb.Point:
		return geom.NewPointFlat(geom.XY, []float64{t[0], t[1]}).SetSRID(SRID), nil
	case orb.LineString:
		return geom.NewLineStringFlat(geom.XY, flat(t)).SetSRID(SRID), nil
	case orb.Polygon:
		return polygon(t).SetSRID(SRID), nil
	case orb.MultiPolygon:
		mp := geom.NewMultiPolygon(geom.XY).SetSRID(SRID)
		for _, p := range t {
			if err := mp.Push(polygon(p)); err != nil {
				return nil, err
			}
		}
		return mp, nil
	case orb.MultiLineString:
		ml := geom.NewMultiLineString(geom.XY).SetSRID(SRID)
		for _, l := range t {
			if err := ml.Push(geom.NewLineStringFlat(geom.XY, flat(l))); err != nil {
				return nil, err
			}
		}
		return ml, nil
	}
	return nil, fmt.Errorf("unsupported geometry %T", g)
}

func polygon(p orb.Polygon) *geom.Polygon {
	var coords []float64
	var ends []int
	for _, r := range p {
		coords = append(coords, flat(r)...)
		ends = append(ends, len(coords))
	}
	return geom.NewPolygonFlat(geom.XY, coords, ends)
}

func flat[T ~[]orb.Point](ps T) []float64 {
	out := make([]float64, 0, 2*len(ps))
	for _, p := range ps {
		out = append(out, p[0], p[1])
	}
	return out
}

package main

import (
	"bytes"
	"encoding/json"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Features are encoded one per line with orb/geojson. Coordinates come from
// integer micro-degrees, so they print with at most 6 decimals; property
// objects are maps, which encoding/json writes with sorted keys.

type kv struct {
	k string
	v any
}

// props lists a feature's properties (in the order the code reads best).
type props []kv

func (p props) toMap() geojson.Properties {
	m := make(geojson.Properties, len(p))
	for _, e := range p {
		m[e.k] = e.v
	}
	return m
}

// round returns v rounded to prec decimals.
func round(v float64, prec int) float64 {
	p := math.Pow(10, float64(prec))
	return math.Round(v*p) / p
}

func pointGeom(q ipt) orb.Geometry { return q.lonLat() }

func lineGeom(l []ipt) orb.Geometry {
	ls := make(orb.LineString, len(l))
	for i, q := range l {
		ls[i] = q.lonLat()
	}
	return ls
}

// polygonGeom closes an open exterior ring.
func polygonGeom(r []ipt) orb.Geometry { return lonLatPolygon(r) }

func multiPolygonGeom(r []ipt) orb.Geometry { return orb.MultiPolygon{lonLatPolygon(r)} }

type feature struct {
	id    string
	geom  orb.Geometry
	props props
}

// featureCollection encodes features as an RFC 7946 FeatureCollection, one feature per line.
func featureCollection(fs []feature) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	for i, f := range fs {
		gf := geojson.NewFeature(f.geom)
		gf.ID = f.id
		gf.Properties = f.props.toMap()
		line, err := json.Marshal(gf)
		if err != nil {
			return nil, err
		}
		b.Write(line)
		if i < len(fs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	return b.Bytes(), nil
}

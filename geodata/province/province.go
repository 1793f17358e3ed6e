// Package province generates a synthetic province for tests, benchmarks and
// the map: regions nested province → prefecture → county → township →
// village with GB/T 2260-style codes (2, 4, 6, 9 and 12 digits), and in
// every county producers, facilities, candidate sites and exclusion zones.
//
// The output is a pure function of Options: every county draws from its
// own seeded PCG stream and nothing depends on map iteration order. The
// data is invented: names end in "(demo)" and the province code (39 by
// default) belongs to no real province.
//
// Geometry is built on a lattice of fine cells (a few km each), warped by a
// smooth displacement of bounded slope so that boundaries meander. Every
// region polygon (province, prefectures, counties, townships) is a union of
// lattice cells whose ring lists every lattice node along its boundary, so
// neighbours share their edges vertex for vertex and children tile their
// parent exactly. Villages are points (their areas are derived in the
// database, as for imported point regions); producers, facilities and
// candidates are points inside their township; exclusion zones are small
// polygons inside one township each.
package province

import (
	"bytes"
	"fmt"
	"io"

	"github.com/paulmach/orb/geojson"
)

// Options size the province. Zero fields take the defaults of Default.
type Options struct {
	Seed      uint64 // random seed; the output is a pure function of Options
	Counties  int    // number of counties, 1–MaxCounties
	Producers int    // number of producers over the whole province, 0–MaxProducers
	Code      string // two-digit province code
}

// Bounds of Options.
const (
	MaxCounties  = 400
	MaxProducers = 2_000_000
)

// Default returns the default size: 12 counties and 25,000 producers.
func Default() Options { return Options{Seed: 1, Counties: 12, Producers: 25000, Code: "39"} }

// withDefaults fills zero fields and checks the bounds.
func (o Options) withDefaults() (Options, error) {
	d := Default()
	if o.Counties == 0 {
		o.Counties = d.Counties
	}
	if o.Code == "" {
		o.Code = d.Code
	}
	if o.Counties < 1 || o.Counties > MaxCounties {
		return o, fmt.Errorf("counties must be 1–%d, not %d", MaxCounties, o.Counties)
	}
	if o.Producers < 0 || o.Producers > MaxProducers {
		return o, fmt.Errorf("producers must be 0–%d, not %d", MaxProducers, o.Producers)
	}
	if len(o.Code) != 2 || o.Code[0] < '1' || o.Code[0] > '9' || o.Code[1] < '0' || o.Code[1] > '9' {
		return o, fmt.Errorf("province code must be two digits 10–99, not %q", o.Code)
	}
	return o, nil
}

// Province is a generated province: its layers as GeoJSON features.
type Province struct {
	Options
	// Code and Name of the province region.
	Code, Name string
	// Prefectures, Counties and Townships list the codes of each level in
	// generation order.
	Prefectures, Counties, Townships []string
	// Layers holds the features of each stored layer: regions, producers,
	// facilities, candidates, exclusions.
	Layers map[string][]*geojson.Feature
}

// LayerNames lists the generated layers in load order (regions first).
var LayerNames = []string{"regions", "producers", "facilities", "candidates", "exclusions"}

// Version names the generated data set for o, so that loading it again can
// be recognised.
func (o Options) Version() string {
	return fmt.Sprintf("demo-province-1:%s:seed=%d:counties=%d:producers=%d", o.Code, o.Seed, o.Counties, o.Producers)
}

// Generate builds the province for o.
func Generate(o Options) (*Province, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	g := newBuilder(o)
	g.layout()
	g.buildRegions()
	for _, c := range g.counties {
		g.fillCounty(c)
	}
	g.allocateProducers()
	return g.province(), nil
}

// GeoJSON encodes one layer as an RFC 7946 FeatureCollection, one feature a
// line.
func (p *Province) GeoJSON(layer string) ([]byte, error) {
	fs, ok := p.Layers[layer]
	if !ok {
		return nil, fmt.Errorf("province: no layer %q", layer)
	}
	fc := geojson.NewFeatureCollection()
	fc.Features = fs
	return fc.MarshalJSON()
}

// Open returns a reader of one layer's GeoJSON.
func (p *Province) Open(layer string) (io.Reader, error) {
	b, err := p.GeoJSON(layer)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(b), nil
}

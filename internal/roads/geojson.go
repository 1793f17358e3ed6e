package roads

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
)

// ReadGeoJSON reads a GeoJSON FeatureCollection of roads: LineString or
// MultiLineString features with properties highway (an OSM class, or
// expressway|national|provincial|county|township|village and their Chinese
// names), and optionally name, ref, oneway (true, "yes", "-1", ...) and
// maxspeed_kmh (or an OSM-style maxspeed). Roads meet where they share a
// position (to 1e-7 degrees); a road is split into edges at every such
// position. Classes without a speed are dropped and counted, like
// footways in OSM.
//
// Features are checked one by one; if any is bad, every problem (up to
// derrors.MaxRowErrors) comes back as derrors.RowErrors, row being the
// feature's position in the file, and nothing is read.
func ReadGeoJSON(r io.Reader, name string, opt ReadOptions) (*Network, error) {
	speeds := opt.speeds()
	if opt.Progress != nil {
		r = io.TeeReader(r, opt.Progress("reading roads", -1))
	}
	dec := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	if err := seekFeatures(dec); err != nil {
		return nil, err
	}
	st := ReadStats{NotDrivable: map[string]int{}}
	var ways []way
	var errs derrors.RowErrors
	pos := map[int64]orb.Point{}
	key := func(p orb.Point) int64 {
		x := int64(math.Round(p[0] * 1e7))
		y := int64(math.Round(p[1] * 1e7))
		k := x<<32 | int64(uint32(y))
		if _, ok := pos[k]; !ok {
			pos[k] = orb.Point{float64(x) / 1e7, float64(y) / 1e7}
		}
		return k
	}
	row := 0
	for dec.More() {
		row++
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, derrors.Invalid("%s: feature %d: invalid JSON: %v", name, row, err)
		}
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			errs = addRowErr(errs, row, "feature", "not a GeoJSON Feature: "+err.Error())
			continue
		}
		ws, bad := geojsonWay(f, row, speeds, opt.Datum, &st)
		if len(bad) > 0 {
			for _, e := range bad {
				errs = addRowErr(errs, e.Row, e.Field, e.Reason)
			}
			continue
		}
		for _, w := range ws {
			for i, p := range w.line {
				w.nodes[i] = key(p)
			}
			ways = append(ways, w.way)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(ways) == 0 && st.Ways == 0 {
		return nil, derrors.Invalid("%s has no road features", name)
	}
	coord := func(k int64) (orb.Point, bool) {
		p, ok := pos[k]
		return p, ok
	}
	n := build(ways, coord, &opt, st)
	n.Source = name
	return n, nil
}

func addRowErr(errs derrors.RowErrors, row int, field, reason string) derrors.RowErrors {
	if len(errs) >= derrors.MaxRowErrors {
		return errs
	}
	return append(errs, derrors.RowError{Row: row, Field: field, Reason: reason})
}

// seekFeatures advances dec into the "features" array.
func seekFeatures(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return derrors.Invalid("not a GeoJSON FeatureCollection: %v", err)
	}
	if tok != json.Delim('{') {
		return derrors.Invalid("not a GeoJSON FeatureCollection: want a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return derrors.Invalid("not a GeoJSON FeatureCollection: %v", err)
		}
		if tok == "features" {
			tok, err := dec.Token()
			if err != nil || tok != json.Delim('[') {
				return derrors.Invalid(`not a GeoJSON FeatureCollection: "features" is not an array`)
			}
			return nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return derrors.Invalid("not a GeoJSON FeatureCollection: %v", err)
		}
	}
	return derrors.Invalid(`not a GeoJSON FeatureCollection: no "features" array`)
}

type lineWay struct {
	way
	line orb.LineString
}

// geojsonWay checks one feature and returns its roads (one per line).
func geojsonWay(f *geojson.Feature, row int, speeds Speeds, d datum.Datum, st *ReadStats) ([]lineWay, derrors.RowErrors) {
	bad := &rowProblems{row: row}
	p := f.Properties
	class, _ := p["highway"].(string)
	class = Canonical(class)
	if class == "" {
		bad.add("highway", "missing: want a road class such as primary, secondary, tertiary, unclassified or track")
	}
	w := way{ref: featureRef(f, row), class: class}
	w.name, _ = p["name"].(string)
	w.roadRef, _ = p["ref"].(string)
	w.oneway = featureOneway(p["oneway"], bad)
	w.maxspeed = featureMaxspeed(p, bad)
	lines := featureLines(f.Geometry, bad)
	if len(bad.errs) > 0 {
		return nil, bad.errs
	}
	st.Ways++
	if !speeds.Drivable(class) {
		st.NotDrivable[class]++
		return nil, nil
	}
	st.Drivable++
	out := make([]lineWay, 0, len(lines))
	for _, l := range lines {
		line := make(orb.LineString, len(l))
		for i, pt := range l {
			if d != "" && d != datum.WGS84 {
				x, y := d.ToWGS84(pt[0], pt[1])
				pt = orb.Point{x, y}
			}
			line[i] = pt
		}
		lw := lineWay{way: w, line: line}
		lw.nodes = make([]int64, len(line))
		out = append(out, lw)
	}
	return out, nil
}

// rowProblems collects what is wrong with one input row.
type rowProblems struct {
	row  int
	errs derrors.RowErrors
}

// add records that field is wrong, saying why.
func (b *rowProblems) add(field, format string, args ...any) {
	b.errs = append(b.errs, derrors.RowError{Row: b.row, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// featureRef is the feature's own reference: its id, else its "id"
// property, else "row N".
func featureRef(f *geojson.Feature, row int) string {
	ref := ""
	switch id := f.ID.(type) {
	case string:
		ref = id
	case float64:
		ref = strconv.FormatFloat(id, 'f', -1, 64)
	}
	if ref != "" {
		return ref
	}
	if id, ok := f.Properties["id"].(string); ok {
		return id
	}
	return fmt.Sprintf("row %d", row)
}

// featureOneway reads a "oneway" property: 1 forward only, -1 backward
// only, 0 both ways.
func featureOneway(v any, bad *rowProblems) int8 {
	switch v := v.(type) {
	case nil:
	case bool:
		if v {
			return 1
		}
	case float64:
		return int8(math.Copysign(math.Min(1, math.Abs(v)), v))
	case string:
		switch strings.ToLower(v) {
		case "yes", "true", "1", "forward":
			return 1
		case "-1", "reverse", "backward":
			return -1
		case "no", "false", "0", "":
		default:
			bad.add("oneway", "want true, false, yes, no or -1, got %q", v)
		}
	default:
		bad.add("oneway", "want true, false, yes, no or -1")
	}
	return 0
}

// featureMaxspeed reads the speed limit in km/h (0 when none is given):
// "maxspeed_kmh" as a number, else OSM's "maxspeed".
func featureMaxspeed(p geojson.Properties, bad *rowProblems) float64 {
	switch v := p["maxspeed_kmh"].(type) {
	case nil:
		if s, ok := p["maxspeed"].(string); ok {
			return parseMaxspeed(s)
		} else if x, ok := p["maxspeed"].(float64); ok && x > 0 {
			return x
		}
	case float64:
		if !(v > 0 && v <= 300) {
			bad.add("maxspeed_kmh", "want a speed above 0 and at most 300 km/h, got %v", v)
		}
		return v
	default:
		bad.add("maxspeed_kmh", "want a number (km/h) or null")
	}
	return 0
}

// featureLines returns the lines of a LineString or MultiLineString with
// at least 2 positions each, all of them valid longitude and latitude.
func featureLines(g orb.Geometry, bad *rowProblems) []orb.LineString {
	var lines []orb.LineString
	switch g := g.(type) {
	case orb.LineString:
		lines = []orb.LineString{g}
	case orb.MultiLineString:
		lines = g
	case nil:
		bad.add("geometry", "missing")
	default:
		bad.add("geometry", "want LineString or MultiLineString, got %s", g.GeoJSONType())
	}
	for _, l := range lines {
		if len(l) < 2 {
			bad.add("geometry", "a line needs at least 2 positions")
		}
		for _, pt := range l {
			if !finite(pt[0]) || !finite(pt[1]) || pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
				bad.add("geometry", "position %v is outside longitude -180..180, latitude -90..90", pt)
				break
			}
		}
	}
	return lines
}

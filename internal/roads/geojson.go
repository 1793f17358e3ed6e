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
	var errs derrors.RowErrors
	bad := func(field, format string, args ...any) {
		errs = append(errs, derrors.RowError{Row: row, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	p := f.Properties
	class, _ := p["highway"].(string)
	class = Canonical(class)
	if class == "" {
		bad("highway", "missing: want a road class such as primary, secondary, tertiary, unclassified or track")
	}
	ref := ""
	switch id := f.ID.(type) {
	case string:
		ref = id
	case float64:
		ref = strconv.FormatFloat(id, 'f', -1, 64)
	}
	if ref == "" {
		if id, ok := p["id"].(string); ok {
			ref = id
		} else {
			ref = fmt.Sprintf("row %d", row)
		}
	}
	w := way{ref: ref, class: class}
	w.name, _ = p["name"].(string)
	w.roadRef, _ = p["ref"].(string)
	switch v := p["oneway"].(type) {
	case nil:
	case bool:
		if v {
			w.oneway = 1
		}
	case float64:
		w.oneway = int8(math.Copysign(math.Min(1, math.Abs(v)), v))
	case string:
		switch strings.ToLower(v) {
		case "yes", "true", "1", "forward":
			w.oneway = 1
		case "-1", "reverse", "backward":
			w.oneway = -1
		case "no", "false", "0", "":
		default:
			bad("oneway", "want true, false, yes, no or -1, got %q", v)
		}
	default:
		bad("oneway", "want true, false, yes, no or -1")
	}
	switch v := p["maxspeed_kmh"].(type) {
	case nil:
		if s, ok := p["maxspeed"].(string); ok {
			w.maxspeed = parseMaxspeed(s)
		} else if x, ok := p["maxspeed"].(float64); ok && x > 0 {
			w.maxspeed = x
		}
	case float64:
		if !(v > 0 && v <= 300) {
			bad("maxspeed_kmh", "want a speed above 0 and at most 300 km/h, got %v", v)
		}
		w.maxspeed = v
	default:
		bad("maxspeed_kmh", "want a number (km/h) or null")
	}
	var lines []orb.LineString
	switch g := f.Geometry.(type) {
	case orb.LineString:
		lines = []orb.LineString{g}
	case orb.MultiLineString:
		lines = g
	case nil:
		bad("geometry", "missing")
	default:
		bad("geometry", "want LineString or MultiLineString, got %s", g.GeoJSONType())
	}
	for _, l := range lines {
		if len(l) < 2 {
			bad("geometry", "a line needs at least 2 positions")
		}
		for _, pt := range l {
			if !finite(pt[0]) || !finite(pt[1]) || pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
				bad("geometry", "position %v is outside longitude -180..180, latitude -90..90", pt)
				break
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
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

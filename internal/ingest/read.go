// Package ingest imports layers from GeoJSON and CSV files into PostGIS and
// exports them again. Files are streamed feature by feature, so a million
// rows need little memory; every bad row is reported as
// "row N: field: reason" and a file with any bad row writes nothing.
package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// Formats of layer files.
const (
	GeoJSON = "geojson"
	CSV     = "csv"
)

// DetectFormat guesses the format from a file name, or "" if unsure.
func DetectFormat(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".geojson", ".json":
		return GeoJSON
	case ".csv", ".tsv", ".txt":
		return CSV
	}
	if _, ok := gdalExts[strings.ToLower(filepath.Ext(name))]; ok {
		return GDAL
	}
	return ""
}

// featureReader yields input features; io.EOF after the last one. A
// *rowError is one bad feature (reading goes on); any other error is fatal.
type featureReader interface {
	Next() (layer.Feature, error)
}

type rowError struct{ derrors.RowError }

func (e *rowError) Error() string { return e.RowError.String() }

// textEncodings maps the accepted encoding names (lower case, without
// dashes) to GDAL's names for them; "" is UTF-8 unless the file says.
var textEncodings = map[string]string{"": "", "utf8": "UTF-8", "gbk": "CP936", "cp936": "CP936", "gb18030": "GB18030"}

// encodingKey is enc's key in textEncodings, or an error naming the
// encodings there are.
func encodingKey(enc string) (string, error) {
	k := strings.ToLower(strings.ReplaceAll(enc, "-", ""))
	if _, ok := textEncodings[k]; !ok {
		return "", derrors.Invalid("unknown encoding %q (want utf-8, gbk or gb18030)", enc)
	}
	return k, nil
}

// decodeText wraps r to turn text in encoding enc into UTF-8, dropping a
// UTF-8 byte-order mark, and to refuse bytes that are not UTF-8.
func decodeText(r io.Reader, enc string) (*lineReader, error) {
	k, err := encodingKey(enc)
	if err != nil {
		return nil, err
	}
	switch k {
	case "gbk", "cp936":
		r = simplifiedchinese.GBK.NewDecoder().Reader(r)
	case "gb18030":
		r = simplifiedchinese.GB18030.NewDecoder().Reader(r)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	return &lineReader{r: br, line: 1}, nil
}

// lineReader counts lines and checks that the text is UTF-8.
type lineReader struct {
	r       *bufio.Reader
	line    int
	offset  int64
	pending []byte // an incomplete UTF-8 sequence at the end of the last read
	lines   []int64
}

func (lr *lineReader) Read(p []byte) (int, error) {
	n, err := lr.r.Read(p)
	chunk := append(lr.pending, p[:n]...)
	// Keep back up to 3 bytes of a sequence cut by the buffer boundary.
	cut := len(chunk)
	for i := 1; i <= 3 && i <= len(chunk); i++ {
		b := chunk[len(chunk)-i]
		if b < 0x80 {
			break
		}
		if utf8.RuneStart(b) {
			if !utf8.FullRune(chunk[len(chunk)-i:]) && err == nil {
				cut = len(chunk) - i
			}
			break
		}
	}
	check := chunk[:cut]
	if !utf8.Valid(check) {
		bad := 0
		for bad < len(check) {
			r, size := utf8.DecodeRune(check[bad:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			bad += size
		}
		line := lr.line + bytes.Count(check[:bad], []byte{'\n'})
		return 0, derrors.Invalid("line %d: not valid UTF-8 text: save the file as UTF-8, or import with --encoding gbk (or gb18030) if it comes from Chinese Windows software", line)
	}
	for i, b := range check {
		if b == '\n' {
			lr.lines = append(lr.lines, lr.offset+int64(i))
			lr.line++
		}
	}
	lr.offset += int64(len(check))
	lr.pending = append(lr.pending[:0], chunk[cut:]...)
	return n, err
}

// lineAt returns the 1-based line of byte offset off.
func (lr *lineReader) lineAt(off int64) int {
	return sort.Search(len(lr.lines), func(i int) bool { return lr.lines[i] >= off }) + 1
}

// geojsonReader streams the features of a FeatureCollection.
type geojsonReader struct {
	lr      *lineReader
	dec     *json.Decoder
	n       int
	inArray bool
	done    bool
	sawType bool
	crs     string
}

func newGeoJSONReader(lr *lineReader) (*geojsonReader, error) {
	g := &geojsonReader{lr: lr, dec: json.NewDecoder(lr)}
	tok, err := g.dec.Token()
	if errors.Is(err, io.EOF) {
		return nil, derrors.Invalid("the file is empty: want a GeoJSON FeatureCollection")
	}
	if err != nil {
		return nil, g.syntax(err)
	}
	switch tok {
	case json.Delim('{'):
	case json.Delim('['):
		return nil, derrors.Invalid(`expected a GeoJSON FeatureCollection object, got a JSON array: wrap the features as {"type": "FeatureCollection", "features": [...]}`)
	default:
		return nil, derrors.Invalid(`expected a GeoJSON FeatureCollection object, got %v: a GeoJSON file starts with {"type": "FeatureCollection", "features": [...]}`, tok)
	}
	return g, nil
}

func (g *geojsonReader) syntax(err error) error {
	if errors.As(err, new(*derrors.RowErrors)) || errors.Is(err, derrors.ErrInvalid) {
		return err
	}
	off := g.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return derrors.Invalid("line %d: the JSON ends too early (file truncated?)", g.lr.line)
	}
	return derrors.Invalid("line %d: invalid JSON: %v (NaN, Infinity and comments are not JSON)", g.lr.lineAt(off), err)
}

func (g *geojsonReader) Next() (layer.Feature, error) {
	for !g.done {
		if g.inArray {
			if !g.dec.More() {
				if _, err := g.dec.Token(); err != nil { // ]
					return layer.Feature{}, g.syntax(err)
				}
				g.inArray = false
				continue
			}
			var raw json.RawMessage
			if err := g.dec.Decode(&raw); err != nil {
				return layer.Feature{}, g.syntax(err)
			}
			g.n++
			return g.feature(raw)
		}
		if !g.dec.More() {
			if _, err := g.dec.Token(); err != nil { // }
				return layer.Feature{}, g.syntax(err)
			}
			g.done = true
			if !g.sawType {
				return layer.Feature{}, derrors.Invalid(`not GeoJSON: the object has no "type": "FeatureCollection": add it next to "features"`)
			}
			break
		}
		tok, err := g.dec.Token()
		if err != nil {
			return layer.Feature{}, g.syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			var t string
			if err := g.dec.Decode(&t); err != nil {
				return layer.Feature{}, g.syntax(err)
			}
			g.sawType = true
			switch t {
			case "FeatureCollection":
			case "Feature":
				return layer.Feature{}, derrors.Invalid(`expected a GeoJSON FeatureCollection, got a single Feature: wrap it as {"type": "FeatureCollection", "features": [...]}`)
			case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
				return layer.Feature{}, derrors.Invalid(`expected a GeoJSON FeatureCollection of features with properties, got a bare %s geometry: wrap it as {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {...}, "geometry": <the %s>}]} with the layer's properties (e.g. code, name and level for regions), or save it as GeoJSON features from QGIS or ogr2ogr`, t, t)
			default:
				return layer.Feature{}, derrors.Invalid(`expected a GeoJSON FeatureCollection, got type %q: a layer file is {"type": "FeatureCollection", "features": [...]}`, t)
			}
		case "features":
			tok, err := g.dec.Token()
			if err != nil {
				return layer.Feature{}, g.syntax(err)
			}
			if tok != json.Delim('[') {
				return layer.Feature{}, derrors.Invalid(`"features" must be an array of Feature objects: "features": [{"type": "Feature", ...}, ...]`)
			}
			g.inArray = true
		case "crs":
			var crs struct {
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			}
			if err := g.dec.Decode(&crs); err != nil {
				return layer.Feature{}, g.syntax(err)
			}
			g.crs = crs.Properties.Name
		default:
			var skip json.RawMessage
			if err := g.dec.Decode(&skip); err != nil {
				return layer.Feature{}, g.syntax(err)
			}
		}
	}
	return layer.Feature{}, io.EOF
}

// crsName is the file's crs member (GeoJSON 2008; RFC 7946 dropped it but
// GDAL writes it for other CRSs), "" if none was read yet.
func (g *geojsonReader) crsName() string { return g.crs }

func (g *geojsonReader) feature(raw json.RawMessage) (layer.Feature, error) {
	var head struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &head)
	if head.Type != "Feature" {
		return layer.Feature{}, &rowError{derrors.RowError{Row: g.n, Field: "type", Reason: fmt.Sprintf("want a Feature, got %q", head.Type)}}
	}
	f, err := geojson.UnmarshalFeature(raw)
	if err != nil {
		return layer.Feature{}, &rowError{derrors.RowError{Row: g.n, Field: "geometry", Reason: err.Error()}}
	}
	if reason := checkPositions(raw); reason != "" {
		return layer.Feature{}, &rowError{derrors.RowError{Row: g.n, Field: "geometry", Reason: reason}}
	}
	props := map[string]any(f.Properties)
	if props == nil {
		props = map[string]any{}
	}
	var geom orb.Geometry
	if f.Geometry != nil {
		geom = f.Geometry
	}
	return layer.Feature{Row: g.n, ID: f.ID, Props: props, Geom: geom}, nil
}

// csvReader reads features from CSV with a header: lon/lat columns or a WKT
// column for the geometry, other columns as properties.
type csvReader struct {
	r        *csv.Reader
	header   []string
	lon, lat int
	wkt      int
}

var (
	lonNames = []string{"lon", "lng", "long", "longitude", "x", "经度"}
	latNames = []string{"lat", "latitude", "y", "纬度"}
	wktNames = []string{"wkt", "geometry", "geom", "the_geom", "shape"}
)

func newCSVReader(lr *lineReader) (*csvReader, error) {
	br := bufio.NewReader(lr)
	first, err := br.Peek(4096)
	if len(bytes.TrimSpace(first)) == 0 {
		if err == nil || errors.Is(err, io.EOF) {
			return nil, derrors.Invalid("the file is empty: want a CSV header line and rows")
		}
		return nil, err
	}
	line, _, _ := bytes.Cut(first, []byte{'\n'})
	comma := ','
	if bytes.Count(line, []byte{';'}) > bytes.Count(line, []byte{','}) {
		comma = ';'
	} else if bytes.Count(line, []byte{'\t'}) > bytes.Count(line, []byte{','}) {
		comma = '\t'
	}
	r := csv.NewReader(br)
	r.Comma = comma
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, derrors.Invalid("the file is empty: want a CSV header line and rows")
	}
	if err != nil {
		return nil, derrors.Invalid("CSV header: %v", err)
	}
	if looksLikeData(header) {
		return nil, derrors.Invalid("CSV: the first line (%s) looks like data, not a header: add a header line naming the columns, e.g. code,name,level,parent_code,lon,lat (or 代码,名称,级别,上级代码,经度,纬度)",
			strings.Join(header, string(comma)))
	}
	c := &csvReader{r: r, lon: -1, lat: -1, wkt: -1}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if h == "" {
			return nil, derrors.Invalid("CSV header: column %d has no name: name every column in the header line, or delete the empty column", i+1)
		}
		if seen[h] {
			return nil, derrors.Invalid("CSV header: column %q appears twice: rename or delete one of them", h)
		}
		seen[h] = true
		c.header = append(c.header, h)
		switch {
		case c.lon < 0 && contains(lonNames, h):
			c.lon = i
		case c.lat < 0 && contains(latNames, h):
			c.lat = i
		case c.wkt < 0 && contains(wktNames, h):
			c.wkt = i
		}
	}
	if c.wkt < 0 && (c.lon < 0 || c.lat < 0) {
		return nil, derrors.Invalid("CSV header: want lon and lat columns (or longitude/latitude, x/y, 经度/纬度) or a wkt column; got %s: rename the coordinate columns", strings.Join(c.header, ", "))
	}
	return c, nil
}

// looksLikeData says a CSV's first record is data rather than a header:
// at least two of its cells, and half of the non-empty ones, are numbers
// (column names are not).
func looksLikeData(rec []string) bool {
	nums, filled := 0, 0
	for _, v := range rec {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		filled++
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			nums++
		}
	}
	return nums >= 2 && 2*nums >= filled
}

// geometryColumns names the columns the geometry came from.
func (c *csvReader) geometryColumns() []string {
	if c.wkt >= 0 {
		return []string{c.header[c.wkt] + " → geometry"}
	}
	return []string{c.header[c.lon] + ", " + c.header[c.lat] + " → geometry"}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func (c *csvReader) Next() (layer.Feature, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return layer.Feature{}, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return layer.Feature{}, derrors.Invalid("line %d: CSV: %v", pe.Line, pe.Err)
		}
		return layer.Feature{}, err
	}
	line, _ := c.r.FieldPos(0) // only after a record was read: it panics otherwise

	if len(rec) != len(c.header) {
		return layer.Feature{}, &rowError{derrors.RowError{Row: line, Field: "columns", Reason: fmt.Sprintf("%d values for %d header columns: quote values that contain the separator %q", len(rec), len(c.header), c.r.Comma)}}
	}
	f := layer.Feature{Row: line, Props: make(map[string]any, len(rec)), Text: true}
	for i, v := range rec {
		if i == c.lon || i == c.lat || i == c.wkt {
			continue
		}
		f.Props[c.header[i]] = v
	}
	if c.wkt >= 0 && strings.TrimSpace(rec[c.wkt]) != "" {
		g, err := wkt.Unmarshal(strings.TrimSpace(rec[c.wkt]))
		if err != nil {
			return layer.Feature{}, &rowError{derrors.RowError{Row: line, Field: c.header[c.wkt], Reason: "not WKT: " + err.Error()}}
		}
		f.Geom = g
	} else if c.lon >= 0 && c.lat >= 0 && (strings.TrimSpace(rec[c.lon]) != "" || strings.TrimSpace(rec[c.lat]) != "") {
		x, errX := parseCoord(rec[c.lon])
		y, errY := parseCoord(rec[c.lat])
		switch {
		case errX != nil:
			return layer.Feature{}, &rowError{derrors.RowError{Row: line, Field: c.header[c.lon], Reason: errX.Error()}}
		case errY != nil:
			return layer.Feature{}, &rowError{derrors.RowError{Row: line, Field: c.header[c.lat], Reason: errY.Error()}}
		}
		f.Geom = orb.Point{x, y}
	}
	return f, nil
}

func parseCoord(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if x, err := strconv.ParseFloat(s, 64); err == nil {
		return x, nil // the common case, without fmt's scanner
	}
	var x float64
	if _, err := fmt.Sscan(s, &x); err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return x, nil
}

// positionDepth is how deeply positions nest in each geometry type's
// coordinates.
var positionDepth = map[string]int{"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}

// checkPositions says what is wrong with a feature's positions (orb reads
// [] as POINT(0 0) and [114.2] as POINT(114.2 0)): each needs a longitude
// and a latitude. It returns "" when they are fine.
func checkPositions(feature json.RawMessage) string {
	var f struct {
		Geometry *rawGeometry `json:"geometry"`
	}
	if json.Unmarshal(feature, &f) != nil || f.Geometry == nil {
		return ""
	}
	return f.Geometry.check()
}

type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
	Geometries  []rawGeometry   `json:"geometries"`
}

func (g *rawGeometry) check() string {
	for i := range g.Geometries {
		if r := g.Geometries[i].check(); r != "" {
			return r
		}
	}
	depth, ok := positionDepth[g.Type]
	if !ok {
		return ""
	}
	var c any
	if len(g.Coordinates) == 0 || json.Unmarshal(g.Coordinates, &c) != nil {
		return "the geometry has no coordinates"
	}
	return checkNested(c, depth)
}

func checkNested(c any, depth int) string {
	list, _ := c.([]any)
	if depth == 0 {
		if len(list) < 2 || len(list) > 3 {
			b, _ := json.Marshal(c)
			return fmt.Sprintf("a position needs longitude and latitude (and at most a height), got %s", b)
		}
		return ""
	}
	for _, e := range list {
		if r := checkNested(e, depth-1); r != "" {
			return r
		}
	}
	return ""
}

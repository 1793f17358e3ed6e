package layer

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/cql2"
	"github.com/coldchain/coldchain/internal/crs"
	"github.com/coldchain/coldchain/internal/derrors"
)

// OGC API – Features Parts 2 and 3 on a layer's query: output and bbox
// CRS, CQL2 filters over the layer's queryables, sorting and property
// selection. Everything a client names is looked up in the layer's
// descriptor; values are parameters.

// Limits of the OGC query parameters.
const (
	// MaxSortKeys caps the keys of sortby.
	MaxSortKeys = 5
)

// SortKey is one key of sortby: a column, descending or not.
type SortKey struct {
	Column string
	Desc   bool
}

// GeometryQueryable is the name filters use for a feature's geometry.
const GeometryQueryable = "geometry"

// Queryables are the properties a filter, sortby or properties may name:
// the layer's scalar fields and region_code, then the geometry.
func (l *Layer) Queryables() []cql2.Queryable {
	var out []cql2.Queryable
	for _, f := range l.Fields {
		q := cql2.Queryable{Name: f.Name, Column: f.Name, Enum: f.Enum}
		switch f.Kind {
		case Text, Code, Enum, Class:
			q.Type = cql2.String
		case Number:
			q.Type = cql2.Number
		case Integer:
			q.Type = cql2.Integer
		case Bool:
			q.Type = cql2.Boolean
		default:
			continue // lists, shares, capacity maps: not comparable
		}
		out = append(out, q)
	}
	for _, f := range l.Filters {
		if f.Column == "region_code" {
			out = append(out, cql2.Queryable{Name: "region_code", Column: "region_code", Type: cql2.String,
				Title: "code of the smallest region containing the feature"})
			break
		}
	}
	return append(out, cql2.Queryable{Name: GeometryQueryable, Column: "geom", Type: cql2.GeometryType,
		Title: "the feature's geometry (" + strings.Join(l.Geometry, ", ") + ")"})
}

// queryable returns the queryable called name.
func (l *Layer) queryable(name string) (cql2.Queryable, bool) {
	for _, q := range l.Queryables() {
		if q.Name == name {
			return q, true
		}
	}
	return cql2.Queryable{}, false
}

// scalarNames lists the queryables other than the geometry.
func (l *Layer) scalarNames() []string {
	var out []string
	for _, q := range l.Queryables() {
		if q.Type != cql2.GeometryType {
			out = append(out, q.Name)
		}
	}
	return out
}

// parseOGC reads crs, bbox-crs (with bbox), filter, filter-lang,
// filter-crs, sortby and properties into q.
func (l *Layer) parseOGC(v url.Values, q *Query) error {
	var err error
	if s := v.Get("crs"); s != "" {
		if q.CRS, err = crs.Parse(s); err != nil {
			return derrors.Invalid("crs: %v", err)
		}
		if !q.CRS.Default() && q.Datum != "" && q.Datum != "wgs84" {
			return derrors.Invalid("crs and datum cannot be combined: ask for one of them")
		}
	}
	if s := v.Get("bbox-crs"); s != "" {
		if err := parseBBoxIn(v.Get("bbox"), s, q); err != nil {
			return err
		}
	}
	if err := l.parseFilter(v, q); err != nil {
		return err
	}
	if q.Sort, err = l.parseSortBy(v.Get("sortby")); err != nil {
		return err
	}
	q.Properties, err = l.parseProperties(v["properties"])
	return err
}

// parseBBoxIn reads bbox in the CRS named by bboxCRS (its axis order).
func parseBBoxIn(bbox, bboxCRS string, q *Query) error {
	c, err := crs.Parse(bboxCRS)
	if err != nil {
		return derrors.Invalid("bbox-crs: %v", err)
	}
	if bbox == "" {
		return derrors.Invalid("bbox-crs: give bbox too")
	}
	parts := strings.Split(bbox, ",")
	if len(parts) == 6 {
		parts = []string{parts[0], parts[1], parts[3], parts[4]}
	}
	if len(parts) != 4 {
		return derrors.Invalid("bbox: want 4 numbers in the order of %s's axes, got %q", c.URI, bbox)
	}
	var x [4]float64
	for i, p := range parts {
		if x[i], err = strconv.ParseFloat(strings.TrimSpace(p), 64); err != nil || math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
			return derrors.Invalid("bbox: %q is not a number", p)
		}
	}
	if c.LatLon {
		x = [4]float64{x[1], x[0], x[3], x[2]}
	}
	if x[0] > x[2] || x[1] > x[3] {
		return derrors.Invalid("bbox: %q has a minimum above its maximum", bbox)
	}
	if c.Degrees && (x[1] < -90 || x[3] > 90 || x[0] < -180 || x[2] > 180) {
		return derrors.Invalid("bbox: %q is outside the ranges of %s", bbox, c.URI)
	}
	q.BBox = &orb.Bound{Min: orb.Point{x[0], x[1]}, Max: orb.Point{x[2], x[3]}}
	q.BBoxSRID = c.SRID
	return nil
}

// parseFilter reads filter, filter-lang and filter-crs, and compiles the
// filter once so that unknown properties and type errors answer 400.
func (l *Layer) parseFilter(v url.Values, q *Query) error {
	f, lang := v.Get("filter"), v.Get("filter-lang")
	if f == "" {
		if lang != "" || v.Get("filter-crs") != "" {
			return derrors.Invalid("filter-lang and filter-crs need a filter")
		}
		return nil
	}
	var err error
	switch lang {
	case "", "cql2-text", "cql-text": // cql-text: the draft's name, which GDAL 3.6 sends
		q.Filter, err = cql2.ParseText(f, cql2.DefaultLimits)
	case "cql2-json":
		q.Filter, err = cql2.ParseJSON(f, cql2.DefaultLimits)
	default:
		return derrors.Invalid("filter-lang: want cql2-text or cql2-json, got %q", lang)
	}
	if err != nil {
		return err
	}
	if s := v.Get("filter-crs"); s != "" {
		if q.FilterCRS, err = crs.Parse(s); err != nil {
			return derrors.Invalid("filter-crs: %v", err)
		}
	}
	_, err = l.compileFilter(*q, func(any) string { return "$1" })
	return err
}

// compileFilter compiles q.Filter with arg adding its parameters.
func (l *Layer) compileFilter(q Query, arg func(any) string) (string, error) {
	c := q.FilterCRS
	if c.URI == "" {
		c = crs.CRS84
	}
	return cql2.Compile(q.Filter, cql2.Options{Queryables: l.Queryables(), SRID: c.SRID, SwapXY: c.LatLon, Arg: arg})
}

// parseSortBy reads sortby: comma-separated queryables, each optionally
// prefixed with + (ascending, the default) or - (descending).
func (l *Layer) parseSortBy(s string) ([]SortKey, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var keys []SortKey
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		k := SortKey{}
		switch {
		case strings.HasPrefix(p, "-"):
			k.Desc, p = true, p[1:]
		case strings.HasPrefix(p, "+"):
			p = p[1:]
		}
		q, ok := l.queryable(strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(p, ":A"), ":D")))
		if strings.HasSuffix(p, ":D") {
			k.Desc = true
		}
		if !ok || q.Type == cql2.GeometryType {
			return nil, derrors.Invalid("sortby: unknown property %q (sortable: %s; prefix - for descending)", p, strings.Join(l.scalarNames(), ", "))
		}
		k.Column = q.Column
		if keys = append(keys, k); len(keys) > MaxSortKeys {
			return nil, derrors.Invalid("sortby: at most %d keys", MaxSortKeys)
		}
	}
	return keys, nil
}

// parseProperties reads properties: the feature properties to return.
func (l *Layer) parseProperties(vals []string) ([]string, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	names := splitComma(vals[len(vals)-1])
	if len(names) > len(l.Fields)+1 {
		return nil, derrors.Invalid("properties: at most %d names", len(l.Fields)+1)
	}
	out := []string{}
	for _, n := range names {
		q, ok := l.queryable(n)
		if !ok && !slices.ContainsFunc(l.Fields, func(f Field) bool { return f.Name == n }) || q.Type == cql2.GeometryType {
			return nil, derrors.Invalid("properties: unknown property %q (properties: %s)", n, strings.Join(l.propertyNames(), ", "))
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// propertyNames are the names properties may select: every field, and
// region_code where the layer has it.
func (l *Layer) propertyNames() []string {
	var out []string
	for _, f := range l.Fields {
		out = append(out, f.Name)
	}
	if _, ok := l.queryable("region_code"); ok {
		out = append(out, "region_code")
	}
	return out
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var propName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// projectedFeatureSQL selects GeoJSON Features with the geometry in q.CRS
// and only q.Properties (every property when nil).
func (l *Layer) projectedFeatureSQL(q Query) string {
	c := q.CRS
	if c.URI == "" {
		c = crs.CRS84
	}
	geom := "v.geom"
	if c.SRID != 4326 {
		geom = fmt.Sprintf("ST_Transform(v.geom, %d)", c.SRID)
	}
	if c.LatLon {
		geom = "ST_FlipCoordinates(" + geom + ")"
	}
	props := "to_jsonb(v) - 'geom'"
	if q.Properties != nil {
		var kv []string
		for _, p := range q.Properties {
			if !propName.MatchString(p) { // names come from the descriptor
				panic("layer: unexpected property name " + p)
			}
			kv = append(kv, "'"+p+"', v."+pgx.Identifier{p}.Sanitize())
		}
		props = "jsonb_build_object(" + strings.Join(kv, ", ") + ")"
	}
	return fmt.Sprintf(`SELECT jsonb_build_object('type', 'Feature', 'id', v.%s, 'geometry', ST_AsGeoJSON(%s, %d, 0)::jsonb, 'properties', %s)::text FROM %s v`,
		pgx.Identifier{l.Key}.Sanitize(), geom, c.Digits(), props, pgx.Identifier{l.View}.Sanitize())
}

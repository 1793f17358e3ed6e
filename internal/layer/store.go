package layer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"

	"github.com/coldchain/coldchain/internal/cql2"
	"github.com/coldchain/coldchain/internal/crs"
	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// Store reads and writes layers in PostGIS.
type Store struct {
	Pool *pgxpool.Pool
}

// Vocab loads the vocabularies the database defines (product classes).
func (s *Store) Vocab(ctx context.Context) (*Vocab, error) {
	rows, err := s.Pool.Query(ctx, `SELECT code FROM product_class ORDER BY code`)
	if err != nil {
		return nil, postgres.Translate(err, "product classes")
	}
	classes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, postgres.Translate(err, "product classes")
	}
	return &Vocab{Classes: classes}, nil
}

// Query selects features of a layer.
type Query struct {
	BBox    *orb.Bound
	Filters map[string][]string // filter param -> accepted values
	Limit   int                 // 0: no limit
	Offset  int
	// Datum of the output coordinates (default WGS84): gcj02 or bd09 hand
	// data back to Chinese web maps.
	Datum datum.Datum
	// BBoxSRID is the SRID of BBox's coordinates (0: 4326).
	BBoxSRID int
	// CRS of the output coordinates (zero: CRS84).
	CRS crs.CRS
	// Filter is a CQL2 filter over the layer's queryables, its geometry
	// literals in FilterCRS (zero: CRS84).
	Filter    cql2.Expr
	FilterCRS crs.CRS
	// Sort orders the features (then by key); nil: by key.
	Sort []SortKey
	// Properties are the properties to return; nil: all.
	Properties []string
}

// Reserved query parameters that are not filters.
var reservedParams = []string{"bbox", "limit", "offset", "f", "bbox-crs", "crs", "datum", "lang",
	"filter", "filter-lang", "filter-crs", "sortby", "properties"}

// MaxLimit caps a page.
const MaxLimit = 10000

// MaxFilterValues caps the comma-separated values of one filter.
const MaxFilterValues = 100

// ParseQuery reads bbox, limit, offset and the layer's filters from URL
// values. Unknown parameters and values outside a filter's vocabulary are
// ErrInvalid. defLimit applies when limit is absent.
func (l *Layer) ParseQuery(v url.Values, defLimit int) (Query, error) {
	q := Query{Filters: map[string][]string{}, Limit: defLimit}
	for name, vals := range v {
		val := vals[len(vals)-1]
		switch name {
		case "bbox":
			if v.Get("bbox-crs") != "" {
				continue // parseOGC reads it in its CRS
			}
			b, err := ParseBBox(val)
			if err != nil {
				return q, err
			}
			q.BBox = &b
		case "limit":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > MaxLimit {
				return q, derrors.Invalid("limit: want a whole number from 1 to %d, got %q", MaxLimit, val)
			}
			q.Limit = n
		case "offset":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return q, derrors.Invalid("offset: want a whole number ≥ 0, got %q", val)
			}
			q.Offset = n
		case "datum":
			d, err := datum.Parse(val)
			if err != nil {
				return q, derrors.Invalid("datum: %v", err)
			}
			q.Datum = d
		default:
			if slices.Contains(reservedParams, name) {
				continue
			}
			f, ok := l.filter(name)
			if !ok {
				return q, derrors.Invalid("unknown query parameter %q for %s (filters: %s)", name, l.Name, strings.Join(l.FilterParams(), ", "))
			}
			var parts []string
			for _, p := range strings.Split(val, ",") {
				if p = strings.TrimSpace(p); p != "" {
					parts = append(parts, p)
				}
			}
			if len(parts) == 0 {
				return q, derrors.Invalid("%s: empty filter value", name)
			}
			if len(parts) > MaxFilterValues {
				return q, derrors.Invalid("%s: at most %d comma-separated values, got %d", name, MaxFilterValues, len(parts))
			}
			for _, p := range parts {
				if f.Enum != nil && !slices.Contains(f.Enum, p) {
					return q, derrors.Invalid("%s: unknown value %q (want %s)", name, p, strings.Join(f.Enum, "|"))
				}
				if f.Op == "prefix" {
					if err := CheckRegionCode(name, p); err != nil {
						return q, err
					}
				}
				if f.Op == "min" {
					if x, err := strconv.ParseFloat(p, 64); err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
						return q, derrors.Invalid("%s: %q is not a number", name, p)
					}
				}
			}
			q.Filters[name] = parts
		}
	}
	return q, l.parseOGC(v, &q)
}

// ParseBBox parses "minlon,minlat,maxlon,maxlat" in WGS84.
func ParseBBox(s string) (orb.Bound, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return orb.Bound{}, derrors.Invalid("bbox: want minlon,minlat,maxlon,maxlat, got %q", s)
	}
	if len(parts) == 6 { // 3D bbox: drop heights
		parts = []string{parts[0], parts[1], parts[3], parts[4]}
	}
	var v [4]float64
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || x != x {
			return orb.Bound{}, derrors.Invalid("bbox: %q is not a number", p)
		}
		v[i] = x
	}
	if v[0] > v[2] || v[1] > v[3] || v[1] < -90 || v[3] > 90 || v[0] < -180 || v[2] > 180 {
		return orb.Bound{}, derrors.Invalid("bbox: %q is not minlon,minlat,maxlon,maxlat within WGS84 ranges", s)
	}
	return orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}, nil
}

func (l *Layer) filter(param string) (Filter, bool) {
	for _, f := range l.Filters {
		if f.Param == param {
			return f, true
		}
	}
	return Filter{}, false
}

// FilterParams lists the layer's filter parameter names.
func (l *Layer) FilterParams() []string {
	out := make([]string, len(l.Filters))
	for i, f := range l.Filters {
		out[i] = f.Param
	}
	return out
}

// where builds the WHERE clause of q; identifiers come from the layer's
// descriptor, values are parameters.
func (l *Layer) where(q Query) (string, []any, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q.BBox != nil && (q.BBoxSRID == 0 || q.BBoxSRID == 4326) {
		conds = append(conds, fmt.Sprintf("geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
			arg(q.BBox.Min[0]), arg(q.BBox.Min[1]), arg(q.BBox.Max[0]), arg(q.BBox.Max[1])))
	} else if q.BBox != nil {
		conds = append(conds, fmt.Sprintf("geom && ST_Transform(ST_MakeEnvelope(%s, %s, %s, %s, %s::int), 4326)",
			arg(q.BBox.Min[0]), arg(q.BBox.Min[1]), arg(q.BBox.Max[0]), arg(q.BBox.Max[1]), arg(q.BBoxSRID)))
	}
	if q.Filter != nil {
		cond, err := l.compileFilter(q, arg)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, cond)
	}
	params := make([]string, 0, len(q.Filters))
	for p := range q.Filters {
		params = append(params, p)
	}
	sort.Strings(params)
	for _, p := range params {
		f, _ := l.filter(p)
		col := pgx.Identifier{f.Column}.Sanitize()
		vals := q.Filters[p]
		switch f.Op {
		case "eq":
			conds = append(conds, fmt.Sprintf("%s = ANY(%s::text[])", col, arg(vals)))
		case "prefix":
			var ors []string
			for _, v := range vals {
				ors = append(ors, fmt.Sprintf("coldchain_within(%s, %s)", col, arg(v)))
			}
			conds = append(conds, "("+strings.Join(ors, " OR ")+")")
		case "contains":
			conds = append(conds, fmt.Sprintf("%s && %s::text[]", col, arg(vals)))
		case "contains_or_empty":
			conds = append(conds, fmt.Sprintf("(%s && %s::text[] OR %s = '{}')", col, arg(vals), col))
		case "min":
			x, _ := strconv.ParseFloat(vals[0], 64)
			conds = append(conds, fmt.Sprintf("%s >= %s", col, arg(x)))
		}
	}
	if len(conds) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// Count returns how many features q matches.
func (s *Store) Count(ctx context.Context, l *Layer, q Query) (int64, error) {
	where, args, err := l.where(q)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.Pool.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{l.View}.Sanitize()+where, args...).Scan(&n)
	return n, postgres.Translate(err, l.Name)
}

// featureSQL selects one GeoJSON Feature text per row of the layer's view,
// with the key as the feature id.
func (l *Layer) featureSQL() string {
	key := pgx.Identifier{l.Key}.Sanitize()
	return fmt.Sprintf(`SELECT (ST_AsGeoJSON(v.*, 'geom', 7)::jsonb || jsonb_build_object('id', v.%s))::text FROM %s v`,
		key, pgx.Identifier{l.View}.Sanitize())
}

// queryFeatureSQL is featureSQL, or with another CRS or a selection of
// properties projectedFeatureSQL.
func (l *Layer) queryFeatureSQL(q Query) string {
	if q.CRS.Default() && q.Properties == nil {
		return l.featureSQL()
	}
	return l.projectedFeatureSQL(q)
}

// orderBy is q's ORDER BY: its sort keys, then the key.
func (l *Layer) orderBy(q Query) string {
	var keys []string
	for _, k := range q.Sort {
		dir := " ASC NULLS LAST"
		if k.Desc {
			dir = " DESC NULLS LAST"
		}
		keys = append(keys, "v."+pgx.Identifier{k.Column}.Sanitize()+dir)
	}
	keys = append(keys, "v."+pgx.Identifier{l.Key}.Sanitize())
	return " ORDER BY " + strings.Join(keys, ", ")
}

// Collection is what WriteCollection wrote.
type Collection struct {
	Matched  int64
	Returned int
}

// WriteCollection streams the features q selects as a GeoJSON
// FeatureCollection to w, ordered by key. extra members (e.g. OGC links)
// are added to the collection object after the features.
func (s *Store) WriteCollection(ctx context.Context, w io.Writer, l *Layer, q Query, extra map[string]any) (Collection, error) {
	var c Collection
	matched, err := s.Count(ctx, l, q)
	if err != nil {
		return c, err
	}
	c.Matched = matched
	where, args, err := l.where(q)
	if err != nil {
		return c, err
	}
	sql := l.queryFeatureSQL(q) + where + l.orderBy(q)
	if q.Limit > 0 {
		args = append(args, q.Limit)
		sql += " LIMIT $" + strconv.Itoa(len(args))
	}
	if q.Offset > 0 {
		args = append(args, q.Offset)
		sql += " OFFSET $" + strconv.Itoa(len(args))
	}
	rows, err := s.Pool.Query(ctx, sql, args...)
	if err != nil {
		return c, postgres.Translate(err, l.Name)
	}
	defer rows.Close()
	if _, err := fmt.Fprintf(w, `{"type":"FeatureCollection","name":%q,"numberMatched":%d,"features":[`, l.Name, matched); err != nil {
		return c, err
	}
	for rows.Next() {
		if c.Returned > 0 {
			if _, err := io.WriteString(w, ",\n"); err != nil {
				return c, err
			}
		} else if _, err := io.WriteString(w, "\n"); err != nil {
			return c, err
		}
		f, err := InDatum(rows.RawValues()[0], q.Datum)
		if err != nil {
			return c, err
		}
		if _, err := w.Write(f); err != nil {
			return c, err
		}
		c.Returned++
	}
	if err := rows.Err(); err != nil {
		return c, postgres.Translate(err, l.Name)
	}
	tail := map[string]any{"numberReturned": c.Returned}
	for k, v := range extra {
		tail[k] = v
	}
	b, err := json.Marshal(tail)
	if err != nil {
		return c, err
	}
	_, err = fmt.Fprintf(w, "\n],%s", b[1:])
	return c, err
}

// Get returns one feature as GeoJSON, or ErrNotFound.
func (s *Store) Get(ctx context.Context, l *Layer, key string) (json.RawMessage, error) {
	return s.GetIn(ctx, l, key, datum.WGS84)
}

// GetIn returns one feature as GeoJSON with coordinates in datum d, or
// ErrNotFound.
func (s *Store) GetIn(ctx context.Context, l *Layer, key string, d datum.Datum) (json.RawMessage, error) {
	return s.GetAs(ctx, l, key, Query{Datum: d})
}

// GetAs returns one feature as GeoJSON in q's datum or CRS, with q's
// properties, or ErrNotFound.
func (s *Store) GetAs(ctx context.Context, l *Layer, key string, q Query) (json.RawMessage, error) {
	var text []byte
	err := s.Pool.QueryRow(ctx, l.queryFeatureSQL(q)+" WHERE v."+pgx.Identifier{l.Key}.Sanitize()+" = $1", key).Scan(&text)
	if err != nil {
		return nil, postgres.Translate(err, fmt.Sprintf("%s %q", strings.TrimSuffix(l.Name, "s"), key))
	}
	return InDatum(text, q.Datum)
}

// InDatum returns a GeoJSON Feature with its geometry's coordinates moved
// from WGS84 to datum d (the feature itself for WGS84), rounded to 7
// decimals like the stored output.
func InDatum(feature []byte, d datum.Datum) ([]byte, error) {
	if d == "" || d == datum.WGS84 {
		return feature, nil
	}
	var f map[string]json.RawMessage
	if err := json.Unmarshal(feature, &f); err != nil {
		return nil, err
	}
	if g, ok := f["geometry"]; ok && string(g) != "null" {
		geom, err := geojson.UnmarshalGeometry(g)
		if err != nil {
			return nil, err
		}
		moved := project.Geometry(geom.Geometry(), func(p orb.Point) orb.Point {
			x, y := d.FromWGS84(p[0], p[1])
			return orb.Point{round7(x), round7(y)}
		})
		if f["geometry"], err = geojson.NewGeometry(moved).MarshalJSON(); err != nil {
			return nil, err
		}
	}
	return json.Marshal(f)
}

func round7(x float64) float64 { return math.Round(x*1e7) / 1e7 }

// Delete removes one feature, or returns ErrNotFound. Deleting a region
// recomputes the derived areas and the other layers' region codes.
func (s *Store) Delete(ctx context.Context, l *Layer, key string) error {
	if err := l.writable(); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{l.Table}.Sanitize()+" WHERE "+pgx.Identifier{l.Key}.Sanitize()+" = $1", key)
		if err != nil {
			return postgres.Translate(err, l.Name)
		}
		if tag.RowsAffected() == 0 {
			return derrors.NotFound("%s %q not found", strings.TrimSuffix(l.Name, "s"), key)
		}
		if l.RecodesLayers {
			return refreshRegionCodes(ctx, tx)
		}
		return nil
	})
}

// writable refuses writes to a read-only layer, saying how to change it.
func (l *Layer) writable() error {
	if l.ReadOnly {
		return derrors.Invalid("the %s layer is read-only: %s", l.Name, l.WriteHint)
	}
	return nil
}

// Mode says how a load treats keys that already exist.
type Mode int

// Load modes.
const (
	Insert Mode = iota // existing keys are errors
	Upsert             // existing keys are replaced
	Update             // every key must exist and is replaced
)

// LoadOptions tune a load.
type LoadOptions struct {
	Mode Mode
	// MakeValid repairs invalid polygons with ST_MakeValid instead of
	// refusing them.
	MakeValid bool
	// ReturnKeys asks for the keys of the stored rows, in input order.
	ReturnKeys bool
}

// LoadResult says what a load stored.
type LoadResult struct {
	Rows int64
	Keys []string // when LoadOptions.ReturnKeys
	// Warnings are facts about the stored data worth a look that did not
	// stop the load: features outside every region, derived areas.
	Warnings []string
	// Notes say how the input was read (which columns fed which fields).
	Notes []string
}

// RowSource yields validated rows for a load. Next returns io.EOF after the
// last row. Rows that failed validation are not yielded; the source reports
// them in Errors so that the load can refuse the whole batch after checking
// the good rows too.
type RowSource interface {
	Next() (Row, error)
	Errors() derrors.RowErrors
}

// checkStage finds bad staged rows with SQL: invalid geometry (or repairs
// it), keys missing (Update) and, with keys, duplicate keys within the
// batch and keys already stored (Insert). Without keys, the primary key
// finds those during the write (see Load).
func checkStage(ctx context.Context, tx pgx.Tx, l *Layer, stage, table string, opt LoadOptions, keys bool) (derrors.RowErrors, error) {
	var errs derrors.RowErrors
	collect := func(sql, field string) error {
		rows, err := tx.Query(ctx, sql)
		if err != nil {
			return postgres.Translate(err, l.Name)
		}
		defer rows.Close()
		for rows.Next() {
			var row int
			var reason string
			if err := rows.Scan(&row, &reason); err != nil {
				return err
			}
			errs = append(errs, derrors.RowError{Row: row, Field: field, Reason: reason})
		}
		return postgres.Translate(rows.Err(), l.Name)
	}
	polygonal := slices.Contains(l.Geometry, "Polygon") || slices.Contains(l.Geometry, "MultiPolygon")
	if polygonal && opt.MakeValid {
		// Keep the polygonal part of the repaired shape (ST_MakeValid may
		// return a collection with stray lines or points).
		_, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
			WHERE NOT ST_IsValid(geom) AND GeometryType(geom) IN ('POLYGON','MULTIPOLYGON')`, stage))
		if err != nil {
			return nil, postgres.Translate(err, l.Name)
		}
		if err := collect(fmt.Sprintf(`SELECT row_no, 'repair left no area' FROM %s WHERE ST_IsEmpty(geom) ORDER BY row_no LIMIT %d`, stage, derrors.MaxRowErrors), "geometry"); err != nil {
			return nil, err
		}
	}
	// Points were checked finite and in range while decoding, which is all
	// validity means for them; lines and polygons are checked by PostGIS.
	pointsOnly := len(l.Geometry) == 1 && l.Geometry[0] == "Point"
	if !pointsOnly {
		if err := collect(fmt.Sprintf(`SELECT row_no, 'invalid geometry: ' || ST_IsValidReason(g) || ' (repair it, or import with --make-valid)'
			FROM (SELECT row_no, geom g FROM %s) s WHERE NOT ST_IsValid(g) ORDER BY row_no LIMIT %d`, stage, derrors.MaxRowErrors), "geometry"); err != nil {
			return nil, err
		}
	}
	key := pgx.Identifier{l.Key}.Sanitize()
	if opt.Mode == Update {
		if err := collect(fmt.Sprintf(`SELECT s.row_no, format('%%s does not exist', s.%s) FROM %s s WHERE NOT EXISTS (SELECT 1 FROM %s t WHERE t.%s = s.%s) ORDER BY s.row_no LIMIT %d`,
			key, stage, table, key, key, derrors.MaxRowErrors), l.Key); err != nil {
			return nil, err
		}
	}
	if !keys {
		return errs, nil
	}
	// Grouped by hashing: no sort of the batch when its keys are unique.
	if err := collect(fmt.Sprintf(`SELECT s.row_no, format('duplicate %%s %%s (first on row %%s): keys must be unique within a file', %s, s.%s, d.first)
		FROM (SELECT %s AS k, min(row_no) AS first FROM %s GROUP BY 1 HAVING count(*) > 1) d
		JOIN %s s ON s.%s = d.k
		WHERE s.row_no <> d.first ORDER BY s.row_no LIMIT %d`, quoteLit(l.Key), key, key, stage, stage, key, derrors.MaxRowErrors), l.Key); err != nil {
		return nil, err
	}
	if opt.Mode == Insert {
		if err := collect(fmt.Sprintf(`SELECT s.row_no, format('%%s already exists: import with --upsert to replace it (API: PUT /api/v1/%s/%%s)', s.%s, s.%s) FROM %s s JOIN %s t ON t.%s = s.%s ORDER BY s.row_no LIMIT %d`,
			l.Name, key, key, stage, table, key, key, derrors.MaxRowErrors), l.Key); err != nil {
			return nil, err
		}
	}
	return errs, nil
}

// loadWarnings looks at what a load stored: regions whose areas are
// derived from their points, and features that lie outside every region
// (staged rows without a region in the load's hit table).
func loadWarnings(ctx context.Context, tx pgx.Tx, l *Layer, stage, hit string) ([]string, error) {
	var out []string
	if l.RecodesLayers {
		var n int
		var codes []string
		err := tx.QueryRow(ctx, `SELECT count(*), coalesce((array_agg(code ORDER BY code))[1:5], '{}') FROM region WHERE derived`).Scan(&n, &codes)
		if err != nil {
			return nil, postgres.Translate(err, l.Name)
		}
		if n > 0 {
			out = append(out, fmt.Sprintf("%s known only by a point (%s%s): %s derived, the part of the parent region nearer to the point than to its sibling points, not an official boundary",
				plural(n, "region is", "regions are"), strings.Join(codes, ", "), more(n, len(codes)), pick(n, "its area is", "their areas are")))
		}
		return out, nil
	}
	if !slices.Contains(l.Columns(), "id") || l.ReadOnly {
		return nil, nil
	}
	var n int
	var rows []int
	err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT count(*), coalesce((array_agg(s.row_no ORDER BY s.row_no))[1:10], '{}')
		FROM %s s WHERE NOT EXISTS (SELECT 1 FROM %s h WHERE h.row_no = s.row_no) AND EXISTS (SELECT 1 FROM region)`, stage, hit)).Scan(&n, &rows)
	if err != nil {
		return nil, postgres.Translate(err, l.Name)
	}
	if n > 0 {
		list := make([]string, len(rows))
		for i, r := range rows {
			list[i] = strconv.Itoa(r)
		}
		out = append(out, fmt.Sprintf("%s outside every region (%s %s%s): kept without a region code; check the coordinates and --datum, or import the regions that hold them",
			plural(n, "feature lies", "features lie"), pick(n, "row", "rows"), strings.Join(list, ", "), more(n, len(rows))))
	}
	return out, nil
}

// plural is "n one" or "n many".
func plural(n int, one, many string) string {
	return strconv.Itoa(n) + " " + pick(n, one, many)
}

// pick is one when n is 1, else many.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// more says how many of n items a list of shown items leaves out.
func more(n, shown int) string {
	if n > shown {
		return fmt.Sprintf(" and %d more", n-shown)
	}
	return ""
}

var quoteLitOK = regexp.MustCompile(`^[a-z_]+$`)

// quoteLit quotes a descriptor name (never user input) as an SQL literal.
func quoteLit(s string) string {
	if !quoteLitOK.MatchString(s) {
		panic("quoteLit: unexpected name " + s)
	}
	return "'" + s + "'"
}

// refreshRegionCodes recomputes region_code of every layer after regions
// change.
func refreshRegionCodes(ctx context.Context, tx pgx.Tx) error {
	for _, t := range []string{"producer", "facility", "candidate_site", "exclusion_zone", "road"} {
		if _, err := tx.Exec(ctx, "UPDATE "+pgx.Identifier{t}.Sanitize()+" SET region_code = coldchain_region_of(geom)"); err != nil {
			return postgres.Translate(err, t)
		}
	}
	return nil
}

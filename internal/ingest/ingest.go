package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// Options tune an import.
type Options struct {
	Format    string      // GeoJSON or CSV; "" sniffs the content
	Datum     datum.Datum // coordinates' datum, converted to WGS84
	Encoding  string      // text encoding: utf-8 (default), gbk, gb18030
	MakeValid bool        // repair invalid polygons instead of refusing them
	Mode      layer.Mode  // Insert (default), Upsert or Update
	// ReturnKeys asks for the stored keys in the result.
	ReturnKeys bool
}

// Import reads features of layer l from r and stores them all, or nothing.
// Bad rows come back as derrors.RowErrors; a malformed file as an ErrInvalid
// error saying what was expected.
func Import(ctx context.Context, st *layer.Store, l *layer.Layer, r io.Reader, opt Options) (layer.LoadResult, error) {
	fr, err := open(r, opt)
	if err != nil {
		return layer.LoadResult{}, err
	}
	vocab, err := st.Vocab(ctx)
	if err != nil {
		return layer.LoadResult{}, err
	}
	src := &rowSource{fr: fr, layer: l, vocab: vocab, datum: opt.Datum}
	return st.Load(ctx, l, src, layer.LoadOptions{Mode: opt.Mode, MakeValid: opt.MakeValid, ReturnKeys: opt.ReturnKeys})
}

func open(r io.Reader, opt Options) (featureReader, error) {
	lr, err := decodeText(r, opt.Encoding)
	if err != nil {
		return nil, err
	}
	format := opt.Format
	if format == "" {
		b, _ := lr.r.Peek(512)
		s := strings.TrimLeft(string(b), " \t\r\n")
		if strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
			format = GeoJSON
		} else {
			format = CSV
		}
	}
	switch format {
	case GeoJSON:
		return newGeoJSONReader(lr)
	case CSV:
		return newCSVReader(lr)
	}
	return nil, derrors.Invalid("unknown format %q (want geojson or csv)", format)
}

// rowSource validates features into rows for layer.Store.Load, keeping the
// problems of bad rows.
type rowSource struct {
	fr    featureReader
	layer *layer.Layer
	vocab *layer.Vocab
	datum datum.Datum
	errs  derrors.RowErrors
	bad   int
}

func (s *rowSource) Next() (layer.Row, error) {
	for {
		f, err := s.fr.Next()
		var re *rowError
		if errors.As(err, &re) {
			s.add(derrors.RowErrors{re.RowError})
			continue
		}
		if err != nil {
			return layer.Row{}, err
		}
		if field := nulField(f); field != "" {
			s.add(derrors.RowErrors{{Row: f.Row, Field: field, Reason: "text may not contain NUL characters (U+0000)"}})
			continue
		}
		if f.Geom != nil && s.datum != datum.WGS84 && s.datum != "" {
			f.Geom = project.Geometry(orb.Clone(f.Geom), func(p orb.Point) orb.Point {
				x, y := s.datum.ToWGS84(p[0], p[1])
				return orb.Point{x, y}
			})
		}
		row, errs := s.layer.Decode(f, s.vocab)
		if len(errs) > 0 {
			s.add(errs)
			continue
		}
		return row, nil
	}
}

// nulField names the first id or property of f whose text holds a NUL
// character, which PostgreSQL cannot store; "" when there is none.
func nulField(f layer.Feature) string {
	if id, ok := f.ID.(string); ok && strings.ContainsRune(id, 0) {
		return "id"
	}
	keys := make([]string, 0, len(f.Props))
	for k := range f.Props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.ContainsRune(k, 0) || hasNUL(f.Props[k]) {
			return strings.ReplaceAll(k, "\x00", "")
		}
	}
	return ""
}

func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.ContainsRune(x, 0)
	case []any:
		for _, e := range x {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.ContainsRune(k, 0) || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

func (s *rowSource) add(errs derrors.RowErrors) {
	s.bad++
	for _, e := range errs {
		if len(s.errs) < derrors.MaxRowErrors {
			s.errs = append(s.errs, e)
		}
	}
}

func (s *rowSource) Errors() derrors.RowErrors { return s.errs }

// Export writes every feature of layer l to w as a GeoJSON FeatureCollection
// or as CSV, streamed from PostGIS.
func Export(ctx context.Context, st *layer.Store, l *layer.Layer, w io.Writer, format string) (int64, error) {
	switch format {
	case "", GeoJSON:
		c, err := st.WriteCollection(ctx, w, l, layer.Query{}, nil)
		return int64(c.Returned), err
	case CSV:
		return exportCSV(ctx, st, l, w)
	case XLSX:
		return exportXLSX(ctx, st, l, w)
	}
	return 0, derrors.Invalid("unknown format %q (want geojson, csv or xlsx)", format)
}

// exportCSV streams COPY ... TO STDOUT: lists as JSON arrays, capacity as a
// JSON object, points as lon/lat columns and other shapes as WKT, so that
// the file imports again unchanged.
func exportCSV(ctx context.Context, st *layer.Store, l *layer.Layer, w io.Writer) (int64, error) {
	var cols []string
	for _, f := range l.Fields {
		c := pgx.Identifier{f.Name}.Sanitize()
		switch f.Kind {
		case layer.EnumList, layer.ClassList, layer.Shares, layer.Capacity:
			cols = append(cols, fmt.Sprintf("to_json(%s)::text AS %s", c, c))
		default:
			cols = append(cols, c)
		}
	}
	if l.Key == "id" {
		cols = append(cols, "region_code")
	}
	if len(l.Geometry) == 1 && l.Geometry[0] == "Point" {
		cols = append(cols, "round(ST_X(geom)::numeric, 7) AS lon", "round(ST_Y(geom)::numeric, 7) AS lat")
	} else {
		cols = append(cols, "ST_AsText(geom, 7) AS wkt")
	}
	sql := fmt.Sprintf("COPY (SELECT %s FROM %s ORDER BY %s) TO STDOUT WITH (FORMAT csv, HEADER)",
		strings.Join(cols, ", "), pgx.Identifier{l.View}.Sanitize(), pgx.Identifier{l.Key}.Sanitize())
	conn, err := st.Pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	tag, err := conn.Conn().PgConn().CopyTo(ctx, w, sql)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

package ingest

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/project"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/prefetch"
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
	// SRS is the CRS of the coordinates when they are not WGS84
	// longitude/latitude (EPSG:4490, EPSG:4547 …): PostGIS transforms
	// them. "" takes the file's own CRS (a GeoJSON crs member, a
	// shapefile's .prj, a GeoPackage layer's), else WGS84.
	SRS string
	// Layer picks the layer of a multi-layer GDAL source (GeoPackage, KML).
	Layer string

	crs sourceCRS // a GDAL source's own CRS
}

// Check refuses options that are wrong whatever the file holds: an
// unknown encoding, or an --srs that is not an EPSG code.
func (o Options) Check() error {
	if _, err := encodingKey(o.Encoding); err != nil {
		return err
	}
	if o.SRS != "" {
		if _, err := parseSRS(o.SRS); err != nil {
			return derrors.Invalid("--srs: %v", err)
		}
	}
	return nil
}

// Import reads features of layer l from r and stores them all, or nothing.
// Bad rows come back as derrors.RowErrors; a malformed file as an ErrInvalid
// error saying what was expected.
func Import(ctx context.Context, st *layer.Store, l *layer.Layer, r io.Reader, opt Options) (layer.LoadResult, error) {
	if err := opt.Check(); err != nil {
		return layer.LoadResult{}, err
	}
	fr, err := open(r, opt)
	if err != nil {
		return layer.LoadResult{}, err
	}
	vocab, err := st.Vocab(ctx)
	if err != nil {
		return layer.LoadResult{}, err
	}
	cols := newColumnMap(l)
	var geomCols []string
	if cr, ok := fr.(*csvReader); ok {
		if err := checkRequired(cr, cols); err != nil {
			return layer.LoadResult{}, err
		}
		geomCols = cr.geometryColumns()
	}
	given, err := givenCRS(ctx, st, opt)
	if err != nil {
		return layer.LoadResult{}, err
	}
	ahead := readAhead(&reprojector{ctx: ctx, pool: st.Pool, fr: fr, given: given})
	defer ahead.stop()
	src := &rowSource{fr: ahead, layer: l, vocab: vocab, datum: opt.Datum, cols: cols}
	res, err := st.Load(ctx, l, src, layer.LoadOptions{Mode: opt.Mode, MakeValid: opt.MakeValid, ReturnKeys: opt.ReturnKeys})
	if err != nil {
		return res, err
	}
	if r := cols.report(geomCols); r != "" {
		res.Notes = append(res.Notes, r)
	}
	if cols.dataV && opt.Datum == "" {
		res.Warnings = append(res.Warnings, "this looks like a DataV/Amap file (adcode properties), whose coordinates are GCJ-02, "+
			"but no --datum was given, so they were taken as WGS84 and lie 300–700 m off: re-import with --datum gcj02 --upsert (or --datum wgs84 if the file was already converted)")
	}
	return res, nil
}

// givenCRS is the coordinates' CRS as the caller knows it: --srs, else a
// GDAL source's own; the zero sourceCRS lets the file say (or means WGS84).
func givenCRS(ctx context.Context, st *layer.Store, opt Options) (sourceCRS, error) {
	c := opt.crs
	if opt.SRS != "" {
		var err error
		if c, err = parseSRS(opt.SRS); err != nil {
			return c, derrors.Invalid("--srs: %v", err)
		}
	}
	return c, checkSRID(ctx, st.Pool, c)
}

// checkRequired refuses a CSV file without a column for a required field
// (every row would fail), naming the column names that would do.
func checkRequired(cr *csvReader, cols *columnMap) error {
	have := map[string]bool{}
	for _, h := range cr.header {
		if f := cols.field(h); f != "" {
			have[f] = true
		}
	}
	for _, f := range cols.layer.Fields {
		if !f.Required || have[f.Name] {
			continue
		}
		names := []string{f.Name}
		for a, to := range aliases {
			if to == f.Name {
				names = append(names, a)
			}
		}
		sort.Strings(names[1:])
		return derrors.Invalid("CSV header: no column for the required field %s of %s (columns: %s): name a column %s",
			f.Name, cols.layer.Name, strings.Join(cr.header, ", "), strings.Join(names, " or "))
	}
	return nil
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
	case GDAL:
		return nil, derrors.Invalid("files GDAL reads (Shapefile, GeoPackage, KML, spreadsheets) need a file name, not a stream: save it to a file first")
	}
	return nil, derrors.Invalid("unknown format %q (want geojson, csv or gdal)", format)
}

// aheadBatch is how many features the parsing goroutine hands over at a
// time.
const aheadBatch = 256

// ahead is a featureReader read in a goroutine of its own (prefetch), so
// that parsing the file, and reprojecting it in PostGIS, runs beside the
// validation of the rows before it, which in turn runs beside the COPY that
// stores the rows before those (layer.Load): three stages on the machine's
// cores. Features keep their order, row errors theirs among them, and the
// reader's final error (io.EOF or a fatal one) comes last.
type ahead struct{ r *prefetch.Reader[queued] }

func readAhead(fr featureReader) ahead {
	return ahead{prefetch.Start(aheadBatch, func() (queued, error) {
		f, err := fr.Next()
		if err != nil && !isRowError(err) {
			return queued{}, err
		}
		return queued{f: f, err: err}, nil
	})}
}

// stop ends the parsing goroutine (features not yet read are dropped).
func (a ahead) stop() { a.r.Stop() }

func (a ahead) Next() (layer.Feature, error) {
	q, err := a.r.Next()
	if err != nil {
		return layer.Feature{}, err
	}
	return q.f, q.err
}

// isRowError says err is one row's problem (the reader goes on after it).
func isRowError(err error) bool {
	var re *rowError
	return errors.As(err, &re)
}

// rowSource validates features into rows for layer.Store.Load, keeping the
// problems of bad rows.
type rowSource struct {
	fr    featureReader
	layer *layer.Layer
	vocab *layer.Vocab
	datum datum.Datum
	cols  *columnMap
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
		if s.cols == nil {
			s.cols = newColumnMap(s.layer)
		}
		f.Props = s.cols.apply(f.Props)
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
	found := false
	for k, v := range f.Props {
		if found = strings.ContainsRune(k, 0) || hasNUL(v); found {
			break
		}
	}
	if !found { // the common case, without sorting the names
		return ""
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
	return ExportIn(ctx, st, l, w, format, datum.WGS84)
}

// ExportIn is Export with coordinates in datum d: gcj02 or bd09 hand the
// data back to Chinese web maps (an import with the same --datum reads it
// back to within centimetres).
func ExportIn(ctx context.Context, st *layer.Store, l *layer.Layer, w io.Writer, format string, d datum.Datum) (int64, error) {
	switch format {
	case "", GeoJSON:
		c, err := st.WriteCollection(ctx, w, l, layer.Query{Datum: d}, nil)
		return int64(c.Returned), err
	case CSV:
		if d == "" || d == datum.WGS84 {
			return exportCSV(ctx, st, l, w)
		}
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() { done <- csvInDatum(pr, w, d) }()
		n, err := exportCSV(ctx, st, l, pw)
		pw.CloseWithError(err)
		if terr := <-done; err == nil {
			err = terr
		}
		return n, err
	case XLSX:
		return exportXLSX(ctx, st, l, w, d)
	}
	return 0, derrors.Invalid("unknown format %q (want geojson, csv or xlsx)", format)
}

// csvInDatum copies an exported CSV from r to w with the lon/lat or wkt
// columns moved from WGS84 to datum d.
func csvInDatum(r io.Reader, w io.Writer, d datum.Datum) error {
	in := csv.NewReader(r)
	in.FieldsPerRecord = -1
	out := csv.NewWriter(w)
	header, err := in.Read()
	if err != nil {
		io.Copy(io.Discard, r)
		return err
	}
	lon, lat, wktCol := slices.Index(header, "lon"), slices.Index(header, "lat"), slices.Index(header, "wkt")
	move := func(p orb.Point) orb.Point {
		x, y := d.FromWGS84(p[0], p[1])
		return orb.Point{x, y}
	}
	werr := out.Write(header)
	for werr == nil {
		rec, err := in.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			werr = err
			break
		}
		if lon >= 0 && lat >= 0 && rec[lon] != "" && rec[lat] != "" {
			x, errX := strconv.ParseFloat(rec[lon], 64)
			y, errY := strconv.ParseFloat(rec[lat], 64)
			if errX == nil && errY == nil {
				p := move(orb.Point{x, y})
				rec[lon], rec[lat] = strconv.FormatFloat(p[0], 'f', 7, 64), strconv.FormatFloat(p[1], 'f', 7, 64)
			}
		} else if wktCol >= 0 && rec[wktCol] != "" {
			if g, err := wkt.Unmarshal(rec[wktCol]); err == nil {
				rec[wktCol] = wkt.MarshalString(project.Geometry(g, move))
			}
		}
		werr = out.Write(rec)
	}
	out.Flush()
	if werr == nil {
		werr = out.Error()
	}
	if werr != nil {
		io.Copy(io.Discard, r) // let the COPY finish
	}
	return werr
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

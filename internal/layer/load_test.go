package layer_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// loadRegions stores a county polygon, two township polygons splitting its
// west half (sharing an edge on lon 115.1) and four township points in its
// east half, whose areas are derived.
func loadRegions(t *testing.T, st *layer.Store) {
	t.Helper()
	poly := func(code, name, level, parent string, x0, y0, x1, y1 float64) string {
		parentProp := ""
		if parent != "" {
			parentProp = fmt.Sprintf(`,"parent_code":%q`, parent)
		}
		return fmt.Sprintf(`{"type":"Feature","properties":{"code":%q,"name":%q,"level":%q%s},
		  "geometry":{"type":"Polygon","coordinates":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}`,
			code, name, level, parentProp, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)
	}
	fs := []string{
		poly("999905", "County", "county", "", 115.0, 27.0, 115.4, 27.3),
		poly("999905101", "West A", "township", "999905", 115.0, 27.0, 115.1, 27.3),
		poly("999905102", "West B", "township", "999905", 115.1, 27.0, 115.2, 27.3),
	}
	for i := 0; i < 4; i++ {
		a := 2 * math.Pi * float64(i) / 4
		fs = append(fs, fmt.Sprintf(`{"type":"Feature","properties":{"code":"999905%03d","name":"E%d","level":"township","parent_code":"999905"},
		  "geometry":{"type":"Point","coordinates":[%.6f,%.6f]}}`, 201+i, i, 115.3+0.05*math.Cos(a), 27.15+0.07*math.Sin(a)))
	}
	text := `{"type":"FeatureCollection","features":[` + strings.Join(fs, ",") + `]}`
	if _, err := ingest.Import(context.Background(), st, mustLayer(t, "regions"), strings.NewReader(text), ingest.Options{Format: ingest.GeoJSON}); err != nil {
		t.Fatal(err)
	}
}

func mustLayer(t *testing.T, name string) *layer.Layer {
	t.Helper()
	l, err := layer.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// producersCSV writes n producers on a grid over [114.9, 115.5] × [26.95,
// 27.35]: some outside the county, some exactly on region edges. Every
// third row gives its own harvest months; the others take the class's.
func producersCSV(n int, prefix string) string {
	var b strings.Builder
	b.WriteString("id,name,operator_type,product_class,annual_output_t,harvest_months,lon,lat\n")
	side := int(math.Ceil(math.Sqrt(float64(n))))
	for i := 0; i < n; i++ {
		lon := 114.9 + 0.6*float64(i%side)/float64(side-1)
		lat := 26.95 + 0.4*float64(i/side)/float64(side-1)
		months := ""
		if i%3 == 0 {
			months = `"[0.5,0.5,0,0,0,0,0,0,0,0,0,0]"`
		}
		fmt.Fprintf(&b, "%s%d,Farm %d,cooperative,citrus,%d,%s,%.6f,%.6f\n", prefix, i, i, 10+i%90, months, lon, lat)
	}
	return b.String()
}

func importCSV(t *testing.T, st *layer.Store, text string, mode layer.Mode) (layer.LoadResult, error) {
	t.Helper()
	return ingest.Import(context.Background(), st, mustLayer(t, "producers"), strings.NewReader(text), ingest.Options{Format: ingest.CSV, Mode: mode})
}

func queryInt(t *testing.T, pool *pgxpool.Pool, sql string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// checkStored compares what the set-based load stored with what the
// per-row triggers give: every region code equals coldchain_region_of (the
// trigger's lookup), harvest months are the row's own or the class's, and
// the producer table has its indexes and foreign key back.
func checkStored(t *testing.T, pool *pgxpool.Pool, want int) {
	t.Helper()
	if n := queryInt(t, pool, `SELECT count(*) FROM producer`); n != want {
		t.Errorf("stored %d producers, want %d", n, want)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM producer WHERE region_code IS DISTINCT FROM coldchain_region_of(geom)`); n != 0 {
		t.Errorf("%d producers with another region code than the per-row lookup gives", n)
	}
	if n := queryInt(t, pool, `SELECT count(DISTINCT region_code) FROM producer`); want > 100 && n < 6 {
		t.Errorf("only %d distinct region codes: the grid should reach the county and every township", n)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM producer p JOIN product_class c ON c.code = p.product_class
		WHERE p.harvest_months <> c.harvest_months AND p.harvest_months <> '{0.5,0.5,0,0,0,0,0,0,0,0,0,0}'`); n != 0 {
		t.Errorf("%d producers with harvest months neither their own nor their class's", n)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM pg_indexes WHERE tablename = 'producer'`); n != 4 {
		t.Errorf("producer has %d indexes after the load, want 4", n)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM pg_constraint WHERE conrelid = 'producer'::regclass AND contype = 'f' AND convalidated`); n != 1 {
		t.Errorf("producer has %d validated foreign keys after the load, want 1", n)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM pg_constraint WHERE conrelid = 'producer'::regclass AND contype = 'p'`); n != 1 {
		t.Errorf("producer has %d primary keys after the load, want 1", n)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM pg_trigger WHERE tgrelid = 'producer'::regclass AND NOT tgisinternal AND tgenabled <> 'O'`); n != 0 {
		t.Errorf("%d of producer's triggers left disabled after the load", n)
	}
	if n := queryInt(t, pool, `SELECT count(*) FROM pg_tables WHERE tablename LIKE 'coldchain_stage_%'`); n != 0 {
		t.Errorf("%d staging tables left behind", n)
	}
}

// TestSetBasedLoad takes each path of the set-based load on small data
// (thresholds lowered): indexes dropped and rebuilt, the staging table
// indexed for the region join or not, insert, upsert and update.
func TestSetBasedLoad(t *testing.T) {
	for _, tc := range []struct {
		name                          string
		bulkRows, indexMin, levelRows int64
	}{
		{"bulk, indexed join", 500, 100, 1 << 40},
		{"bulk, few inside", 500, 1 << 40, 1 << 40},
		{"row by row indexes", 1 << 40, 100, 1 << 40},
		{"every level in one pass", 500, 100, 0},
		{"every level in one pass, few inside", 500, 1 << 40, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer layer.SetLoadThresholds(tc.bulkRows, tc.indexMin)()
			defer layer.SetLevelRows(tc.levelRows)()
			pool := pgtest.Pool(t)
			st := &layer.Store{Pool: pool}
			loadRegions(t, st)
			res, err := importCSV(t, st, producersCSV(1600, "P"), layer.Insert)
			if err != nil || res.Rows != 1600 {
				t.Fatalf("insert: %d rows, %v", res.Rows, err)
			}
			outside := queryInt(t, pool, `SELECT count(*) FROM producer WHERE region_code IS NULL`)
			if outside == 0 || len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], fmt.Sprintf("%d features lie outside every region", outside)) {
				t.Errorf("outside warning for %d producers: %q", outside, res.Warnings)
			}
			checkStored(t, pool, 1600)
			// Upsert moves the first 800 producers by half the grid step.
			moved := strings.ReplaceAll(producersCSV(800, "P"), ",114.9", ",114.95")
			if _, err := importCSV(t, st, moved, layer.Upsert); err != nil {
				t.Fatalf("upsert: %v", err)
			}
			checkStored(t, pool, 1600)
			if _, err := importCSV(t, st, producersCSV(1600, "P"), layer.Update); err != nil {
				t.Fatalf("update: %v", err)
			}
			checkStored(t, pool, 1600)
		})
	}
}

// TestSetBasedLoadRowErrors: a large batch with bad rows reports them by
// line, all of them checked, and writes nothing: the table keeps its rows,
// its indexes and its foreign key.
func TestSetBasedLoadRowErrors(t *testing.T) {
	defer layer.SetLoadThresholds(500, 100)()
	pool := pgtest.Pool(t)
	st := &layer.Store{Pool: pool}
	loadRegions(t, st)
	if _, err := importCSV(t, st, producersCSV(10, "E"), layer.Insert); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(producersCSV(1200, "P"), "\n")
	lines[5] = strings.Replace(lines[5], "P4,", "P3,", 1)                // line 6: duplicate of line 5
	lines[700] = strings.Replace(lines[700], "P699,", "E2,", 1)          // line 701: already stored
	lines[900] = strings.Replace(lines[900], "citrus", "durian", 1)      // line 901: unknown class
	lines[1100] = strings.Replace(lines[1100], ",cooperative,", ",,", 1) // line 1101: required
	_, err := importCSV(t, st, strings.Join(lines, "\n"), layer.Insert)
	var rows derrors.RowErrors
	if !errors.As(err, &rows) {
		t.Fatalf("want row errors, got %v", err)
	}
	want := []string{
		"row 6: id: duplicate id P3 (first on row 5): keys must be unique within a file",
		"row 701: id: E2 already exists",
		"row 901: product_class:",
		"row 1101: operator_type: required",
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d row errors, want %d:\n%v", len(rows), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(rows[i].String(), w) {
			t.Errorf("error %d: %q, want %q…", i, rows[i].String(), w)
		}
	}
	checkStored(t, pool, 10)
}

// TestRowTriggersOutsideLoads: writes that are not set-based loads still
// get their region code and class defaults from the per-row triggers.
func TestRowTriggersOutsideLoads(t *testing.T) {
	pool := pgtest.Pool(t)
	st := &layer.Store{Pool: pool}
	loadRegions(t, st)
	if _, err := importCSV(t, st, producersCSV(4, "P"), layer.Insert); err != nil {
		t.Fatal(err)
	}
	_, err := pool.Exec(context.Background(), `INSERT INTO producer (id, operator_type, product_class, annual_output_t, geom)
		VALUES ('manual', 'cooperative', 'tea', 5, ST_SetSRID(ST_MakePoint(115.05, 27.1), 4326))`)
	if err != nil {
		t.Fatal(err)
	}
	var code string
	var shares []float64
	err = pool.QueryRow(context.Background(), `SELECT region_code, harvest_months FROM producer WHERE id = 'manual'`).Scan(&code, &shares)
	if err != nil || code != "999905101" || len(shares) != 12 {
		t.Fatalf("manual insert: region %q, months %v, %v", code, shares, err)
	}
}

// TestSetBasedLoadKeyConflicts: a large batch whose only problems are keys
// (found by the primary key during the write, then listed by the key
// checks) writes nothing and reports each by line, in insert and upsert.
func TestSetBasedLoadKeyConflicts(t *testing.T) {
	defer layer.SetLoadThresholds(500, 100)()
	pool := pgtest.Pool(t)
	st := &layer.Store{Pool: pool}
	loadRegions(t, st)
	if _, err := importCSV(t, st, producersCSV(10, "E"), layer.Insert); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode layer.Mode
		want []string
	}{
		{layer.Insert, []string{"row 6: id: duplicate id P3 (first on row 5)", "row 701: id: E2 already exists"}},
		{layer.Upsert, []string{"row 6: id: duplicate id P3 (first on row 5)"}},
	} {
		lines := strings.Split(producersCSV(1200, "P"), "\n")
		lines[5] = strings.Replace(lines[5], "P4,", "P3,", 1)
		lines[700] = strings.Replace(lines[700], "P699,", "E2,", 1)
		_, err := importCSV(t, st, strings.Join(lines, "\n"), tc.mode)
		var rows derrors.RowErrors
		if !errors.As(err, &rows) || len(rows) != len(tc.want) {
			t.Fatalf("mode %d: want %d row errors, got %v", tc.mode, len(tc.want), err)
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(rows[i].String(), w) {
				t.Errorf("mode %d, error %d: %q, want %q…", tc.mode, i, rows[i].String(), w)
			}
		}
		checkStored(t, pool, 10)
	}
}

// sliceSource yields rows made by the test, past the decoder's checks, so
// that the database's own rules are what refuses a bad one.
type sliceSource struct {
	rows []layer.Row
	i    int
}

func (s *sliceSource) Next() (layer.Row, error) {
	if s.i == len(s.rows) {
		return layer.Row{}, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}

func (s *sliceSource) Errors() derrors.RowErrors { return nil }

// producerRows makes n good producer rows (file rows 2…n+1) inside the
// county of loadRegions, with their own harvest months on every other row.
func producerRows(t *testing.T, n int) []layer.Row {
	t.Helper()
	l := mustLayer(t, "producers")
	var out []layer.Row
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("P%d", i)
		vals := map[string]any{"id": id, "name": "Farm", "operator_type": "cooperative", "product_class": "citrus",
			"annual_output_t": float64(10 + i%90), "harvest_months": nil}
		if i%2 == 0 {
			vals["harvest_months"] = []float64{0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
		}
		row := layer.Row{Row: i + 2, Key: id, Geom: orb.Point{115.0 + 0.4*float64(i%40)/40, 27.0 + 0.3*float64(i/40%30)/30}}
		for _, c := range l.Columns() {
			v, ok := vals[c]
			if !ok {
				t.Fatalf("no test value for producer column %s", c)
			}
			row.Values = append(row.Values, v)
		}
		out = append(out, row)
	}
	return out
}

// TestBulkLoadRowRules: in a batch large enough for the bulk path (the
// primary key, indexes, foreign key and guarded triggers taken down and
// rebuilt once), a row that breaks one of the table's own rules (a CHECK
// constraint, the primary key) is still refused with its row number, and
// nothing is stored; a good batch takes the bulk path (the primary key's
// index is built anew) and stores what the row-by-row path stores.
func TestBulkLoadRowRules(t *testing.T) {
	defer layer.SetLoadThresholds(500, 100)()
	pool := pgtest.Pool(t)
	st := &layer.Store{Pool: pool}
	loadRegions(t, st)
	if _, err := importCSV(t, st, producersCSV(10, "E"), layer.Insert); err != nil {
		t.Fatal(err)
	}
	l := mustLayer(t, "producers")
	col := func(name string) int { return slices.Index(l.Columns(), name) }
	for _, tc := range []struct {
		name  string
		row   int // index in the batch; file row index+2
		spoil func(r *layer.Row)
		want  string
	}{
		{"shares sum to 2", 899, func(r *layer.Row) { r.Values[col("harvest_months")] = []float64{1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} },
			"row 901: harvest_months: breaks a rule of the data model (producer_harvest_months_check)"},
		{"negative share", 899, func(r *layer.Row) {
			r.Values[col("harvest_months")] = []float64{1.5, -0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
		},
			"row 901: harvest_months: breaks a rule of the data model (producer_harvest_months_check)"},
		{"11 shares", 899, func(r *layer.Row) { r.Values[col("harvest_months")] = []float64{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} },
			"row 901: harvest_months: breaks a rule of the data model (producer_harvest_months_check)"},
		{"NaN longitude", 698, func(r *layer.Row) { r.Geom = orb.Point{math.NaN(), 27.1} },
			"row 700: geom: breaks a rule of the data model (producer_geom_check)"},
		{"infinite latitude", 698, func(r *layer.Row) { r.Geom = orb.Point{115.1, math.Inf(1)} },
			"row 700: geom: breaks a rule of the data model (producer_geom_check)"},
		{"id pattern", 3, func(r *layer.Row) { r.Values[col("id")], r.Key = "-x", "-x" },
			"row 5: id: breaks a rule of the data model (producer_id_check)"},
		{"negative output", 1000, func(r *layer.Row) { r.Values[col("annual_output_t")] = -1.0 },
			"row 1002: annual_output_t: breaks a rule of the data model (producer_annual_output_t_check)"},
		{"operator type", 1100, func(r *layer.Row) { r.Values[col("operator_type")] = "pirate" },
			"row 1102: operator_type: breaks a rule of the data model (producer_operator_type_check)"},
		{"duplicate key", 1100, func(r *layer.Row) { r.Values[col("id")], r.Key = "P7", "P7" },
			"row 1102: id: duplicate id P7 (first on row 9)"},
		{"key already stored", 1100, func(r *layer.Row) { r.Values[col("id")], r.Key = "E3", "E3" },
			"row 1102: id: E3 already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := producerRows(t, 1200)
			tc.spoil(&rows[tc.row])
			_, err := st.Load(context.Background(), l, &sliceSource{rows: rows}, layer.LoadOptions{Mode: layer.Insert})
			var rerrs derrors.RowErrors
			if !errors.As(err, &rerrs) || len(rerrs) != 1 || !strings.HasPrefix(rerrs[0].String(), tc.want) {
				t.Fatalf("want one row error %q…, got %v", tc.want, err)
			}
			checkStored(t, pool, 10)
		})
	}
	pkey := queryInt(t, pool, `SELECT 'producer_pkey'::regclass::oid::int`)
	if _, err := st.Load(context.Background(), l, &sliceSource{rows: producerRows(t, 1200)}, layer.LoadOptions{Mode: layer.Insert}); err != nil {
		t.Fatal(err)
	}
	if queryInt(t, pool, `SELECT 'producer_pkey'::regclass::oid::int`) == pkey {
		t.Error("the primary key's index is the same as before the load: the bulk path did not build it once")
	}
	checkStored(t, pool, 1210)
}

// TestRowRulesOutsideLoads: writers other than loads still meet the
// table's rules as CHECK constraints (here the cheaper expressions of
// migration 00060).
func TestRowRulesOutsideLoads(t *testing.T) {
	pool := pgtest.Pool(t)
	for _, tc := range []struct{ geom, months, want string }{
		{"ST_MakePoint(115.1, 27.1)", "'{0.5,0.5,0,0,0,0,0,0,0,0,0,0}'", ""},
		{"'POINT EMPTY'", "'{0.5,0.5,0,0,0,0,0,0,0,0,0,0}'", ""},
		{"ST_MakePoint('NaN', 27.1)", "'{0.5,0.5,0,0,0,0,0,0,0,0,0,0}'", "producer_geom_check"},
		{"ST_MakePoint(115.1, '-Infinity')", "'{0.5,0.5,0,0,0,0,0,0,0,0,0,0}'", "producer_geom_check"},
		{"ST_MakePoint(115.1, 27.1)", "'{0.5,0.5,0,0,0,0,0,0,0,0,0,NULL}'", "producer_harvest_months_check"},
		{"ST_MakePoint(115.1, 27.1)", "'{1.5,-0.5,0,0,0,0,0,0,0,0,0,0}'", "producer_harvest_months_check"},
		{"ST_MakePoint(115.1, 27.1)", "'{0.5,0.5,0.1,0,0,0,0,0,0,0,0,0}'", "producer_harvest_months_check"},
		{"ST_MakePoint(115.1, 27.1)", "'{{0.5,0.5,0,0,0,0},{0,0,0,0,0,0}}'", "producer_harvest_months_check"},
	} {
		_, err := pool.Exec(context.Background(), fmt.Sprintf(`INSERT INTO producer (id, operator_type, product_class, annual_output_t, harvest_months, geom)
			VALUES ('manual', 'cooperative', 'tea', 5, %s, ST_SetSRID(%s::geometry, 4326))`, tc.months, tc.geom))
		var pgErr *pgconn.PgError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s, %s: %v", tc.geom, tc.months, err)
		case tc.want != "" && (!errors.As(err, &pgErr) || pgErr.ConstraintName != tc.want):
			t.Errorf("%s, %s: want a violation of %s, got %v", tc.geom, tc.months, tc.want, err)
		}
		if _, err := pool.Exec(context.Background(), `DELETE FROM producer`); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBulkLoadOtherLayers: the bulk path on facilities (a foreign key to
// their own table, a trigger that is not a load's to skip) and candidate
// sites: rows stored with the per-row lookup's region codes, and the
// table's primary key, indexes, foreign keys and triggers back as they
// were, after a good load and after a refused one.
func TestBulkLoadOtherLayers(t *testing.T) {
	defer layer.SetLoadThresholds(500, 100)()
	pool := pgtest.Pool(t)
	st := &layer.Store{Pool: pool}
	loadRegions(t, st)
	ctx := context.Background()
	state := func(table string) string {
		var s string
		err := pool.QueryRow(ctx, `SELECT (SELECT string_agg(indexdef, '; ' ORDER BY indexdef) FROM pg_indexes WHERE tablename = $1)
			|| ' | ' || (SELECT string_agg(conname || ':' || convalidated, ', ' ORDER BY conname) FROM pg_constraint WHERE conrelid = $1::regclass)
			|| ' | ' || (SELECT string_agg(tgname || ':' || tgenabled::text, ', ' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal)`,
			table).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct{ layer, table, header, values string }{
		{"facilities", "facility", "id,facility_type,tier,lon,lat", "cold_room,township"},
		{"candidates", "candidate_site", "id,allowed_tiers,land_use,lon,lat", "township,construction"},
	} {
		before := state(tc.table)
		csv := func(n int, prefix string) string {
			var b strings.Builder
			b.WriteString(tc.header + "\n")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, "%s%d,%s,%.6f,%.6f\n", prefix, i, tc.values, 114.9+0.6*float64(i%25)/24, 26.95+0.4*float64(i/25)/24)
			}
			return b.String()
		}
		imp := func(text string) error {
			_, err := ingest.Import(ctx, st, mustLayer(t, tc.layer), strings.NewReader(text), ingest.Options{Format: ingest.CSV})
			return err
		}
		if err := imp(csv(600, "A")); err != nil {
			t.Fatalf("%s: %v", tc.layer, err)
		}
		if n := queryInt(t, pool, `SELECT count(*) FROM `+tc.table+` WHERE region_code IS DISTINCT FROM coldchain_region_of(geom)`); n != 0 {
			t.Errorf("%s: %d rows with another region code than the per-row lookup gives", tc.layer, n)
		}
		if after := state(tc.table); after != before {
			t.Errorf("%s after a bulk load:\n%s\nwant\n%s", tc.layer, after, before)
		}
		lines := strings.Split(csv(600, "B"), "\n")
		lines[550] = strings.Replace(lines[550], "B549,", "A7,", 1)
		var rows derrors.RowErrors
		if err := imp(strings.Join(lines, "\n")); !errors.As(err, &rows) || len(rows) != 1 || !strings.HasPrefix(rows[0].String(), "row 551: id: A7 already exists") {
			t.Errorf("%s: want row 551 refused as already stored, got %v", tc.layer, err)
		}
		if n := queryInt(t, pool, `SELECT count(*) FROM `+tc.table); n != 600 {
			t.Errorf("%s: %d rows after a refused load, want 600", tc.layer, n)
		}
		if after := state(tc.table); after != before {
			t.Errorf("%s after a refused bulk load:\n%s\nwant\n%s", tc.layer, after, before)
		}
	}
}

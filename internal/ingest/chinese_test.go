package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// TestChineseHeaders imports regions and producers from CSV files with
// Chinese headers and values, as bureau spreadsheets have them: the
// columns are recognised, the ones used and ignored are listed, and a
// producer far outside every region is kept with a warning.
func TestChineseHeaders(t *testing.T) {
	ctx := context.Background()
	st := &layer.Store{Pool: pgtest.Pool(t)}
	importText(t, st, "regions", fc(testCounty), ingest.Options{})
	regions := "代码,名称,级别,上级代码,经度,纬度,备注\n" +
		"999905101,甲镇,镇,999905,115.1,27.1,驻地\n" +
		"999905102,乙乡,乡,999905,115.3,27.2,\n"
	res, err := ingest.Import(ctx, st, mustLayer(t, "regions"), strings.NewReader(regions), ingest.Options{Format: ingest.CSV})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{"代码 → code", "名称 → name", "级别 → level", "上级代码 → parent_code", "经度, 纬度 → geometry", "ignored (no regions field of that name): 备注"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "2 regions are known only by a point") || !strings.Contains(w, "their areas are derived") {
		t.Errorf("warnings %q do not say the areas are derived", w)
	}
	var level, parent string
	if err := st.Pool.QueryRow(ctx, `SELECT level, parent_code FROM region WHERE code = '999905101'`).Scan(&level, &parent); err != nil || level != "township" || parent != "999905" {
		t.Fatalf("township stored as %q under %q (%v)", level, parent, err)
	}

	producers := "编号,名称,主体类型,品类,年产量,经度,纬度\n" +
		"c1,甲合作社,合作社,叶菜,120,115.1,27.1\n" +
		"c2,乙农场,家庭农场,草莓,30,115.3,27.2\n" +
		"c3,远处,散户,茶叶,5,120.0,30.0\n"
	res, err = ingest.Import(ctx, st, mustLayer(t, "producers"), strings.NewReader(producers), ingest.Options{Format: ingest.CSV})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "1 feature lies outside every region (row 4)") || !strings.Contains(w, "--datum") {
		t.Errorf("warnings %q do not name the producer outside every region", w)
	}
	var got string
	if err := st.Pool.QueryRow(ctx, `SELECT string_agg(id || ':' || operator_type || ':' || product_class || ':' || coalesce(region_code, '-'), ' ' ORDER BY id) FROM producer`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "c1:cooperative:leafy_vegetable:999905101 c2:family_farm:berry:999905102 c3:smallholders:tea:-"; got != want {
		t.Errorf("producers stored as %q, want %q", got, want)
	}
}

// TestStructuralErrors: files that cannot be read at all say what is wrong
// and how to fix it.
func TestStructuralErrors(t *testing.T) {
	ctx := context.Background()
	st := &layer.Store{Pool: pgtest.Pool(t)}
	cases := []struct {
		name, layer, format, text string
		want                      []string
	}{
		{"no header line", "regions", ingest.CSV, "999905101,甲镇,镇,999905,115.1,27.1\n999905102,乙乡,乡,999905,115.3,27.2\n",
			[]string{"looks like data, not a header", "add a header line"}},
		{"unnamed column", "regions", ingest.CSV, "code,name,level,lon,lat,\n999905101,A,township,115.1,27.1,\n",
			[]string{"column 6 has no name", "name every column"}},
		{"Chinese header without a code column", "regions", ingest.CSV, "名称,级别,经度,纬度\nA,镇,115.1,27.1\n",
			[]string{"no column for the required field code", "代码", "区划代码"}},
		{"bare Polygon", "regions", ingest.GeoJSON, `{"type":"Polygon","coordinates":[[[115,27],[115.1,27],[115.1,27.1],[115,27]]]}`,
			[]string{"bare Polygon geometry", `wrap it as {"type": "FeatureCollection"`, "code, name and level"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ingest.Import(ctx, st, mustLayer(t, tc.layer), strings.NewReader(tc.text), ingest.Options{Format: tc.format})
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
	// Importing the same file twice names --upsert, which then works.
	importText(t, st, "regions", fc(testCounty), ingest.Options{})
	_, err := ingest.Import(ctx, st, mustLayer(t, "regions"), strings.NewReader(fc(testCounty)), ingest.Options{Format: ingest.GeoJSON})
	if err == nil || !strings.Contains(err.Error(), "999905 already exists: import with --upsert to replace it") {
		t.Errorf("re-import: %v", err)
	}
	importText(t, st, "regions", fc(testCounty), ingest.Options{Mode: layer.Upsert})
}

// dataVCounty is testCounty as DataV/Amap publish boundaries: GCJ-02
// coordinates and adcode/level/parent/acroutes properties.
func dataVCounty() string {
	f, err := geojson.UnmarshalFeature([]byte(testCounty))
	if err != nil {
		panic(err)
	}
	ring := f.Geometry.(orb.Polygon)[0]
	var coords []string
	for _, p := range ring {
		x, y := datum.GCJ02.FromWGS84(p[0], p[1])
		coords = append(coords, fmt.Sprintf("[%.7f,%.7f]", x, y))
	}
	return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":999905,"name":"测试县","center":[115.2,27.15],
	  "centroid":[115.2,27.15],"childrenNum":0,"level":"district","parent":{"adcode":999900},"subFeatureIndex":3,"acroutes":[100000,999900]},
	  "geometry":{"type":"MultiPolygon","coordinates":[[[` + strings.Join(coords, ",") + `]]]}}]}`
}

// TestDataVAndDatumRoundTrip imports a DataV county boundary: without
// --datum it is stored as it is, with a warning; with --datum gcj02 it is
// moved to WGS84, and exporting it with datum gcj02 gives back the file's
// coordinates to within 0.5 m (GeoJSON and CSV).
func TestDataVAndDatumRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := &layer.Store{Pool: pgtest.Pool(t)}
	regions := mustLayer(t, "regions")
	checkDataVAsIs(ctx, t, st, regions)
	res, err := ingest.Import(ctx, st, regions, strings.NewReader(dataVCounty()), ingest.Options{Format: ingest.GeoJSON, Datum: datum.GCJ02, Mode: layer.Upsert})
	if err != nil || len(res.Warnings) != 0 {
		t.Fatalf("import with --datum gcj02: %v, warnings %q", err, res.Warnings)
	}
	// Stored in WGS84: the first vertex is testCounty's.
	var x, y float64
	if err := st.Pool.QueryRow(ctx, `SELECT ST_X(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1)), ST_Y(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1)) FROM region`).Scan(&x, &y); err != nil {
		t.Fatal(err)
	}
	if d := geo.Distance(orb.Point{x, y}, orb.Point{115.0, 27.0}); d > 0.05 {
		t.Errorf("stored vertex %.1f m from the WGS84 original", d)
	}
	checkGCJ02GeoJSONExport(ctx, t, st, regions)
	checkGCJ02CSVReimport(ctx, t, st, regions)
	checkBD09Read(ctx, t, st, regions, orb.Point{x, y})
}

// checkDataVAsIs imports the DataV county without --datum: it is stored as
// it is, as a county under its parent, with a DataV warning and notes on the
// DataV fields it mapped or dropped.
func checkDataVAsIs(ctx context.Context, t *testing.T, st *layer.Store, regions *layer.Layer) {
	t.Helper()
	res, err := ingest.Import(ctx, st, regions, strings.NewReader(dataVCounty()), ingest.Options{Format: ingest.GeoJSON})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "DataV/Amap") || !strings.Contains(w, "--datum gcj02") {
		t.Errorf("no DataV warning without --datum: %q", w)
	}
	if n := strings.Join(res.Notes, "\n"); !strings.Contains(n, "adcode → code") || !strings.Contains(n, "parent → parent_code") || !strings.Contains(n, "acroutes") {
		t.Errorf("notes %q", n)
	}
	var level, parent string
	if err := st.Pool.QueryRow(ctx, `SELECT level, parent_code FROM region WHERE code = '999905'`).Scan(&level, &parent); err != nil || level != "county" || parent != "999900" {
		t.Fatalf("DataV county stored as %q under %q (%v)", level, parent, err)
	}
}

// checkGCJ02GeoJSONExport exports the stored county as GeoJSON in GCJ-02
// and compares its ring with the DataV file's: every vertex within 0.5 m.
func checkGCJ02GeoJSONExport(ctx context.Context, t *testing.T, st *layer.Store, regions *layer.Layer) {
	t.Helper()
	in, _ := geojson.UnmarshalFeatureCollection([]byte(dataVCounty()))
	want := in.Features[0].Geometry.(orb.MultiPolygon)[0][0]

	var buf bytes.Buffer
	if _, err := ingest.ExportIn(ctx, st, regions, &buf, ingest.GeoJSON, datum.GCJ02); err != nil {
		t.Fatal(err)
	}
	out, err := geojson.UnmarshalFeatureCollection(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	worst := worstDistance(want, out.Features[0].Geometry.(orb.MultiPolygon)[0][0])
	t.Logf("GeoJSON gcj02 round trip: worst vertex %.3f m", worst)
	if worst > 0.5 {
		t.Errorf("GeoJSON gcj02 round trip off by %.3f m", worst)
	}
}

// checkGCJ02CSVReimport exports the county as CSV in GCJ-02 and re-imports
// it with --datum gcj02: the stored county moves at most 0.5 m.
func checkGCJ02CSVReimport(ctx context.Context, t *testing.T, st *layer.Store, regions *layer.Layer) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := ingest.ExportIn(ctx, st, regions, &buf, ingest.CSV, datum.GCJ02); err != nil {
		t.Fatal(err)
	}
	// Re-importing the CSV export with --datum gcj02 leaves the stored
	// county where it was.
	var before string
	st.Pool.QueryRow(ctx, `SELECT ST_AsText(geom, 7) FROM region`).Scan(&before)
	if _, err := ingest.Import(ctx, st, regions, bytes.NewReader(buf.Bytes()), ingest.Options{Format: ingest.CSV, Datum: datum.GCJ02, Mode: layer.Upsert}); err != nil {
		t.Fatalf("re-import of the gcj02 CSV: %v\n%s", err, buf.String())
	}
	var moved float64
	if err := st.Pool.QueryRow(ctx, `SELECT ST_HausdorffDistance(geom::geography::geometry, ST_GeomFromText($1, 4326)) * 111320 FROM region`, before).Scan(&moved); err != nil {
		t.Fatal(err)
	}
	t.Logf("CSV gcj02 export and re-import: moved %.3f m", moved)
	if moved > 0.5 {
		t.Errorf("CSV gcj02 export and re-import moved the county %.3f m", moved)
	}
}

// checkBD09Read reads the county as one feature in BD-09 (Baidu): its first
// vertex is at least 50 m from the stored WGS84 one (wgs84) and converts
// back to it within 5 cm.
func checkBD09Read(ctx context.Context, t *testing.T, st *layer.Store, regions *layer.Layer, wgs84 orb.Point) {
	t.Helper()
	raw, err := st.GetIn(ctx, regions, "999905", datum.BD09)
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Geometry json.RawMessage }
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	g, err := geojson.UnmarshalGeometry(f.Geometry)
	if err != nil {
		t.Fatal(err)
	}
	bd := g.Geometry().(orb.MultiPolygon)[0][0][0]
	var back orb.Point
	back[0], back[1] = datum.BD09.ToWGS84(bd[0], bd[1])
	if shift, d := geo.Distance(bd, wgs84), geo.Distance(back, wgs84); shift < 50 || d > 0.05 {
		t.Errorf("bd09 read: %.0f m from WGS84, %.3f m after converting back", shift, d)
	}
}

func worstDistance(a, b orb.Ring) float64 {
	if len(a) != len(b) {
		return 1e9
	}
	worst := 0.0
	for i := range a {
		worst = max(worst, geo.Distance(a[i], b[i]))
	}
	return worst
}

package ingest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func mustLayer(t *testing.T, name string) *layer.Layer {
	t.Helper()
	l, err := layer.ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func importFile(t *testing.T, st *layer.Store, layerName, path string, opt ingest.Options) (int64, error) {
	t.Helper()
	res, err := importRes(t, st, layerName, path, opt)
	return res.Rows, err
}

func importRes(t *testing.T, st *layer.Store, layerName, path string, opt ingest.Options) (layer.LoadResult, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if opt.Format == "" {
		opt.Format = ingest.DetectFormat(path)
	}
	return ingest.Import(context.Background(), st, mustLayer(t, layerName), f, opt)
}

func count(t *testing.T, st *layer.Store, table string) int {
	t.Helper()
	var n int
	if err := st.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMalformedFiles feeds every file of testdata/bad to the importer on
// top of good data: each is refused with the expected message, as an
// ErrInvalid, and the database keeps exactly what it had.
func TestMalformedFiles(t *testing.T) {
	st := &layer.Store{Pool: pgtest.Pool(t)}
	if _, err := importFile(t, st, "producers", "testdata/good/producers.geojson", ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	before := count(t, st, "producer")
	f, err := os.Open("testdata/bad/expect.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	files, _ := filepath.Glob("testdata/bad/*")
	covered := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		name, layerName, want := parts[0], parts[1], parts[2]
		covered++
		t.Run(name, func(t *testing.T) {
			_, err := importFile(t, st, layerName, filepath.Join("testdata/bad", name), ingest.Options{})
			if err == nil {
				t.Fatal("accepted a malformed file")
			}
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("error is not ErrInvalid: %v", err)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message %q does not say %q", err, want)
			}
			if n := count(t, st, "producer"); n != before {
				t.Errorf("producers changed: %d -> %d", before, n)
			}
			if n := count(t, st, "exclusion_zone"); n != 0 {
				t.Errorf("exclusion zones written: %d", n)
			}
		})
	}
	if covered != len(files)-1 {
		t.Errorf("expect.txt covers %d of %d files", covered, len(files)-1)
	}
}

func TestImportGood(t *testing.T) {
	st := &layer.Store{Pool: pgtest.Pool(t)}
	n, err := importFile(t, st, "producers", "testdata/good/producers.geojson", ingest.Options{})
	if err != nil || n != 3 {
		t.Fatalf("geojson: n=%d err=%v", n, err)
	}
	n, err = importFile(t, st, "producers", "testdata/good/producers.csv", ingest.Options{})
	if err != nil || n != 2 {
		t.Fatalf("csv: n=%d err=%v", n, err)
	}
	// The same file again conflicts on ids and writes nothing.
	_, err = importFile(t, st, "producers", "testdata/good/producers.csv", ingest.Options{})
	if !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), "row 2: id: b1 already exists") {
		t.Fatalf("re-import: %v", err)
	}
	// Numeric feature ids become text; class defaults fill harvest months.
	var shares []float64
	if err := st.Pool.QueryRow(context.Background(), `SELECT harvest_months FROM producer WHERE id = '7'`).Scan(&shares); err != nil || len(shares) != 12 {
		t.Fatalf("feature 7: %v %v", shares, err)
	}
	n, err = importFile(t, st, "exclusions", "testdata/good/exclusions.csv", ingest.Options{})
	if err != nil || n != 2 {
		t.Fatalf("exclusions csv: n=%d err=%v", n, err)
	}
	var tiers []string
	if err := st.Pool.QueryRow(context.Background(), `SELECT applies_to_tiers FROM exclusion_zone WHERE id = 'z2'`).Scan(&tiers); err != nil || len(tiers) != 4 || tiers[0] != "township" {
		t.Fatalf("basic farmland default tiers: %v %v", tiers, err)
	}
}

func TestMakeValid(t *testing.T) {
	st := &layer.Store{Pool: pgtest.Pool(t)}
	n, err := importFile(t, st, "exclusions", "testdata/bad/bowtie.geojson", ingest.Options{MakeValid: true})
	if err != nil || n != 1 {
		t.Fatalf("make-valid: n=%d err=%v", n, err)
	}
	var valid bool
	var typ string
	if err := st.Pool.QueryRow(context.Background(), `SELECT ST_IsValid(geom), GeometryType(geom) FROM exclusion_zone`).Scan(&valid, &typ); err != nil || !valid || typ != "MULTIPOLYGON" {
		t.Fatalf("repaired geometry: valid=%v type=%s err=%v", valid, typ, err)
	}
}

func TestDatumAndEncoding(t *testing.T) {
	st := &layer.Store{Pool: pgtest.Pool(t)}
	// A GBK-encoded CSV with GCJ-02 coordinates of a known WGS84 point.
	wlon, wlat := 114.2, 26.65
	glon, glat := datum.WGSToGCJ(wlon, wlat)
	csv := "id,name,operator_type,product_class,annual_output_t,lon,lat\ng1,蔬菜合作社,cooperative,leafy_vegetable,100," +
		jsonNum(glon) + "," + jsonNum(glat) + "\n"
	gbk := toGBK(t, csv)
	_, err := ingest.Import(context.Background(), st, mustLayer(t, "producers"), bytes.NewReader(gbk), ingest.Options{Format: ingest.CSV})
	if err == nil || !strings.Contains(err.Error(), "--encoding gbk") {
		t.Fatalf("GBK text without --encoding: %v", err)
	}
	_, err = ingest.Import(context.Background(), st, mustLayer(t, "producers"), bytes.NewReader(gbk), ingest.Options{Format: ingest.CSV, Encoding: "gbk", Datum: datum.GCJ02})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	var metres float64
	err = st.Pool.QueryRow(context.Background(), `SELECT name, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) FROM producer`, wlon, wlat).Scan(&name, &metres)
	if err != nil || name != "蔬菜合作社" || metres > 0.05 {
		t.Fatalf("name %q, %.3f m from the WGS84 point, err %v", name, metres, err)
	}
}

func TestExportRoundTrip(t *testing.T) {
	st := &layer.Store{Pool: pgtest.Pool(t)}
	for _, f := range []string{"producers.geojson", "producers.csv"} {
		if _, err := importFile(t, st, "producers", "testdata/good/"+f, ingest.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := importFile(t, st, "exclusions", "testdata/good/exclusions.csv", ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"producers", "exclusions"} {
		for _, format := range []string{ingest.GeoJSON, ingest.CSV} {
			var buf bytes.Buffer
			n, err := ingest.Export(context.Background(), st, mustLayer(t, name), &buf, format)
			if err != nil || n == 0 {
				t.Fatalf("%s %s export: n=%d err=%v", name, format, n, err)
			}
			if format == ingest.GeoJSON {
				var fc struct {
					Type     string            `json:"type"`
					Features []json.RawMessage `json:"features"`
				}
				if err := json.Unmarshal(buf.Bytes(), &fc); err != nil || fc.Type != "FeatureCollection" || int64(len(fc.Features)) != n {
					t.Fatalf("%s geojson export is not a FeatureCollection of %d: %v", name, n, err)
				}
			}
			// Exported files import again unchanged (upsert over themselves).
			res, err := ingest.Import(context.Background(), st, mustLayer(t, name), bytes.NewReader(buf.Bytes()), ingest.Options{Format: format, Mode: layer.Upsert})
			if err != nil || res.Rows != n {
				t.Fatalf("%s %s re-import: %d of %d, %v\n%s", name, format, res.Rows, n, err, buf.String())
			}
		}
	}
}

func jsonNum(x float64) string { b, _ := json.Marshal(x); return string(b) }

// TestRegionsPromoteAndRecode imports a township given as a Polygon after
// producers: it is stored as a MultiPolygon and the producers inside it
// get its code.
func TestRegionsPromoteAndRecode(t *testing.T) {
	st := &layer.Store{Pool: pgtest.Pool(t)}
	if _, err := importFile(t, st, "producers", "testdata/good/producers.geojson", ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	region := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"999904101","name":"Box Township","level":"township"},
	  "geometry":{"type":"Polygon","coordinates":[[[114.05,26.55],[114.25,26.55],[114.25,26.75],[114.05,26.75],[114.05,26.55]]]}}]}`
	if _, err := ingest.Import(context.Background(), st, mustLayer(t, "regions"), strings.NewReader(region), ingest.Options{Format: ingest.GeoJSON}); err != nil {
		t.Fatal(err)
	}
	var typ string
	if err := st.Pool.QueryRow(context.Background(), `SELECT GeometryType(geom) FROM region`).Scan(&typ); err != nil || typ != "MULTIPOLYGON" {
		t.Fatalf("region stored as %s (%v)", typ, err)
	}
	var inside int
	if err := st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM producer WHERE region_code = '999904101'`).Scan(&inside); err != nil || inside != 3 {
		t.Fatalf("%d producers got the township's code, want 3 (%v)", inside, err)
	}
}

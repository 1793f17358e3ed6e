package ingest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// gkFarms are producers at known WGS84 positions inside the CGCS2000
// Gauss-Krüger zone of central meridian 114°E (zone 38), with Chinese names.
var gkFarms = []struct {
	id, name       string
	class          string
	lon, lat, tons float64
}{
	{"gk1", "赣州脐橙合作社", "citrus", 114.1234567, 26.6123456, 120},
	{"gk2", "信丰蔬菜基地", "leafy_vegetable", 113.6021, 25.3987, 80.5},
	{"gk3", "瑞金茶园", "tea", 115.4123, 25.8866, 12.5},
}

const gkGeoJSONHead = `{"type":"FeatureCollection","features":[`

// writeFarms writes gkFarms as a WGS84 GeoJSON file and returns its path.
func writeFarms(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(gkGeoJSONHead)
	for i, f := range gkFarms {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`{"type":"Feature","properties":{"id":"` + f.id + `","name":"` + f.name +
			`","operator_type":"cooperative","product_class":"` + f.class + `","annual_output_t":` + ftoa(f.tons) +
			`},"geometry":{"type":"Point","coordinates":[` + ftoa(f.lon) + `,` + ftoa(f.lat) + `]}}`)
	}
	b.WriteString("]}\n")
	path := filepath.Join(dir, "farms.geojson")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// needGDAL skips a test where GDAL is not installed, except in CI.
func needGDAL(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogr2ogr (Debian gdal-bin) is needed in CI")
		}
		t.Skip("ogr2ogr (Debian gdal-bin) not installed: skipping the GDAL import tests")
	}
}

// ogr2ogr runs GDAL in the test to make the files to import.
func ogr2ogr(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("ogr2ogr", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
	}
}

// checkStored compares the stored producers with gkFarms: every one
// present, within 1 m of its WGS84 original (geodesic, in PostGIS), with
// its Chinese name and its numbers.
func checkStored(t *testing.T, st *layer.Store) {
	t.Helper()
	if n := count(t, st, "producer"); n != len(gkFarms) {
		t.Fatalf("%d producers stored, want %d", n, len(gkFarms))
	}
	for _, f := range gkFarms {
		var name, class string
		var tons, metres float64
		err := st.Pool.QueryRow(context.Background(), `SELECT name, product_class, annual_output_t,
			ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography)
			FROM producer WHERE id = $1`, f.id, f.lon, f.lat).Scan(&name, &class, &tons, &metres)
		if err != nil {
			t.Fatalf("%s: %v", f.id, err)
		}
		if metres > 1 {
			t.Errorf("%s stored %.3f m from its WGS84 original, want within 1 m", f.id, metres)
		}
		if name != f.name || class != f.class || tons != f.tons {
			t.Errorf("%s stored as %q %s %v, want %q %s %v", f.id, name, class, tons, f.name, f.class, f.tons)
		}
		t.Logf("%s: %.6f m from the original", f.id, metres)
	}
}

// TestImportGaussKruger imports a shapefile (GBK text, .cpg CP936), the
// same zipped, and a GeoPackage in CGCS2000 Gauss-Krüger zones, made by
// ogr2ogr from WGS84 points, plus a GeoJSON with a crs member and a KML
// file: PostGIS transforms each back to within 1 m, and Chinese names
// read correctly.
func TestImportGaussKruger(t *testing.T) {
	needGDAL(t)
	dir := t.TempDir()
	src := writeFarms(t, dir)
	shp := filepath.Join(dir, "farms_gk.shp")
	ogr2ogr(t, "-f", "ESRI Shapefile", "-t_srs", "EPSG:4547", "-lco", "ENCODING=CP936", shp, src)
	gpkg := filepath.Join(dir, "farms.gpkg")
	ogr2ogr(t, "-f", "GPKG", "-t_srs", "EPSG:4526", "-nln", "farms", gpkg, src)
	ogr2ogr(t, "-update", "-f", "GPKG", "-nln", "roads_wgs84", gpkg, src)
	gj := filepath.Join(dir, "farms_gk.geojson")
	ogr2ogr(t, "-f", "GeoJSON", "-t_srs", "EPSG:4547", gj, src)
	zipped := filepath.Join(dir, "farms_gk.zip")
	zipShapefile(t, zipped, shp)
	local := filepath.Join(dir, "farms_local.shp") // a county's own grid: no EPSG code
	ogr2ogr(t, "-f", "ESRI Shapefile", "-t_srs", "+proj=tmerc +lon_0=114.5 +k=0.9999 +x_0=300000 +y_0=-2000000 +ellps=GRS80 +units=m",
		"-lco", "ENCODING=UTF-8", local, src)
	kml := filepath.Join(dir, "farms.kml")
	ogr2ogr(t, "-f", "KML", "-dsco", "NameField=name", kml, src)

	cases := []struct {
		name, path string
		opt        ingest.Options
	}{
		{"shapefile EPSG:4547 from .prj, GBK from .cpg", shp, ingest.Options{}},
		{"zipped shapefile", zipped, ingest.Options{}},
		{"GeoPackage layer EPSG:4526 (zone 38)", gpkg, ingest.Options{Layer: "farms"}},
		{"GeoJSON with crs member EPSG:4547", gj, ingest.Options{}},
		{"KML (WGS84, the name in Name)", kml, ingest.Options{}},
		{"shapefile in a CRS without an EPSG code (its WKT to PostGIS)", local, ingest.Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &layer.Store{Pool: pgtest.Pool(t)}
			res, err := ingest.ImportFile(context.Background(), st, mustLayer(t, "producers"), c.path, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows != int64(len(gkFarms)) {
				t.Fatalf("imported %d rows, want %d", res.Rows, len(gkFarms))
			}
			checkStored(t, st)
			t.Logf("notes: %v", res.Notes)
		})
	}
}

func zipShapefile(t *testing.T, zipPath, shp string) {
	t.Helper()
	base := strings.TrimSuffix(shp, ".shp")
	var files []string
	for _, ext := range []string{".shp", ".shx", ".dbf", ".prj", ".cpg"} {
		files = append(files, filepath.Base(base+ext))
	}
	if _, err := exec.LookPath("zip"); err != nil {
		ogr2ogr(t, "-f", "ESRI Shapefile", "/vsizip/"+zipPath, shp, "-lco", "ENCODING=CP936")
		return
	}
	cmd := exec.Command("zip", append([]string{"-q", zipPath}, files...)...)
	cmd.Dir = filepath.Dir(shp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("zip: %v\n%s", err, out)
	}
}

// TestImportGBKShapefileEncoding: a GBK shapefile without a .cpg reads
// correctly with --encoding gbk; without it the import says to give it
// and stores nothing.
func TestImportGBKShapefileEncoding(t *testing.T) {
	needGDAL(t)
	dir := t.TempDir()
	shp := filepath.Join(dir, "gbk.shp")
	ogr2ogr(t, "-f", "ESRI Shapefile", "-lco", "ENCODING=CP936", shp, writeFarms(t, dir))
	if err := os.Remove(filepath.Join(dir, "gbk.cpg")); err != nil {
		t.Fatal(err)
	}
	st := &layer.Store{Pool: pgtest.Pool(t)}
	l := mustLayer(t, "producers")
	_, err := ingest.ImportFile(context.Background(), st, l, shp, ingest.Options{})
	if !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), "--encoding gbk") {
		t.Fatalf("GBK without .cpg or --encoding: got %v, want a message naming --encoding gbk", err)
	}
	if n := count(t, st, "producer"); n != 0 {
		t.Fatalf("%d producers stored after a refused import", n)
	}
	if _, err := ingest.ImportFile(context.Background(), st, l, shp, ingest.Options{Encoding: "gbk"}); err != nil {
		t.Fatal(err)
	}
	checkStored(t, st)
}

// TestImportGDALRefusals: a bad CRS, a bad encoding, a wrong --srs, a
// GeoPackage with several layers and no --layer, and a machine without
// GDAL are each refused with a message saying what to do, and nothing is
// stored.
func TestImportGDALRefusals(t *testing.T) {
	needGDAL(t)
	dir := t.TempDir()
	src := writeFarms(t, dir)
	shp := filepath.Join(dir, "farms_gk.shp")
	ogr2ogr(t, "-f", "ESRI Shapefile", "-t_srs", "EPSG:4547", "-lco", "ENCODING=CP936", shp, src)
	gpkg := filepath.Join(dir, "two.gpkg")
	ogr2ogr(t, "-f", "GPKG", "-nln", "a", gpkg, src)
	ogr2ogr(t, "-update", "-f", "GPKG", "-nln", "b", gpkg, src)
	noPath := t.TempDir()
	cases := []struct {
		name, path string
		opt        ingest.Options
		path0      bool // run with an empty PATH (no GDAL)
		want       string
	}{
		{"unknown EPSG code", shp, ingest.Options{SRS: "EPSG:99999"}, false, "unknown CRS EPSG:99999"},
		{"not an EPSG code", src, ingest.Options{SRS: "gauss-kruger"}, false, "want an EPSG code"},
		{"unknown encoding", shp, ingest.Options{Encoding: "latin-9"}, false, `unknown encoding "latin-9"`},
		{"encoding for a GeoPackage", gpkg, ingest.Options{Encoding: "gbk", Layer: "a"}, false, "--encoding: only for shapefiles"},
		{"projected coordinates said to be WGS84", shp, ingest.Options{SRS: "EPSG:4326"}, false, "--srs EPSG:NNNN"},
		{"several layers", gpkg, ingest.Options{}, false, "has 2 layers (a, b): pick one with --layer NAME"},
		{"no such layer", gpkg, ingest.Options{Layer: "c"}, false, `--layer "c"`},
		{"GDAL not installed", shp, ingest.Options{}, true, "install the Debian package gdal-bin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.path0 {
				t.Setenv("PATH", noPath)
			}
			st := &layer.Store{Pool: pgtest.Pool(t)}
			_, err := ingest.ImportFile(context.Background(), st, mustLayer(t, "producers"), c.path, c.opt)
			var rows derrors.RowErrors
			if err == nil || !(errors.Is(err, derrors.ErrInvalid) || errors.As(err, &rows)) {
				t.Fatalf("got %v, want a refusal", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %q, want it to say %q", err, c.want)
			}
			if n := count(t, st, "producer"); n != 0 {
				t.Errorf("%d producers stored after a refused import", n)
			}
		})
	}
}

// TestImportSpreadsheetAndSRS: an XLSX sheet with Chinese coordinate
// columns in a Gauss-Krüger zone (--srs) goes through GDAL and PostGIS.
func TestImportSpreadsheetAndSRS(t *testing.T) {
	needGDAL(t)
	dir := t.TempDir()
	gkCSV := filepath.Join(dir, "gk.csv")
	ogr2ogr(t, "-f", "CSV", "-t_srs", "EPSG:4547", "-lco", "GEOMETRY=AS_XY", gkCSV, writeFarms(t, dir))
	b, err := os.ReadFile(gkCSV)
	if err != nil {
		t.Fatal(err)
	}
	// X,Y,id,name,... -> 经度,纬度,编号,名称,...: headers as a bureau's sheet has them.
	text := strings.Replace(string(b), "X,Y,id,name", "横坐标X,纵坐标Y,编号,名称", 1)
	text = strings.Replace(text, "横坐标X,纵坐标Y", "x,y", 1)
	if err := os.WriteFile(gkCSV, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	sheet := filepath.Join(dir, "farms.xlsx")
	ogr2ogr(t, "-f", "XLSX", sheet, gkCSV)
	st := &layer.Store{Pool: pgtest.Pool(t)}
	if _, err := ingest.ImportFile(context.Background(), st, mustLayer(t, "producers"), sheet, ingest.Options{SRS: "EPSG:4547"}); err != nil {
		t.Fatal(err)
	}
	checkStored(t, st)
}

// TestChineseCRSInPostGIS: PostGIS knows CGCS2000 and every Gauss-Krüger
// zone of it that --srs takes.
func TestChineseCRSInPostGIS(t *testing.T) {
	pool := pgtest.Pool(t)
	var n int
	err := pool.QueryRow(context.Background(), `SELECT count(*) FROM spatial_ref_sys
		WHERE auth_name = 'EPSG' AND (auth_srid = 4490 OR auth_srid BETWEEN 4491 AND 4554)`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 4554 - 4491 + 1; n != want {
		t.Errorf("spatial_ref_sys holds %d of the %d CGCS2000 CRSs (EPSG:4490, 4491–4554)", n, want)
	}
}

package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
)

// pointCounty is the test county known only by township points.
const pointCounty = "../../internal/ingest/testdata/pointcounty/"

// TestPointCounty imports a county as planners receive it (DataV boundary
// in GCJ-02, township points and producers with Chinese headers in
// GCJ-02): the townships get derived areas, every producer lands in one,
// coverage of every township is non-empty and the townships' producers
// add up to the county's; exporting with --datum gcj02 gives the files'
// coordinates back within 0.5 m.
func TestPointCounty(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary and a PostgreSQL cluster")
	}
	c := cli{t: t, bin: binary(t), home: home(t)}
	t.Cleanup(func() {
		c.run("db", "stop")
		os.RemoveAll(c.home)
	})
	must := func(want string, args ...string) string {
		t.Helper()
		out, code := c.run(args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("coldchain %s: exit %d, want %q in:\n%s", strings.Join(args, " "), code, want, out)
		}
		return out
	}
	county := pointCounty + "county-datav-gcj02.geojson"
	// Without --datum, a DataV file is taken as WGS84 with a warning; again,
	// it names --upsert; with --datum gcj02 --upsert it is moved.
	out := must("imported 1 regions", "import", "regions", county)
	t.Logf("DataV county without --datum:\n%s", out)
	if !strings.Contains(out, "warning: this looks like a DataV/Amap file") || !strings.Contains(out, "adcode → code") {
		t.Errorf("no DataV warning or column note:\n%s", out)
	}
	out, code := c.run("import", "regions", county)
	t.Logf("the same file again:\n%s", out)
	if code != 1 || !strings.Contains(out, "369905 already exists: import with --upsert to replace it") {
		t.Errorf("re-import: exit %d\n%s", code, out)
	}
	if out := must("imported 1 regions", "import", "regions", county, "--datum", "gcj02", "--upsert"); strings.Contains(out, "DataV/Amap") {
		t.Errorf("DataV warning with --datum gcj02:\n%s", out)
	}
	out = must("imported 10 regions", "import", "regions", pointCounty+"townships-gcj02.csv", "--datum", "gcj02")
	t.Logf("townships:\n%s", out)
	for _, want := range []string{"区划代码 → code", "经度, 纬度 → geometry", "ignored (no regions field of that name): 驻地", "10 regions are known only by a point"} {
		if !strings.Contains(out, want) {
			t.Errorf("township import output lacks %q", want)
		}
	}
	must("imported 200 producers", "import", "producers", pointCounty+"producers-gcj02.csv", "--datum", "gcj02")
	must("imported 3 facilities", "import", "facilities", pointCounty+"facilities-gcj02.csv", "--datum", "gcj02")

	checkTownshipCoverage(t, c)
	checkGCJExport(t, c)
}

type coverageJSON struct {
	Totals struct {
		Producers int     `json:"producers"`
		OutputT   float64 `json:"output_t"`
	} `json:"totals"`
}

// checkTownshipCoverage: every township's coverage is non-empty, with a
// warning that its area is derived, and the townships add up to the county.
func checkTownshipCoverage(t *testing.T, c cli) {
	t.Helper()
	coverage := func(region string) (coverageJSON, string) {
		t.Helper()
		out, code := c.run("coverage", "--region", region, "--format", "json")
		if code != 0 {
			t.Fatalf("coverage --region %s: exit %d\n%s", region, code, out)
		}
		var r coverageJSON
		if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &r); err != nil {
			t.Fatalf("coverage --region %s: %v\n%s", region, err, out)
		}
		return r, out[:strings.Index(out, "{")]
	}
	all, _ := coverage("369905")
	if all.Totals.Producers != 200 {
		t.Fatalf("county: %d producers, want 200", all.Totals.Producers)
	}
	sum, sumT := 0, 0.0
	for i := 101; i <= 110; i++ {
		code := "369905" + strconv.Itoa(i)
		r, stderr := coverage(code)
		if r.Totals.Producers == 0 {
			t.Errorf("township %s: no producers", code)
		}
		if !strings.Contains(stderr, "warning: the areas of "+code+" are derived") {
			t.Errorf("township %s: no derived-area warning in %q", code, stderr)
		}
		sum += r.Totals.Producers
		sumT += r.Totals.OutputT
	}
	t.Logf("county: %d producers, %.0f t; townships add up to %d producers, %.0f t", all.Totals.Producers, all.Totals.OutputT, sum, sumT)
	if sum != all.Totals.Producers || sumT-all.Totals.OutputT > 1e-6 || all.Totals.OutputT-sumT > 1e-6 {
		t.Errorf("townships add up to %d producers (%.1f t), the county has %d (%.1f t)", sum, sumT, all.Totals.Producers, all.Totals.OutputT)
	}
}

// checkGCJExport exports regions and producers with --datum gcj02 and
// compares them with the imported files.
func checkGCJExport(t *testing.T, c cli) {
	t.Helper()
	dir := t.TempDir()
	regions, producers := filepath.Join(dir, "regions.geojson"), filepath.Join(dir, "producers.csv")
	for _, args := range [][]string{{"export", "regions", "--datum", "gcj02", "-o", regions}, {"export", "producers", "--datum", "gcj02", "-o", producers}} {
		if out, code := c.run(args...); code != 0 {
			t.Fatalf("coldchain %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
	worst := 0.0
	in := readFC(t, pointCounty+"county-datav-gcj02.geojson").Features[0].Geometry.(orb.MultiPolygon)[0][0]
	for _, f := range readFC(t, regions).Features {
		if f.Properties.MustString("code", "") == "369905" {
			out := f.Geometry.(orb.MultiPolygon)[0][0]
			if len(out) != len(in) {
				t.Fatalf("county exported with %d vertices, imported %d", len(out), len(in))
			}
			for i := range in {
				worst = max(worst, geo.Distance(in[i], out[i]))
			}
		}
	}
	inP, outP := csvPoints(t, pointCounty+"producers-gcj02.csv", "编号", "经度", "纬度"), csvPoints(t, producers, "id", "lon", "lat")
	if len(outP) != len(inP) {
		t.Fatalf("%d producers exported, %d imported", len(outP), len(inP))
	}
	for id, p := range inP {
		worst = max(worst, geo.Distance(p, outP[id]))
	}
	t.Logf("export --datum gcj02 round trip: worst %.3f m over the county's vertices and 200 producers", worst)
	if worst > 0.5 {
		t.Errorf("export --datum gcj02 is %.3f m off the imported GCJ-02 coordinates", worst)
	}
}

func readFC(t *testing.T, path string) *geojson.FeatureCollection {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

func csvPoints(t *testing.T, path, idCol, lonCol, latCol string) map[string]orb.Point {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("%s: %v", path, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	out := map[string]orb.Point{}
	for _, r := range recs[1:] {
		x, _ := strconv.ParseFloat(r[col[lonCol]], 64)
		y, _ := strconv.ParseFloat(r[col[latCol]], 64)
		out[r[col[idCol]]] = orb.Point{x, y}
	}
	return out
}

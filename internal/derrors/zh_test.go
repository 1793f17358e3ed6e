package derrors

import (
	"regexp"
	"strings"
	"testing"
)

// TestChineseImportMessages checks that the import and coverage messages
// a county planner meets come out wholly in Chinese, figures, codes and
// flags kept.
func TestChineseImportMessages(t *testing.T) {
	for _, c := range []struct {
		en   string
		keep []string
	}{
		{"CSV header: column 7 has no name: name every column in the header line, or delete the empty column", []string{"7"}},
		{`CSV header: column "名称" appears twice: rename or delete one of them`, []string{`"名称"`}},
		{"CSV header: no column for the required field code of regions (columns: a, b): name a column code (or 代码, 编码, 区划代码)", []string{"code", "regions", "a, b"}},
		{"CSV header: want lon and lat columns (or longitude/latitude, x/y, 经度/纬度) or a wkt column; got a, b: rename the coordinate columns", []string{"a, b"}},
		{"CSV: the first line (360323101,三江乡,township) looks like data, not a header: add a header line naming the columns, e.g. code,name,level,parent_code,lon,lat (or 代码,名称,级别,上级代码,经度,纬度)", []string{"360323101,三江乡,township"}},
		{"p-17 already exists: import with --upsert to replace it (API: PUT /api/v1/producers/p-17)", []string{"p-17", "--upsert", "/api/v1/producers/p-17"}},
		{"10 regions are known only by a point (360323101, 360323102, 360323103, 360323104, 360323105 and 5 more): their areas are derived, the part of the parent region nearer to the point than to its sibling points, not an official boundary", []string{"10", "360323105 and 5 more"}},
		{"1 feature lies outside every region (row 12): kept without a region code; check the coordinates and --datum, or import the regions that hold them", []string{"1", "12", "--datum"}},
		{"this looks like a DataV/Amap file (adcode properties), whose coordinates are GCJ-02, but no --datum was given, so they were taken as WGS84 and lie 300–700 m off: re-import with --datum gcj02 --upsert (or --datum wgs84 if the file was already converted)", []string{"--datum gcj02 --upsert"}},
		{"the areas of 360323101, 360323102 are derived from their points (the part of the parent nearer to each point than to its siblings), not official boundaries: producers near their edges may belong to a neighbour", []string{"360323101, 360323102"}},
		{"the areas layer is read-only: import regions instead", []string{"areas", "import regions instead"}},
	} {
		zh := Chinese(c.en)
		if zh == c.en || !regexp.MustCompile(`\p{Han}{4}`).MatchString(zh) {
			t.Errorf("not translated: %q -> %q", c.en, zh)
			continue
		}
		for _, k := range c.keep {
			if !strings.Contains(zh, k) {
				t.Errorf("%q lost %q: %q", c.en, k, zh)
			}
		}
		// Sentences are translated whole: no English sentence fragment of
		// the original (three words in a row) is left, except kept parts.
		rest := zh
		for _, k := range c.keep {
			rest = strings.ReplaceAll(rest, k, "")
		}
		if m := regexp.MustCompile(`[a-z]+ [a-z]+ [a-z]+`).FindString(rest); m != "" {
			t.Errorf("%q left English %q in %q", c.en, m, zh)
		}
	}
}

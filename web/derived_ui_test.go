package web_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDerivedAreasUI serves a county known only by township points (the
// point-county test data: DataV boundary, NBS-style township list, GCJ-02)
// and checks that the map draws the ten derived township areas dashed and
// labelled, says they are derived, and that clicking one shows its
// figures with the same note.
func TestDerivedAreasUI(t *testing.T) {
	chromium, out := browserTest(t, "ui-derived")
	base := startPointCounty(t)
	root := newBrowser(t, chromium)
	ctx, cancel := context.WithTimeout(root, 2*time.Minute)
	defer cancel()
	u := &ui{t: t, ctx: ctx, root: root, out: out, base: base}
	u.collectConsole()

	u.do(chromedp.Navigate(base + "/?lang=en"))
	u.wait("the map's first render", `document.body.dataset.ready === "1"`)
	u.wait("key figures", `document.body.dataset.coverage === "county|"`)
	u.waitIdle()
	u.checkDerivedAreasDrawn()
	u.clickDerivedTownship()
	u.noConsoleErrors("on the derived areas")
}

// startPointCounty boots the server on a database holding the point-county
// test data (DataV boundary, NBS-style township list, producers and
// facilities, all in GCJ-02) and returns its base URL.
func startPointCounty(t *testing.T) string {
	t.Helper()
	data, err := filepath.Abs(filepath.Join("..", "internal", "ingest", "testdata", "pointcounty"))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := startServerWith(t, func(run func(args ...string) string) {
		run("import", "regions", filepath.Join(data, "county-datav-gcj02.geojson"), "--datum", "gcj02")
		run("import", "regions", filepath.Join(data, "townships-gcj02.csv"), "--datum", "gcj02")
		run("import", "producers", filepath.Join(data, "producers-gcj02.csv"), "--datum", "gcj02")
		run("import", "facilities", filepath.Join(data, "facilities-gcj02.csv"), "--datum", "gcj02")
	})
	return base
}

// checkDerivedAreasDrawn checks that the map draws the ten derived township
// areas dashed (and none solid), labels at least eight of them, and shows
// the note that they are derived from township points.
func (u *ui) checkDerivedAreasDrawn() {
	u.t.Helper()
	var drawn struct {
		Derived, Given, Labels []string
		Dash                   []float64
	}
	u.eval(`(() => {
		const m = __coldchain.map(), codes = (l) => [...new Set(m.queryRenderedFeatures({layers: [l]}).map((f) => f.properties.code))].sort();
		return {Derived: codes("township-line-derived"), Given: codes("township-line"), Labels: codes("township-label"),
		        Dash: m.getPaintProperty("township-line-derived", "line-dasharray")};
	})()`, &drawn)
	u.t.Logf("drawn: %+v", drawn)
	if len(drawn.Derived) != 10 || len(drawn.Given) != 0 || len(drawn.Dash) == 0 {
		u.t.Errorf("%d township areas drawn dashed, %d solid (dash %v); want the 10 derived ones dashed", len(drawn.Derived), len(drawn.Given), drawn.Dash)
	}
	if len(drawn.Labels) < 8 {
		u.t.Errorf("only %d township labels drawn: %v", len(drawn.Labels), drawn.Labels)
	}
	var note string
	u.eval(`(document.getElementById("derived-areas-note") || {}).textContent || ""`, &note)
	if !strings.Contains(note, "derived from township points") {
		u.t.Errorf("no note that the areas are derived: %q", note)
	}
	u.shot("01-derived-areas")
}

// clickDerivedTownship clicks inside a township away from producers and
// facilities, then checks that its figures load with some producers and
// that the popup carries the derived-area note.
func (u *ui) clickDerivedTownship() {
	u.t.Helper()
	var at struct {
		Code string
		X, Y float64
	}
	u.eval(`(() => {
		const m = __coldchain.map(), r = m.getContainer().getBoundingClientRect();
		const layers = ["facilities", "producers", "township-fill"];
		for (const f of m.querySourceFeatures("township-labels")) {
			const c = m.project(f.geometry.coordinates);
			for (let dy = -30; dy <= 30; dy += 6) for (let dx = -30; dx <= 30; dx += 6) {
				const p = [c.x + dx, c.y + dy], x = r.left + p[0], y = r.top + p[1];
				if (document.elementFromPoint(x, y) !== m.getCanvas()) continue;
				const hit = m.queryRenderedFeatures([[p[0] - 4, p[1] - 4], [p[0] + 4, p[1] + 4]], {layers});
				if (hit.length === 1 && hit[0].properties.code === f.properties.code) return {Code: f.properties.code, X: x, Y: y};
			}
		}
		return {Code: ""};
	})()`, &at)
	if at.Code == "" {
		u.t.Fatal("no township to click")
	}
	u.do(chromedp.MouseClickXY(at.X, at.Y))
	u.wait("the township's figures", `document.body.dataset.coverage === "`+at.Code+`|"`)
	var producers int
	u.eval(`__coldchain.state.coverage.totals.producers`, &producers)
	if producers <= 0 {
		u.t.Errorf("township %s: %d producers", at.Code, producers)
	}
	u.wait("the popup's derived-area note", `!!document.querySelector(".maplibregl-popup .derived-note")`)
	u.shot("02-derived-township")
}

package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestProvinceDrillDownUI serves a small synthetic province (4 counties,
// 2,000 producers), checks that the map opens on the whole province, then
// drills province → prefecture → county → township with the region
// picker: at each level the key figures are the level's (as many producers
// as the API lists under its code), the gap map is fetched for it and the
// map fits its area; the breadcrumb goes back up.
func TestProvinceDrillDownUI(t *testing.T) {
	chromium, out := browserTest(t, "ui-province")
	base, _ := startServerWith(t, func(run func(args ...string) string) {
		run("demo", "--province", "--counties", "4", "--producers", "2000", "--seed", "5")
	})
	root := newBrowser(t, chromium)
	ctx, cancel := context.WithTimeout(root, 4*time.Minute)
	defer cancel()
	u := &ui{t: t, ctx: ctx, root: root, out: out, base: base}
	u.collectConsole()

	u.do(chromedp.Navigate(base + "/?lang=en"))
	u.wait("the map's first render", `document.body.dataset.ready === "1"`)
	u.wait("the province's figures", `document.body.dataset.coverage === "county|" && document.body.dataset.gapsRegion === ""`)
	var top string
	u.eval(`__coldchain.state.county.properties.code`, &top)
	if top != "39" {
		t.Fatalf("the map opens on region %q, want the province 39", top)
	}
	u.checkLevel(top, "province", 2000)
	u.shot("01-province")

	prev := 2000
	for i, level := range []string{"prefecture", "county", "township"} {
		code := u.pick(level)
		u.wait("the "+level+"'s figures", fmt.Sprintf(`document.body.dataset.coverage === %q && document.body.dataset.gapsRegion === %q`, code+"|", code))
		n := u.checkLevel(code, level, -1)
		if n <= 0 || n >= prev {
			t.Errorf("%s %s: %d producers, want some and fewer than the level above's %d", level, code, n, prev)
		}
		prev = n
		u.shot(fmt.Sprintf("%02d-%s", i+2, level))
	}

	// Back up: the county in the breadcrumb, then the province.
	var county string
	u.eval(`document.querySelector("#breadcrumb button[data-code]:last-of-type").dataset.code`, &county)
	u.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('#breadcrumb button[data-code="` + county + `"]').click()`))
	u.wait("the county's figures again", fmt.Sprintf(`document.body.dataset.coverage === %q`, county+"|"))
	u.checkLevel(county, "county", -1)
	u.do(chromedp.Click(chromedp.ID("back-to-county")))
	u.wait("the province's figures again", `document.body.dataset.coverage === "county|" && document.body.dataset.gapsRegion === ""`)
	u.checkLevel(top, "province", 2000)
	u.noConsoleErrors("drilling through the province")
}

// pick chooses the first region the picker offers and says it is of level.
func (u *ui) pick(level string) string {
	u.t.Helper()
	u.wait("the region picker", `!!document.getElementById("region-picker")`)
	var code string
	u.eval(`(() => {
		const s = document.getElementById("region-picker");
		s.value = s.options[1].value;
		s.dispatchEvent(new Event("change"));
		return s.value;
	})()`, &code)
	var got string
	u.eval(fmt.Sprintf(`__coldchain.state.areasByCode[%q].properties.level`, code), &got)
	if got != level {
		u.t.Fatalf("the picker offered %s %s, want a %s", got, code, level)
	}
	return code
}

// checkLevel checks the figures and the map of the region shown: its
// name, as many producers as the API lists under its code (or want when
// not negative), and the map fitting its area. It returns the producers.
func (u *ui) checkLevel(code, level string, want int) int {
	u.t.Helper()
	var st struct {
		Name, Shown string
		Producers   int
		Listed      int
	}
	u.eval(fmt.Sprintf(`(async () => {
		const s = __coldchain.state, a = s.areasByCode[%[1]q];
		const fc = await (await fetch("/api/v1/producers?limit=10000&region=%[1]s")).json();
		return {Name: a.properties.name, Shown: document.getElementById("area-name").textContent,
		        Producers: s.coverage.totals.producers, Listed: fc.features.length};
	})()`, code), &st)
	if st.Shown != st.Name || st.Producers != st.Listed || (want >= 0 && st.Producers != want) {
		u.t.Errorf("%s %s: header %q (want %q), figures count %d producers, the API lists %d (want %d)",
			level, code, st.Shown, st.Name, st.Producers, st.Listed, want)
	}
	// The map fits the area: it shows all of it, and it fills at least
	// 40 % of the map's width or height.
	u.wait("the map to fit "+code, fmt.Sprintf(`(() => {
		const m = __coldchain.map(), a = __coldchain.state.areasByCode[%q];
		if (m.isMoving()) return false;
		const xs = [], ys = [];
		for (const poly of a.geometry.coordinates) for (const [x, y] of poly[0]) { xs.push(x); ys.push(y); }
		const b = m.getBounds(), w = b.getEast() - b.getWest(), h = b.getNorth() - b.getSouth();
		const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys), e = 1e-4;
		const inside = b.getWest() <= x0 + e && b.getEast() >= x1 - e && b.getSouth() <= y0 + e && b.getNorth() >= y1 - e;
		return inside && ((x1 - x0) / w > 0.4 || (y1 - y0) / h > 0.4);
	})()`, code))
	return st.Producers
}

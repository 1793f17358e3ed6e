package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
	"github.com/coldchain/coldchain/web"
)

// uiRun is what TestUI's steps share: the browser, the server and what
// earlier steps found.
type uiRun struct {
	t              *testing.T
	u              *ui
	ctx            context.Context // the browser's
	base, token    string
	metrics        map[string]any
	planA, planB   string // plans the plan step ran
	downloads, out string
}

// TestUI drives the map UI in headless Chromium (Debian's chromium package)
// against the real binary serving the demo county: the map loads without
// console errors, layers toggle, the month slider changes the gap layer, a
// plan runs and its sites appear with explanations, two plans compare, the
// export downloads valid GeoJSON, a candidate site is added and moved, a
// server problem is shown, and the language switch works. Screenshots and
// the page's weight and timings go to testout/ui/.
func TestUI(t *testing.T) {
	chromium, out := browserTest(t, "ui")

	// COLDCHAIN_UI_URL runs the steps against a server already serving
	// the demo county (quicker while working on the UI; it writes plans and
	// a candidate site there).
	base, token := os.Getenv("COLDCHAIN_UI_URL"), os.Getenv("COLDCHAIN_UI_TOKEN")
	if base == "" {
		base, token = startServer(t)
	}

	downloads := t.TempDir()
	ctx := startBrowser(t, chromium, downloads)
	u := &ui{t: t, ctx: ctx, root: ctx, out: out, base: base}
	u.collectConsole()
	// Each step has its own deadline so that a hang fails fast.
	step := func(name string, limit time.Duration, f func()) {
		t.Helper()
		start := time.Now()
		sctx, cancel := context.WithTimeout(ctx, limit)
		u.ctx = sctx
		defer func() {
			cancel()
			u.ctx = ctx
			t.Logf("step %-22s %6.1fs", name, time.Since(start).Seconds())
		}()
		f()
	}

	metrics := map[string]any{}
	ur := &uiRun{t: t, u: u, base: base, token: token, metrics: metrics, downloads: downloads, out: out, ctx: ctx}
	step("load", 90*time.Second, ur.stepLoad)
	step("layer toggles", 45*time.Second, ur.stepLayerToggles)
	step("filters", 45*time.Second, ur.stepFilters)
	step("month slider", 45*time.Second, ur.stepMonthSlider)
	step("township figures", 45*time.Second, ur.stepTownshipFigures)
	step("plan", 120*time.Second, ur.stepPlan)
	step("compare", 45*time.Second, ur.stepCompare)
	step("export", 30*time.Second, ur.stepExport)
	step("problem shown", 30*time.Second, ur.stepProblemShown)
	step("candidate sites", 45*time.Second, ur.stepCandidateSites)
	step("scenario draft", 45*time.Second, func() { u.scenarioDraft(base, token) })
	step("capacity plan", 120*time.Second, u.capacityPlan)
	step("language", 30*time.Second, ur.stepLanguage)

	u.noConsoleErrors("at the end")
	metrics["screenshots"] = out
	b, _ := json.MarshalIndent(metrics, "", "  ")
	if err := os.WriteFile(filepath.Join(out, "metrics.json"), b, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("page weight and timings: %s", b)
}

// browserTest prepares a browser test: it skips it with -short, returns
// the Chromium to drive (skipping the test, or failing it in CI, when
// there is none or the UI is not built) and an emptied folder
// testout/<name> for its screenshots.
func browserTest(t *testing.T, name string) (chromium, out string) {
	t.Helper()
	if testing.Short() {
		t.Skip("boots the binary, a PostgreSQL cluster and a browser")
	}
	out = filepath.Join("..", "testout", name)
	os.RemoveAll(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return uiPreconditions(t), out
}

// uiPreconditions returns the Chromium to drive, skipping the test (or
// failing it in CI) when there is none or the UI is not built.
func uiPreconditions(t *testing.T) string {
	t.Helper()
	ci := os.Getenv("CI") != ""
	chromium := findChromium()
	if chromium == "" {
		if ci {
			t.Fatal("chromium is needed in CI: apt-get install chromium (scripts/deps.sh test does)")
		}
		t.Skip("chromium not installed (apt-get install chromium); skipping the browser test")
	}
	if !web.Built(web.FS()) {
		if ci {
			t.Fatal("the UI is not built: make web")
		}
		t.Skip("the UI is not built (make web); skipping the browser test")
	}
	return chromium
}

// startBrowser starts headless Chromium downloading into downloads; it
// stops when the test ends.
func startBrowser(t *testing.T, chromium, downloads string) context.Context {
	t.Helper()
	ctx := newBrowser(t, chromium)
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, EventsEnabled: new(true),
	}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// newBrowser starts headless Chromium (stopped when the test ends) and
// returns its first tab's context.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("lang", "en-GB"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// stepLoad is the load step.
func (ur *uiRun) stepLoad() {
	t, u := ur.t, ur.u
	u.do(chromedp.Navigate(ur.base + "/?lang=en"))
	u.wait("the map's first render", `document.body.dataset.ready === "1"`)
	u.wait("key figures and gaps", `document.body.dataset.coverage === "county|" && document.body.dataset.gaps === "0|"`)
	u.waitIdle()
	var producers int
	u.eval(`__coldchain.map().queryRenderedFeatures({layers: ["producers"]}).length`, &producers)
	if producers < 200 {
		t.Errorf("only %d producers drawn", producers)
	}
	var kpi string
	u.eval(`document.getElementById("kpi-coverage").innerText`, &kpi)
	if !strings.Contains(kpi, "%") || !strings.Contains(kpi, "Coverage rate") {
		t.Errorf("coverage KPI reads %q", kpi)
	}
	var perf struct {
		FirstRender, FCP, KPIs, Gaps, DOMContentLoaded float64
		Data, MapLoad, Idle                            float64
		Resources                                      []struct {
			Name           string
			Encoded, Bytes float64
		}
	}
	u.eval(`(() => {
		const m = (n) => (performance.getEntriesByName(n)[0] || {}).startTime || 0;
		const nav = performance.getEntriesByType("navigation")[0] || {};
		return {
			FirstRender: m("coldchain-first-render"), FCP: m("first-contentful-paint"),
			KPIs: m("coldchain-kpis"), Gaps: m("coldchain-gaps"), DOMContentLoaded: nav.domContentLoadedEventEnd || 0,
			Data: m("coldchain-data"), MapLoad: m("coldchain-map-load"), Idle: m("coldchain-map-idle"),
			Resources: performance.getEntriesByType("resource").filter((r) => /\/assets\//.test(r.name))
				.map((r) => ({Name: r.name.replace(/^.*\/assets\//, ""), Encoded: r.encodedBodySize, Bytes: r.decodedBodySize})),
		};
	})()`, &perf)
	var js, css, jsRaw, cssRaw float64
	for _, r := range perf.Resources {
		switch {
		case strings.HasSuffix(r.Name, ".css"):
			css += r.Encoded
			cssRaw += r.Bytes
		case strings.HasSuffix(r.Name, ".js"), strings.HasSuffix(r.Name, ".mjs"):
			js += r.Encoded
			jsRaw += r.Bytes
		}
	}
	if js == 0 || css == 0 || js >= jsRaw {
		t.Errorf("assets not served gzip-compressed: %+v", perf.Resources)
	}
	if perf.FirstRender <= 0 {
		t.Errorf("no first-render mark: %+v", perf)
	}
	ur.metrics["first_render_ms"] = int(perf.FirstRender)
	ur.metrics["first_contentful_paint_ms"] = int(perf.FCP)
	ur.metrics["dom_content_loaded_ms"] = int(perf.DOMContentLoaded)
	ur.metrics["kpis_ms"] = int(perf.KPIs)
	ur.metrics["base_data_ms"] = int(perf.Data)
	ur.metrics["map_style_loaded_ms"] = int(perf.MapLoad)
	ur.metrics["map_idle_ms"] = int(perf.Idle)
	ur.metrics["gaps_ms"] = int(perf.Gaps)
	ur.metrics["js_gzip_bytes"] = int(js)
	ur.metrics["css_gzip_bytes"] = int(css)
	ur.metrics["js_bytes"] = int(jsRaw)
	ur.metrics["css_bytes"] = int(cssRaw)
	u.shot("01-overview")
	u.noConsoleErrors("after loading")
}

// stepLayerToggles is the layer toggles step.
func (ur *uiRun) stepLayerToggles() {
	t, u := ur.t, ur.u
	u.do(chromedp.Click(chromedp.ID("layer-producers")))
	u.wait("producers hidden", `__coldchain.map().getLayoutProperty("producers", "visibility") === "none"`)
	u.waitIdle()
	var n int
	u.eval(`__coldchain.map().queryRenderedFeatures({layers: ["producers"]}).length`, &n)
	if n != 0 {
		t.Errorf("%d producers drawn after hiding the layer", n)
	}
	u.do(chromedp.Click(chromedp.ID("layer-producers")))
	u.wait("producers shown", `__coldchain.map().getLayoutProperty("producers", "visibility") === "visible"`)
	u.do(chromedp.Click(chromedp.ID("layer-access")))
	u.waitIdle()
	u.wait("service area lines drawn", `__coldchain.map().queryRenderedFeatures({layers: ["access-lines"]}).length > 100`)
	u.shot("02-service-areas")
	u.do(chromedp.Click(chromedp.ID("layer-access")))
	u.wait("service areas hidden", `__coldchain.map().getLayoutProperty("access-lines", "visibility") === "none"`)
}

// stepFilters is the filters step.
func (ur *uiRun) stepFilters() {
	t, u := ur.t, ur.u
	u.do(chromedp.Click(chromedp.CSS(`#filters [data-class="berry"]`)))
	u.wait("berries' figures and gaps", `document.body.dataset.coverage === "county|berry" && document.body.dataset.gaps === "0|berry"`)
	var cls []string
	u.eval(`__coldchain.state.coverage.classes.map((c) => c.class)`, &cls)
	if fmt.Sprint(cls) != "[berry]" {
		t.Errorf("figures with the berry filter are for %v", cls)
	}
	u.waitIdle()
	var classes []string
	u.eval(`[...new Set(__coldchain.map().queryRenderedFeatures({layers: ["producers"]}).map((f) => f.properties.product_class))]`, &classes)
	if fmt.Sprint(classes) != "[berry]" {
		t.Errorf("producers drawn with the berry filter: %v", classes)
	}
	u.shot("03-filter-berries")
	u.do(chromedp.Click(chromedp.CSS(`#filters [data-class="berry"]`)))
	u.wait("the whole county's figures", `document.body.dataset.coverage === "county|" && document.body.dataset.gaps === "0|"`)
}

// stepMonthSlider is the month slider step.
func (ur *uiRun) stepMonthSlider() {
	t, u := ur.t, ur.u
	var all struct {
		Total float64
		Cells int
	}
	u.eval(`({Total: __coldchain.state.gaps.features.reduce((a, f) => a + f.properties.uncovered_t, 0), Cells: __coldchain.state.gaps.features.length})`, &all)
	if all.Cells == 0 {
		t.Fatal("no gap hexagons for the whole year")
	}
	u.do(chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.getElementById("month-slider");
		s.value = "7";
		s.dispatchEvent(new Event("input", {bubbles: true}));
	})()`))
	u.wait("July's gaps", `document.body.dataset.gaps === "7|" && __coldchain.state.gaps.month === 7`)
	u.waitIdle()
	var july struct {
		Total    float64
		Drawn    int
		Label    string
		Summary  string
		Selected string
	}
	u.eval(`({
		Total: __coldchain.state.gaps.features.reduce((a, f) => a + f.properties.uncovered_t, 0),
		Drawn: __coldchain.map().queryRenderedFeatures({layers: ["gap-fill"]}).length,
		Label: document.getElementById("month-label").textContent,
		Summary: document.getElementById("gap-summary").textContent,
		Selected: (document.querySelector(".chart-month.selected") || {}).dataset?.month || "",
	})`, &july)
	if july.Label != "July" || july.Selected != "7" {
		t.Errorf("month label %q, chart selection %q", july.Label, july.Selected)
	}
	if july.Drawn == 0 || july.Total <= 0 || july.Total >= all.Total {
		t.Errorf("July's gap layer: %d hexagons drawn, %.0f t uncovered (whole year %.0f t)", july.Drawn, july.Total, all.Total)
	}
	var src float64
	u.eval(`__coldchain.map().getSource("gaps").getData().then((d) => d.features.reduce((a, f) => a + f.properties.uncovered_t, 0))`, &src)
	if src != july.Total {
		t.Errorf("the map's gap source holds %.1f t, the month %.1f t", src, july.Total)
	}
	u.shot("04-gaps-july")
}

// stepTownshipFigures is the township figures step.
func (ur *uiRun) stepTownshipFigures() {
	t, u := ur.t, ur.u
	var tw struct {
		Code, Name string
		X, Y       float64
	}
	u.eval(`(() => {
		const m = __coldchain.map(), r = m.getContainer().getBoundingClientRect();
		const layers = ["plan-sites", "facilities", "candidates", "producers", "gap-fill", "exclusion-fill", "facility-area-fill", "township-fill"];
		for (const f of m.querySourceFeatures("township-labels")) {
			const c = m.project(f.geometry.coordinates);
			for (let dy = -30; dy <= 30; dy += 6) for (let dx = -30; dx <= 30; dx += 6) {
				const p = [c.x + dx, c.y + dy], x = r.left + p[0], y = r.top + p[1];
				if (document.elementFromPoint(x, y) !== m.getCanvas()) continue;
				const hit = m.queryRenderedFeatures([[p[0] - 4, p[1] - 4], [p[0] + 4, p[1] + 4]], {layers});
				if (hit.length === 1 && hit[0].layer.id === "township-fill" && hit[0].properties.code === f.properties.code) {
					return {Code: f.properties.code, Name: f.properties.name, X: x, Y: y};
				}
			}
		}
		return null;
	})()`, &tw)
	if tw.Code == "" {
		t.Fatal("no township to click")
	}
	u.do(chromedp.MouseClickXY(tw.X, tw.Y))
	u.wait("the township's figures", fmt.Sprintf(`document.body.dataset.coverage === %q`, tw.Code+"|"))
	var area string
	u.eval(`document.getElementById("area-name").textContent`, &area)
	if area != tw.Name {
		t.Errorf("figures for %q, want %q", area, tw.Name)
	}
	var producers int
	u.eval(`__coldchain.state.coverage.totals.producers`, &producers)
	if producers <= 0 || producers >= 2000 {
		t.Errorf("the township's figures count %d producers", producers)
	}
	u.shot("05-township")
	u.do(chromedp.Click(chromedp.ID("back-to-county")))
	u.wait("the county's figures", `document.body.dataset.coverage === "county|"`)
}

// stepPlan is the plan step.
func (ur *uiRun) stepPlan() {
	t, u := ur.t, ur.u
	u.do(chromedp.Click(chromedp.ID("tabbtn-plan")))
	u.setField("plan-problem", "mclp")
	u.setField("plan-type", "precooling")
	u.setField("plan-tier", "field")
	u.do(chromedp.Click(chromedp.CSS(`[data-plan-class="berry"]`)))
	u.setField("plan-p", "3")
	u.setField("plan-threshold", "10")
	// Without a token the server refuses, and the UI says what to do.
	u.allow(401, "/api/v1/plans")
	u.do(chromedp.Click(chromedp.ID("plan-submit")))
	u.wait("the refusal", `[...document.querySelectorAll(".msg-error")].some((m) => m.innerText.includes("A token is needed") && m.innerText.includes("Settings"))`)
	u.shot("06-token-needed")
	u.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".msg").forEach((m) => m.remove())`))
	u.do(chromedp.Click(chromedp.ID("settings-btn")))
	u.setField("settings-token", ur.token)
	u.do(chromedp.Click(chromedp.ID("settings-save")))
	u.wait("the token", `document.getElementById("token-status").classList.contains("on")`)
	u.do(chromedp.Click(chromedp.ID("plan-submit")))
	ur.planA = u.waitPlan("none")
	var sites int
	u.eval(`document.querySelectorAll("#site-list li").length`, &sites)
	if sites != 3 {
		t.Fatalf("%d sites listed, want 3", sites)
	}
	u.waitIdle()
	u.wait("the plan's sites on the map", `__coldchain.map().queryRenderedFeatures({layers: ["plan-sites"]}).length === 3`)
	u.wait("assignment lines", `__coldchain.map().queryRenderedFeatures({layers: ["plan-lines"]}).length > 10`)
	u.do(chromedp.Click(chromedp.CSS("#site-list li:first-child")))
	u.wait("the site's explanation", `!!document.querySelector(".maplibregl-popup .pop-site .explanation")`)
	u.waitIdle()
	var expl string
	u.eval(`document.querySelector(".maplibregl-popup .pop-site").innerText`, &expl)
	for _, want := range []string{"why here", "serves", "producers", "without it the plan loses", "t covered", "nearest existing facility"} {
		if !strings.Contains(strings.ToLower(expl), want) {
			t.Errorf("explanation lacks %q:\n%s", want, expl)
		}
	}
	u.shot("07-plan-result")
	// The map's stars open the same explanation.
	u.do(chromedp.Click(chromedp.ID("fit-sites")))
	u.wait("the popup closed", `!document.querySelector(".maplibregl-popup")`)
	u.wait("the map still", `!__coldchain.map().isMoving()`)
	u.waitIdle()
	var star struct{ X, Y float64 }
	u.eval(`(() => {
		const m = __coldchain.map(), r = m.getContainer().getBoundingClientRect();
		const f = __coldchain.state.plan.result.sites.features.find((f) => f.properties.rank === 2);
		const p = m.project(f.geometry.coordinates);
		return {X: r.left + p.x, Y: r.top + p.y};
	})()`, &star)
	u.do(chromedp.MouseClickXY(star.X, star.Y))
	u.wait("site 2's explanation", `/site 2/i.test((document.querySelector(".maplibregl-popup .pop-site") || {}).innerText || "")`)

	// A second plan to compare with.
	u.setField("plan-problem", "pmedian")
	u.setField("plan-type", "cold_room")
	u.setField("plan-tier", "township")
	for _, c := range []string{"leafy_vegetable", "berry", "fruit"} {
		u.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-plan-class=%q]`, c))))
	}
	u.setField("plan-p", "2")
	u.setField("plan-threshold", "")
	u.do(chromedp.Click(chromedp.ID("plan-submit")))
	ur.planB = u.waitPlan(ur.planA)
	var classes []string
	u.eval(`__coldchain.state.plan.params.product_classes`, &classes)
	if fmt.Sprint(classes) != "[fruit]" {
		t.Errorf("the second plan is for %v, want [fruit]", classes)
	}
}

// stepCompare is the compare step.
func (ur *uiRun) stepCompare() {
	t, u := ur.t, ur.u
	u.do(chromedp.Click(chromedp.ID("tabbtn-compare")))
	u.setField("compare-a", ur.planA)
	u.setField("compare-b", ur.planB)
	u.do(chromedp.Click(chromedp.ID("compare-run")))
	u.wait("the comparison", fmt.Sprintf(`document.body.dataset.compare === %q`, ur.planA+","+ur.planB))
	var table struct {
		Rows    int
		Headers []string
		Better  int
	}
	u.eval(`({
		Rows: document.querySelectorAll("#compare-table tbody tr").length,
		Headers: [...document.querySelectorAll("#compare-table thead th")].map((th) => th.textContent),
		Better: document.querySelectorAll("#compare-table td.better").length,
	})`, &table)
	if table.Rows < 10 || len(table.Headers) != 3 || table.Better == 0 {
		t.Errorf("comparison table: %+v", table)
	}
	u.waitIdle()
	u.wait("both plans' sites on the map", `(() => {
		const w = new Set(__coldchain.map().queryRenderedFeatures({layers: ["plan-sites"]}).map((f) => f.properties.which));
		return w.has("a") && w.has("b");
	})()`)
	u.shot("08-compare")
}

// stepExport is the export step.
func (ur *uiRun) stepExport() {
	t, u := ur.t, ur.u
	u.do(chromedp.Click(chromedp.ID("tabbtn-plan")))
	u.do(chromedp.Click(chromedp.ID("export-geojson")))
	path := waitFile(t, u.ctx, ur.downloads, ".geojson")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("export is not JSON: %v\n%.300s", err, b)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 2 {
		t.Fatalf("export: type %q with %d features, want a FeatureCollection of the 2 sites", fc.Type, len(fc.Features))
	}
	for _, f := range fc.Features {
		if f.Type != "Feature" || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 || f.Properties["name"] == nil {
			t.Errorf("exported feature: %+v", f)
		}
	}
	t.Logf("export: %s (%d bytes)", filepath.Base(path), len(b))

	// The Excel button downloads a workbook in the UI's language; the
	// report button and the scenario picker are there.
	u.do(chromedp.Click(chromedp.ID("export-xlsx")))
	path = waitFile(t, u.ctx, ur.downloads, ".xlsx")
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("the Excel export does not open: %v", err)
	}
	if got := wb.GetSheetList(); !slices.Equal(got, plan.SheetNames["en"]) {
		t.Errorf("workbook sheets %v, want %v", got, plan.SheetNames["en"])
	}
	wb.Close()
	var ui struct {
		Report   bool     `json:"report"`
		Scenario []string `json:"scenario"`
	}
	u.eval(`({report: !!document.getElementById("open-report"),
			scenario: [...document.querySelectorAll("#plan-scenario option")].map((o) => o.textContent)})`, &ui)
	if !ui.Report || len(ui.Scenario) == 0 || ui.Scenario[0] != "Shared layers (no scenario)" {
		t.Errorf("plan panel: report button %v, scenario picker %q", ui.Report, ui.Scenario)
	}
	u.shot("08b-export-report-scenario")
}

// stepProblemShown is the problem shown step.
func (ur *uiRun) stepProblemShown() {
	t, u := ur.t, ur.u
	u.setField("plan-problem", "mclp")
	u.setField("plan-p", "0")
	u.allow(400, "/api/v1/plans")
	u.do(chromedp.Click(chromedp.ID("plan-submit")))
	u.wait("the server's problem", `[...document.querySelectorAll(".msg-error")].some((m) => m.innerText.includes("p ≥ 1"))`)
	var msg string
	u.eval(`[...document.querySelectorAll(".msg-error")].map((m) => m.innerText).join("\n")`, &msg)
	if !strings.Contains(msg, "The request is not valid") {
		t.Errorf("problem message: %q", msg)
	}
	u.shot("09-problem")
	u.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".msg").forEach((m) => m.remove())`))
}

// stepCandidateSites is the candidate sites step.
func (ur *uiRun) stepCandidateSites() {
	t, u := ur.t, ur.u
	var before int
	u.eval(`__coldchain.state.candidates.features.length`, &before)
	u.do(chromedp.Click(chromedp.ID("edit-btn")))
	u.wait("candidate markers", fmt.Sprintf(`document.querySelectorAll(".cand-marker").length === %d`, before))
	u.do(chromedp.Evaluate[chromedp.Void](`void __coldchain.map().jumpTo({center: __coldchain.map().getCenter(), zoom: 10})`))
	u.waitIdle()
	// A point of the county where nothing but the map is.
	var pt struct{ X, Y float64 }
	u.eval(`(() => {
		const m = __coldchain.map(), r = m.getContainer().getBoundingClientRect();
		for (let i = 0; i < 400; i++) {
			const x = r.left + r.width * (0.35 + 0.3 * ((i * 37) % 100) / 100), y = r.top + r.height * (0.3 + 0.4 * ((i * 61) % 100) / 100);
			if (document.elementFromPoint(x, y) === m.getCanvas()) return {X: x, Y: y};
		}
		return null;
	})()`, &pt)
	u.do(chromedp.MouseClickXY(pt.X, pt.Y))
	u.wait("the new site form", `!!document.getElementById("cand-form")`)
	u.setField("cand-name", "UI test site")
	u.do(chromedp.Click(chromedp.ID("cand-save")))
	u.wait("the new site", fmt.Sprintf(`__coldchain.state.candidates.features.length === %d`, before+1))
	var added struct {
		ID     string
		Coords []float64
	}
	u.eval(`(() => { const f = __coldchain.state.candidates.features.at(-1); return {ID: String(f.id ?? f.properties.id), Coords: f.geometry.coordinates}; })()`, &added)
	u.wait("its marker", fmt.Sprintf(`!!document.querySelector('.cand-marker[data-id=%q]')`, added.ID))
	var m struct{ X, Y float64 }
	u.eval(fmt.Sprintf(`(() => { const r = document.querySelector('.cand-marker[data-id=%q]').getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`, added.ID), &m)
	u.do(chromedp.MouseEvent(chromedp.MousePressed, m.X, m.Y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	for i := 1; i <= 8; i++ {
		u.do(chromedp.MouseEvent(chromedp.MouseMoved, m.X+float64(i)*8, m.Y+float64(i)*4, chromedp.ButtonLeft))
	}
	u.do(chromedp.MouseEvent(chromedp.MouseReleased, m.X+64, m.Y+32, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	u.wait("the move saved", `[...document.querySelectorAll(".msg-ok")].some((m) => m.innerText.includes("moved"))`)
	var moved []float64
	u.eval(fmt.Sprintf(`__coldchain.state.candidates.features.find((f) => String(f.id ?? f.properties.id) === %q).geometry.coordinates`, added.ID), &moved)
	if len(moved) != 2 || moved[0] <= added.Coords[0] || moved[1] >= added.Coords[1] {
		t.Errorf("the site moved from %v to %v; want east and south", added.Coords, moved)
	}
	var stored struct {
		Geometry struct{ Coordinates []float64 }
	}
	getJSON(t, ur.base+"/api/v1/candidates/"+added.ID, &stored)
	if fmt.Sprint(stored.Geometry.Coordinates) != fmt.Sprint(moved) {
		t.Errorf("the server holds %v, the map %v", stored.Geometry.Coordinates, moved)
	}
	u.shot("10-candidates")
	u.do(chromedp.Click(chromedp.ID("edit-btn")))
	u.wait("editing off", `!document.body.classList.contains("editing") && document.querySelectorAll(".cand-marker").length === 0`)
}

// stepLanguage is the language step.
func (ur *uiRun) stepLanguage() {
	t, u := ur.t, ur.u
	u.do(chromedp.Click(chromedp.ID("tabbtn-overview")))
	u.do(chromedp.Click(chromedp.ID("lang-btn")))
	u.wait("Chinese", `document.documentElement.lang === "zh-CN" && document.getElementById("tabbtn-overview").textContent === "概览"`)
	var zh struct {
		Missing          []string
		KPI, Layers, Tab string
		Month            string
	}
	u.eval(`({
		Missing: __coldchain.missingKeys(),
		KPI: document.getElementById("kpi-coverage").innerText,
		Layers: document.getElementById("layers-panel").innerText,
		Tab: document.getElementById("tabbtn-plan").textContent,
		Month: document.getElementById("month-label").textContent,
	})`, &zh)
	if len(zh.Missing) > 0 {
		t.Errorf("untranslated keys: %v", zh.Missing)
	}
	if !strings.Contains(zh.KPI, "覆盖率") || !strings.Contains(zh.Layers, "生产主体") || zh.Tab != "规划" || zh.Month != "7月" {
		t.Errorf("Chinese UI: %+v", zh)
	}
	u.waitIdle()
	u.shot("11-zh-overview")
	u.do(chromedp.Click(chromedp.ID("tabbtn-plan")))
	var result string
	u.eval(`document.getElementById("plan-result").innerText`, &result)
	if !strings.Contains(result, "规划前") || !strings.Contains(result, "覆盖率") {
		t.Errorf("Chinese plan result:\n%s", result)
	}
	u.shot("12-zh-plan")
	u.do(chromedp.Click(chromedp.ID("lang-btn")))
	u.wait("English again", `document.documentElement.lang === "en" && document.getElementById("tabbtn-overview").textContent === "Overview"`)
}

// ui is one browser tab on the UI, with helpers that fail the test.
type ui struct {
	t    *testing.T
	ctx  context.Context // the current step's
	root context.Context // the browser's
	out  string
	base string

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
	allowed []string // failed requests a step causes on purpose: "status path"
}

func (u *ui) do(actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	if err := chromedp.Do(u.ctx, actions...); err != nil {
		u.t.Fatalf("browser: %v", err)
	}
}

// eval evaluates js and decodes its JSON value into v.
func (u *ui) eval(js string, v any) {
	u.t.Helper()
	raw, err := chromedp.Run(u.ctx, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("evaluate %.80q: %v", js, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		u.t.Fatalf("evaluate %.80q: %v (%s)", js, err, raw)
	}
}

// wait polls js until it is truthy.
func (u *ui) wait(what, js string) {
	u.t.Helper()
	_, err := chromedp.Run(u.ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(0)))
	if err != nil {
		u.shot("failed")
		u.t.Fatalf("waiting for %s: %v\nconsole:\n%s", what, err, u.consoleText())
	}
}

// waitIdle waits until the map has drawn everything it has.
func (u *ui) waitIdle() {
	u.t.Helper()
	u.do(chromedp.Evaluate[chromedp.Void](`window.__idle = false; __coldchain.map().once("idle", () => (window.__idle = true)); __coldchain.map().triggerRepaint(); void 0`))
	u.wait("the map to be idle", `window.__idle === true`)
}

// setField sets a form field's value as a person would, firing its events.
func (u *ui) setField(id, value string) {
	u.t.Helper()
	u.wait("field "+id, fmt.Sprintf(`!!document.getElementById(%q)`, id))
	u.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const el = document.getElementById(%q);
		el.value = %q;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, id, value)))
}

// waitPlan waits for a plan other than prev to finish and returns its id.
func (u *ui) waitPlan(prev string) string {
	u.t.Helper()
	u.wait("the plan to finish", fmt.Sprintf(`(() => {
		const p = document.body.dataset.plan || "";
		return !__coldchain.state.running && p.includes(":") && !p.startsWith(%q);
	})()`, prev+":"))
	var status string
	u.eval(`document.body.dataset.plan`, &status)
	id, st, _ := strings.Cut(status, ":")
	if st != "done" {
		u.t.Fatalf("plan %s ended %s\nconsole:\n%s", id, st, u.consoleText())
	}
	return id
}

func (u *ui) shot(name string) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.root, 20*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		u.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(u.out, name+".png"), buf, 0o644); err != nil {
		u.t.Error(err)
	}
}

// collectConsole records every console message of the tab.
func (u *ui) collectConsole() {
	msgs := chromedp.Console(u.ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			u.mu.Lock()
			u.console = append(u.console, m)
			u.mu.Unlock()
		}
	}()
}

func (u *ui) consoleText() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	var b strings.Builder
	for _, m := range u.console {
		fmt.Fprintf(&b, "  %s (%s:%d)\n", m, m.URL, m.Line)
	}
	return b.String()
}

// allow lets the browser log one failed request that a step causes on
// purpose (Chromium logs every 4xx response as a console error).
func (u *ui) allow(status int, path string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.allowed = append(u.allowed, fmt.Sprintf("%d %s", status, path))
}

// noConsoleErrors fails the test for any console error or exception so
// far, but for the failed requests allowed.
func (u *ui) noConsoleErrors(when string) {
	u.t.Helper()
	time.Sleep(200 * time.Millisecond) // let the last events arrive
	u.mu.Lock()
	defer u.mu.Unlock()
	allowed := slices.Clone(u.allowed)
	for _, m := range u.console {
		if m.Type != chromedp.ConsoleError && !m.IsException() {
			continue
		}
		if m.Source == "network" {
			if i := slices.IndexFunc(allowed, func(a string) bool {
				status, path, _ := strings.Cut(a, " ")
				return strings.Contains(m.Text, "status of "+status) && strings.HasSuffix(m.URL, path)
			}); i >= 0 {
				allowed = slices.Delete(allowed, i, i+1)
				continue
			}
		}
		u.t.Errorf("console %s %s: %s (%s:%d)", when, m.Type, m.Text, m.URL, m.Line)
	}
}

func findChromium() string {
	if p := os.Getenv("COLDCHAIN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// startServer builds coldchain, loads the demo county into a fresh
// embedded cluster, makes a planner token and serves it; it returns the
// base URL and the token.
func startServer(t *testing.T) (string, string) {
	t.Helper()
	return startServerWith(t, func(run func(args ...string) string) { run("demo") })
}

// startServerWith is startServer with setup loading the data instead of
// the demo county (run runs a coldchain command and returns its output).
func startServerWith(t *testing.T, setup func(run func(args ...string) string)) (string, string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "coldchain")
	build := exec.Command("go", "build", "-o", bin, "github.com/coldchain/coldchain/cmd/coldchain")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	// The postgres system user runs the cluster when the test runs as root.
	home, err := os.MkdirTemp("", "coldchain-ui-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(home, 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "COLDCHAIN_HOME="+home, "DATABASE_URL=")
	run := func(args ...string) string {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("coldchain %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
		}
		return string(out)
	}
	t.Cleanup(func() {
		cmd := exec.Command(bin, "db", "stop")
		cmd.Env = env
		_ = cmd.Run()
		os.RemoveAll(home)
	})
	setup(run)
	token := strings.TrimSpace(run("token", "create", "--role", "planner", "--name", "UI test"))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	serve := exec.Command(bin, "serve", "--addr", addr)
	serve.Env = env
	var logs pgtest.LogBuffer
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		serve.Process.Kill()
		serve.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, token
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready:\n%s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitFile waits for a finished download whose name ends in suffix.
func waitFile(t *testing.T, ctx context.Context, dir, suffix string) string {
	t.Helper()
	for {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), suffix) {
				return filepath.Join(dir, e.Name())
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s download in %s: %v", suffix, dir, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// scenarioDraft makes a scenario in the plan form and drags a candidate:
// the move is a draft of the scenario and the shared candidates layer
// keeps the site where it was. Applying the scenario after another
// planner changed it is refused (412) and changes nothing; applying it
// again moves the shared site. The compare tab filters plans by scenario.
func (u *ui) scenarioDraft(base, token string) {
	t := u.t
	u.do(chromedp.Click(chromedp.ID("tabbtn-plan")))
	u.do(chromedp.Evaluate[chromedp.Void](`void (window.prompt = () => "UI draft test")`))
	u.do(chromedp.Click(chromedp.ID("plan-scenario-new")))
	u.wait("the new scenario picked", `__coldchain.state.scenario !== "" && !!document.getElementById("plan-scenario-apply")`)
	var scID string
	u.eval(`__coldchain.state.scenario`, &scID)
	u.do(chromedp.Click(chromedp.ID("edit-btn")))
	var id string
	u.eval(`String(__coldchain.state.candidates.features.at(-1).id ?? __coldchain.state.candidates.features.at(-1).properties.id)`, &id)
	var shared struct {
		Geometry struct{ Coordinates []float64 }
	}
	getJSON(t, base+"/api/v1/candidates/"+id, &shared)
	u.dragCandidate(id, -64)
	u.wait("the draft saved", `[...document.querySelectorAll(".msg-ok")].some((m) => m.innerText.includes("draft"))`)
	var now struct {
		Geometry struct{ Coordinates []float64 }
	}
	getJSON(t, base+"/api/v1/candidates/"+id, &now)
	var got scenarioDrafts
	getJSON(t, base+"/api/v1/scenarios/"+scID, &got)
	if fmt.Sprint(now.Geometry.Coordinates) != fmt.Sprint(shared.Geometry.Coordinates) {
		t.Errorf("a draft move changed the shared candidate: %v -> %v", shared.Geometry.Coordinates, now.Geometry.Coordinates)
	}
	if len(got.Drafts) != 1 || got.Drafts[0].ID != id || got.draftLon(0) >= shared.Geometry.Coordinates[0] {
		t.Fatalf("scenario drafts %+v; want %s moved west of %v", got.Drafts, id, shared.Geometry.Coordinates)
	}
	u.shot("10a-scenario-draft")
	u.do(chromedp.Click(chromedp.ID("edit-btn")))
	u.wait("editing off", `!document.body.classList.contains("editing")`)
	u.applyScenario(base, token, scID, id, got)
	u.compareByScenario(scID)
}

// scenarioDrafts is a scenario as GET /api/v1/scenarios/{id} answers.
type scenarioDrafts struct {
	Version   int     `json:"version"`
	AppliedAt *string `json:"applied_at"`
	Drafts    []struct {
		ID      string
		Feature json.RawMessage
	} `json:"drafts"`
}

// draftLon is the longitude of draft i's feature.
func (d *scenarioDrafts) draftLon(i int) float64 {
	var f struct {
		Geometry struct{ Coordinates []float64 }
	}
	json.Unmarshal(d.Drafts[i].Feature, &f)
	return f.Geometry.Coordinates[0]
}

// dragCandidate drags candidate id's marker dx pixels east (west when
// negative).
func (u *ui) dragCandidate(id string, dx float64) {
	u.wait("its marker", fmt.Sprintf(`!!document.querySelector('.cand-marker[data-id=%q]')`, id))
	var m struct{ X, Y float64 }
	u.eval(fmt.Sprintf(`(() => { const r = document.querySelector('.cand-marker[data-id=%q]').getBoundingClientRect(); return {X: r.left + r.width / 2, Y: r.top + r.height / 2}; })()`, id), &m)
	u.do(chromedp.MouseEvent(chromedp.MousePressed, m.X, m.Y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
	for i := 1; i <= 8; i++ {
		u.do(chromedp.MouseEvent(chromedp.MouseMoved, m.X+dx*float64(i)/8, m.Y, chromedp.ButtonLeft))
	}
	u.do(chromedp.MouseEvent(chromedp.MouseReleased, m.X+dx, m.Y, chromedp.ButtonLeft, chromedp.ClickCount(1)))
}

// applyScenario: another planner adds a draft behind the UI's back, so
// the UI's Apply names a stale version and is refused; the second Apply
// (the UI re-read the scenario) writes the drafts to the shared layer.
func (u *ui) applyScenario(base, token, scID, id string, before scenarioDrafts) {
	t := u.t
	other := fmt.Sprintf(`{"op": "put", "layer": "candidates", "feature": %s}`, before.Drafts[0].Feature)
	req, _ := http.NewRequest("POST", base+"/api/v1/scenarios/"+scID+"/drafts", strings.NewReader(other))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the other planner's draft: %d", resp.StatusCode)
	}
	u.do(chromedp.Evaluate[chromedp.Void](`void (window.confirm = () => true)`))
	u.allow(412, "/apply")
	u.do(chromedp.Click(chromedp.ID("plan-scenario-apply")))
	u.wait("the stale apply refused", `[...document.querySelectorAll(".msg-error")].length > 0`)
	var sc scenarioDrafts
	getJSON(t, base+"/api/v1/scenarios/"+scID, &sc)
	if sc.AppliedAt != nil {
		t.Fatalf("a stale If-Match applied the scenario")
	}
	u.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll(".msg").forEach((m) => m.remove())`))
	u.do(chromedp.Click(chromedp.ID("plan-scenario-apply")))
	u.wait("the scenario applied", `__coldchain.state.scenario === "" && [...document.querySelectorAll(".msg-ok")].some((m) => m.innerText.includes("Applied"))`)
	var now struct {
		Geometry struct{ Coordinates []float64 }
	}
	getJSON(t, base+"/api/v1/candidates/"+id, &now)
	if want := before.draftLon(0); math.Abs(now.Geometry.Coordinates[0]-want) > 1e-6 {
		t.Errorf("after apply the shared candidate is at lon %v, want the draft's %v", now.Geometry.Coordinates[0], want)
	}
	u.shot("10a-scenario-applied")
}

// compareByScenario narrows the compare tab's first list to the scenario.
func (u *ui) compareByScenario(scID string) {
	u.do(chromedp.Click(chromedp.ID("tabbtn-compare")))
	u.wait("the scenario filters", `!!document.getElementById("compare-scenario-a") && [...document.querySelectorAll("#compare-scenario-a option")].some((o) => o.textContent === "UI draft test")`)
	u.setField("compare-scenario-a", scID)
	var n int
	u.eval(`document.querySelectorAll("#compare-a option").length`, &n)
	if n != 1 { // only "–": no plan ran on the scenario
		u.t.Errorf("the compare list narrowed to the new scenario has %d entries, want only the empty one", n)
	}
	u.setField("compare-scenario-a", "")
	u.do(chromedp.Click(chromedp.ID("tabbtn-plan")))
}

package web_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// partRow is a row of a province plan's parts table, beside the part as
// the API gives it.
type partRow struct {
	N                        int
	Region, Name, Status     string
	Objective, Gap, Sites    string // the row's cells
	APIName, APIStatus       string
	APIObjective, APIGap     float64
	APISites                 int
	APIRanks, ListedRanks    []int // the part's sites' ranks in the plan; the ranks listed when it is picked
	APINotesZH, ShownNotesZH []string
}

// TestProvincePlanUI runs a province plan from the plan form on a small
// synthetic province (4 counties, 2,000 producers, 5 s per county): the
// form's area is the province shown on the map, the result lists the
// county parts with their own figures (as the API returns them), the
// combined plan states no bound and says how borders were handled, a part
// clicked zooms the map to its county and lists its sites (whose popup
// names the part), everything
// reads in Chinese too, the area follows the region picked on the map,
// and a list of counties runs as a plan of those parts.
func TestProvincePlanUI(t *testing.T) {
	chromium, out := browserTest(t, "ui-province-plan")
	base, token := startServerWith(t, func(run func(args ...string) string) {
		run("demo", "--province", "--counties", "4", "--producers", "2000", "--seed", "5")
	})
	root := newBrowser(t, chromium)
	ctx, cancel := context.WithTimeout(root, 5*time.Minute)
	defer cancel()
	u := &ui{t: t, ctx: ctx, root: root, out: out, base: base}
	u.collectConsole()

	u.do(chromedp.Navigate(base + "/?lang=en"))
	u.wait("the map's first render", `document.body.dataset.ready === "1"`)
	u.wait("the province's figures", `document.body.dataset.coverage === "county|"`)
	u.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`localStorage.setItem("coldchain.token", %q)`, token)))
	var province string
	u.eval(`__coldchain.state.county.properties.name`, &province)
	u.do(chromedp.Click(chromedp.ID("tabbtn-plan")))
	u.wantScope("Whole province: " + province + " (as on the map)")
	u.wait("the split hint", `(document.getElementById("plan-split-hint") || {}).textContent?.startsWith("Planned by county")`)

	u.setField("plan-problem", "capacity")
	u.do(chromedp.Click(chromedp.CSS(`[data-plan-class="leafy_vegetable"]`)))
	u.do(chromedp.Click(chromedp.CSS(`[data-plan-class="citrus"]`)))
	u.setField("plan-budget", "1000")
	u.setField("plan-time-limit", "5")
	u.do(chromedp.Click(chromedp.ID("plan-submit")))
	id := u.waitPlan("none")
	rows := u.partRows(id)
	checkPartRows(t, rows, 4)
	u.checkCombinedShown()
	u.scrollTo("#plan-parts")
	u.shot("01-province-plan")

	picked := slices.IndexFunc(rows, func(r partRow) bool { return r.APIStatus == "done" && r.APISites > 0 })
	if picked < 0 {
		t.Fatalf("no county part with sites: %+v", rows)
	}
	p := rows[picked]
	u.click(fmt.Sprintf(`#plan-parts tr[data-part="%d"]`, p.N))
	u.wait("the county's figures", fmt.Sprintf(`document.body.dataset.coverage === %q`, p.Region+"|"))
	u.checkLevel(p.Region, "county", -1)
	rows = u.partRows(id)
	if got := rows[picked].ListedRanks; !slices.Equal(got, rows[picked].APIRanks) {
		t.Errorf("part %d picked: sites ranked %v listed, want its own %v", p.N, got, rows[picked].APIRanks)
	}
	u.wait("the list titled by the county", fmt.Sprintf(`document.getElementById("sites-title").textContent.startsWith(%q)`, "Sites in "+p.APIName))
	u.wantScope("Whole county: " + p.APIName + " (as on the map)")
	u.click("#site-list li")
	u.wait("the site's popup naming its county part", fmt.Sprintf(`(document.querySelector(".pop-site .pop-kicker") || {}).textContent?.endsWith(%q)`, "county part: "+p.APIName))
	u.shot("02-part-picked")

	u.do(chromedp.Click(chromedp.ID("lang-btn")))
	u.wait("Chinese", `document.documentElement.lang === "zh-CN"`)
	u.wait("the parts in Chinese", `document.querySelector("#plan-parts h4").textContent.startsWith("各县部分") &&
		document.getElementById("result-gap").textContent.startsWith("合并方案无整体界")`)
	if r := u.partRows(id)[0]; !slices.Equal(r.ShownNotesZH, r.APINotesZH) || len(r.APINotesZH) < 3 {
		t.Errorf("notes shown in Chinese %q, want the plan's notes_zh %q", r.ShownNotesZH, r.APINotesZH)
	}
	u.wantScope("全县：" + p.APIName + "（地图所选）")
	u.shot("03-zh")
	u.do(chromedp.Click(chromedp.ID("lang-btn")))
	u.wait("English", `document.documentElement.lang === "en"`)

	u.runCountyList(id)
	u.noConsoleErrors("running province plans")
}

// click waits for the element css selects and clicks it.
func (u *ui) click(css string) {
	u.t.Helper()
	u.wait(css, fmt.Sprintf(`!!document.querySelector(%q)`, css))
	u.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, css)))
}

// scrollTo scrolls the element css selects into view (for screenshots).
func (u *ui) scrollTo(css string) {
	u.t.Helper()
	u.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).scrollIntoView(); void 0`, css)))
}

// wantScope waits until the plan form's area reads want.
func (u *ui) wantScope(want string) {
	u.t.Helper()
	u.wait("the plan's area "+want, fmt.Sprintf(`(() => {
		const s = document.getElementById("plan-region");
		return !!s && s.selectedOptions[0].textContent === %q;
	})()`, want))
}

// partRows reads plan id's parts table and the plan's parts from the API.
func (u *ui) partRows(id string) []partRow {
	u.t.Helper()
	var rows []partRow
	u.eval(fmt.Sprintf(`(async () => {
		const p = await (await fetch("/api/v1/plans/%s")).json();
		const listed = [...document.querySelectorAll("#site-list li")].map((li) => Number(li.dataset.rank));
		const shownNotes = [...document.querySelectorAll("#result-notes li")].map((li) => li.textContent);
		return p.result.parts.map((part) => {
			const tr = document.querySelector('#plan-parts tr[data-part="' + part.n + '"]');
			const td = tr ? [...tr.cells].map((c) => c.textContent) : [];
			return {N: part.n, Region: tr ? tr.dataset.region : "", Name: td[0] || "", Status: td[1] || "",
				Objective: td[2] || "", Gap: td[3] || "", Sites: td[4] || "",
				APIName: part.name, APIStatus: part.status, APIObjective: part.objective, APIGap: part.gap, APISites: part.sites,
				APIRanks: p.result.sites.features.filter((f) => f.properties.part === part.n).map((f) => f.properties.rank),
				ListedRanks: listed, APINotesZH: p.result.notes_zh, ShownNotesZH: shownNotes};
		});
	})()`, id), &rows)
	return rows
}

// checkPartRows checks that the table lists want parts, each with the
// API's county, status, objective, proven gap (or "no bound") and sites.
func checkPartRows(t *testing.T, rows []partRow, want int) {
	t.Helper()
	if len(rows) != want {
		t.Fatalf("%d parts, want %d", len(rows), want)
	}
	number := func(s string) float64 {
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.NewReplacer(",", "", "%", "").Replace(s)), 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	done := 0
	for _, r := range rows {
		bad := r.Region == "" || !strings.HasPrefix(r.Name, r.APIName+" "+r.Region) || number(r.Sites) != float64(r.APISites)
		if r.APIStatus == "done" {
			done++
			bad = bad || r.Status != "Done" || math.Abs(number(r.Objective)-r.APIObjective) > 0.051 ||
				math.Abs(number(r.Gap)-r.APIGap) > 0.051 || !strings.HasSuffix(r.Gap, "%")
		} else {
			bad = bad || r.Gap != "no bound" || r.Objective != "–"
		}
		if bad {
			t.Errorf("part %d row {%s | %s | %s | %s | %s}, want %s %s, %s, objective %.1f, gap %.2f %%, %d sites",
				r.N, r.Name, r.Status, r.Objective, r.Gap, r.Sites, r.APIName, r.Region, r.APIStatus, r.APIObjective, r.APIGap, r.APISites)
		}
	}
	if done == 0 {
		t.Errorf("no part done: %+v", rows)
	}
}

// checkCombinedShown checks what the result says of the combined plan:
// no bound, and the notes (open) on borders and the missing bound.
func (u *ui) checkCombinedShown() {
	u.t.Helper()
	var st struct{ Gap, Notes string }
	u.eval(`({Gap: document.getElementById("result-gap").textContent,
		Notes: document.getElementById("result-notes").open ? document.getElementById("result-notes").innerText : ""})`, &st)
	if !strings.HasPrefix(st.Gap, "no bound for the combined plan") || !strings.Contains(st.Notes, "border: each part saw") ||
		!strings.Contains(st.Notes, "no bound is stated for the combined plan") {
		u.t.Errorf("combined plan shown with gap %q and notes %q; want no bound, and the border and bound notes open", st.Gap, st.Notes)
	}
}

// runCountyList goes back to the province, checks that the plan's area
// follows a prefecture picked on the map, then runs the plan over a list
// of two counties and sees it split into those two parts.
func (u *ui) runCountyList(prev string) {
	u.t.Helper()
	u.click("#tabbtn-overview")
	u.click("#back-to-county")
	u.wait("the province's figures again", `document.body.dataset.coverage === "county|"`)
	code := u.pick("prefecture")
	var name string
	u.eval(fmt.Sprintf(`__coldchain.state.areasByCode[%q].properties.name`, code), &name)
	u.click("#tabbtn-plan")
	u.wantScope("Whole prefecture: " + name + " (as on the map)")

	u.setField("plan-region", "@counties")
	u.wait("the county chips", `document.querySelectorAll("[data-plan-county]").length === 4`)
	var codes []string
	u.eval(`[...document.querySelectorAll("[data-plan-county]")].slice(0, 2).map((b) => b.dataset.planCounty)`, &codes)
	for _, c := range codes {
		u.click(fmt.Sprintf(`[data-plan-county="%s"]`, c))
	}
	u.click("#plan-submit")
	id := u.waitPlan(prev)
	var regions []string
	u.eval(fmt.Sprintf(`(async () => (await (await fetch("/api/v1/plans/%s")).json()).params.regions)()`, id), &regions)
	if !slices.Equal(regions, codes) {
		u.t.Errorf("the plan over a list of counties asked for regions %v, want %v", regions, codes)
	}
	rows := u.partRows(id)
	checkPartRows(u.t, rows, 2)
	u.scrollTo("#plan-parts")
	for i, r := range rows {
		if r.Region != codes[i] {
			u.t.Errorf("part %d is %s, want %s", r.N, r.Region, codes[i])
		}
	}
	u.shot("04-county-list")
}

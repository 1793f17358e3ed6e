package web_test

import (
	"strconv"
	"strings"

	"github.com/chromedp/chromedp"
)

// capacityPlan runs the planners' capacity question on the demo county in
// the Plan tab: the most citrus tonnes handled by new ventilated stores
// within a budget. The result lists real sites, handling before → after
// by class and month, the poverty-exit share, in English and Chinese.
func (u *ui) capacityPlan() {
	t := u.t
	u.do(chromedp.Click(chromedp.ID("tabbtn-plan")))
	var problems []string
	u.eval(`[...document.querySelectorAll("#plan-problem option")].map((o) => o.value)`, &problems)
	if len(problems) < 6 || problems[1] != "capacity" {
		t.Errorf("problem list %v: want the registry's, capacity among them", problems)
	}
	u.setField("plan-problem", "capacity")
	u.setField("plan-type", "ventilated_store")
	u.setField("plan-tier", "township")
	u.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("[data-plan-class].on").forEach((b) => b.click())`))
	u.do(chromedp.Click(chromedp.CSS(`[data-plan-class="citrus"]`)))
	u.setField("plan-mode", "budget")
	u.setField("plan-budget", "3000")
	var prev string
	u.eval(`(document.body.dataset.plan || "").split(":")[0]`, &prev)
	u.do(chromedp.Click(chromedp.ID("plan-submit")))
	u.waitPlan(prev)
	var r struct {
		Sites, Months      int
		Classes, Poverty   string
		Problem, Objective string
	}
	u.eval(`({
		Sites: document.querySelectorAll("#site-list li").length,
		Months: document.querySelectorAll("#result-months rect[data-month]").length,
		Classes: document.getElementById("result-handling-by-class").innerText,
		Poverty: document.getElementById("result-poverty").innerText,
		Problem: __coldchain.state.plan.result.problem,
		Objective: document.getElementById("plan-result").innerText,
	})`, &r)
	if r.Sites == 0 || r.Months != 12 || r.Problem != "capacity" || !strings.Contains(r.Classes, "→") || !strings.Contains(r.Poverty, "%") {
		t.Errorf("capacity plan result: %+v", r)
	}
	if !strings.Contains(r.Objective, "tonnes handled") {
		t.Errorf("objective label missing:\n%s", r.Objective)
	}
	u.shot("10b-capacity-plan")
	// Adopting the plan counts its sites as planned facilities: the
	// county's handling rate goes up by what the plan adds.
	var before float64
	u.eval(`__coldchain.state.coverage.totals.handling_rate`, &before)
	u.do(chromedp.Click(chromedp.ID("plan-adopt")))
	u.wait("adopted", `[...document.querySelectorAll(".msg-ok")].some((m) => m.innerText.includes("Adopted"))`)
	u.wait("figures with planned facilities", `__coldchain.state.includePlanned && !!__coldchain.state.coverage && __coldchain.state.coverage.totals.handling_rate > `+strconv.FormatFloat(before, 'f', 6, 64))
	u.do(chromedp.Click(chromedp.ID("tabbtn-overview")))
	u.do(chromedp.Click(chromedp.ID("include-planned")))
	u.wait("figures without them", `!__coldchain.state.includePlanned && !!__coldchain.state.coverage && Math.abs(__coldchain.state.coverage.totals.handling_rate - `+strconv.FormatFloat(before, 'f', 9, 64)+`) < 1e-6`)
	u.do(chromedp.Click(chromedp.ID("tabbtn-plan")))
	u.do(chromedp.Click(chromedp.ID("lang-btn")))
	u.wait("Chinese result", `document.documentElement.lang === "zh-CN"`)
	var zh string
	u.eval(`document.getElementById("plan-result").innerText`, &zh)
	for _, want := range []string{"分品类处理率", "脱贫地区获益", "可达冷库年处理吨数", "建设投资"} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese capacity result lacks %q:\n%s", want, zh)
		}
	}
	u.shot("10c-capacity-plan-zh")
	u.do(chromedp.Click(chromedp.ID("lang-btn")))
	u.wait("English again", `document.documentElement.lang === "en"`)
}

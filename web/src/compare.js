// The compare tab: two finished plans side by side, their sites on the
// map in two colours.

import { h, fill, $, guard, showError } from "./dom.js";
import { t, label, classShort, fmtT, fmtPct, fmtCNY, fmtNum, getLang } from "./i18n.js";
import { state, emit, on } from "./state.js";
import { planColours } from "./symbols.js";
import * as api from "./api.js";

const picked = { a: "", b: "" };
// scenarioOf narrows each side's plan list: "" any plan, "-" plans on the
// shared layers, else a scenario id.
const scenarioOf = { a: "", b: "" };
let scenarios = null;

async function loadScenarios() {
  const r = await guard(t("cmp_scenario"), () => api.get("/api/v1/scenarios"));
  scenarios = r ? r.scenarios : [];
  renderCompare();
}

// A scenario made, changed or applied in the plan tab: read them again.
on("scenarios", loadScenarios);

function scenarioLabel(id) {
  if (!id) return t("plan_scenario_shared");
  const s = (scenarios || []).find((x) => x.id === id);
  return s ? s.name : id.slice(0, 8);
}

function onScenario(p, which) {
  const want = scenarioOf[which];
  return want === "" || (want === "-" ? !p.scenario : p.scenario === want);
}

/** Renders the compare tab. */
export function renderCompare() {
  const root = $("tab-compare");
  if (scenarios === null) {
    scenarios = [];
    loadScenarios();
  }
  const done = (state.plans || []).filter((p) => p.status === "done");
  if (!picked.a && done[1]) picked.a = done[1].id;
  if (!picked.b && done[0]) picked.b = done[0].id;
  const scenarioSel = (which) => h("select", {
    id: `compare-scenario-${which}`, class: "compare-scenario", title: t("cmp_scenario"),
    onchange: (e) => {
      scenarioOf[which] = e.target.value;
      const first = done.find((p) => onScenario(p, which));
      picked[which] = first ? first.id : "";
      renderCompare();
    },
  },
  [["", t("compare_scenario_all")], ["-", t("plan_scenario_shared")], ...(scenarios || []).map((s) => [s.id, s.name])]
    .map(([v, l]) => h("option", { value: v, selected: v === scenarioOf[which] }, l)));
  const sel = (which) => h("label", { class: "field" },
    h("span", { class: "field-label" }, h("span", { class: "swatch-dot", style: { background: planColours[which] } }), t(which === "a" ? "compare_a" : "compare_b")),
    (scenarios || []).length ? scenarioSel(which) : null,
    h("select", { id: `compare-${which}`, onchange: (e) => (picked[which] = e.target.value) },
      h("option", { value: "" }, "–"),
      done.filter((p) => onScenario(p, which)).map((p) => h("option", { value: p.id, selected: p.id === picked[which] },
        (p.name || p.id) + (p.scenario ? ` · ${scenarioLabel(p.scenario)}` : "")))));
  fill(root,
    h("section", { class: "panel" },
      h("div", { class: "panel-head" }, h("h3", null, t("compare_title"))),
      h("p", { class: "muted small" }, t("compare_intro")),
      sel("a"), sel("b"),
      h("div", { class: "form-actions" }, h("button", { class: "btn primary", type: "button", id: "compare-run", onclick: run }, t("compare_run")))),
    table());
}

async function run() {
  if (!picked.a || !picked.b || picked.a === picked.b) {
    showError(new Error(t("compare_need_two")), t("compare_title"));
    return;
  }
  const res = await guard(t("compare_title"), () => Promise.all([
    api.get(`/api/v1/plans?compare=${encodeURIComponent(picked.a)},${encodeURIComponent(picked.b)}`),
    api.get(`/api/v1/plans/${picked.a}`),
    api.get(`/api/v1/plans/${picked.b}`),
  ]));
  if (!res) return;
  const [cmp, a, b] = res;
  const byId = Object.fromEntries((cmp.plans || []).map((p) => [p.id, p]));
  state.compare = { a, b, summaries: [byId[picked.a], byId[picked.b]] };
  emit("compare");
}

function table() {
  const c = state.compare;
  if (!c) return h("div", { id: "compare-table", hidden: true });
  const [A, B] = c.summaries;
  if (!A || !B) return h("div", { id: "compare-table", hidden: true });
  const sep = getLang() === "zh" ? "、" : ", ";
  const costPerT = (p) => (p.newly_covered_t > 0 ? p.build_cost / p.newly_covered_t : null);
  // [label, value of a plan, formatter, which is better: 1 higher, -1 lower, 0 none]
  const rows = [
    [t("cmp_scenario"), (p) => scenarioLabel(p.scenario), null, 0],
    [t("cmp_problem"), (p) => label("problem", p.problem), null, 0],
    [t("cmp_type"), (p) => `${label("tier", p.tier)} ${label("facility_type", p.facility_type)}`, null, 0],
    [t("cmp_classes"), (p) => (p.product_classes || []).map(classShort).join(sep), null, 0],
    [t("cmp_sites"), (p) => p.sites, (v) => fmtNum(v), 0],
    [t("cmp_build_cost"), (p) => p.build_cost, fmtCNY, -1],
    [t("cmp_coverage"), (p) => p.coverage_rate_after, (v, p) => `${fmtPct(p.coverage_rate_before)} → ${fmtPct(v)}`, 1],
    [t("cmp_handling"), (p) => p.handling_rate_after, (v, p) => `${fmtPct(p.handling_rate_before)} → ${fmtPct(v)}`, 1],
    [t("cmp_newly"), (p) => p.newly_covered_t, fmtT, 1],
    [t("cmp_improved"), (p) => p.improved_producers, (v) => fmtNum(v), 1],
    [t("cmp_capacity"), (p) => Object.entries(p.capacity_added_t || {}).map(([z, v]) => `${label("zone", z)} ${fmtT(v)}`).join(" · ") || "–", null, 0],
    [t("cmp_cost_per_t"), costPerT, (v) => (v === null ? "–" : t("unit_cny_per_t", { v: fmtNum(v * 10000, 0) })), -1],
    [t("cmp_gap"), (p) => (p.no_bound ? null : p.gap), (v, p) => (p.no_bound ? t("result_no_bound") : Number.isFinite(v) ? fmtPct(v / 100, 2) : "–"), -1],
  ];
  const cell = (p, other, [, get, f, better]) => {
    const v = get(p), o = get(other);
    const win = better !== 0 && v !== null && o !== null && v !== o && (better > 0 ? v > o : v < o);
    return h("td", { class: win ? "better" : "" }, f ? f(v, p) : v, win ? h("span", { class: "better-tag" }, t("compare_better")) : null);
  };
  return h("section", { class: "panel", id: "compare-table" },
    h("table", { class: "data compare" },
      h("thead", null, h("tr", null,
        h("th", null, t("compare_metric")),
        h("th", { title: A.name || A.id }, h("span", { class: "plan-badge", style: { background: planColours.a } }, "A"), h("span", { class: "plan-head-name" }, A.name || A.id)),
        h("th", { title: B.name || B.id }, h("span", { class: "plan-badge", style: { background: planColours.b } }, "B"), h("span", { class: "plan-head-name" }, B.name || B.id)))),
      h("tbody", null, rows.map((r) => h("tr", null, h("th", null, r[0]), cell(A, B, r), cell(B, A, r))))));
}

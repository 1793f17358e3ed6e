// The plan tab: the form, progress while the engine runs, the result with
// before/after and an explanation per site, exports, and recent plans.

import { h, fill, $, showError, guard, notify } from "./dom.js";
import { t, label, classShort, values, fmtT, fmtPct, fmtPP, fmtMin, fmtCNY, fmtNum, fmtMargin, getLang } from "./i18n.js";
import { state, emit } from "./state.js";
import { classColour, planColours } from "./symbols.js";
import * as api from "./api.js";
import { mapScope, scopeLabel, countyAreas, levelOf, viewCode } from "./regions.js";
import { partsSection, partSites, pickedPart, partName } from "./parts.js";

// spec returns the registry entry of a problem (GET /api/v1/problems).
function spec(name) {
  return state.problems.find((p) => p.name === name) || { name, needs_p: true, uses_p: true };
}

// form keeps what the planner typed across re-renders (language switch).
// The default asks the planners' central question: where does capacity
// for the most tonnes go within a budget.
const form = {
  name: "",
  problem: "capacity",
  facility_type: "cold_room",
  tier: "township",
  product_classes: [],
  p: 3,
  budget: 1000,
  mode: "budget",
  handling_target: 60,
  poverty_weight: 1,
  coverage_target: 95,
  threshold_minutes: "",
  // region: "@map" follows the region shown on the map, "@counties" is
  // the list in counties, anything else one region's code.
  region: "@map",
  counties: [],
  time_limit: 30,
  candidates: "both",
  scenario: "",
  initialised: false, // product classes defaulted once
};

// scenarios lists the named scenarios (null until first loaded).
let scenarios = null;

async function loadScenarios() {
  const r = await guard(t("plan_scenario"), () => api.get("/api/v1/scenarios"));
  scenarios = r ? r.scenarios.filter((s) => !s.applied_at) : [];
  renderPlan();
}

// scenariosChanged reads the scenarios again here and in the compare tab.
async function scenariosChanged() {
  await loadScenarios();
  emit("scenarios");
}

// newScenario asks for a name and makes a scenario plans can run on.
async function newScenario() {
  const name = window.prompt(t("plan_scenario_name"));
  if (!name || !name.trim()) return;
  const s = await guard(t("plan_scenario"), () => api.request("/api/v1/scenarios", { method: "POST", body: { name: name.trim() } }));
  if (!s) return;
  form.scenario = state.scenario = s.id;
  await scenariosChanged();
}

// applyScenario writes the picked scenario's drafts to the shared layers,
// naming the version last read so that a scenario changed meanwhile by
// another planner is refused (412) rather than applied unseen.
async function applyScenario() {
  const id = form.scenario;
  if (!id) return;
  const sc = (scenarios || []).find((s) => s.id === id);
  if (!window.confirm(t("plan_scenario_apply_confirm", { name: sc ? sc.name : id, n: sc ? sc.drafts.length : 0 }))) return;
  const done = await guard(t("plan_scenario_apply"), () => api.request(`/api/v1/scenarios/${id}/apply`, { method: "POST", headers: { "If-Match": `"v${sc ? sc.version : 0}"` } }));
  if (!done) {
    await loadScenarios();
    return;
  }
  notify(t("plan_scenario_applied", { name: done.name, n: fmtNum(done.drafts.length) }));
  form.scenario = state.scenario = "";
  const [facilities, candidates] = await Promise.all([api.allFeatures("facilities"), api.allFeatures("candidates")]);
  state.facilities = facilities;
  state.candidates = candidates;
  await scenariosChanged();
  emit("candidates");
  emit("filter");
}

function scenarioName(id) {
  const s = (scenarios || []).find((x) => x.id === id);
  return s ? s.name : id.slice(0, 8);
}

let polling = null;

/** Renders the plan tab. */
export function renderPlan() {
  const root = $("tab-plan");
  if (!form.initialised && state.classes.length) {
    form.initialised = true;
    form.product_classes = state.filter.classes.length ? state.filter.classes.slice() : ["leafy_vegetable"].filter((c) => state.classes.some((x) => x.code === c));
  }
  if (scenarios === null) {
    scenarios = [];
    loadScenarios();
  }
  fill(root, planForm(), progress(), result(), recent());
}

function field(labelText, input, hint) {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, labelText), input, hint ? h("span", { class: "field-hint" }, hint) : null);
}

function select(id, value, options, onchange) {
  return h("select", { id, onchange: (e) => onchange(e.target.value) },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
}

function planForm() {
  const sp = spec(form.problem);
  const needsP = sp.needs_p || sp.uses_p;
  const problems = state.problems.length ? state.problems.map((p) => p.name) : ["mclp", "lscp", "pmedian", "pcenter", "cflp"];
  const classChips = state.classes.map((c) => {
    const on = form.product_classes.includes(c.code);
    return h("button", {
      type: "button", class: "chip-toggle" + (on ? " on" : ""), "data-plan-class": c.code, "aria-pressed": on ? "true" : "false",
      onclick: () => {
        const i = form.product_classes.indexOf(c.code);
        if (i >= 0) form.product_classes.splice(i, 1);
        else form.product_classes.push(c.code);
        renderPlan();
      },
    }, h("span", { class: "dot", style: { background: classColour(c.code) } }), classShort(c.code));
  });
  const running = !!state.running;
  return h("form", {
    class: "panel plan-form", id: "plan-form", novalidate: true,
    onsubmit: (e) => {
      e.preventDefault();
      submit();
    },
  },
  h("div", { class: "panel-head" }, h("h3", null, t("plan_title"))),
  h("p", { class: "muted small" }, t("plan_intro")),
  field(t("plan_problem"), select("plan-problem", form.problem, problems.map((p) => [p, t("problem_" + p)]), (v) => {
    form.problem = v;
    renderPlan();
  })),
  h("div", { class: "row2" },
    field(t("plan_type"), select("plan-type", form.facility_type, values("facility_type").map((v) => [v, label("facility_type", v)]), (v) => (form.facility_type = v))),
    field(t("plan_tier"), select("plan-tier", form.tier, values("tier").map((v) => [v, label("tier", v)]), (v) => (form.tier = v)))),
  h("div", { class: "field" }, h("span", { class: "field-label" }, t("plan_classes")), h("div", { class: "chips" }, classChips)),
  sp.budget_or_handling_target
    ? field(t("plan_mode"), select("plan-mode", form.mode, [["budget", t("mode_budget")], ["target", t("mode_target")]], (v) => {
      form.mode = v;
      renderPlan();
    }))
    : null,
  h("div", { class: "row2" },
    needsP ? field(t("plan_p"), h("input", { id: "plan-p", type: "number", min: 1, max: 1000, step: 1, value: form.p, oninput: (e) => (form.p = e.target.value) })) : null,
    sp.uses_coverage_target
      ? field(t("plan_target"), h("span", { class: "unit-input" }, h("input", { id: "plan-target", type: "number", min: 1, max: 100, step: 1, value: form.coverage_target, oninput: (e) => (form.coverage_target = e.target.value) }), h("span", null, "%")))
      : null,
    sp.budget_or_handling_target && form.mode === "target"
      ? field(t("plan_handling_target"), h("span", { class: "unit-input" }, h("input", { id: "plan-handling-target", type: "number", min: 1, max: 100, step: 1, value: form.handling_target, oninput: (e) => (form.handling_target = e.target.value) }), h("span", null, "%")))
      : field(t("plan_budget"), h("input", { id: "plan-budget", type: "number", min: 0, step: 10, value: form.budget, placeholder: "0", oninput: (e) => (form.budget = e.target.value) }), t("plan_budget_unit"))),
  field(t("plan_priority"), h("input", { id: "plan-priority", type: "number", min: 0.1, max: 10, step: 0.5, value: form.poverty_weight, oninput: (e) => (form.poverty_weight = e.target.value) }), t("plan_priority_hint")),
  h("div", { class: "row2" },
    field(t("plan_threshold"), h("input", { id: "plan-threshold", type: "number", min: 1, max: 2880, step: 1, value: form.threshold_minutes, placeholder: "–", oninput: (e) => (form.threshold_minutes = e.target.value) }), t("plan_threshold_hint")),
    field(t("plan_time_limit"), h("input", { id: "plan-time-limit", type: "number", min: 1, max: 600, step: 1, value: form.time_limit, oninput: (e) => (form.time_limit = e.target.value) }), t("plan_time_limit_hint"))),
  scopeField(sp),
  field(t("plan_candidates"), select("plan-candidates", form.candidates, [["both", t("cand_both")], ["user", t("cand_user")], ["generated", t("cand_generated")]], (v) => (form.candidates = v))),
  field(t("plan_scenario"), h("span", { class: "unit-input" },
    select("plan-scenario", form.scenario, [["", t("plan_scenario_shared")], ...(scenarios || []).map((s) => [s.id, `${s.name} (${s.drafts.length})`])], (v) => (form.scenario = state.scenario = v)),
    h("button", { class: "btn small", type: "button", id: "plan-scenario-new", onclick: newScenario }, "+ " + t("plan_scenario_new")),
    form.scenario ? h("button", { class: "btn small", type: "button", id: "plan-scenario-apply", title: t("plan_scenario_apply_hint"), onclick: applyScenario }, t("plan_scenario_apply")) : null), t("plan_scenario_hint")),
  field(t("plan_name"), h("input", { id: "plan-name", type: "text", maxlength: 200, value: form.name, oninput: (e) => (form.name = e.target.value) })),
  h("div", { class: "form-actions" },
    h("button", { class: "btn primary", type: "submit", id: "plan-submit", disabled: running }, t("plan_submit"))));
}

// scopeOptions lists the areas a plan may cover: the region shown on the
// map (the default, following the picker), the province, prefectures and
// counties, the townships of the region shown, and a list of counties.
function scopeOptions() {
  const view = viewCode();
  const areas = Object.values(state.areasByCode)
    .filter((f) => f.properties.level !== "township" || !view || f.properties.code.startsWith(view))
    .sort((a, b) => a.properties.code.localeCompare(b.properties.code));
  const opts = [["@map", t("plan_scope_map", { scope: scopeLabel(mapScope()) })], ...areas.map((f) => [f.properties.code, scopeLabel(f.properties.code)])];
  if (countyAreas().length > 1) opts.push(["@counties", t("plan_scope_counties")]);
  return opts;
}

// planScope is the scope the form asks for: {region} or {regions}, {}
// for the whole data, or {error}. A county that is all the data is asked
// for as the whole data, as before regions nested.
function planScope() {
  if (form.region === "@counties") {
    if (!form.counties.length) return { error: t("plan_need_county") };
    if (form.counties.length > MAX_REGIONS) return { error: t("plan_too_many_counties", { max: MAX_REGIONS }) };
    return form.counties.length === 1 ? { region: form.counties[0] } : { regions: form.counties.slice() };
  }
  const code = form.region === "@map" ? mapScope() : form.region;
  const only = state.tops.length === 1 ? state.tops[0].properties : null;
  if (!code || (only && only.code === code && only.level === "county")) return {};
  return { region: code };
}

// MAX_REGIONS is the most regions a plan may list (plan.MaxRegions).
const MAX_REGIONS = 200;

// scopeField is the plan's area: the picker of scopes, the county chips
// for a list, and whether the plan runs by county parts.
function scopeField(sp) {
  const sc = planScope();
  const codes = sc.regions || (sc.region ? [sc.region] : []);
  const above = codes.length > 1 || codes.some((c) => ["province", "prefecture"].includes(levelOf(c)));
  const hint = !above ? null : sp.separable === false ? t("plan_whole_hint") : t("plan_split_hint");
  const chips = form.region !== "@counties" ? null : h("div", { class: "chips", id: "plan-counties" }, countyAreas().map((f) => {
    const code = f.properties.code, on = form.counties.includes(code);
    return h("button", {
      type: "button", class: "chip-toggle" + (on ? " on" : ""), "data-plan-county": code, "aria-pressed": on ? "true" : "false",
      onclick: () => {
        const i = form.counties.indexOf(code);
        if (i >= 0) form.counties.splice(i, 1);
        else form.counties.push(code);
        renderPlan();
      },
    }, f.properties.name);
  }));
  return h("div", { class: "field", id: "plan-scope" },
    h("span", { class: "field-label" }, t("plan_region")),
    select("plan-region", form.region, scopeOptions(), (v) => {
      form.region = v;
      renderPlan();
    }),
    chips ? h("span", { class: "field-hint" }, t("plan_scope_counties_hint", { n: form.counties.length, max: MAX_REGIONS })) : null,
    chips,
    hint ? h("span", { class: "field-hint", id: "plan-split-hint" }, hint) : null);
}

/** A plan's parameters in words, in the current language. */
export function describePlan(req) {
  return autoName(req || { product_classes: [] });
}

function autoName(req) {
  const cls = req.product_classes.map(classShort).join(getLang() === "zh" ? "、" : ", ");
  const size = req.p ? ` p=${req.p}` : "";
  const sc = req.scenario ? ` · ${t("plan_scenario")}: ${scenarioName(req.scenario)}` : "";
  return `${label("tier", req.tier)} ${label("facility_type", req.facility_type)} · ${cls} · ${label("problem", req.problem)}${size}${sc}`.slice(0, 200);
}

function num(v) {
  if (v === "" || v === null || v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : NaN;
}

async function submit() {
  if (form.product_classes.length === 0) {
    showError(new Error(t("plan_need_class")), t("plan_title"));
    return;
  }
  const req = {
    problem: form.problem,
    facility_type: form.facility_type,
    tier: form.tier,
    product_classes: form.product_classes.slice(),
    candidates: form.candidates,
  };
  const sp = spec(form.problem);
  if (sp.needs_p) req.p = num(form.p);
  else if (sp.uses_p && num(form.p)) req.p = num(form.p);
  const budget = num(form.budget);
  if (sp.budget_or_handling_target && form.mode === "target") {
    const tgt = num(form.handling_target);
    if (tgt !== undefined) req.handling_target = tgt / 100;
  } else if (budget !== undefined) req.budget = budget;
  const pw = num(form.poverty_weight);
  if (pw !== undefined && pw !== 1) req.priority = { poverty_exit: pw };
  if (sp.uses_coverage_target) {
    const tgt = num(form.coverage_target);
    if (tgt !== undefined) req.coverage_target = tgt / 100;
  }
  const thr = num(form.threshold_minutes);
  if (thr !== undefined) req.threshold_minutes = thr;
  const scope = planScope();
  if (scope.error) {
    showError(new Error(scope.error), t("plan_title"));
    return;
  }
  if (scope.region) req.region = scope.region;
  if (scope.regions) req.regions = scope.regions;
  const limit = num(form.time_limit);
  if (limit !== undefined) req.time_limit_s = limit;
  if (form.scenario) req.scenario = form.scenario;
  req.name = form.name.trim() || autoName(req);
  for (const [k, v] of Object.entries(req)) {
    if (typeof v === "number" && Number.isNaN(v)) {
      showError(new api.ApiError(400, "", `${k}: not a number`), t("plan_title"));
      return;
    }
  }
  const p = await guard(t("plan_title"), () => api.request("/api/v1/plans", { method: "POST", body: req }));
  if (!p) return;
  state.running = { id: p.id, status: p.status, started: performance.now(), limit: p.params?.time_limit_s || 30 };
  renderPlan();
  poll(p.id);
}

function poll(id) {
  clearTimeout(polling);
  const tick = async () => {
    if (!state.running || state.running.id !== id) return;
    let p;
    try {
      p = await api.get(`/api/v1/plans/${id}`);
    } catch (e) {
      state.running = null;
      renderPlan();
      showError(e, t("plan_title"));
      return;
    }
    if (!state.running || state.running.id !== id) return;
    state.running.status = p.status;
    state.running.parts = p.parts_progress || null;
    if (p.status === "done" || p.status === "failed") {
      state.running = null;
      if (p.status === "failed") {
        showError(new api.ApiError(422, "", p.error || t("plan_status_failed")), t("plan_status_failed"));
      }
      state.plan = p;
      state.compare = null;
      emit("plan", p);
      refreshRecent();
      return;
    }
    updateProgress();
    polling = setTimeout(tick, 500);
  };
  polling = setTimeout(tick, 300);
}

function updateProgress() {
  const el = $("plan-progress");
  if (!el) return;
  el.replaceWith(progress());
}

function progress() {
  const r = state.running;
  if (!r) return h("div", { id: "plan-progress", hidden: true });
  const secs = (performance.now() - r.started) / 1000;
  const pp = r.parts;
  const ended = pp ? pp.done + pp.failed + pp.skipped : 0;
  const share = pp ? Math.min(0.95, (ended + 0.5 * pp.running) / Math.max(1, pp.total)) : Math.min(0.95, secs / Math.max(1, r.limit));
  const text = r.cancelling ? t("plan_cancelling") : r.status === "queued" && !(pp && pp.running) ? t("plan_status_queued")
    : pp ? t("plan_status_parts", { n: fmtNum(ended), total: fmtNum(pp.total), s: fmtNum(secs, 1) }) : t("plan_status_running", { s: fmtNum(secs, 1) });
  return h("div", { class: "panel progress-card", id: "plan-progress", "data-status": r.status },
    h("div", { class: "progress-head" }, h("span", { class: "spinner" }), h("span", { id: "plan-status-text" }, text)),
    h("div", { class: "progress" }, h("span", { style: { width: `${Math.max(4, share * 100)}%` } })),
    h("button", { class: "btn small ghost", type: "button", id: "plan-cancel", disabled: !!r.cancelling, onclick: () => cancel(r.id) }, t("plan_cancel")));
}

async function cancel(id) {
  if (!state.running) return;
  state.running.cancelling = true;
  updateProgress();
  await guard(t("plan_cancel"), () => api.request(`/api/v1/plans/${id}/cancel`, { method: "POST" }));
}

function delta(before, after, fmt, diffFmt) {
  const d = after - before;
  return h("div", { class: "ba" },
    h("span", { class: "ba-before" }, fmt(before)),
    h("span", { class: "ba-arrow" }, "→"),
    h("span", { class: "ba-after" }, fmt(after)),
    d ? h("span", { class: "ba-delta " + (d > 0 ? "up" : "down") }, diffFmt(d)) : null);
}

function result() {
  const p = state.plan;
  if (!p) return h("div", { id: "plan-result", hidden: true });
  if (p.status !== "done" || !p.result) {
    return h("section", { class: "panel result", id: "plan-result", "data-status": p.status },
      h("div", { class: "panel-head" }, h("h3", null, p.params?.name || p.id)),
      h("div", { class: "warn" }, p.error || label("plan_status", p.status)));
  }
  const r = p.result;
  const c = r.change || {};
  const allSites = r.sites?.features || [];
  const sites = partSites(r, allSites);
  const part = pickedPart(r);
  const capacity = Object.entries(c.capacity_added_t || {}).filter(([, v]) => v > 0).map(([z, v]) => `${label("zone", z)} ${fmtT(v)}`).join(" · ") || "–";
  const siteRows = sites.map((f) => {
    const e = f.properties.explanation || {};
    return h("li", { class: "site-row", "data-rank": f.properties.rank, tabindex: 0, role: "button",
      onclick: () => emit("show-site", f), onkeydown: (ev) => (ev.key === "Enter" ? emit("show-site", f) : null) },
    h("span", { class: "site-rank", style: { background: planColours.current } }, f.properties.rank),
    h("span", { class: "site-main" },
      h("span", { class: "site-name" }, (getLang() === "zh" && f.properties.name_zh) || f.properties.name || f.properties.candidate_id),
      h("span", { class: "site-sub" }, `${t("expl_serves", { n: fmtNum(e.serves_producers), t: fmtT(e.serves_t) })}`)),
    h("span", { class: "site-gain", title: t("expl_marginal", { v: fmtMargin(e.marginal_gain, e.marginal_label) }) }, fmtMargin(e.marginal_gain, e.marginal_label)));
  });
  const byClass = (r.by_class || []).map((b) => {
    const bef = b.output_t ? b.covered_t_before / b.output_t : 0, aft = b.output_t ? b.covered_t_after / b.output_t : 0;
    return h("div", { class: "cls-ba" },
      h("span", { class: "bar-label" }, h("span", { class: "dot", style: { background: classColour(b.class) } }), classShort(b.class)),
      h("span", { class: "bar two" },
        h("span", { class: "after", style: { width: `${aft * 100}%`, background: classColour(b.class) } }),
        h("span", { class: "before", style: { width: `${bef * 100}%` } })),
      h("span", { class: "bar-value" }, `${fmtPct(bef, 0)} → ${fmtPct(aft, 0)}`));
  });
  const byClassHandled = (r.by_class || []).map((b) => {
    const bef = b.handling_rate_before || 0, aft = b.handling_rate_after || 0;
    return h("div", { class: "cls-ba", "data-class": b.class },
      h("span", { class: "bar-label" }, h("span", { class: "dot", style: { background: classColour(b.class) } }), classShort(b.class)),
      h("span", { class: "bar two" },
        h("span", { class: "after", style: { width: `${Math.min(1, aft) * 100}%`, background: classColour(b.class) } }),
        h("span", { class: "before", style: { width: `${Math.min(1, bef) * 100}%` } })),
      h("span", { class: "bar-value" }, `${fmtPct(bef, 0)} → ${fmtPct(aft, 0)}`));
  });
  const zh = getLang() === "zh";
  const notes = (zh && r.notes_zh && r.notes_zh.length ? r.notes_zh : r.notes) || [];
  const pov = r.priority || {};
  const gapText = r.no_bound ? t("result_no_combined_bound") : Number.isFinite(r.gap) ? t("result_gap_value", { v: fmtPct(r.gap / 100, r.gap < 0.01 ? 2 : 1) }) : t("result_gap_value", { v: "–" });
  return h("section", { class: "panel result", id: "plan-result", "data-status": p.status, "data-plan": p.id },
    h("div", { class: "panel-head" },
      h("div", null,
        h("div", { class: "area-kicker" }, `${t("result_title")} · ${label("problem", r.problem)}`),
        h("h3", { class: "result-name" }, p.params?.name || p.id),
        p.params && p.params.name !== autoName(p.params) ? h("div", { class: "muted small" }, autoName(p.params)) : null)),
    h("div", { class: "gap-badge", title: t("result_gap") },
      h("span", null, t("result_gap")), h("strong", { id: "result-gap" }, gapText)),
    h("div", { class: "ba-grid" },
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("kpi_coverage")), delta(c.coverage_rate_before, c.coverage_rate_after, (v) => fmtPct(v), fmtPP)),
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("kpi_handling")), delta(c.handling_rate_before, c.handling_rate_after, (v) => fmtPct(v), fmtPP)),
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("result_newly_covered")), h("div", { class: "ba-big" }, fmtT(c.newly_covered_t)), h("div", { class: "muted small" }, t("unit_producers", { v: fmtNum(c.newly_covered_producers) }))),
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("result_improved")), h("div", { class: "ba-big" }, fmtNum(c.improved_producers)), h("div", { class: "muted small" }, t("result_improved_15", { n: fmtNum(c.improved_over_15_min) }))),
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("result_mean_improvement")), h("div", { class: "ba-big" }, fmtMin(c.mean_improvement_minutes))),
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("result_capacity_added")), h("div", { class: "ba-mid" }, capacity)),
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("result_build_cost")), h("div", { class: "ba-mid" }, fmtCNY(c.build_cost))),
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("result_subsidy")), h("div", { class: "ba-mid" }, fmtCNY(c.subsidy_estimate))),
      h("div", { class: "ba-item", id: "result-poverty" }, h("div", { class: "ba-label" }, t("result_poverty")),
        h("div", { class: "ba-mid" }, pov.gain_t > 0 ? t("result_poverty_value", { v: fmtPct(pov.poverty_exit_share, 0), o: fmtPct(pov.poverty_exit_output_share, 0) }) : "–")),
      h("div", { class: "ba-item" }, h("div", { class: "ba-label" }, t("result_unserved")), h("div", { class: "ba-mid" }, fmtT(r.unserved_t)))),
    partsSection(r),
    h("div", { class: "panel-head sub" }, h("h4", { id: "sites-title" }, `${part ? t("parts_sites_in", { name: partName(r, part) }) : t("result_sites")} (${sites.length})`),
      sites.length ? h("button", { class: "link", type: "button", id: "fit-sites", onclick: () => emit("fit-sites") }, t("result_show_all")) : null),
    sites.length ? h("div", { class: "muted small hint-line" }, t("result_click_site")) : null,
    sites.length ? h("ol", { class: "site-list", id: "site-list" }, siteRows) : h("div", { class: "note" }, t("result_no_sites")),
    byClassHandled.length ? h("div", { class: "panel-head sub" }, h("h4", null, t("result_handling_by_class"))) : null,
    byClassHandled.length ? h("div", { class: "bars", id: "result-handling-by-class" }, byClassHandled) : null,
    r.months && r.months.length ? monthChart(r.months) : null,
    byClass.length ? h("div", { class: "panel-head sub" }, h("h4", null, t("result_by_class"))) : null,
    byClass.length ? h("div", { class: "bars" }, byClass) : null,
    h("table", { class: "kv small" },
      h("tr", null, h("th", null, t("result_objective")), h("td", null, `${fmtNum(r.objective, 1)} · ${(zh && r.objective_label_zh) || r.objective_label || ""}`)),
      h("tr", null, h("th", null, t("result_bound")), h("td", null, r.no_bound ? t("result_no_bound") : fmtNum(r.bound, 1))),
      h("tr", null, h("th", null, ""), h("td", { class: "muted" }, `${t("result_instance", { d: fmtNum(r.instance?.demand_points), c: fmtNum(r.instance?.candidate_sites), e: fmtNum(r.instance?.existing_facilities) })}; ${t("result_solved_in", { s: fmtNum(r.seconds, 2) })}`))),
    notes.length ? h("details", { class: "notes", id: "result-notes", open: !!(r.parts && r.parts.length) }, h("summary", null, `${t("result_notes")} (${notes.length})`), h("ul", null, notes.map((n) => h("li", null, n)))) : null,
    h("div", { class: "export" },
      h("span", { class: "export-label" }, t("result_export")),
      h("button", { class: "btn small", type: "button", id: "export-geojson", onclick: () => guard(t("result_export"), () => api.download(`/api/v1/plans/${p.id}/export.geojson`, `plan-${p.id.slice(0, 8)}.geojson`)) }, "⤓ " + t("result_export_geojson")),
      h("button", { class: "btn small", type: "button", id: "export-csv", onclick: () => guard(t("result_export"), () => api.download(`/api/v1/plans/${p.id}/export.csv?bom=true`, `plan-${p.id.slice(0, 8)}.csv`)) }, "⤓ " + t("result_export_csv")),
      h("button", { class: "btn small", type: "button", id: "export-xlsx", onclick: () => guard(t("result_export"), () => api.download(`/api/v1/plans/${p.id}/export.xlsx?lang=${getLang()}`, `plan-${p.id.slice(0, 8)}.xlsx`)) }, "⤓ " + t("result_export_xlsx")),
      h("button", { class: "btn small", type: "button", id: "export-allocations", onclick: () => guard(t("result_export"), () => api.download(`/api/v1/plans/${p.id}/allocations.geojson`, `plan-${p.id.slice(0, 8)}-allocations.geojson`)) }, "⤓ " + t("result_export_allocations")),
      h("button", { class: "btn small", type: "button", id: "open-report", onclick: () => guard(t("result_report"), () => openReport(p.id)) }, "▤ " + t("result_report")),
      allSites.length ? h("button", { class: "btn small", type: "button", id: "plan-adopt", onclick: () => adopt(p.id) }, t("result_adopt")) : null));
}

// openReport opens the plan's report in the UI's language in a new tab
// (fetched with the token, shown from a blob).
async function openReport(id) {
  const win = window.open("", "_blank");
  const resp = await api.request(`/api/v1/plans/${id}/report?lang=${getLang()}`, { raw: true });
  const url = URL.createObjectURL(new Blob([await resp.text()], { type: "text/html" }));
  if (win) win.location.href = url;
  else window.location.href = url;
}

// monthChart draws each month's standing stock (bar), the stock handled
// after the plan (dark part) and before it (tick), as an SVG.
function monthChart(months) {
  const W = 300, H = 110, pad = 16, bw = (W - pad) / 12;
  const max = Math.max(...months.map((m) => m.stock_t), 1);
  const y = (v) => H - pad - (H - 2 * pad) * (v / max);
  const names = t("months_short").split(",");
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "month-chart");
  svg.setAttribute("id", "result-months");
  const add = (tag, attrs, text) => {
    const el = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text) el.textContent = text;
    svg.append(el);
  };
  months.forEach((m, i) => {
    const x = pad + i * bw;
    add("rect", { x: x + 1, y: y(m.stock_t), width: bw - 3, height: H - pad - y(m.stock_t), fill: "#cbd5e1" });
    add("rect", { x: x + 1, y: y(m.handled_stock_t_after), width: bw - 3, height: H - pad - y(m.handled_stock_t_after), fill: "#0f766e", "data-month": m.month });
    add("line", { x1: x + 1, x2: x + bw - 2, y1: y(m.handled_stock_t_before), y2: y(m.handled_stock_t_before), stroke: "#b45309", "stroke-width": 2 });
    add("text", { x: x + bw / 2, y: H - 3, "text-anchor": "middle", "font-size": 7, fill: "#64748b" }, names[i] || String(m.month));
  });
  return h("div", null,
    h("div", { class: "panel-head sub" }, h("h4", null, t("result_months"))),
    svg,
    h("div", { class: "muted small" }, t("result_months_legend")));
}

// adopt turns the plan's sites into planned facilities and shows the
// county's figures with them counted.
async function adopt(id) {
  const r = await guard(t("result_adopt"), () => api.request(`/api/v1/plans/${id}/adopt`, { method: "POST" }));
  if (!r) return;
  notify(t("result_adopted", { n: fmtNum(r.facilities.length + r.expansions.length) }));
  state.includePlanned = true;
  emit("filter");
}

function recent() {
  const list = state.plans || [];
  return h("section", { class: "panel", id: "recent-plans" },
    h("div", { class: "panel-head" }, h("h3", null, t("plan_recent"))),
    list.length
      ? h("ul", { class: "plan-list" }, list.map((p) => h("li", { class: "plan-item" + (state.plan && state.plan.id === p.id ? " current" : ""), "data-plan": p.id },
        h("div", { class: "plan-item-main" },
          h("div", { class: "plan-item-name" }, p.name || p.id),
          h("div", { class: "muted small" },
            [label("plan_status", p.status), p.sites !== undefined ? t("n_sites", { n: fmtNum(p.sites) }) : "", p.parts ? t("n_parts", { n: fmtNum(p.parts) }) : "", p.coverage_rate_after !== undefined ? `${t("kpi_coverage")} ${fmtPct(p.coverage_rate_after, 0)}` : "", new Date(p.created_at).toLocaleString(getLang() === "zh" ? "zh-CN" : "en-GB", { dateStyle: "short", timeStyle: "short" })].filter(Boolean).join(" · "))),
        h("button", { class: "btn small ghost", type: "button", disabled: p.status !== "done", onclick: () => openPlan(p.id) }, t("plan_open")))))
      : h("div", { class: "muted small" }, t("plan_none_yet")));
}

/** Loads and shows a plan. */
export async function openPlan(id) {
  const p = await guard(t("plan_title"), () => api.get(`/api/v1/plans/${id}`));
  if (!p) return;
  state.plan = p;
  state.compare = null;
  emit("plan", p);
}

/** Reloads the recent plans list. */
export async function refreshRecent() {
  const r = await guard(t("plan_recent"), () => api.get("/api/v1/plans?limit=20"));
  if (!r) return;
  state.plans = r.plans || [];
  emit("plans");
}

// The overview tab: key figures for the county or a clicked township, the
// monthly standing-stock chart, filters by product class and temperature
// zone, and the per-class table.

import { h, s, fill, $ } from "./dom.js";
import { t, label, classShort, fmtT, fmtPct, fmtMin, fmtNum, monthName, values } from "./i18n.js";
import { state, emit, activeClasses, filtered } from "./state.js";
import { chain, childrenOf, selectedLevel, viewCode } from "./regions.js";
import { classColour } from "./symbols.js";

/** Renders the overview tab. */
export function renderOverview() {
  const root = $("tab-overview");
  fill(root, areaHeader(), plannedToggle(), kpis(), monthChart(), filters(), classTable());
}

// plannedToggle counts planned facilities (adopted plans) in the figures:
// the county as the adopted plans would leave it.
function plannedToggle() {
  return h("label", { class: "check small", title: t("include_planned_help") },
    h("input", { type: "checkbox", id: "include-planned", checked: state.includePlanned, onchange: (e) => {
      state.includePlanned = e.target.checked;
      emit("filter");
    } }),
    " " + t("include_planned"));
}

// areaHeader names the region shown, with the breadcrumb up to the top
// region and a picker of the regions one level down.
function areaHeader() {
  const top = state.county;
  const name = state.region ? state.areasByCode[state.region]?.properties.name || state.regionsByCode[state.region]?.properties.name || state.region
    : top?.properties.name || t("whole_area");
  const kicker = state.region ? label("level", selectedLevel()) : top?.properties.level === "county" ? t("whole_county") : label("level", top?.properties.level) || t("whole_area");
  const up = chain(state.region).slice(0, -1);
  const crumbs = state.region
    ? h("nav", { class: "crumbs", id: "breadcrumb", "aria-label": t("breadcrumb") },
      h("button", { class: "link", type: "button", id: "back-to-county", onclick: () => emit("select-region", "") }, "← " + (top ? top.properties.name : t("whole_area"))),
      up.filter((f) => f !== top).map((f) => [" › ", h("button", { class: "link", type: "button", "data-code": f.properties.code, onclick: () => emit("select-region", f.properties.code) }, f.properties.name)]))
    : null;
  return h("div", { class: "area" },
    h("div", null,
      h("div", { class: "area-kicker" }, kicker),
      h("h2", { class: "area-name", id: "area-name" }, name),
      crumbs),
    picker() || (state.region ? null : h("div", { class: "area-hint" }, t("clicked_township_hint"))));
}

// picker offers the children of the region shown (none below townships).
function picker() {
  const kids = state.region ? childrenOf(state.region) : childrenOf(viewCode());
  if (!kids.length) return null;
  const sorted = kids.slice().sort((a, b) => a.properties.code.localeCompare(b.properties.code));
  return h("select", { id: "region-picker", class: "small", "aria-label": t("region_picker"), onchange: (e) => e.target.value && emit("select-region", e.target.value) },
    h("option", { value: "" }, t("region_picker_choose", { level: label("level", kids[0].properties.level) })),
    sorted.map((f) => h("option", { value: f.properties.code }, f.properties.name)));
}

function gauge(v, colour) {
  const pct = Math.max(0, Math.min(1, v || 0)) * 100;
  return h("div", { class: "gauge" }, h("span", { style: { width: `${pct}%`, background: colour } }));
}

function kpis() {
  const r = state.coverage;
  const tot = r?.totals;
  const loading = !tot;
  const dash = state.coverageFailed ? "–" : "…";
  const card = (id, title, value, extra, help, g) =>
    h("div", { class: "kpi" + (loading ? " loading" : ""), id, title: help },
      h("div", { class: "kpi-label" }, title),
      h("div", { class: "kpi-value" + (!loading && String(value).length > 7 ? " long" : "") }, loading ? dash : value),
      g || null,
      h("div", { class: "kpi-extra" }, loading ? "\u00a0" : extra));
  return h("section", { class: "kpis" },
    card("kpi-coverage", t("kpi_coverage"), fmtPct(tot?.coverage_rate), `${fmtT(tot?.covered_t)} / ${fmtT(tot?.output_t)}`, t("kpi_coverage_help"), gauge(tot?.coverage_rate, "#2f9e6a")),
    card("kpi-handling", t("kpi_handling"), fmtPct(tot?.handling_rate), `${fmtT(tot?.handled_t)} / ${fmtT(tot?.output_t)}`, t("kpi_handling_help"), gauge(tot?.handling_rate, "#2563eb")),
    card("kpi-capgap", t("kpi_capgap"), fmtT(tot?.peak_capacity_gap_t), tot?.peak_month ? t("kpi_capgap_peak", { month: monthName(tot.peak_month, true) }) : "", t("kpi_capgap_help"),
      gauge(tot && tot.peak_stock_t ? tot.peak_capacity_gap_t / tot.peak_stock_t : 0, "#e0662f")),
    h("div", { class: "stats" },
      stat(t("kpi_output_year"), loading ? dash : fmtT(tot.output_t)),
      stat(t("kpi_producers"), loading ? dash : fmtNum(tot.producers)),
      stat(t("kpi_median_access"), loading ? dash : fmtMin(tot.median_access_minutes)),
      stat(t("kpi_no_access"), loading ? dash : fmtNum(tot.no_access_producers))));
}

function stat(k, v) {
  return h("div", { class: "stat" }, h("div", { class: "stat-label" }, k), h("div", { class: "stat-value" }, v));
}

function monthChart() {
  const months = state.coverage?.months || [];
  const W = 300, H = 96, pad = 2, bw = (W - 11 * pad) / 12;
  const max = Math.max(1, ...months.map((m) => m.stock_t || 0));
  const svg = s("svg", { viewBox: `0 0 ${W} ${H + 16}`, class: "chart", role: "img", "aria-label": t("chart_title") });
  months.forEach((m, i) => {
    const x = i * (bw + pad);
    const held = Math.min(m.handled_stock_t || 0, m.stock_t || 0);
    const short = Math.max(0, m.shortfall_t || 0);
    const hHeld = (held / max) * H, hShort = (short / max) * H;
    const sel = state.month === m.month;
    const g = s("g", { class: "chart-month" + (sel ? " selected" : ""), "data-month": m.month, onclick: () => emit("set-month", m.month) },
      s("title", null, `${monthName(m.month, true)} — ${t("chart_handled")}: ${fmtT(held)}; ${t("chart_shortfall")}: ${fmtT(short)}`),
      s("rect", { x, y: 0, width: bw, height: H, fill: sel ? "rgba(37,99,235,0.10)" : "transparent" }),
      s("rect", { x, y: H - hHeld, width: bw, height: hHeld, rx: 1.5, fill: "#5b8fd6" }),
      s("rect", { x, y: H - hHeld - hShort, width: bw, height: hShort, rx: 1.5, fill: "#f08a4b" }),
      s("text", { x: x + bw / 2, y: H + 12, "text-anchor": "middle", class: "chart-tick" }, monthName(m.month).replace("月", "")));
    svg.append(g);
  });
  return h("section", { class: "panel" },
    h("div", { class: "panel-head" }, h("h3", null, t("chart_title")), h("span", { class: "muted small" }, t("chart_hint"))),
    months.length ? svg : h("div", { class: "skeleton", style: { height: "112px" } }),
    h("div", { class: "chart-legend" },
      h("span", null, h("i", { class: "sw", style: { background: "#5b8fd6" } }), t("chart_handled")),
      h("span", null, h("i", { class: "sw", style: { background: "#f08a4b" } }), t("chart_shortfall"))));
}

function toggleIn(list, v) {
  const i = list.indexOf(v);
  if (i >= 0) list.splice(i, 1);
  else list.push(v);
}

function filters() {
  const cs = state.classes.map((c) => c.code);
  const active = new Set(activeClasses());
  const chips = cs.map((c) => {
    const on = state.filter.classes.includes(c);
    const dim = filtered() && !active.has(c);
    return h("button", {
      type: "button",
      class: "chip-toggle" + (on ? " on" : "") + (dim ? " dim" : ""),
      "data-class": c,
      "aria-pressed": on ? "true" : "false",
      onclick: () => {
        toggleIn(state.filter.classes, c);
        emit("filter");
      },
    }, h("span", { class: "dot", style: { background: classColour(c) } }), classShort(c));
  });
  const zones = values("zone").map((z) => {
    const on = state.filter.zones.includes(z);
    return h("button", {
      type: "button",
      class: "chip-toggle zone" + (on ? " on" : ""),
      "data-zone": z,
      "aria-pressed": on ? "true" : "false",
      onclick: () => {
        toggleIn(state.filter.zones, z);
        emit("filter");
      },
    }, label("zone", z));
  });
  return h("section", { class: "panel", id: "filters" },
    h("div", { class: "panel-head" }, h("h3", null, t("filters_title")),
      filtered() ? h("button", { class: "link", type: "button", onclick: () => {
        state.filter.classes = [];
        state.filter.zones = [];
        emit("filter");
      } }, t("filter_clear")) : null),
    h("div", { class: "filter-label" }, t("filter_classes")),
    h("div", { class: "chips" }, chips),
    h("div", { class: "filter-label" }, t("filter_zones")),
    h("div", { class: "chips" }, zones),
    filtered() && active.size === 0 ? h("div", { class: "warn" }, t("filter_none_match")) : null);
}

function classTable() {
  const rows = (state.coverage?.classes || []).slice().sort((a, b) => b.output_t - a.output_t);
  const bar = (v, colour) => h("span", { class: "mini-bar" }, h("span", { style: { width: `${Math.round((v || 0) * 100)}%`, background: colour } }));
  return h("section", { class: "panel" },
    h("div", { class: "panel-head" }, h("h3", null, t("class_table_title"))),
    rows.length
      ? h("table", { class: "data", id: "class-table" },
        h("thead", null, h("tr", null, h("th", null, t("col_class")), h("th", { class: "num" }, t("col_output")), h("th", null, t("col_coverage")), h("th", null, t("col_handling")))),
        h("tbody", null, rows.map((c) => h("tr", null,
          h("td", null, h("span", { class: "dot", style: { background: classColour(c.class) } }), classShort(c.class), h("span", { class: "muted small" }, ` · ${label("zone", c.zone)}`)),
          h("td", { class: "num" }, fmtT(c.output_t)),
          h("td", { title: fmtPct(c.coverage_rate) }, bar(c.coverage_rate, "#2f9e6a"), h("span", { class: "small" }, fmtPct(c.coverage_rate, 0))),
          h("td", { title: fmtPct(c.handling_rate) }, bar(c.handling_rate, "#2563eb"), h("span", { class: "small" }, fmtPct(c.handling_rate, 0)))))))
      : h("div", { class: "skeleton", style: { height: "80px" } }));
}

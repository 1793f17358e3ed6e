// Feature popups and the explanation of a plan's site.

import { h, s } from "./dom.js";
import { t, label, classShort, fmtT, fmtMin, fmtCNY, fmtNum, fmtMargin, monthName, fmtPct, getLang } from "./i18n.js";
import { classColour, facilitySVG } from "./symbols.js";
import { state } from "./state.js";

function row(k, v) {
  return h("tr", null, h("th", null, k), h("td", null, v));
}

function table(...rows) {
  return h("table", { class: "kv" }, rows.filter(Boolean));
}

function dot(colour) {
  return h("span", { class: "dot", style: { background: colour } });
}

function classChip(c) {
  return h("span", { class: "class-chip" }, dot(classColour(c)), classShort(c));
}

function harvestBars(shares) {
  if (!Array.isArray(shares) || shares.length !== 12) return null;
  const max = Math.max(...shares, 0.0001);
  const w = 12, gap = 2, H = 28;
  return s("svg", { class: "harvest", width: 12 * (w + gap), height: H + 12, role: "img" },
    ...shares.map((v, i) => s("rect", { x: i * (w + gap), y: H - (v / max) * H, width: w, height: Math.max(1, (v / max) * H), rx: 1.5, fill: i + 1 === state.month ? "#d9482b" : "#7aa6c9" },
      s("title", null, `${monthName(i + 1, true)}: ${fmtPct(v, 0)}`))),
    ...[1, 4, 7, 10].map((m) => s("text", { x: (m - 1) * (w + gap), y: H + 10, "font-size": 8.5, fill: "#64748b" }, monthName(m))));
}

function capacity(cap) {
  const entries = Object.entries(cap || {}).filter(([, v]) => v > 0);
  if (!entries.length) return "–";
  return entries.map(([z, v]) => `${label("zone", z)} ${fmtT(v)}`).join(" · ");
}

function title(text, sub) {
  return h("div", { class: "pop-head" }, h("div", { class: "pop-title" }, text || "–"), sub ? h("div", { class: "pop-sub" }, sub) : null);
}

/** Popup content for a producer. */
export function producerPopup(p) {
  const acc = state.access && state.access.find((a) => a.id === p.id);
  let access = null;
  if (acc) {
    const fac = state.facilities?.features.find((f) => (f.id ?? f.properties.id) === acc.nearest);
    access = row(t("popup_access"), h("span", { class: acc.covered ? "ok" : "bad" }, t("popup_access_value", { min: fmtMin(acc.minutes), name: fac ? fac.properties.name : acc.nearest || "–" })));
  }
  return h("div", { class: "pop" },
    title(p.name, p.id),
    table(
      row(t("popup_class"), classChip(p.product_class)),
      row(t("popup_output"), t("kpi_per_year", { v: fmtT(p.annual_output_t) })),
      p.operator_type ? row(t("popup_operator"), label("operator_type", p.operator_type)) : null,
      access,
    ),
    p.harvest_months ? h("div", { class: "pop-section" }, h("div", { class: "pop-label" }, t("popup_harvest")), harvestBars(p.harvest_months)) : null);
}

/** Popup content for a facility. */
export function facilityPopup(p) {
  const icon = h("span", { class: "legend-icon" });
  icon.innerHTML = facilitySVG(p.facility_type, p.status, 20);
  return h("div", { class: "pop" },
    h("div", { class: "pop-head with-icon" }, icon, h("div", null, h("div", { class: "pop-title" }, p.name || p.id), h("div", { class: "pop-sub" }, label("facility_type", p.facility_type)))),
    table(
      row(t("popup_tier"), label("tier", p.tier)),
      row(t("popup_status"), label("status", p.status)),
      row(t("popup_capacity"), capacity(p.capacity_t)),
      p.product_classes && p.product_classes.length ? row(t("popup_accepts"), h("div", { class: "chips" }, p.product_classes.map(classChip))) : null,
      p.build_cost ? row(t("popup_build_cost"), fmtCNY(p.build_cost)) : null,
    ));
}

/** Popup content for a candidate site. */
export function candidatePopup(p) {
  const list = (v, kind) => (Array.isArray(v) && v.length ? v.map((x) => label(kind, x)).join(", ") : "–");
  return h("div", { class: "pop" },
    title(p.name || p.id, t("legend_candidate")),
    table(
      row(t("popup_land_use"), label("land_use", p.land_use)),
      row(t("popup_allowed_tiers"), list(p.allowed_tiers, "tier")),
      row(t("popup_allowed_types"), list(p.allowed_types, "facility_type")),
      row(t("popup_build_cost"), fmtCNY(p.build_cost)),
      row(t("popup_source"), label("source", p.source)),
    ),
    state.editing ? h("div", { class: "pop-hint" }, t("popup_move_hint")) : null);
}

/** Popup content for an exclusion zone. */
export function exclusionPopup(p) {
  const tiers = Array.isArray(p.applies_to_tiers) ? p.applies_to_tiers.map((x) => label("tier", x)).join(", ") : "–";
  return h("div", { class: "pop" }, title(p.name || p.id, label("kind", p.kind)), table(row(t("popup_applies"), tiers)));
}

/** Popup content for a gap hexagon. */
export function gapPopup(p) {
  let by = p.by_class;
  if (typeof by === "string") {
    try {
      by = JSON.parse(by);
    } catch {
      by = {};
    }
  }
  const entries = Object.entries(by || {}).sort((a, b) => b[1] - a[1]);
  const max = Math.max(...entries.map((e) => e[1]), 1);
  return h("div", { class: "pop" },
    title(t("popup_uncovered"), monthName(state.month, true)),
    table(row(t("popup_uncovered"), h("strong", null, fmtT(p.uncovered_t))), row(t("popup_gap_producers"), fmtNum(p.producers))),
    h("div", { class: "bars" }, entries.map(([c, v]) =>
      h("div", { class: "bar-row" },
        h("span", { class: "bar-label" }, classShort(c)),
        h("span", { class: "bar" }, h("span", { style: { width: `${(100 * v) / max}%`, background: classColour(c) } })),
        h("span", { class: "bar-value" }, fmtT(v))))));
}

/** Popup content for a township; onShow selects it for the figures. */
export function townshipPopup(p, onShow) {
  return h("div", { class: "pop" },
    title(p.name, p.code),
    table(
      p.population ? row(t("popup_population"), fmtNum(p.population)) : null,
      p.area_km2 ? row(t("popup_area"), t("unit_km2", { v: fmtNum(p.area_km2, 0) })) : null,
    ),
    p.derived ? h("p", { class: "muted small derived-note" }, t("popup_derived_area")) : null,
    h("button", { class: "btn small", type: "button", onclick: onShow }, t("popup_show_kpi")));
}

/** The explanation of a plan site (properties of a result site). */
export function explanation(p, { compact = false } = {}) {
  const e = p.explanation || {};
  const by = Object.entries(e.by_class || {}).sort((a, b) => b[1].t - a[1].t);
  const items = [];
  items.push(h("li", { class: "ex-serves" },
    t("expl_serves", { n: fmtNum(e.serves_producers), t: fmtT(e.serves_t) }),
    by.length ? h("span", { class: "muted" }, " · " + t("expl_mostly", { cls: classShort(by[0][0]) })) : null));
  if (e.marginal_gain !== undefined) items.push(h("li", { class: "ex-margin" }, t("expl_marginal", { v: fmtMargin(e.marginal_gain, e.marginal_label) })));
  if (e.nearest_existing) items.push(h("li", null, t("expl_nearest", { name: e.nearest_existing.name || e.nearest_existing.id, min: fmtMin(e.nearest_existing.minutes) })));
  else items.push(h("li", null, t("expl_no_nearest")));
  if (e.runner_up) {
    const name = e.runner_up.name || e.runner_up.id;
    items.push(h("li", null, e.runner_up.loss > 0
      ? t("expl_runner_up", { name, loss: fmtMargin(e.runner_up.loss, e.marginal_label) })
      : e.runner_up.loss < 0
        ? t("expl_runner_up_better", { name, gain: fmtMargin(-e.runner_up.loss, e.marginal_label) })
        : t("expl_runner_up_tie", { name })));
  }
  if (!compact) {
    items.push(h("li", null, `${t("expl_capacity")}: ${capacity(p.capacity_t)}`));
    if (p.build_cost !== undefined) items.push(h("li", null, t("expl_cost", { cost: fmtCNY(p.build_cost), sub: fmtCNY(p.subsidy_estimate) })));
  }
  const max = Math.max(...by.map((b) => b[1].t), 1);
  return h("div", { class: "explanation" },
    h("ul", { class: "ex-list" }, items),
    by.length > 1 || !compact
      ? h("div", { class: "bars" }, by.map(([c, v]) =>
        h("div", { class: "bar-row" },
          h("span", { class: "bar-label" }, classShort(c)),
          h("span", { class: "bar" }, h("span", { style: { width: `${(100 * v.t) / max}%`, background: classColour(c) } })),
          h("span", { class: "bar-value" }, fmtT(v.t)))))
      : null);
}

// partRegionName names the county of a province plan's part.
function partRegionName(code) {
  return state.areasByCode[code]?.properties.name || state.regionsByCode[code]?.properties.name || code;
}

/** Popup content for a plan site. */
export function sitePopup(p) {
  const which = p.which === "a" ? t("compare_a") : p.which === "b" ? t("compare_b") : "";
  return h("div", { class: "pop pop-site" },
    h("div", { class: "pop-head" },
      h("div", { class: "pop-kicker" }, [which, t("expl_rank", { n: p.rank }), p.part_region ? t("expl_part", { name: partRegionName(p.part_region) }) : ""].filter(Boolean).join(" · ")),
      h("div", { class: "pop-title" }, (getLang() === "zh" && p.name_zh) || p.name || p.candidate_id),
      h("div", { class: "pop-sub" }, `${label("facility_type", p.facility_type)} · ${label("tier", p.tier)}`)),
    h("div", { class: "pop-label" }, t("expl_title")),
    explanation(p));
}

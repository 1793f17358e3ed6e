// A province plan's county parts in the plan result: a table of the parts
// with each county's own figures (status, objective, proven gap, sites).
// Clicking a part selects its county on the map (which zooms to it) and
// narrows the result's site list to that county's sites.

import { h } from "./dom.js";
import { t, label, fmtNum, fmtPct } from "./i18n.js";
import { state, emit } from "./state.js";

/** The part picked in the result (its number), or null for all. */
export function pickedPart(r) {
  const n = state.planPart;
  return n && (r.parts || []).some((p) => p.n === n) ? n : null;
}

/** The sites of the picked part, or every site. */
export function partSites(r, sites) {
  const n = pickedPart(r);
  return n ? sites.filter((f) => f.properties.part === n) : sites;
}

/** The name of part n's county. */
export function partName(r, n) {
  const p = (r.parts || []).find((x) => x.n === n);
  return p ? p.name || p.region : "";
}

// pick selects part p: its county on the map, its sites in the list.
function pick(p) {
  state.planPart = p.n;
  emit("select-region", p.region);
}

// gapCell is a part's own proven gap, or "no bound" for a part that was
// not solved (skipped or failed).
function gapCell(p) {
  if (p.status !== "done" || !Number.isFinite(p.gap)) return t("result_no_bound");
  return fmtPct(p.gap / 100, p.gap < 0.01 ? 2 : 1);
}

/** The parts table of result r (null when the plan has no parts). */
export function partsSection(r) {
  const parts = r.parts || [];
  if (!parts.length) return null;
  const on = pickedPart(r);
  const rows = parts.map((p) => h("tr", {
    class: "part-row" + (p.n === on ? " on" : "") + (p.status === "done" ? "" : " muted"),
    "data-part": p.n, "data-region": p.region, "data-status": p.status, tabindex: 0, role: "button",
    title: p.error || "",
    onclick: () => pick(p), onkeydown: (e) => (e.key === "Enter" ? pick(p) : null),
  },
  h("td", null, h("span", { class: "part-name" }, p.name || p.region), h("span", { class: "muted small" }, ` ${p.region}`)),
  h("td", { class: "part-status" }, label("plan_status", p.status)),
  h("td", { class: "num" }, p.status === "done" ? fmtNum(p.objective, 1) : "–"),
  h("td", { class: "num part-gap" }, gapCell(p)),
  h("td", { class: "num" }, fmtNum(p.sites || 0))));
  return h("div", { id: "plan-parts" },
    h("div", { class: "panel-head sub" }, h("h4", null, `${t("parts_title")} (${parts.length})`),
      on ? h("button", { class: "link", type: "button", id: "parts-all", onclick: showAll }, t("parts_all")) : null),
    h("div", { class: "muted small hint-line" }, t("parts_hint")),
    h("table", { class: "data parts" },
      h("thead", null, h("tr", null,
        h("th", null, t("parts_col_county")), h("th", null, t("parts_col_status")), h("th", { class: "num" }, t("parts_col_objective")),
        h("th", { class: "num" }, t("parts_col_gap")), h("th", { class: "num" }, t("parts_col_sites")))),
      h("tbody", null, rows)));
}

// showAll lists every part's sites again and shows the plan's region.
function showAll() {
  state.planPart = null;
  emit("select-region", state.plan?.params?.region || "");
}

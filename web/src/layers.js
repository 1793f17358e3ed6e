// The layer panel (toggles with their legends) and the month timeline that
// drives the gap layer.

import { h, fill, $ } from "./dom.js";
import { t, label, fmtT, fmtNum, monthName } from "./i18n.js";
import { state, emit } from "./state.js";
import * as sym from "./symbols.js";
import { gapLegendStops, tileNote, getMap } from "./map.js";
import { describePlan } from "./plan.js";

const order = ["townships", "producers", "facilities", "candidates", "exclusions", "gaps", "access", "plan"];
// Which legends are unfolded; long ones start folded.
const legendOpen = { producers: true, facilities: false, exclusions: false, gaps: true, access: true, plan: true };

function svgIcon(html) {
  const span = h("span", { class: "legend-icon" });
  span.innerHTML = html;
  return span;
}

function star(colour) {
  return svgIcon(`<svg width="16" height="16" viewBox="0 0 24 24"><path d="M12 1.5l3 7 7.5.6-5.7 4.9 1.8 7.4L12 17.4l-6.6 4 1.8-7.4L1.5 9.1 9 8.5z" fill="${colour}" stroke="#fff" stroke-width="1.5"/></svg>`);
}

function swatch(group) {
  switch (group) {
    case "townships":
      return h("span", { class: "sw-line", style: { borderColor: "#64748b" } });
    case "basemap":
      return h("span", { class: "sw-basemap" });
    case "producers":
      return h("span", { class: "sw-dots" }, ["#2e9d4a", "#ee7d1f", "#2a7ab8"].map((c, i) => h("i", { style: { background: c, width: `${5 + i * 2}px`, height: `${5 + i * 2}px` } })));
    case "facilities":
      return svgIcon(sym.facilitySVG("cold_room", "existing", 16));
    case "candidates":
      return svgIcon(`<svg width="16" height="16" viewBox="0 0 20 20"><path d="M10 3 L17.5 16 L2.5 16 Z" fill="#fff" stroke="#4b5563" stroke-width="2"/></svg>`);
    case "exclusions":
      return h("span", { class: "sw-hatch" });
    case "gaps":
      return h("span", { class: "sw-hex" });
    case "access":
      return h("span", { class: "sw-lines" });
    case "plan":
      return star(sym.planColours.current);
  }
  return null;
}

function legend(group) {
  switch (group) {
    case "producers":
      return h("div", { class: "legend-detail" },
        h("div", { class: "legend-sizes" }, [3, 6, 10].map((r) => h("i", { style: { width: `${r * 2}px`, height: `${r * 2}px` } })), h("span", null, t("legend_producer_size"))));
    case "facilities": {
      const present = new Set((state.facilities?.features || []).map((f) => f.properties.facility_type));
      const types = Object.keys(sym.facilityStyle).filter((k) => present.has(k));
      return h("div", { class: "legend-detail" },
        h("div", { class: "legend-grid" }, types.map((k) => h("div", { class: "legend-item" }, svgIcon(sym.facilitySVG(k, "existing", 15)), label("facility_type", k)))),
        h("div", { class: "legend-grid" }, sym.statuses.map((st) => h("div", { class: "legend-item" }, svgIcon(sym.facilitySVG("cold_room", st, 15)), t("legend_" + st)))),
        h("div", { class: "muted small" }, t("legend_tier_size")));
    }
    case "exclusions":
      return h("div", { class: "legend-detail legend-grid" }, Object.entries(sym.exclusionColours).map(([k, c]) =>
        h("div", { class: "legend-item" }, h("span", { class: "sw-hatch", style: { "--c": c } }), label("kind", k))));
    case "gaps": {
      const stops = gapLegendStops();
      return h("div", { class: "legend-detail" },
        h("div", { class: "ramp", style: { background: `linear-gradient(90deg, ${stops.map((s) => s[1]).join(",")})` } }),
        h("div", { class: "ramp-labels" }, stops.map((s) => h("span", null, fmtNum(s[0])))),
        h("div", { class: "muted small" }, `${t("legend_gap")} (${t("unit_t", { v: "" }).trim()}) · ${monthName(state.month, true)}`));
    }
    case "access":
      return h("div", { class: "legend-detail" },
        h("div", { class: "legend-item" }, h("span", { class: "sw-line", style: { borderColor: "#2f9e6a" } }), t("legend_access_covered")),
        h("div", { class: "legend-item" }, h("span", { class: "sw-line thick", style: { borderColor: "#d9342b" } }), t("legend_access_uncovered")),
        h("div", { class: "muted small" }, t("legend_access_note")));
    case "plan":
      if (state.compare) {
        return h("div", { class: "legend-detail" }, ["a", "b"].map((k) =>
          h("div", { class: "legend-item" }, star(sym.planColours[k]), `${t(k === "a" ? "compare_a" : "compare_b")}: ${describePlan(state.compare[k].params)}`)));
      }
      return h("div", { class: "legend-detail" },
        h("div", { class: "legend-item" }, swatch("plan"), t("legend_plan_site")),
        h("div", { class: "legend-item" }, h("span", { class: "sw-line", style: { borderColor: sym.planColours.current } }), t("legend_plan_lines")));
  }
  return null;
}

/** Renders the layer panel. */
export function renderLayers() {
  const root = $("layers-panel");
  const open = root.dataset.open !== "0";
  const m = getMap();
  const groups = m && m.getLayer("basemap") ? ["basemap", ...order] : order;
  const rows = groups.map((g) => {
    const id = `layer-${g}`;
    const on = state.visible[g];
    const hasLegend = g in legendOpen;
    const unfolded = on && hasLegend && legendOpen[g];
    return h("div", { class: "layer-row" + (on ? " on" : "") },
      h("div", { class: "layer-line" },
        h("label", { class: "layer-toggle", for: id },
          h("input", { type: "checkbox", id, checked: on, "data-layer": g, onchange: (e) => {
            state.visible[g] = e.target.checked;
            emit("visibility", g);
          } }),
          swatch(g),
          h("span", { class: "layer-name" }, t("layer_" + g)),
          tileNote(g) ? h("span", { class: "tag" }, tileNote(g)) : null),
        on && hasLegend
          ? h("button", { type: "button", class: "legend-fold", title: t("legend_show"), "aria-label": t("legend_show"), "aria-expanded": unfolded ? "true" : "false", onclick: () => {
            legendOpen[g] = !legendOpen[g];
            renderLayers();
          } }, unfolded ? "▾" : "▸")
          : null),
      unfolded ? legend(g) : null,
      g === "townships" && on && state.townships.some((f) => f.properties.derived)
        ? h("div", { class: "muted small derived-note", id: "derived-areas-note" }, t("legend_derived_areas"))
        : null);
  });
  fill(root,
    h("button", { class: "panel-toggle", type: "button", "aria-expanded": open ? "true" : "false", onclick: () => {
      root.dataset.open = open ? "0" : "1";
      renderLayers();
    } }, h("span", null, t("layers_title")), h("span", { class: "chev" }, open ? "▾" : "▸")),
    open ? h("div", { class: "layer-list" }, rows) : null);
}

/** Renders the month timeline under the map, keeping the slider in place while it is dragged. */
export function renderTimeline() {
  const root = $("timeline");
  const g = state.gaps;
  const total = g ? g.features.reduce((a, f) => a + (f.properties.uncovered_t || 0), 0) : null;
  const summary = g === null ? (state.gapsLoading ? t("loading") : "–") : g.features.length ? t("month_gap_summary", { t: fmtT(total), n: fmtNum(g.features.length) }) : t("month_gap_none");
  let slider = $("month-slider");
  if (!slider) {
    slider = h("input", {
      type: "range", min: 0, max: 12, step: 1, value: state.month, id: "month-slider",
      oninput: (e) => emit("set-month", Number(e.target.value)),
    });
    fill(root,
      h("div", { class: "timeline-head" },
        h("span", { class: "timeline-title" }, h("span", { id: "month-word" }), h("strong", { id: "month-label" })),
        h("span", { class: "timeline-summary", id: "gap-summary" })),
      slider,
      h("div", { class: "ticks", id: "month-ticks" }));
  }
  slider.setAttribute("aria-label", t("month"));
  if (Number(slider.value) !== state.month) slider.value = String(state.month);
  $("month-word").textContent = `${t("month")}: `;
  $("month-label").textContent = monthName(state.month, true);
  const sum = $("gap-summary");
  sum.textContent = summary;
  sum.classList.toggle("busy", state.gapsLoading === true);
  sum.classList.toggle("none", !!g && g.features.length === 0);
  const ticks = [];
  for (let m = 0; m <= 12; m++) {
    ticks.push(h("button", { type: "button", class: "tick" + (m === state.month ? " on" : ""), "data-month": m, onclick: () => emit("set-month", m) }, m ? monthName(m).replace("月", "") : t("month_all")));
  }
  fill($("month-ticks"), ticks);
}

// The region hierarchy the map drills through: province → prefecture →
// county → township, from the areas layer (given boundaries and areas
// derived from points). The "view" is the region whose children the map
// shows and the picker offers; a township (no polygon children) is shown
// among its siblings.

import { state } from "./state.js";
import { t } from "./i18n.js";

/** Indexes the areas (province to township) and finds the top regions. */
export function indexAreas(areas) {
  state.areasByCode = Object.fromEntries(areas.map((f) => [f.properties.code, f]));
  state.tops = areas.filter((f) => !state.areasByCode[f.properties.parent_code]);
  state.county = state.tops.length === 1 ? state.tops[0] : null;
  state.townships = areas.filter((f) => f.properties.level === "township");
}

/** The areas whose parent is code ("" for the top regions). */
export function childrenOf(code) {
  if (!code) return state.tops;
  return Object.values(state.areasByCode).filter((f) => f.properties.parent_code === code);
}

/** The ancestors of code from the top, code included. */
export function chain(code) {
  const out = [];
  for (let c = code; c && state.areasByCode[c]; c = state.areasByCode[c].properties.parent_code) out.unshift(state.areasByCode[c]);
  return out;
}

/** The region whose children are shown: "" when several tops are. */
export function viewCode() {
  let code = state.region;
  if (code && childrenOf(code).length === 0) code = state.areasByCode[code]?.properties.parent_code || "";
  if (!code && state.tops.length === 1) code = state.tops[0].properties.code;
  return code;
}

/** The areas the map frames: the selected region, or every top one. */
export function framed() {
  const a = state.region && state.areasByCode[state.region];
  return a ? [a] : state.tops;
}

/** The level of the selected region ("" for the whole data). */
export function selectedLevel() {
  return state.region ? state.areasByCode[state.region]?.properties.level || "township" : "";
}

/** The region the map shows as one code: the selected one, or the only top ("" for several tops). */
export function mapScope() {
  return state.region || (state.tops.length === 1 ? state.tops[0].properties.code : "");
}

/** A plan's scope in words: "Whole province: X", "Township: Y", or all regions for "". */
export function scopeLabel(code) {
  const a = code && state.areasByCode[code];
  if (!code) return t("whole_area");
  const name = a ? a.properties.name : state.regionsByCode[code]?.properties.name || code;
  const level = a ? a.properties.level : state.regionsByCode[code]?.properties.level || "township";
  return t("scope_" + level, { name });
}

/** The county areas, by code. */
export function countyAreas() {
  return Object.values(state.areasByCode).filter((f) => f.properties.level === "county")
    .sort((a, b) => a.properties.code.localeCompare(b.properties.code));
}

/** The level of region code ("" when unknown). */
export function levelOf(code) {
  return state.areasByCode[code]?.properties.level || state.regionsByCode[code]?.properties.level || "";
}

// The map: MapLibre GL with no external basemap. County and township
// borders and labels form the base; producers, facilities, candidate
// sites, exclusion zones, gap hexagons, service areas and plan results lie
// on top. Labels are drawn from local fonts (no glyph server).

import { Map as MapLibre, NavigationControl, ScaleControl, setWorkerUrl } from "maplibre-gl";
import { state, activeClasses, filtered } from "./state.js";
import { t, getLang, fmtNum } from "./i18n.js";
import * as sym from "./symbols.js";
import { labelPoint, pointOf, bbox } from "./geo.js";
import { BASE } from "./api.js";
import { childrenOf, framed, viewCode } from "./regions.js";

const FONT = ["Noto Sans", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC"];
const FONT_BOLD = ["Noto Sans Bold", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC"];
const CJK_FONT = "'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif";
const EMPTY = { type: "FeatureCollection", features: [] };

/** Layer ids in each toggle group. */
export const groups = {
  basemap: ["basemap"],
  townships: ["township-fill", "township-line", "township-line-derived", "county-line", "township-label", "settlement-dot", "settlement-label"],
  producers: ["producers"],
  facilities: ["facility-area-fill", "facility-area-line", "facilities", "facility-label"],
  candidates: ["candidates", "candidate-label"],
  exclusions: ["exclusion-fill", "exclusion-line"],
  gaps: ["gap-fill", "gap-line", "gap-label"],
  access: ["access-lines"],
  plan: ["plan-lines", "plan-sites", "plan-site-label"],
};

/** Layers whose features open a popup, in priority order. */
export const clickable = ["plan-sites", "facilities", "candidates", "producers", "gap-fill", "exclusion-fill", "facility-area-fill", "township-fill"];

let map = null;
let producerSourceLayer = null;

/** The MapLibre map (null before createMap). */
export function getMap() {
  return map;
}

function gapStops() {
  // Monthly gaps are about a twelfth of the year's: scale the ramp so a
  // month and the whole year both use the full range of colours.
  const k = state.month ? 1 : 12;
  return [0, 5 * k, 25 * k, 80 * k, 250 * k];
}

function basemapSource(url) {
  if (!url) return null;
  if (url.includes("{z}")) return { type: "raster", tiles: [url], tileSize: 256, attribution: "" };
  return { type: "raster", url };
}

function producerSource() {
  const tj = state.tiles.producers;
  if (tj) {
    // The same origin as the page, whatever host name the server saw.
    const tiles = tj.tiles.map((u) => u.replace(/^https?:\/\/[^/]+/, location.origin));
    return { type: "vector", tiles, minzoom: tj.minzoom ?? 0, maxzoom: Math.min(tj.maxzoom ?? 14, 14), bounds: tj.bounds, promoteId: "id" };
  }
  return { type: "geojson", data: state.producers || EMPTY, promoteId: "id" };
}

function style(basemapURL) {
  const sources = {
    townships: { type: "geojson", data: EMPTY, promoteId: "code" },
    "township-labels": { type: "geojson", data: EMPTY },
    settlements: { type: "geojson", data: EMPTY },
    producers: producerSource(),
    facilities: { type: "geojson", data: EMPTY, promoteId: "id" },
    "facility-areas": { type: "geojson", data: EMPTY, promoteId: "id" },
    candidates: { type: "geojson", data: EMPTY, promoteId: "id" },
    exclusions: { type: "geojson", data: EMPTY, promoteId: "id" },
    gaps: { type: "geojson", data: EMPTY },
    access: { type: "geojson", data: EMPTY },
    "plan-sites": { type: "geojson", data: EMPTY },
    "plan-lines": { type: "geojson", data: EMPTY },
  };
  const bm = basemapSource(basemapURL);
  if (bm) sources.basemap = bm;
  const producerLayer = { id: "producers", type: "circle", source: "producers" };
  if (state.tiles.producers) producerLayer["source-layer"] = producerSourceLayer;
  const size = ["sqrt", ["max", 0, ["to-number", ["get", "annual_output_t"], 0]]];
  const layers = [
    { id: "background", type: "background", paint: { "background-color": "#e8edf1" } },
    bm ? { id: "basemap", type: "raster", source: "basemap", paint: { "raster-opacity": 0.85 } } : null,
    {
      id: "township-fill",
      type: "fill",
      source: "townships",
      filter: ["==", ["get", "role"], "child"],
      paint: {
        "fill-color": [
          "case",
          ["boolean", ["feature-state", "selected"], false], "#dbeafe",
          ["boolean", ["feature-state", "hover"], false], "#f3f6f9",
          bm ? "rgba(255,255,255,0.15)" : "#fbfaf6",
        ],
        "fill-opacity": 1,
      },
    },
    {
      id: "exclusion-fill",
      type: "fill",
      source: "exclusions",
      paint: { "fill-pattern": ["concat", "hatch-", ["get", "kind"]], "fill-opacity": 0.9 },
    },
    {
      id: "exclusion-line",
      type: "line",
      source: "exclusions",
      paint: {
        "line-color": ["match", ["get", "kind"], ...Object.entries(sym.exclusionColours).flat(), "#888"],
        "line-width": 1.2,
        "line-opacity": 0.8,
        "line-dasharray": [3, 2],
      },
    },
    {
      id: "gap-fill",
      type: "fill",
      source: "gaps",
      paint: {
        "fill-color": rampExpr(),
        "fill-opacity": 0.78,
      },
    },
    {
      id: "gap-line",
      type: "line",
      source: "gaps",
      paint: { "line-color": "#8f1d14", "line-width": 0.8, "line-opacity": 0.5 },
    },
    {
      id: "township-line",
      type: "line",
      source: "townships",
      filter: ["all", ["==", ["get", "role"], "child"], ["!", ["to-boolean", ["get", "derived"]]]],
      paint: {
        "line-color": ["case", ["boolean", ["feature-state", "selected"], false], "#1d4ed8", "#9aa8b6"],
        "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 2.6, 1],
      },
    },
    {
      // Areas derived from township points: dashed, they are not boundaries.
      id: "township-line-derived",
      type: "line",
      source: "townships",
      filter: ["all", ["==", ["get", "role"], "child"], ["to-boolean", ["get", "derived"]]],
      paint: {
        "line-color": ["case", ["boolean", ["feature-state", "selected"], false], "#1d4ed8", "#7c8a99"],
        "line-width": ["case", ["boolean", ["feature-state", "selected"], false], 2.6, 1.2],
        "line-dasharray": [4, 3],
      },
    },
    {
      id: "county-line",
      type: "line",
      source: "townships",
      filter: ["==", ["get", "role"], "frame"],
      paint: { "line-color": "#334155", "line-width": 2.4 },
    },
    {
      id: "access-lines",
      type: "line",
      source: "access",
      layout: { "line-cap": "round" },
      paint: {
        "line-color": ["case", ["get", "covered"], "#2f9e6a", "#d9342b"],
        "line-width": ["case", ["get", "covered"], 0.8, 1.6],
        "line-opacity": ["case", ["get", "covered"], 0.45, 0.9],
      },
    },
    {
      id: "plan-lines",
      type: "line",
      source: "plan-lines",
      layout: { "line-cap": "round" },
      paint: {
        "line-color": ["match", ["get", "which"], "a", sym.planColours.a, "b", sym.planColours.b, sym.planColours.current],
        "line-width": 1.1,
        "line-opacity": 0.6,
      },
    },
    {
      ...producerLayer,
      paint: {
        "circle-color": ["match", ["get", "product_class"], ...Object.entries(sym.classColours).flat(), "#6b7785"],
        "circle-radius": [
          "interpolate", ["linear"], ["zoom"],
          8, ["interpolate", ["linear"], size, 0, 1.2, 10, 1.8, 40, 4.5],
          12, ["interpolate", ["linear"], size, 0, 2.5, 10, 4, 40, 11],
          15, ["interpolate", ["linear"], size, 0, 4, 10, 7, 40, 18],
        ],
        "circle-opacity": 0.78,
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 8, 0.3, 12, 0.8],
        "circle-stroke-opacity": 0.9,
      },
    },
    {
      id: "facility-area-fill",
      type: "fill",
      source: "facility-areas",
      paint: {
        "fill-color": ["match", ["get", "facility_type"], ...Object.entries(sym.facilityStyle).flatMap(([k, v]) => [k, v.colour]), "#555"],
        "fill-opacity": 0.25,
      },
    },
    {
      id: "facility-area-line",
      type: "line",
      source: "facility-areas",
      paint: {
        "line-color": ["match", ["get", "facility_type"], ...Object.entries(sym.facilityStyle).flatMap(([k, v]) => [k, v.colour]), "#555"],
        "line-width": 1.6,
      },
    },
    {
      id: "candidates",
      type: "symbol",
      source: "candidates",
      layout: { "icon-image": "candidate", "icon-allow-overlap": true, "icon-size": ["interpolate", ["linear"], ["zoom"], 8, 0.7, 13, 1] },
    },
    {
      id: "candidate-label",
      type: "symbol",
      source: "candidates",
      minzoom: 12,
      layout: {
        "text-field": ["get", "name"],
        "text-font": FONT,
        "text-size": 11,
        "text-offset": [0, 1.1],
        "text-anchor": "top",
        "text-optional": true,
      },
      paint: { "text-color": "#4b5563", "text-halo-color": "#ffffff", "text-halo-width": 1.4 },
    },
    {
      id: "facilities",
      type: "symbol",
      source: "facilities",
      layout: {
        "icon-image": ["concat", "fac-", ["get", "facility_type"], "-", ["get", "status"]],
        "icon-size": [
          "interpolate", ["linear"], ["zoom"],
          8, ["*", 0.75, ["match", ["get", "tier"], ...Object.entries(sym.tierSize).flat(), 0.8]],
          13, ["*", 1.1, ["match", ["get", "tier"], ...Object.entries(sym.tierSize).flat(), 0.8]],
        ],
        "icon-allow-overlap": true,
        "symbol-sort-key": ["match", ["get", "tier"], "national", 1, "prefecture", 2, "county", 3, "township", 4, 5],
      },
    },
    {
      id: "facility-label",
      type: "symbol",
      source: "facilities",
      minzoom: 11,
      layout: {
        "text-field": ["get", "name"],
        "text-font": FONT,
        "text-size": 11,
        "text-offset": [0, 1.3],
        "text-anchor": "top",
        "text-max-width": 10,
        "text-optional": true,
      },
      paint: { "text-color": "#1f2a37", "text-halo-color": "#ffffff", "text-halo-width": 1.5 },
    },
    {
      id: "gap-label",
      type: "symbol",
      source: "gaps",
      minzoom: 10.5,
      layout: {
        "text-field": ["get", "label"],
        "text-font": FONT_BOLD,
        "text-size": 11,
        "text-allow-overlap": false,
      },
      paint: { "text-color": "#5b1208", "text-halo-color": "rgba(255,255,255,0.85)", "text-halo-width": 1.3 },
    },
    {
      id: "township-label",
      type: "symbol",
      source: "township-labels",
      layout: {
        "text-field": ["get", "name"],
        "text-font": FONT_BOLD,
        "text-size": ["interpolate", ["linear"], ["zoom"], 8, 11, 12, 15],
        "text-letter-spacing": 0.04,
        "text-max-width": 8,
        "text-allow-overlap": false,
        "text-padding": 4,
      },
      paint: { "text-color": "#475569", "text-halo-color": "rgba(251,250,246,0.95)", "text-halo-width": 1.8 },
    },
    {
      id: "settlement-dot",
      type: "circle",
      source: "settlements",
      minzoom: 10.5,
      paint: {
        "circle-radius": ["match", ["get", "settlement"], "county_seat", 4.5, "town", 3.2, 2.2],
        "circle-color": "#ffffff",
        "circle-stroke-color": "#334155",
        "circle-stroke-width": 1.4,
      },
    },
    {
      id: "settlement-label",
      type: "symbol",
      source: "settlements",
      minzoom: 11,
      layout: {
        "text-field": ["get", "name"],
        "text-font": FONT,
        "text-size": ["match", ["get", "settlement"], "county_seat", 12.5, 11],
        "text-offset": [0, 0.8],
        "text-anchor": "top",
        "text-optional": true,
      },
      paint: { "text-color": "#334155", "text-halo-color": "#ffffff", "text-halo-width": 1.4 },
    },
    {
      id: "plan-sites",
      type: "symbol",
      source: "plan-sites",
      layout: {
        "icon-image": ["concat", "site-", ["get", "which"]],
        "icon-size": ["interpolate", ["linear"], ["zoom"], 8, 0.85, 13, 1.15],
        "icon-allow-overlap": true,
        "text-field": ["to-string", ["get", "rank"]],
        "text-font": FONT_BOLD,
        "text-size": 10,
        "text-allow-overlap": true,
        "text-offset": [0, 0.08],
      },
      paint: { "text-color": "#ffffff" },
    },
    {
      id: "plan-site-label",
      type: "symbol",
      source: "plan-sites",
      layout: {
        "text-field": ["get", "name"],
        "text-font": FONT_BOLD,
        "text-size": 12,
        "text-offset": [0, 1.5],
        "text-anchor": "top",
        "text-max-width": 12,
        "text-optional": true,
      },
      paint: {
        "text-color": ["match", ["get", "which"], "a", sym.planColours.a, "b", sym.planColours.b, sym.planColours.current],
        "text-halo-color": "#ffffff",
        "text-halo-width": 1.8,
      },
    },
  ].filter(Boolean);
  return { version: 8, name: "coldchain", sources, layers };
}

function rampExpr() {
  const stops = gapStops();
  const expr = ["interpolate", ["linear"], ["get", "uncovered_t"]];
  stops.forEach((s, i) => expr.push(s, sym.gapRamp[i]));
  return expr;
}

function addImages(m) {
  for (const type of Object.keys(sym.facilityStyle)) {
    for (const st of sym.statuses) m.addImage(`fac-${type}-${st}`, sym.facilityIcon(type, st), { pixelRatio: sym.iconPixelRatio });
  }
  for (const [k, c] of Object.entries(sym.planColours)) m.addImage(`site-${k}`, sym.siteIcon(c), { pixelRatio: sym.iconPixelRatio });
  m.addImage("candidate", sym.candidateIcon(), { pixelRatio: sym.iconPixelRatio });
  for (const [k, c] of Object.entries(sym.exclusionColours)) m.addImage(`hatch-${k}`, sym.hatch(c), { pixelRatio: sym.iconPixelRatio });
}

function initialPadding(container) {
  const w = container.getBoundingClientRect().width;
  return { top: 40, bottom: 110, left: w > 900 ? 280 : 40, right: 50 };
}

/**
 * Creates the map in container; resolves once the style has loaded.
 * onError receives map errors (tiles, sources) so none goes unseen.
 */
export function createMap(container, { basemapURL, workerURL, onError, token }) {
  setWorkerUrl(workerURL);
  if (state.tiles.producers) {
    const vl = state.tiles.producers.vector_layers;
    producerSourceLayer = (vl && vl[0] && vl[0].id) || "producers";
  }
  const b = state.tops.length ? bbox(framed()) : state.tiles.producers?.bounds || null;
  map = new MapLibre({
    container,
    style: style(basemapURL),
    bounds: b ? [[b[0], b[1]], [b[2], b[3]]] : undefined,
    fitBoundsOptions: { padding: initialPadding(container) },
    center: b ? undefined : [114.3, 26.7],
    zoom: b ? undefined : 9,
    localIdeographFontFamily: CJK_FONT,
    // Tiles of this server carry the planner's token (needed when reads
    // need one too); a configured basemap gets none.
    transformRequest: (url) => {
      const tok = token();
      if (tok && url.startsWith(location.origin + BASE + "/tiles/")) return { url, headers: { Authorization: "Bearer " + tok } };
      return { url };
    },
    attributionControl: { compact: true, customAttribution: "coldchain" },
    maxZoom: 17,
    minZoom: 5,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-right");
  map.on("error", (e) => onError(e && e.error ? e.error : e));
  return new Promise((resolve) => {
    map.on("load", () => {
      addImages(map);
      resolve(map);
    });
  });
}

function setData(source, data) {
  const src = map && map.getSource(source);
  if (src && src.setData) src.setData(data || EMPTY);
}

/**
 * Puts the regions of the current view on the map: the viewed region's
 * outline (role frame) and its children (role child, clickable), with
 * their labels.
 */
export function showRegions() {
  const view = viewCode();
  const kids = childrenOf(view);
  const frame = view && state.areasByCode[view];
  const role = (f, r) => ({ ...f, properties: { ...f.properties, role: r } });
  const polys = [...(frame ? [role(frame, "frame")] : []), ...kids.map((f) => role(f, "child"))];
  setData("townships", { type: "FeatureCollection", features: polys });
  setData("township-labels", {
    type: "FeatureCollection",
    features: kids.map((f) => ({
      type: "Feature",
      properties: { code: f.properties.code, name: f.properties.name },
      geometry: { type: "Point", coordinates: labelPoint(f.geometry) },
    })).filter((f) => f.geometry.coordinates),
  });
  setData("settlements", state.settlements);
}

/** Applies the class and zone filters to producers, facilities and candidates. */
export function applyFilters() {
  if (!map) return;
  const cs = activeClasses();
  const on = filtered();
  map.setFilter("producers", on ? ["in", ["get", "product_class"], ["literal", cs]] : null);
  const zones = state.filter.zones;
  const keep = (f) => {
    if (!on) return true;
    const p = f.properties;
    const pcs = p.product_classes || [];
    const classOK = pcs.length === 0 || pcs.some((c) => cs.includes(c));
    const cap = p.capacity_t || {};
    const zoneOK = zones.length === 0 || zones.some((z) => cap[z] > 0);
    return classOK && zoneOK;
  };
  if (state.facilities) {
    const feats = state.facilities.features.filter(keep);
    setData("facilities", {
      type: "FeatureCollection",
      features: feats.map((f) => ({ ...f, geometry: { type: "Point", coordinates: pointOf(f.geometry) } })),
    });
    setData("facility-areas", { type: "FeatureCollection", features: feats.filter((f) => f.geometry && f.geometry.type !== "Point") });
  }
  if (state.candidates) setData("candidates", state.candidates);
  if (state.exclusions) setData("exclusions", state.exclusions);
}

/** Shows the gap hexagons of state.gaps. */
export function showGaps() {
  if (!map) return;
  const fc = state.gaps || EMPTY;
  const zh = getLang() === "zh";
  setData("gaps", {
    type: "FeatureCollection",
    features: fc.features.map((f) => ({
      ...f,
      properties: { ...f.properties, label: fmtNum(f.properties.uncovered_t, 0) + (zh ? " 吨" : " t") },
    })),
  });
  map.setPaintProperty("gap-fill", "fill-color", rampExpr());
}

/** The gap ramp's stops for the legend. */
export function gapLegendStops() {
  return gapStops().map((s, i) => [s, sym.gapRamp[i]]);
}

/** Draws each producer's line to its nearest compatible facility. */
export function showAccess() {
  if (!map) return;
  if (!state.access || !state.producers || !state.facilities) return setData("access", EMPTY);
  const pts = {};
  for (const f of state.producers.features) pts[f.id ?? f.properties.id] = f.geometry.coordinates;
  const fac = {};
  for (const f of state.facilities.features) fac[f.id ?? f.properties.id] = pointOf(f.geometry);
  const features = [];
  for (const a of state.access) {
    const p = pts[a.id], q = fac[a.nearest];
    if (!p || !q) continue;
    features.push({
      type: "Feature",
      properties: { covered: !!a.covered, minutes: a.minutes, class: a.class },
      geometry: { type: "LineString", coordinates: [p, q] },
    });
  }
  setData("access", { type: "FeatureCollection", features });
}

let shownSites = [];

function sitesOf(plan, which) {
  const sites = plan?.result?.sites?.features || [];
  return sites.map((f) => ({ ...f, properties: { ...f.properties, which, plan_id: plan.id } }));
}

function linesOf(plan, which) {
  const r = plan?.result;
  if (!r || !r.assignments || !state.producers) return [];
  const pts = {};
  for (const f of state.producers.features) pts[f.id ?? f.properties.id] = f.geometry.coordinates;
  const site = {};
  for (const f of r.sites?.features || []) site[f.properties.candidate_id] = f.geometry.coordinates;
  const out = [];
  for (const a of r.assignments) {
    const p = pts[a.producer], q = site[a.site];
    if (p && q) out.push({ type: "Feature", properties: { which, minutes: a.minutes }, geometry: { type: "LineString", coordinates: [p, q] } });
  }
  return out;
}

/** Shows the current plan's sites and assignment lines, or plans A and B. */
export function showPlans() {
  if (!map) return;
  let sites = [], lines = [];
  if (state.compare) {
    sites = [...sitesOf(state.compare.a, "a"), ...sitesOf(state.compare.b, "b")];
    lines = [...linesOf(state.compare.a, "a"), ...linesOf(state.compare.b, "b")];
  } else if (state.plan) {
    sites = sitesOf(state.plan, "current");
    lines = linesOf(state.plan, "current");
  }
  shownSites = sites;
  setData("plan-sites", { type: "FeatureCollection", features: sites });
  setData("plan-lines", { type: "FeatureCollection", features: lines });
}

/** Applies state.visible to the layers. */
export function applyVisibility() {
  if (!map) return;
  for (const [g, ids] of Object.entries(groups)) {
    for (const id of ids) {
      if (!map.getLayer(id)) continue;
      map.setLayoutProperty(id, "visibility", state.visible[g] ? "visible" : "none");
    }
  }
}

let selectedTownship = "";

/** Highlights the selected township. */
export function showSelection() {
  if (!map) return;
  if (selectedTownship) map.setFeatureState({ source: "townships", id: selectedTownship }, { selected: false });
  selectedTownship = state.region;
  if (selectedTownship) map.setFeatureState({ source: "townships", id: selectedTownship }, { selected: true });
}

let hovered = "";

/** Wires the township hover highlight. */
export function wireHover() {
  map.on("mousemove", "township-fill", (e) => {
    const id = e.features && e.features[0] && e.features[0].id;
    if (id === hovered) return;
    if (hovered) map.setFeatureState({ source: "townships", id: hovered }, { hover: false });
    hovered = id || "";
    if (hovered) map.setFeatureState({ source: "townships", id: hovered }, { hover: true });
  });
  map.on("mouseleave", "township-fill", () => {
    if (hovered) map.setFeatureState({ source: "townships", id: hovered }, { hover: false });
    hovered = "";
  });
  for (const id of clickable.slice(0, -1)) {
    map.on("mouseenter", id, () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", id, () => (map.getCanvas().style.cursor = ""));
  }
}

/** Flies to a point. */
export function flyTo(coords, zoom = 12, offset = [0, 0]) {
  if (map) map.flyTo({ center: coords, zoom: Math.max(map.getZoom(), zoom), offset, duration: 700 });
}

/** Fits the map to the sites shown, keeping the county in view. */
export function fitSites() {
  const b = bbox([...shownSites, ...framed()].filter(Boolean));
  if (map && b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: fitPadding(), duration: 600, maxZoom: 12 });
}

/** Padding that keeps the county clear of the floating panels. */
export function fitPadding() {
  const c = map ? map.getContainer().getBoundingClientRect() : { width: 1000 };
  const left = c.width > 900 ? 280 : 40;
  return { top: 40, bottom: 110, left, right: 50 };
}

/** Fits the map to the selected region (or the whole data), animated over duration ms. */
export function fitRegion(duration = 600) {
  const b = state.tops.length ? bbox(framed()) : null;
  if (map && b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: fitPadding(), duration });
}

/** The label of the tile source for the legend ("" with GeoJSON). */
export function tileNote(group) {
  return state.tiles[group] ? t("legend_tiles") : "";
}

// coldchain's map UI: boots the data, the map and the panels, and wires
// the events between them.

import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import { Popup } from "maplibre-gl";
import { h, fill, $, showError, guard, notify } from "./dom.js";
import { t, setLang, getLang, onLangChange, setClasses, missingKeys } from "./i18n.js";
import { state, on, emit, classParam, filtered, activeClasses } from "./state.js";
import { indexAreas } from "./regions.js";
import * as api from "./api.js";
import * as mapView from "./map.js";
import { renderOverview } from "./overview.js";
import { renderLayers, renderTimeline } from "./layers.js";
import { renderPlan, refreshRecent } from "./plan.js";
import { renderCompare } from "./compare.js";
import { setEditing, addAt, drawMarkers } from "./edit.js";
import * as pop from "./popups.js";

const LANG_KEY = "coldchain.lang";
const BASEMAP_KEY = "coldchain.basemap";
// Vector tiles (/tiles/{layer}.json) carry these layers; the rest stay
// GeoJSON from /api/v1, which suits their sizes (tens of features) and
// keeps the array and object properties that filters and popups read.
const TILE_LAYERS = ["producers"];

const boot = { start: performance.now() };
const KEY_SVG = `<svg width="13" height="13" viewBox="0 0 24 24" aria-hidden="true" style="vertical-align:-2px;margin-right:5px"><circle cx="8" cy="15" r="5" fill="none" stroke="currentColor" stroke-width="2.4"/><path d="M11.5 11.5 20 3m-4 4 3 3m-6-1 2 2" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"/></svg>`;
let popup = null;
let tab = "overview";

function initialLang() {
  const q = new URLSearchParams(location.search).get("lang");
  if (q === "zh" || q === "en") return q;
  try {
    const s = localStorage.getItem(LANG_KEY);
    if (s) return s;
  } catch {
    // no storage
  }
  return (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

function basemapURL() {
  const q = new URLSearchParams(location.search).get("basemap");
  if (q !== null) return q;
  try {
    return localStorage.getItem(BASEMAP_KEY) || "";
  } catch {
    return "";
  }
}

// ---- static chrome ------------------------------------------------------

function renderChrome() {
  document.title = `${t("app_title")} · ${t("app_subtitle")}`;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-title]")) {
    el.title = t(el.dataset.i18nTitle);
    el.setAttribute("aria-label", t(el.dataset.i18nTitle));
  }
  const lb = $("lang-btn");
  lb.textContent = t("lang_switch");
  lb.title = t("lang_switch_title");
  const tok = api.token();
  const ts = $("token-status");
  ts.innerHTML = tok ? KEY_SVG : "";
  ts.append(tok ? t("token_set") : t("token_none"));
  ts.classList.toggle("on", !!tok);
  $("edit-btn").textContent = state.editing ? "✓ " + t("edit_done") : "✎ " + t("edit_candidates");
  $("edit-btn").classList.toggle("on", state.editing);
  for (const b of document.querySelectorAll(".tabs button")) {
    b.textContent = t("tab_" + b.dataset.tab);
    b.classList.toggle("on", b.dataset.tab === tab);
    b.setAttribute("aria-selected", b.dataset.tab === tab ? "true" : "false");
  }
  for (const s of document.querySelectorAll(".tab")) s.hidden = s.id !== "tab-" + tab;
  const place = $("place");
  place.textContent = state.county ? state.county.properties.name : state.tops.map((f) => f.properties.name).join(" · ");
}

function renderAll() {
  renderChrome();
  renderOverview();
  renderPlan();
  renderCompare();
  renderLayers();
  renderTimeline();
}

function showTab(name) {
  if (tab !== name) document.querySelector(".tab-body").scrollTop = 0;
  tab = name;
  renderChrome();
}

// ---- data ---------------------------------------------------------------

let coverageCtl = null;
async function fetchCoverage() {
  if (coverageCtl) coverageCtl.abort();
  coverageCtl = new AbortController();
  const signal = coverageCtl.signal;
  const key = `${state.region || "county"}|${classParam().join(",")}`;
  state.coverage = null;
  state.coverageFailed = false;
  renderOverview();
  if (filtered() && activeClasses().length === 0) return;
  const r = await guard(t("kpi_title"), () => api.get("/api/v1/coverage" + api.query({ region: state.region, class: classParam(), include: state.includePlanned ? "planned" : "" }), { signal }));
  if (signal.aborted) return;
  if (!r) {
    state.coverageFailed = true;
    renderOverview();
    return;
  }
  state.coverage = r;
  renderOverview();
  if (!performance.getEntriesByName("coldchain-kpis").length) performance.mark("coldchain-kpis");
  document.body.dataset.coverage = key;
}

let gapsCtl = null;
let gapsTimer = null;
function fetchGaps(delay = 0) {
  clearTimeout(gapsTimer);
  gapsTimer = setTimeout(async () => {
    if (gapsCtl) gapsCtl.abort();
    gapsCtl = new AbortController();
    const signal = gapsCtl.signal;
    const month = state.month;
    const region = state.region;
    const key = `${month}|${classParam().join(",")}`;
    state.gapsLoading = true;
    renderTimeline();
    if (filtered() && activeClasses().length === 0) {
      state.gaps = { type: "FeatureCollection", features: [] };
    } else {
      const g = await guard(t("layer_gaps"), () => api.get("/api/v1/gaps" + api.query({ region, month: month || "", class: classParam() }), { signal }));
      if (signal.aborted) return;
      // On failure the map shows no gaps rather than another month's.
      state.gaps = g || null;
    }
    state.gapsLoading = false;
    mapView.showGaps();
    renderTimeline();
    renderLayers();
    if (!performance.getEntriesByName("coldchain-gaps").length) performance.mark("coldchain-gaps");
    // For tests and debugging: which gaps the map shows.
    document.body.dataset.gaps = key;
    document.body.dataset.gapsRegion = region;
  }, delay);
}

async function ensureProducers() {
  if (state.producers) return true;
  const fc = await guard(t("layer_producers"), () => api.allFeatures("producers"));
  if (!fc) return false;
  state.producers = fc;
  return true;
}

let accessCtl = null;
async function fetchAccess() {
  if (!state.visible.access) return;
  if (accessCtl) accessCtl.abort();
  accessCtl = new AbortController();
  const signal = accessCtl.signal;
  if (!(await ensureProducers())) return;
  const r = await guard(t("layer_access"), () => api.get("/api/v1/coverage" + api.query({ class: classParam(), include: "producers" }), { signal }));
  if (signal.aborted || !r) return;
  state.access = r.producers || [];
  mapView.showAccess();
}

async function loadBase() {
  const [classes, problems, regions, areas, settlements, facilities, candidates, exclusions] = await Promise.all([
    api.get("/api/v1/classes"),
    api.get("/api/v1/problems"),
    api.allFeatures("regions", { level: "province,prefecture,county,township" }),
    api.allFeatures("areas", { level: "province,prefecture,county,township" }),
    api.allFeatures("regions", { level: "village", settlement: "county_seat,town" }),
    api.allFeatures("facilities"),
    api.allFeatures("candidates"),
    api.allFeatures("exclusions"),
  ]);
  state.classes = classes;
  state.problems = problems.problems || [];
  setClasses(classes);
  // Areas: given boundaries, and the areas derived from township points
  // (derived: true, drawn dashed).
  indexAreas(areas.features);
  state.regionsByCode = Object.fromEntries(regions.features.map((f) => [f.properties.code, f]));
  state.settlements = settlements;
  state.facilities = facilities;
  state.candidates = candidates;
  state.exclusions = exclusions;
  if (!state.tiles.producers) state.producers = await api.allFeatures("producers");
}

// tileSources returns the TileJSON of each layer in TILE_LAYERS. The UI
// ships in the binary that serves the tiles, so they are there; a server
// without them gets GeoJSON sources instead.
async function tileSources() {
  const out = {};
  await Promise.all(TILE_LAYERS.map(async (l) => {
    const tj = await api.tileJSON(l);
    if (tj) out[l] = tj;
  }));
  return out;
}

// ---- map interaction ----------------------------------------------------

function closePopup() {
  if (popup) popup.remove();
  popup = null;
}

function openPopup(lngLat, content) {
  closePopup();
  popup = new Popup({ maxWidth: "340px", closeButton: true, focusAfterOpen: false }).setLngLat(lngLat).setDOMContent(content).addTo(mapView.getMap());
  return popup;
}

function byId(fc, id) {
  return fc ? fc.features.find((f) => String(f.id ?? f.properties.id) === String(id)) : null;
}

async function producerProps(f) {
  const id = f.id ?? f.properties.id;
  const local = byId(state.producers, id);
  if (local) return local.properties;
  if (f.properties.name !== undefined && f.properties.harvest_months !== undefined) return f.properties;
  const full = await guard(t("layer_producers"), () => api.get(`/api/v1/producers/${encodeURIComponent(id)}`));
  return full ? full.properties : f.properties;
}

async function onMapClick(e) {
  const map = mapView.getMap();
  if (state.editing) {
    if (e.originalEvent && e.originalEvent.target && e.originalEvent.target.closest && e.originalEvent.target.closest(".cand-marker, .maplibregl-popup")) return;
    addAt(e.lngLat);
    return;
  }
  const layers = mapView.clickable.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
  const feats = map.queryRenderedFeatures(e.point, { layers });
  if (!feats.length) {
    closePopup();
    return;
  }
  feats.sort((a, b) => layers.indexOf(a.layer.id) - layers.indexOf(b.layer.id));
  const f = feats[0];
  const id = f.id ?? f.properties.id;
  switch (f.layer.id) {
    case "plan-sites": {
      const site = findSite(f.properties.plan_id, f.properties.rank, f.properties.which);
      if (site) openPopup(site.geometry.coordinates, pop.sitePopup(site.properties));
      break;
    }
    case "facilities":
    case "facility-area-fill": {
      const full = byId(state.facilities, id);
      if (full) openPopup(e.lngLat, pop.facilityPopup(full.properties));
      break;
    }
    case "candidates": {
      const full = byId(state.candidates, id);
      if (full) openPopup(full.geometry.coordinates, pop.candidatePopup(full.properties));
      break;
    }
    case "producers": {
      const props = await producerProps(f);
      openPopup(e.lngLat, pop.producerPopup({ id, ...props }));
      break;
    }
    case "gap-fill":
      openPopup(e.lngLat, pop.gapPopup(f.properties));
      break;
    case "exclusion-fill": {
      const full = byId(state.exclusions, id);
      if (full) openPopup(e.lngLat, pop.exclusionPopup(full.properties));
      break;
    }
    case "township-fill": {
      const code = f.properties.code;
      const full = state.regionsByCode[code];
      emit("select-region", code);
      if (f.properties.level !== "township") break; // drilled down: the map fits the region
      openPopup(e.lngLat, pop.townshipPopup(full ? full.properties : f.properties, () => {
        showTab("overview");
        closePopup();
      }));
      break;
    }
  }
}

function findSite(planId, rank, which) {
  const plans = state.compare ? [state.compare.a, state.compare.b] : [state.plan];
  for (const p of plans) {
    if (!p || (planId && p.id !== planId)) continue;
    const s = (p.result?.sites?.features || []).find((x) => String(x.properties.rank) === String(rank));
    if (s) return { ...s, properties: { ...s.properties, which } };
  }
  return null;
}

// ---- settings -----------------------------------------------------------

function openSettings() {
  const dlg = $("settings-dialog");
  const tokenIn = h("input", { type: "password", id: "settings-token", value: api.token(), autocomplete: "off", spellcheck: "false" });
  const bmIn = h("input", { type: "url", id: "settings-basemap", value: basemapURL(), placeholder: "https://…/{z}/{x}/{y}.png" });
  fill(dlg,
    h("form", {
      method: "dialog", class: "settings",
      onsubmit: (e) => {
        e.preventDefault();
        api.setToken(tokenIn.value.trim());
        const oldBM = basemapURL();
        try {
          if (bmIn.value.trim()) localStorage.setItem(BASEMAP_KEY, bmIn.value.trim());
          else localStorage.removeItem(BASEMAP_KEY);
        } catch {
          // no storage
        }
        dlg.close();
        notify(t("settings_saved"));
        renderChrome();
        if (oldBM !== bmIn.value.trim()) location.reload();
      },
    },
    h("h2", null, t("settings_title")),
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("settings_token")), tokenIn, h("span", { class: "field-hint" }, t("settings_token_help"))),
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("settings_basemap")), bmIn, h("span", { class: "field-hint" }, t("settings_basemap_help"))),
    h("div", { class: "form-actions" },
      h("button", { class: "btn primary", type: "submit", id: "settings-save" }, t("save")),
      h("button", { class: "btn ghost", type: "button", onclick: () => {
        tokenIn.value = "";
      } }, t("clear")),
      h("button", { class: "btn ghost", type: "button", onclick: () => dlg.close() }, t("cancel")))));
  dlg.showModal();
}

// ---- events -------------------------------------------------------------

function wire() {
  $("lang-btn").addEventListener("click", () => {
    const l = getLang() === "zh" ? "en" : "zh";
    try {
      localStorage.setItem(LANG_KEY, l);
    } catch {
      // no storage
    }
    setLang(l);
  });
  $("settings-btn").addEventListener("click", openSettings);
  $("token-status").addEventListener("click", openSettings);
  $("edit-btn").addEventListener("click", () => setEditing(!state.editing));
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state.editing) setEditing(false);
  });

  onLangChange(() => {
    renderAll();
    mapView.showGaps();
    closePopup();
  });
  on("filter", () => {
    mapView.applyFilters();
    renderOverview();
    fetchCoverage();
    fetchGaps();
    fetchAccess();
  });
  on("set-month", (m) => {
    if (m === state.month) return;
    state.month = m;
    renderTimeline();
    renderOverview();
    renderLayers();
    fetchGaps(150);
  });
  on("select-region", (code) => {
    state.region = code || "";
    mapView.showRegions();
    mapView.showSelection();
    renderChrome();
    renderPlan(); // the plan form's area follows the map
    fetchCoverage();
    fetchGaps();
    mapView.fitRegion();
  });
  on("visibility", async (g) => {
    mapView.applyVisibility();
    drawMarkers();
    renderLayers();
    if (g === "access" && state.visible.access) fetchAccess();
  });
  on("plan", async (p) => {
    closePopup();
    state.planPart = null;
    state.visible.plan = true;
    mapView.applyVisibility();
    renderPlan();
    renderLayers();
    showTab("plan");
    if (p && p.result) await ensureProducers();
    mapView.showPlans();
    mapView.fitSites();
    document.body.dataset.plan = p ? `${p.id}:${p.status}` : "";
  });
  on("plans", () => {
    renderPlan();
    renderCompare();
  });
  on("compare", async () => {
    closePopup();
    state.visible.plan = true;
    mapView.applyVisibility();
    renderCompare();
    renderPlan();
    renderLayers();
    await ensureProducers();
    mapView.showPlans();
    mapView.fitSites();
    document.body.dataset.compare = `${state.compare.a.id},${state.compare.b.id}`;
  });
  on("show-site", (f) => {
    mapView.flyTo(f.geometry.coordinates, 11.5, [60, -140]);
    openPopup(f.geometry.coordinates, pop.sitePopup({ ...f.properties, which: "current" }));
  });
  on("fit-sites", () => {
    closePopup();
    mapView.fitSites();
  });
  on("candidates", () => {
    mapView.applyFilters();
    drawMarkers();
  });
  on("editing", () => renderChrome());
}

// ---- boot ---------------------------------------------------------------

async function start() {
  setLang(initialLang());
  wire();
  renderChrome();
  const loading = $("loading");
  loading.textContent = t("loading_map");
  // Which layers come as vector tiles decides the map's sources; the map
  // then starts while the layers load.
  state.tiles = await tileSources();
  const base = loadBase();
  let mapReady = null;
  try {
    mapReady = mapView.createMap($("map"), {
      basemapURL: basemapURL(),
      workerURL: new URL(document.querySelector("meta[name=maplibre-worker]").content, document.baseURI).href,
      token: api.token,
      onError: (err) => showError(err instanceof Error ? new Error(t("err_map", { msg: err.message })) : err),
    });
  } catch (e) {
    showError(new Error(t("err_webgl") + (e && e.message ? ` (${e.message})` : "")));
  }
  try {
    await base;
  } catch (e) {
    loading.hidden = true;
    showError(e, t("loading_map"));
    return;
  }
  performance.mark("coldchain-data");
  renderAll();
  // The figures and the gaps need no map: ask for them while it starts.
  fetchCoverage();
  fetchGaps();
  refreshRecent();
  if (!mapReady) {
    loading.hidden = true;
    return;
  }
  mapView.fitRegion(0);
  const map = await mapReady;
  performance.mark("coldchain-map-load");
  mapView.showRegions();
  mapView.applyFilters();
  mapView.applyVisibility();
  mapView.wireHover();
  mapView.showGaps();
  renderLayers();
  if (state.producers && !state.tiles.producers) map.getSource("producers").setData(state.producers);
  map.on("click", (e) => {
    onMapClick(e).catch((err) => showError(err));
  });
  // First render: the first frame with the borders and the producers drawn.
  let firstDrawn = false;
  const drawn = () => {
    if (firstDrawn || !map.isSourceLoaded("townships") || !map.isSourceLoaded("producers")) return;
    firstDrawn = true;
    map.off("render", drawn);
    loading.hidden = true;
    performance.mark("coldchain-first-render");
    boot.firstRender = performance.now();
  };
  map.on("render", drawn);
  map.once("idle", () => {
    drawn();
    performance.mark("coldchain-map-idle");
    document.body.dataset.ready = "1";
  });
}

// Hooks for the browser tests and for planners' own debugging.
window.__coldchain = {
  state,
  boot,
  map: () => mapView.getMap(),
  missingKeys,
};

start();

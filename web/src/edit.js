// Editing candidate sites: planners with a token add a site by clicking
// the map and move one by dragging it. Writes go to /api/v1/candidates, or,
// while a scenario is picked in the plan form, to that scenario's drafts
// (the shared layer stays as it is until the scenario is applied).

import { Marker, Popup } from "maplibre-gl";
import { h, fill, $, guard, notify } from "./dom.js";
import { t, label, values } from "./i18n.js";
import { state, emit } from "./state.js";
import * as api from "./api.js";
import { getMap } from "./map.js";

let markers = [];
let formPopup = null;

/** Turns editing on or off. */
export function setEditing(on) {
  state.editing = on;
  document.body.classList.toggle("editing", on);
  const hint = $("edit-hint");
  hint.hidden = !on;
  if (on) {
    fill(hint, h("span", null, t("edit_hint")), api.token() ? null : h("span", { class: "warn-inline" }, " " + t("edit_need_token")));
    state.visible.candidates = true;
    emit("visibility", "candidates");
  }
  drawMarkers();
  if (!on && formPopup) formPopup.remove();
  emit("editing", on);
}

function markerElement(f) {
  const el = h("div", { class: "cand-marker", title: `${f.properties.name || f.id} — ${t("popup_move_hint")}`, "data-id": f.id ?? f.properties.id });
  el.addEventListener("click", (e) => e.stopPropagation());
  el.innerHTML = `<svg width="22" height="22" viewBox="0 0 20 20"><path d="M10 2.5 L18 16.5 L2 16.5 Z" fill="#fff" stroke="#1d4ed8" stroke-width="2.2"/><circle cx="10" cy="11.8" r="2" fill="#1d4ed8"/></svg>`;
  return el;
}

/** Draws a draggable marker per candidate while editing. */
export function drawMarkers() {
  for (const m of markers) m.remove();
  markers = [];
  const map = getMap();
  if (!map) return;
  map.setLayoutProperty("candidates", "visibility", state.editing ? "none" : state.visible.candidates ? "visible" : "none");
  if (!state.editing || !state.candidates) return;
  for (const f of state.candidates.features) {
    const m = new Marker({ element: markerElement(f), draggable: true, anchor: "center" }).setLngLat(f.geometry.coordinates).addTo(map);
    m.on("dragend", () => move(f, m));
    markers.push(m);
  }
}

async function move(f, marker) {
  const id = f.id ?? f.properties.id;
  const ll = marker.getLngLat();
  const before = f.geometry.coordinates;
  const props = { ...f.properties };
  delete props.region_code;
  const body = { type: "Feature", id, geometry: { type: "Point", coordinates: [round(ll.lng), round(ll.lat)] }, properties: props };
  const saved = await guard(t("edit_candidates"), () => write(body, id));
  if (!saved) {
    marker.setLngLat(before);
    return;
  }
  Object.assign(f, saved);
  notify(t("cand_moved", { name: saved.properties?.name || id }));
  emit("candidates");
}

// write stores a candidate feature: as a draft of the picked scenario
// (answering the feature itself), else in the shared layer.
async function write(body, id) {
  if (state.scenario) {
    const f = { ...body, id: id || `c-draft-${Date.now().toString(36)}` };
    await api.request(`/api/v1/scenarios/${state.scenario}/drafts`, { method: "POST", body: { op: "put", layer: "candidates", feature: f } });
    notify(t("cand_draft"));
    return { ...f, properties: { ...f.properties, id: f.id } };
  }
  if (id) return api.request(`/api/v1/candidates/${encodeURIComponent(id)}`, { method: "PUT", body });
  return api.request("/api/v1/candidates", { method: "POST", body });
}

function round(v) {
  return Math.round(v * 1e6) / 1e6;
}

/** Opens the form that adds a candidate site at lngLat. */
export function addAt(lngLat) {
  const map = getMap();
  if (formPopup) formPopup.remove();
  const tiers = new Set(["field", "township"]);
  const nameIn = h("input", { type: "text", id: "cand-name", value: t("cand_default_name"), maxlength: 200 });
  const landIn = h("select", { id: "cand-land-use" }, values("land_use").map((v) => h("option", { value: v, selected: v === "construction" }, label("land_use", v))));
  const costIn = h("input", { type: "number", id: "cand-cost", min: 0, step: 10, value: 100 });
  const tierBoxes = values("tier").map((v) => h("label", { class: "check" },
    h("input", { type: "checkbox", value: v, checked: tiers.has(v), onchange: (e) => (e.target.checked ? tiers.add(v) : tiers.delete(v)) }), label("tier", v)));
  const save = async (e) => {
    e.preventDefault();
    const body = {
      type: "Feature",
      geometry: { type: "Point", coordinates: [round(lngLat.lng), round(lngLat.lat)] },
      properties: {
        name: nameIn.value.trim(),
        land_use: landIn.value,
        allowed_tiers: [...tiers],
        build_cost: costIn.value === "" ? 0 : Number(costIn.value),
        source: "user",
      },
    };
    const f = await guard(t("cand_new"), () => write(body));
    if (!f) return;
    formPopup.remove();
    state.candidates.features.push(f);
    notify(t("cand_added", { name: f.properties?.name || f.id }));
    emit("candidates");
  };
  const content = h("form", { class: "pop cand-form", id: "cand-form", onsubmit: save },
    h("div", { class: "pop-title" }, t("cand_new")),
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("cand_name")), nameIn),
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("cand_land_use")), landIn),
    h("div", { class: "field" }, h("span", { class: "field-label" }, t("cand_tiers")), h("div", { class: "checks" }, tierBoxes)),
    h("label", { class: "field" }, h("span", { class: "field-label" }, t("cand_cost")), costIn),
    h("div", { class: "form-actions" },
      h("button", { class: "btn primary small", type: "submit", id: "cand-save" }, t("cand_save")),
      h("button", { class: "btn small ghost", type: "button", onclick: () => formPopup.remove() }, t("cancel"))));
  formPopup = new Popup({ closeButton: true, maxWidth: "300px" }).setLngLat(lngLat).setDOMContent(content).addTo(map);
}

// Small DOM helpers and the message area (errors are never silent).

import { t } from "./i18n.js";

/**
 * h builds an element: h("div", {class: "x", onclick: f}, child, "text").
 * Attributes starting with "on" become listeners; null children are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k in el && typeof v !== "string") el[k] = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces el's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** The element with id. */
export function $(id) {
  return document.getElementById(id);
}

const SVGNS = "http://www.w3.org/2000/svg";

/** s builds an SVG element. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** Shows an ApiError or other error in the message area; returns the node. */
export function showError(err, context) {
  const box = $("messages");
  let title = t("err_title");
  let detail = "";
  let rows = [];
  let hint = "";
  if (err && typeof err.status === "number") {
    if (err.status === 0) {
      detail = t("err_network");
    } else {
      const key = "err_status_" + err.status;
      title = t(key) !== key ? t(key) : t("err_status_other", { status: err.status });
      detail = err.detail || err.title || "";
      rows = err.errors || [];
      if (err.status === 401 || err.status === 403) hint = t("err_auth_hint");
    }
  } else if (err) {
    detail = err.message || String(err);
  }
  const shown = rows.slice(0, 8).map((r) => h("li", null, t("err_row", { row: r.row ?? "?", field: r.field ?? "", reason: r.reason ?? "" })));
  if (rows.length > 8) shown.push(h("li", null, t("err_more", { n: rows.length - 8 })));
  const node = h(
    "div",
    { class: "msg msg-error", role: "alert" },
    h("div", { class: "msg-body" },
      h("strong", { class: "msg-title" }, context ? `${context}: ${title}` : title),
      detail ? h("div", { class: "msg-detail" }, detail) : null,
      hint ? h("div", { class: "msg-hint" }, hint) : null,
      shown.length ? h("ul", { class: "msg-rows" }, shown) : null),
    h("button", { class: "msg-close", type: "button", title: t("dismiss"), "aria-label": t("dismiss"), onclick: () => node.remove() }, "×"),
  );
  box.append(node);
  while (box.children.length > 4) box.firstElementChild.remove();
  return node;
}

/** Shows a short confirmation that fades by itself. */
export function notify(text) {
  const box = $("messages");
  const node = h("div", { class: "msg msg-ok", role: "status" }, h("div", { class: "msg-body" }, text));
  box.append(node);
  setTimeout(() => node.remove(), 4000);
  return node;
}

/** Runs an async action, showing any error it throws; returns its result or undefined. */
export async function guard(context, f) {
  try {
    return await f();
  } catch (e) {
    if (e && e.name === "AbortError") return undefined;
    console.warn(context || "request failed", e);
    showError(e, context);
    return undefined;
  }
}

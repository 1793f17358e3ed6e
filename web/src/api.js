// The HTTP API client: JSON in and out, the planner's token as a Bearer
// header, and RFC 9457 problem details turned into ApiError.

const TOKEN_KEY = "coldchain.token";

/**
 * BASE is the sub-path the server is reached under ("" at the root; the
 * page's <base> names it behind a reverse proxy): API paths start with it.
 */
export const BASE = new URL(".", document.baseURI).pathname.replace(/\/$/, "");

/** url returns an API path ("/api/v1/...") under BASE. */
export function url(path) {
  return path.startsWith("/") && !path.startsWith("//") ? BASE + path : path;
}

/** ApiError is a failed request: status 0 when the server was not reached. */
export class ApiError extends Error {
  constructor(status, title, detail, errors, path) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title || "";
    this.detail = detail || "";
    this.errors = Array.isArray(errors) ? errors : [];
    this.path = path || "";
  }
}

/** The stored API token, or "". */
export function token() {
  try {
    return localStorage.getItem(TOKEN_KEY) || "";
  } catch {
    return "";
  }
}

/** Stores (or with "" forgets) the API token. */
export function setToken(v) {
  try {
    if (v) localStorage.setItem(TOKEN_KEY, v);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Private mode without storage: the token lasts until reload.
  }
}

function headers(extra) {
  const h = { Accept: "application/json, application/geo+json, application/problem+json", ...extra };
  const tok = token();
  if (tok) h.Authorization = "Bearer " + tok;
  return h;
}

async function problemOf(resp, path) {
  let body = null;
  const text = await resp.text().catch(() => "");
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (body && typeof body === "object") {
    return new ApiError(resp.status, body.title || resp.statusText, body.detail || "", body.errors, path);
  }
  return new ApiError(resp.status, resp.statusText, text.slice(0, 300), [], path);
}

/**
 * Sends a request and returns the parsed JSON body (null for 204).
 * Throws ApiError for a problem response or an unreachable server.
 */
export async function request(path, { method = "GET", body, signal, raw = false, headers: extra } = {}) {
  const init = { method, headers: headers(extra), signal };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let resp;
  try {
    resp = await fetch(url(path), init);
  } catch (e) {
    if (e && e.name === "AbortError") throw e;
    throw new ApiError(0, "", "", [], path);
  }
  if (!resp.ok) throw await problemOf(resp, path);
  if (raw) return resp;
  if (resp.status === 204) return null;
  return resp.json();
}

/** GET path as JSON. */
export function get(path, opts) {
  return request(path, opts);
}

/** Builds a query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    q.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

/** Reads every feature of a layer, page by page. */
export async function allFeatures(layer, params = {}) {
  const features = [];
  let offset = 0;
  for (;;) {
    const fc = await get(`/api/v1/${layer}` + query({ ...params, limit: 10000, offset }));
    features.push(...fc.features);
    offset += fc.features.length;
    if (fc.features.length === 0 || offset >= (fc.numberMatched ?? offset)) break;
  }
  return { type: "FeatureCollection", features };
}

/** Whether a TileJSON exists for layer: returns it, or null. */
export async function tileJSON(layer) {
  try {
    const resp = await fetch(url(`/tiles/${layer}.json`), { headers: headers() });
    if (!resp.ok) return null;
    const tj = await resp.json();
    if (!tj || !Array.isArray(tj.tiles) || tj.tiles.length === 0) return null;
    return tj;
  } catch {
    return null;
  }
}

/** Downloads path as a file (with the token), named by the server. */
export async function download(path, fallbackName) {
  const resp = await request(path, { raw: true });
  const blob = await resp.blob();
  const cd = resp.headers.get("Content-Disposition") || "";
  const m = /filename="?([^";]+)"?/.exec(cd);
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = m ? m[1] : fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  return a.download;
}

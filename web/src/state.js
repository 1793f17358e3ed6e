// The UI's shared state and a tiny event bus between panels and the map.

/** The state every module reads; change it, then emit what changed. */
export const state = {
  classes: [], // /api/v1/classes
  problems: [], // /api/v1/problems: the engine's problem registry
  scenario: "", // the scenario picked in the plan form: candidate edits become its drafts
  county: null, // the top region's area when there is one (a county or a province)
  tops: [], // areas of the top regions (no parent among the areas)
  townships: [], // township areas
  areasByCode: {}, // areas of provinces, prefectures, counties and townships by code
  regionsByCode: {},
  settlements: null, // FeatureCollection of towns and the county seat
  producers: null, // FeatureCollection (loaded for GeoJSON sources and lines)
  facilities: null,
  candidates: null,
  exclusions: null,
  filter: { classes: [], zones: [] }, // empty: all
  month: 0, // 0: all year
  region: "", // selected region code (any level); "": the whole data
  includePlanned: false, // count planned facilities (adopted plans) as built
  coverage: null, // report for the selected region and filter
  gaps: null, // /api/v1/gaps answer for the month and filter
  access: null, // producers' access (coverage?include=producers) for service areas
  visible: {
    basemap: true,
    townships: true,
    producers: true,
    facilities: true,
    candidates: false,
    exclusions: true,
    gaps: true,
    access: false,
    plan: true,
  },
  plan: null, // the plan shown (GET /api/v1/plans/{id})
  planPart: null, // the county part picked in a province plan's result (its n)
  running: null, // {id, status, started} while a plan runs
  plans: [], // recent plans
  compare: null, // {a: plan, b: plan, summaries: [..]} when comparing
  tiles: {}, // layer -> TileJSON when vector tiles are used
  editing: false,
};

const handlers = {};

/** Calls f whenever event is emitted. */
export function on(event, f) {
  (handlers[event] ||= []).push(f);
}

/** Emits event with an optional argument. */
export function emit(event, arg) {
  for (const f of handlers[event] || []) {
    try {
      f(arg);
    } catch (e) {
      console.warn(`handler for ${event} failed`, e);
    }
  }
}

/** The product class codes selected by the filters (all when none). */
export function activeClasses() {
  let cs = state.filter.classes.length ? state.filter.classes.slice() : state.classes.map((c) => c.code);
  if (state.filter.zones.length) {
    const byCode = Object.fromEntries(state.classes.map((c) => [c.code, c]));
    cs = cs.filter((c) => (byCode[c]?.zones || []).some((z) => state.filter.zones.includes(z)));
  }
  return cs;
}

/** Whether any filter is set. */
export function filtered() {
  return state.filter.classes.length > 0 || state.filter.zones.length > 0;
}

/** The class list for API queries: empty when not filtered. */
export function classParam() {
  return filtered() ? activeClasses() : [];
}

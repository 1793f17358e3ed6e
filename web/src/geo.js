// Plain geometry helpers on GeoJSON coordinates (lon, lat).

/** The [minLon, minLat, maxLon, maxLat] of any geometries. */
export function bbox(features) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  const visit = (c) => {
    if (typeof c[0] === "number") {
      if (c[0] < b[0]) b[0] = c[0];
      if (c[1] < b[1]) b[1] = c[1];
      if (c[0] > b[2]) b[2] = c[0];
      if (c[1] > b[3]) b[3] = c[1];
    } else c.forEach(visit);
  };
  for (const f of features) if (f.geometry) visit(f.geometry.coordinates);
  return Number.isFinite(b[0]) ? b : null;
}

function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return a / 2;
}

function inRing(p, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygon(p, poly) {
  if (!inRing(p, poly[0])) return false;
  for (let k = 1; k < poly.length; k++) if (inRing(p, poly[k])) return false;
  return true;
}

function distToRing(p, ring) {
  let best = Infinity;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [ax, ay] = ring[j], [bx, by] = ring[i];
    const dx = bx - ax, dy = by - ay;
    const l = dx * dx + dy * dy;
    let tt = l ? ((p[0] - ax) * dx + (p[1] - ay) * dy) / l : 0;
    tt = Math.max(0, Math.min(1, tt));
    const x = ax + tt * dx - p[0], y = ay + tt * dy - p[1];
    best = Math.min(best, x * x + y * y);
  }
  return Math.sqrt(best);
}

/**
 * A point well inside a polygon for its label: the grid sample farthest
 * from the boundary (a coarse pole of inaccessibility), in the largest part.
 */
export function labelPoint(geometry) {
  if (!geometry) return null;
  if (geometry.type === "Point") return geometry.coordinates;
  let polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : null;
  if (!polys || polys.length === 0) return null;
  let poly = polys[0], area = 0;
  for (const p of polys) {
    const a = Math.abs(ringArea(p[0]));
    if (a > area) [area, poly] = [a, p];
  }
  const b = bbox([{ geometry: { coordinates: poly } }]);
  let best = null, bestD = -1;
  const n = 24;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      const p = [b[0] + ((b[2] - b[0]) * i) / n, b[1] + ((b[3] - b[1]) * j) / n];
      if (!inPolygon(p, poly)) continue;
      let d = Infinity;
      for (const ring of poly) d = Math.min(d, distToRing(p, ring));
      if (d > bestD) [bestD, best] = [d, p];
    }
  }
  return best || poly[0][0];
}

/** Whether a point lies in a (Multi)Polygon geometry. */
export function contains(geometry, p) {
  if (!geometry) return false;
  if (geometry.type === "Polygon") return inPolygon(p, geometry.coordinates);
  if (geometry.type === "MultiPolygon") return geometry.coordinates.some((poly) => inPolygon(p, poly));
  return false;
}

/** A representative point of any geometry. */
export function pointOf(geometry) {
  if (!geometry) return null;
  if (geometry.type === "Point") return geometry.coordinates;
  return labelPoint(geometry);
}

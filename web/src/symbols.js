// Colours and map symbols: product class colours, facility icons (shape by
// type family, colour by type, fill by status) drawn on a canvas, and the
// hatch patterns of exclusion zones.

/** Colour of each product class. */
export const classColours = {
  leafy_vegetable: "#2e9d4a",
  hardy_vegetable: "#8aa32b",
  berry: "#d63a5c",
  fruit: "#ee7d1f",
  citrus: "#f2b300",
  meat: "#9b4a3a",
  aquatic: "#2a7ab8",
  dairy: "#8d99a6",
  flower: "#c05fc7",
  tea: "#3f6b3a",
  mushroom: "#8a6f52",
  herbs: "#3fa39a",
};

/** Colour of a class, grey when unknown. */
export function classColour(c) {
  return classColours[c] || "#6b7785";
}

/** Facility types: shape family and colour. */
export const facilityStyle = {
  ventilated_store: { shape: "square", colour: "#6f7f2a" },
  cold_room: { shape: "square", colour: "#1f6fb2" },
  ca_store: { shape: "square", colour: "#5b4bb7" },
  precooling: { shape: "circle", colour: "#0b97b0" },
  quick_freeze: { shape: "circle", colour: "#23439e" },
  mobile_cold_room: { shape: "circle", colour: "#3d8fd1" },
  collection_centre: { shape: "diamond", colour: "#c2571a" },
  county_logistics_centre: { shape: "diamond", colour: "#a2302a" },
  backbone_base: { shape: "diamond", colour: "#7a2a5a" },
  processing_park: { shape: "hexagon", colour: "#8a5a2b" },
  science_park: { shape: "hexagon", colour: "#2f7d5a" },
  demonstration_park: { shape: "hexagon", colour: "#71822a" },
};

export const statuses = ["existing", "under_construction", "planned", "proposed"];

/** Icon size factor by tier. */
export const tierSize = { field: 0.62, township: 0.78, county: 0.95, prefecture: 1.1, national: 1.25 };

/** Exclusion zone colours by kind. */
export const exclusionColours = {
  basic_farmland: "#b58b00",
  ecological_redline: "#c0392b",
  flood: "#2c7fb8",
  water_source: "#1c9c8c",
};

/** Plan site colours: the current plan, and plans A and B in a comparison. */
export const planColours = { current: "#d1246b", a: "#2563eb", b: "#ea7a0c" };

/** Gap hexagon colour ramp (uncovered tonnes, as a share of the top stop). */
export const gapRamp = ["#fff1e0", "#fdc48a", "#f58b4c", "#d9482b", "#8f1d14"];

const PX = 2; // device pixels per CSS pixel of the icons
const SIZE = 30; // CSS pixels

function path(ctx, shape, c, r) {
  ctx.beginPath();
  switch (shape) {
    case "circle":
      ctx.arc(c, c, r, 0, Math.PI * 2);
      break;
    case "square": {
      const k = r * 0.86, q = r * 0.28;
      ctx.roundRect(c - k, c - k, 2 * k, 2 * k, q);
      break;
    }
    case "diamond":
      ctx.moveTo(c, c - r * 1.08);
      ctx.lineTo(c + r * 1.08, c);
      ctx.lineTo(c, c + r * 1.08);
      ctx.lineTo(c - r * 1.08, c);
      ctx.closePath();
      break;
    case "hexagon":
      for (let i = 0; i < 6; i++) {
        const a = Math.PI / 6 + (i * Math.PI) / 3;
        const x = c + r * Math.cos(a), y = c + r * Math.sin(a);
        i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
      }
      ctx.closePath();
      break;
    case "star":
      for (let i = 0; i < 10; i++) {
        const a = -Math.PI / 2 + (i * Math.PI) / 5;
        const rr = i % 2 ? r * 0.5 : r * 1.1;
        const x = c + rr * Math.cos(a), y = c + rr * Math.sin(a);
        i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
      }
      ctx.closePath();
      break;
  }
}

// snowflake draws a small six-armed mark, the cold-chain sign inside icons.
function snowflake(ctx, c, r, colour) {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = r * 0.16;
  ctx.lineCap = "round";
  for (let i = 0; i < 3; i++) {
    const a = (i * Math.PI) / 3 + Math.PI / 2;
    ctx.beginPath();
    ctx.moveTo(c - r * Math.cos(a), c - r * Math.sin(a));
    ctx.lineTo(c + r * Math.cos(a), c + r * Math.sin(a));
    ctx.stroke();
  }
  ctx.restore();
}

function canvas(size) {
  const cv = document.createElement("canvas");
  cv.width = cv.height = size * PX;
  const ctx = cv.getContext("2d", { willReadFrequently: true });
  ctx.scale(PX, PX);
  return [cv, ctx];
}

function image(cv) {
  const ctx = cv.getContext("2d", { willReadFrequently: true });
  const d = ctx.getImageData(0, 0, cv.width, cv.height);
  return { width: cv.width, height: cv.height, data: new Uint8Array(d.data.buffer) };
}

/** Draws a facility icon and returns it as an image for map.addImage. */
export function facilityIcon(type, status) {
  const st = facilityStyle[type] || { shape: "circle", colour: "#555" };
  const [cv, ctx] = canvas(SIZE);
  const c = SIZE / 2, r = SIZE * 0.36;
  ctx.shadowColor = "rgba(20,30,40,0.35)";
  ctx.shadowBlur = 3;
  ctx.shadowOffsetY = 1;
  path(ctx, st.shape, c, r);
  const hollow = status === "planned" || status === "proposed";
  ctx.fillStyle = hollow ? "#ffffff" : st.colour;
  ctx.fill();
  ctx.shadowColor = "transparent";
  if (status === "under_construction") {
    ctx.save();
    path(ctx, st.shape, c, r);
    ctx.clip();
    ctx.strokeStyle = "rgba(255,255,255,0.75)";
    ctx.lineWidth = 2.2;
    for (let x = -SIZE; x < SIZE * 2; x += 6) {
      ctx.beginPath();
      ctx.moveTo(x, SIZE);
      ctx.lineTo(x + SIZE, 0);
      ctx.stroke();
    }
    ctx.restore();
  }
  path(ctx, st.shape, c, r);
  ctx.lineWidth = hollow ? 3 : 1.8;
  ctx.strokeStyle = hollow ? st.colour : "#ffffff";
  if (status === "proposed") ctx.setLineDash([3.5, 2.5]);
  ctx.stroke();
  ctx.setLineDash([]);
  snowflake(ctx, c, r * 0.5, hollow ? st.colour : "#ffffff");
  return image(cv);
}

/** Draws the star of a plan's new site in colour. */
export function siteIcon(colour) {
  const [cv, ctx] = canvas(SIZE + 6);
  const c = (SIZE + 6) / 2, r = SIZE * 0.42;
  ctx.shadowColor = "rgba(20,30,40,0.45)";
  ctx.shadowBlur = 4;
  ctx.shadowOffsetY = 1;
  path(ctx, "star", c, r);
  ctx.fillStyle = colour;
  ctx.fill();
  ctx.shadowColor = "transparent";
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#ffffff";
  ctx.stroke();
  return image(cv);
}

/** Draws a candidate site: a hollow triangle. */
export function candidateIcon() {
  const [cv, ctx] = canvas(20);
  ctx.beginPath();
  ctx.moveTo(10, 3);
  ctx.lineTo(17.5, 16);
  ctx.lineTo(2.5, 16);
  ctx.closePath();
  ctx.fillStyle = "rgba(255,255,255,0.92)";
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#4b5563";
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(10, 11.5, 1.8, 0, Math.PI * 2);
  ctx.fillStyle = "#4b5563";
  ctx.fill();
  return image(cv);
}

/** Draws a diagonal hatch pattern in colour for an exclusion kind. */
export function hatch(colour) {
  const [cv, ctx] = canvas(12);
  ctx.strokeStyle = colour;
  ctx.globalAlpha = 0.55;
  ctx.lineWidth = 1.4;
  for (const o of [-12, 0, 12]) {
    ctx.beginPath();
    ctx.moveTo(o, 12);
    ctx.lineTo(o + 12, 0);
    ctx.stroke();
  }
  return image(cv);
}

/** The pixel ratio of the images above. */
export const iconPixelRatio = PX;

/** An inline SVG string of a facility symbol, for the legend. */
export function facilitySVG(type, status, size = 18) {
  const st = facilityStyle[type] || { shape: "circle", colour: "#555" };
  const c = 12, r = 8.6;
  let shape;
  switch (st.shape) {
    case "square":
      shape = `<rect x="${c - 7.4}" y="${c - 7.4}" width="14.8" height="14.8" rx="2.4"`;
      break;
    case "diamond":
      shape = `<path d="M12 2.7 L21.3 12 L12 21.3 L2.7 12 Z"`;
      break;
    case "hexagon": {
      const pts = [];
      for (let i = 0; i < 6; i++) {
        const a = Math.PI / 6 + (i * Math.PI) / 3;
        pts.push(`${(c + r * Math.cos(a)).toFixed(2)},${(c + r * Math.sin(a)).toFixed(2)}`);
      }
      shape = `<polygon points="${pts.join(" ")}"`;
      break;
    }
    default:
      shape = `<circle cx="12" cy="12" r="${r}"`;
  }
  const hollow = status === "planned" || status === "proposed";
  const fillc = hollow ? "#fff" : st.colour;
  const stroke = hollow ? st.colour : "#fff";
  const dash = status === "proposed" ? ` stroke-dasharray="3 2"` : "";
  let stripes = "";
  if (status === "under_construction") {
    const id = `cc-clip-${++svgSeq}`;
    const lines = [-6, 0, 6, 12, 18].map((x) => `<line x1="${x}" y1="24" x2="${x + 24}" y2="0"/>`).join("");
    stripes = `<clipPath id="${id}">${shape}/></clipPath><g clip-path="url(#${id})" stroke="rgba(255,255,255,.75)" stroke-width="2">${lines}</g>`;
  }
  return `<svg width="${size}" height="${size}" viewBox="0 0 24 24" aria-hidden="true">` +
    `${shape} fill="${fillc}"/>${stripes}${shape} fill="none" stroke="${stroke}" stroke-width="${hollow ? 2.6 : 1.6}"${dash}/></svg>`;
}

let svgSeq = 0;

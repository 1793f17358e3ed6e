// Builds the map UI into dist/ (embedded in the Go binary by embed.go):
//   dist/index.html                       the page, naming the hashed assets
//   dist/assets/app-HASH.js, app-HASH.css the bundle (MapLibre GL JS and src/)
//   dist/assets/maplibre-gl-worker-HASH.mjs   MapLibre's web worker
//   *.gz                                   gzip siblings the server sends when accepted
//   dist/build.json                        sizes (raw and gzipped) for the page-weight report
// Run by `make web` (npm ci && npm run build); never by hand in CI.

import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, constants } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const assets = join(dist, "assets");

// Clean the previous build, keeping the committed placeholder.
mkdirSync(dist, { recursive: true });
for (const name of readdirSync(dist)) {
  if (name !== ".placeholder") rmSync(join(dist, name), { recursive: true, force: true });
}
mkdirSync(assets, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: "src/main.js" },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  outdir: "dist/assets",
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  metafile: true,
  legalComments: "eof",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
});

const outputs = Object.keys(result.metafile.outputs).map((p) => p.replace(/^dist\//, ""));
const js = outputs.find((p) => p.endsWith(".js"));
const css = outputs.find((p) => p.endsWith(".css"));
if (!js || !css) throw new Error(`esbuild produced no JS or CSS: ${outputs.join(", ")}`);

// MapLibre loads its worker from a URL of its own; ship it hashed beside the bundle.
const workerSrc = readFileSync(join(here, "node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs"));
const workerHash = createHash("sha256").update(workerSrc).digest("hex").slice(0, 8).toUpperCase();
const worker = `assets/maplibre-gl-worker-${workerHash}.mjs`;
writeFileSync(join(dist, worker), workerSrc);

const page = readFileSync(join(here, "src/index.html"), "utf8")
  // Relative, so that the page works under a sub-path too (see <base> in
  // the Go handler).
  .replace("%JS%", js)
  .replace("%CSS%", css)
  .replace("%WORKER%", worker);
writeFileSync(join(dist, "index.html"), page);

// Gzip siblings, and the sizes a browser downloads.
const sizes = {};
for (const rel of ["index.html", js, css, worker]) {
  const raw = readFileSync(join(dist, rel));
  const gz = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION });
  if (gz.length < raw.length * 0.9) writeFileSync(join(dist, rel + ".gz"), gz);
  sizes[rel] = { bytes: raw.length, gzip: Math.min(gz.length, raw.length) };
}
const total = (pred) => Object.entries(sizes).filter(([k]) => pred(k)).reduce((a, [, v]) => ({ bytes: a.bytes + v.bytes, gzip: a.gzip + v.gzip }), { bytes: 0, gzip: 0 });
const report = {
  files: sizes,
  js: total((k) => k.endsWith(".js") || k.endsWith(".mjs")),
  css: total((k) => k.endsWith(".css")),
  all: total(() => true),
};
writeFileSync(join(dist, "build.json"), JSON.stringify(report, null, 2) + "\n");

const kb = (n) => (n / 1024).toFixed(1).padStart(7) + " KiB";
for (const [k, v] of Object.entries(sizes)) console.log(`${k.padEnd(48)} ${kb(v.bytes)}  gzip ${kb(v.gzip)}`);
console.log(`${"JS (bundle + worker)".padEnd(48)} ${kb(report.js.bytes)}  gzip ${kb(report.js.gzip)}`);
console.log(`${"CSS".padEnd(48)} ${kb(report.css.bytes)}  gzip ${kb(report.css.gzip)}`);
statSync(join(dist, "index.html"));

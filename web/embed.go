// Package web holds coldchain's map UI: MapLibre GL JS and the planner's
// panels, bundled by esbuild (web/build.mjs, run by `make web`) into dist/
// and embedded in the binary. Handler serves the files, gzip-compressed
// where the build left a .gz beside them, and a page saying how to build
// the UI when the build output is missing.
package web

import (
	"embed"
	"io/fs"
)

// dist holds the build output; a committed placeholder keeps the folder
// (and so the embed) present in a clean checkout before the first build.
//
//go:embed all:dist
var dist embed.FS

// FS returns the UI's files with index.html at the root (only the
// placeholder when the UI has not been built).
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return sub
}

// Built reports whether fsys holds a built UI (an index.html).
func Built(fsys fs.FS) bool {
	_, err := fs.Stat(fsys, "index.html")
	return err == nil
}

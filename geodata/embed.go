// Package geodata holds the synthetic demo county as GeoJSON files (one per
// layer, opened in QGIS and imported like any user file) and, in gen/, the
// seeded generator that wrote them.
package geodata

import "embed"

// FS holds the demo county's GeoJSON files, named after their layers.
//
//go:embed *.geojson
var FS embed.FS

// Version names the demo data set; `coldchain demo` records it so that
// loading again is a no-op.
const Version = "demo-county-1"

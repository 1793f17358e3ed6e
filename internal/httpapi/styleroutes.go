package httpapi

import (
	"net/http"
	"strings"

	"github.com/coldchain/coldchain/internal/postgres"
)

// styleEndpoints: a MapLibre style (style spec v8) of the vector tile
// layers, for QGIS and any MapLibre client.
func (s *Server) styleEndpoints(reg *tileRegistry) []endpoint {
	return []endpoint{
		{Method: "GET", Path: "/styles/coldchain.json", Summary: "MapLibre style of the tile layers", Tag: "tiles",
			Description: "A MapLibre GL style (version 8) drawing every tile layer that needs no parameter " +
				"(producers, facilities, candidates, exclusions, regions, roads …) from /tiles, with absolute URLs " +
				"built from the request, so that QGIS (Vector Tiles → style URL) and MapLibre clients load it as it is.",
			Responses: ok("200", "The style", "application/json", anyObject("a MapLibre style, version 8")),
			Handler:   plain(s.style(reg))},
	}
}

// styleColours colours each layer on the map; a layer without an entry is
// drawn grey.
var styleColours = map[string]string{
	"producers": "#2e8b57", "facilities": "#1f5fa8", "candidates": "#e08a00",
	"exclusions": "#c0392b", "regions": "#6b7785", "roads": "#8c6d46", "service_areas": "#5aa0d8",
}

// styleLayers returns the registry's layers a static style can show:
// those whose tiles need no query parameter.
func styleLayers(reg *tileRegistry) []*tileLayer {
	var out []*tileLayer
	for _, l := range reg.layers {
		needs := false
		for _, p := range l.Params {
			needs = needs || p.Required
		}
		if !needs {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) style(reg *tileRegistry) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ls := styleLayers(reg)
		var names []string
		for _, l := range ls {
			names = append(names, l.Name)
		}
		base := baseURL(r)
		source := map[string]any{
			"type":        "vector",
			"tiles":       []string{base + "/tiles/" + strings.Join(names, ",") + "/{z}/{x}/{y}.mvt"},
			"minzoom":     0,
			"maxzoom":     maxTileZoom,
			"attribution": "coldchain",
		}
		layers := []map[string]any{{"id": "background", "type": "background", "paint": map[string]any{"background-color": "#f4f1ea"}}}
		for _, l := range ls {
			layers = append(layers, styleLayersOf(l)...)
		}
		// Open on the data: the centre of the regions, else of the world.
		var lon, lat float64
		zoom := 1
		var n int
		err := s.Pool.QueryRow(r.Context(), `SELECT count(*), coalesce(ST_X(ST_Centroid(ST_Extent(geom))), 0), coalesce(ST_Y(ST_Centroid(ST_Extent(geom))), 0) FROM region`).Scan(&n, &lon, &lat)
		if err != nil {
			return postgres.Translate(err, "region")
		}
		if n > 0 {
			zoom = 8
		}
		style := map[string]any{
			"version":  8,
			"name":     "coldchain",
			"metadata": map[string]any{"coldchain:tilejson": base + "/tiles/" + strings.Join(names, ",") + ".json"},
			"center":   []float64{lon, lat},
			"zoom":     zoom,
			"sources":  map[string]any{"coldchain": source},
			"layers":   layers,
		}
		w.Header().Set("Cache-Control", "no-cache")
		return writeJSON(w, http.StatusOK, style)
	}
}

// styleLayersOf draws one tile layer: polygons filled and outlined, lines
// as lines, points as circles.
func styleLayersOf(l *tileLayer) []map[string]any {
	colour := styleColours[l.Name]
	if colour == "" {
		colour = "#777777"
	}
	layer := func(id, kind string, paint map[string]any) map[string]any {
		m := map[string]any{"id": id, "type": kind, "source": "coldchain", "source-layer": l.Name, "paint": paint,
			"metadata": map[string]any{"coldchain:title": l.Title}}
		if l.MinZoom > 0 {
			m["minzoom"] = l.MinZoom
		}
		return m
	}
	switch l.Geometry {
	case "polygon":
		return []map[string]any{
			layer(l.Name+"-fill", "fill", map[string]any{"fill-color": colour, "fill-opacity": 0.15}),
			layer(l.Name+"-outline", "line", map[string]any{"line-color": colour, "line-width": 1}),
		}
	case "line":
		return []map[string]any{layer(l.Name, "line", map[string]any{"line-color": colour, "line-width": 1.2})}
	}
	return []map[string]any{layer(l.Name, "circle", map[string]any{
		"circle-color": colour, "circle-radius": 4, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1,
	})}
}

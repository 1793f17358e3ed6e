package httpapi

import (
	"fmt"
	"sort"
	"strings"

	"github.com/coldchain/coldchain/internal/cql2"
	"github.com/coldchain/coldchain/internal/crs"
	"github.com/coldchain/coldchain/internal/layer"
)

// ogcEndpoints: OGC API – Features under /ogc (ogc.go). Reads pass
// authenticate (open unless ReadAuth); writes need a planner token.
func (s *Server) ogcEndpoints() []endpoint {
	const tag = "ogc"
	coll := pathParam("collectionId", "a layer ("+strings.Join(layer.Names(), ", ")+") or plan-<id> for a finished plan's sites, plan-<id>-allocations for its allocations", str())
	fid := pathParam("featureId", "the feature's id", str())
	no := false
	items := []apiParam{
		{Name: "bbox", In: "query", Description: "minlon,minlat,maxlon,maxlat in CRS84", Style: "form", Explode: &no,
			Schema: schema{"type": "array", "minItems": 4, "maxItems": 6, "items": number()}},
		queryParam("limit", fmt.Sprintf("features per page (default %d; larger values are lowered to %d)", ogcDefaultLimit, layer.MaxLimit),
			schema{"type": "integer", "minimum": 1, "default": ogcDefaultLimit}),
		queryParam("offset", "features to skip (the next and prev links carry it)", integer(0, 0)),
		datumQueryParam(),
		queryParam("datetime", "accepted and ignored: the data has no time", str()),
		queryParam("crs", "CRS of the answer's coordinates (default "+crs84+"; EPSG:4326 and EPSG:4490 are latitude first); plan collections: "+crs84+" only", enum(crs.URIs()...)),
		queryParam("bbox-crs", "CRS of bbox, in its axis order (default "+crs84+")", enum(crs.URIs()...)),
		queryParam("f", "format; only JSON is served", enum("json", "geojson")),
	}
	filters := []apiParam{
		queryParam("filter", fmt.Sprintf("a CQL2 filter over the collection's queryables (see /queryables), at most %d characters, nested at most %d deep, IN lists of at most %d values: comparisons, AND, OR, NOT, LIKE, BETWEEN, IN, IS NULL, %s with WKT geometry (layers only)",
			cql2.DefaultLimits.Length, cql2.DefaultLimits.Depth, cql2.DefaultLimits.List, strings.Join(cql2.SpatialOps(), ", ")),
			schema{"type": "string", "maxLength": cql2.DefaultLimits.Length, "example": "product_class='citrus' AND annual_output_t>100"}),
		queryParam("filter-lang", "the filter's encoding (default cql2-text; cql-text, the draft's name that GDAL 3.6 sends, reads as cql2-text)", enum("cql2-text", "cql2-json", "cql-text")),
		queryParam("filter-crs", "CRS of the filter's geometries (default "+crs84+")", enum(crs.URIs()...)),
		queryParam("sortby", fmt.Sprintf("at most %d queryables, comma-separated, - for descending (e.g. -annual_output_t,name); then by id", layer.MaxSortKeys), str()),
		queryParam("properties", "the properties to return, comma-separated (default all)", str()),
	}
	feature := schema{"oneOf": []schema{ref("Feature"), ref("FeatureCollection")}}
	return []endpoint{
		{Method: "GET", Path: "/ogc", Summary: "OGC API – Features landing page", Tag: tag,
			Responses: ok("200", "Links to the API definition, conformance and collections", "application/json", ref("LandingPage")),
			Handler:   plain(s.ogcLanding)},
		{Method: "GET", Path: "/ogc/conformance", Summary: "Conformance classes", Tag: tag,
			Responses: ok("200", "The classes implemented", "application/json", ref("Conformance")),
			Handler:   plain(s.ogcConformance)},
		{Method: "GET", Path: "/ogc/collections", Summary: "Every layer and every finished plan's sites", Tag: tag,
			Responses: ok("200", "The collections", "application/json", ref("Collections")),
			Handler:   plain(s.ogcCollections)},
		{Method: "GET", Path: "/ogc/collections/{collectionId}", Summary: "A collection", Tag: tag,
			PathParams: []apiParam{coll}, Problems: []int{404},
			Responses: ok("200", "The collection", "application/json", ref("Collection")),
			Handler:   plain(s.ogcCollection)},
		{Method: "GET", Path: "/ogc/collections/{collectionId}/items", Summary: "A page of a collection's features", Tag: tag,
			Description: "numberMatched counts every feature the query selects; follow the next links to read them all.",
			PathParams:  []apiParam{coll}, ExtraParams: append(append(append(items, filters...), ifNoneMatch()), layerFilterParams()...), Problems: []int{400, 404},
			Responses: featureResponses("The features", ref("FeatureCollection")),
			Handler:   plain(s.ogcItems)},
		{Method: "GET", Path: "/ogc/collections/{collectionId}/queryables", Summary: "What filters and sortby may name (Part 3)", Tag: tag,
			PathParams: []apiParam{coll}, Problems: []int{404},
			Responses: ok("200", "A JSON Schema of the queryables", "application/schema+json", anyObject("JSON Schema")),
			Handler:   plain(s.ogcQueryables)},
		{Method: "GET", Path: "/ogc/collections/{collectionId}/schema", Summary: "The features' schema (Part 5)", Tag: tag,
			PathParams: []apiParam{coll}, Problems: []int{404},
			Responses: ok("200", "A JSON Schema of the features' properties", "application/schema+json", anyObject("JSON Schema")),
			Handler:   plain(s.ogcSchema)},
		{Method: "POST", Path: "/ogc/collections/{collectionId}/items", Summary: "Add a feature (Part 4)", Tag: tag, Role: RolePlanner,
			Description: "Only producers, facilities and candidates are editable (others answer 405). A FeatureCollection adds all its features or none.",
			PathParams:  []apiParam{coll}, Problems: []int{400, 404, 405, 409, 413},
			Body:      jsonBody("GeoJSON Feature", geoJSONMedia, feature),
			Responses: ok("201", "Stored; Location names the new feature", geoJSONMedia, schema{"oneOf": []schema{ref("Feature"), ref("Created")}}),
			Handler:   plain(s.ogcCreate)},
		{Method: "GET", Path: "/ogc/collections/{collectionId}/items/{featureId}", Summary: "A feature", Tag: tag,
			PathParams: []apiParam{coll, fid}, ExtraParams: []apiParam{datumQueryParam(), items[5], filters[4], ifNoneMatch()}, Problems: []int{400, 404},
			Responses: featureResponses("The feature", ref("Feature")),
			Handler:   plain(s.ogcItem)},
		{Method: "PUT", Path: "/ogc/collections/{collectionId}/items/{featureId}", Summary: "Replace a feature (Part 4)", Tag: tag, Role: RolePlanner,
			PathParams: []apiParam{coll, fid}, Problems: []int{400, 404, 405, 413},
			Body:      jsonBody("GeoJSON Feature", geoJSONMedia, ref("Feature")),
			Responses: ok("200", "The stored feature", geoJSONMedia, ref("Feature")),
			Handler:   plain(s.ogcReplace)},
		{Method: "DELETE", Path: "/ogc/collections/{collectionId}/items/{featureId}", Summary: "Delete a feature (Part 4)", Tag: tag, Role: RolePlanner,
			PathParams: []apiParam{coll, fid}, Problems: []int{404, 405},
			Responses: ok("204", "Deleted", "", nil),
			Handler:   plain(s.ogcDelete)},
	}
}

// ifNoneMatch documents the If-None-Match header.
func ifNoneMatch() apiParam {
	return apiParam{Name: "If-None-Match", In: "header", Description: "an ETag the client holds", Schema: str()}
}

// featureResponses documents a feature read: 200 with ETag and
// Content-Crs, and 304.
func featureResponses(desc string, body schema) map[string]apiResp {
	resp := ok("200", desc, geoJSONMedia, body)
	resp["200"] = apiResp{Description: resp["200"].Description, Content: resp["200"].Content, Headers: map[string]any{
		"ETag":        map[string]any{"description": "a hash of the answer (weak for pages); send it back in If-None-Match", "schema": str()},
		"Content-Crs": map[string]any{"description": "the CRS of the coordinates, <URI>", "schema": str()},
	}}
	resp["304"] = apiResp{Description: "Not modified (If-None-Match named the current ETag)"}
	return resp
}

// tileParams documents the tile layers' query parameters, each once with
// the layers that read it.
func tileParams(reg *tileRegistry) []apiParam {
	params := map[string][]string{}
	paramDesc := map[string]string{}
	for _, l := range reg.layers {
		for _, p := range l.Params {
			params[p.Name] = append(params[p.Name], l.Name)
			paramDesc[p.Name] = p.Description
		}
	}
	pnames := make([]string, 0, len(params))
	for p := range params {
		pnames = append(pnames, p)
	}
	sort.Strings(pnames)
	var query []apiParam
	for _, p := range pnames {
		query = append(query, queryParam(p, fmt.Sprintf("%s (layers %s)", paramDesc[p], strings.Join(params[p], ", ")), str()))
	}
	return query
}

// tileEndpoints: vector tiles and TileJSON under /tiles (tiles.go).
func (s *Server) tileEndpoints(reg *tileRegistry) []endpoint {
	const tag = "tiles"
	var names, descs []string
	for _, l := range reg.layers {
		names = append(names, l.Name)
		descs = append(descs, fmt.Sprintf("%s (%s)", l.Name, l.Title))
	}
	query := tileParams(reg)
	layersP := pathParam("layers", "tile layers, comma-separated: "+strings.Join(descs, ", "),
		schema{"type": "string", "pattern": `^[a-z0-9_]+(,[a-z0-9_]+)*$`, "example": strings.Join(names[:min(2, len(names))], ",")})
	tileP := []apiParam{layersP,
		pathParam("z", fmt.Sprintf("zoom, 0 to %d", maxTileZoom), integer(0, maxTileZoom)),
		pathParam("x", "column, 0 to 2^z - 1", integer(0, 0)),
		pathParam("y", "row from the north, 0 to 2^z - 1", integer(0, 0)),
	}
	resp := ok("200", fmt.Sprintf("A Mapbox Vector Tile, one MVT layer per requested layer, each at most %d features", s.TileLimit),
		"application/vnd.mapbox-vector-tile", schema{"type": "string", "format": "binary"})
	resp["200"] = apiResp{Description: resp["200"].Description, Content: resp["200"].Content, Headers: map[string]any{
		"ETag":          map[string]any{"description": "the tile's hash; send it back in If-None-Match", "schema": str()},
		"Cache-Control": map[string]any{"description": "how long the tile may be reused", "schema": str()},
	}}
	resp["304"] = apiResp{Description: "Not modified (If-None-Match named the current ETag)"}
	return []endpoint{
		{Method: "GET", Path: "/tiles", Summary: "The tile layers", Tag: tag,
			Responses: ok("200", "Every tile layer with its TileJSON", "application/json",
				object([]string{"layers"}, map[string]schema{"layers": arrayOf(anyObject("a tile layer"))})),
			Handler: plain(s.tileIndex(reg))},
		{Method: "GET", Path: "/tiles/{layers}.json", Summary: "TileJSON 3.0 of tile layers", Tag: tag,
			PathParams: []apiParam{layersP}, ExtraParams: query, Problems: []int{400, 404},
			Responses: ok("200", "TileJSON with the data's bounds and each layer's fields", "application/json", ref("TileJSON")),
			Handler:   plain(s.tileJSON(reg))},
		{Method: "GET", Path: "/tiles/{layers}/{z}/{x}/{y}.mvt", Summary: "A vector tile", Tag: tag,
			Description: "Built by PostGIS in one ST_AsMVT query. Invalid z, x or y answer 400.",
			PathParams:  tileP,
			ExtraParams: append(append([]apiParam(nil), query...),
				apiParam{Name: "If-None-Match", In: "header", Description: "an ETag the client holds", Schema: str()}),
			Problems:  []int{400, 404},
			Responses: resp,
			Handler:   plain(s.tile(reg))},
	}
}

package httpapi

import "github.com/coldchain/coldchain/internal/scenario"

// deliverOpenAPI documents the routes of deliverroutes.go.
func (s *Server) deliverOpenAPI(d *apiDoc) {
	planID := pathParam("id", "the plan's id", str())
	lang := queryParam("lang", "language of headers and texts (default zh)", enum("zh", "en"))
	d.add("GET", "/api/v1/plans/{id}/export.xlsx", apiOp{Summary: "A finished plan as an Excel workbook: key figures, sites, allocations, by class, by month, by township", Tags: []string{"plans"},
		Parameters: []apiParam{planID, lang}, Problems: []int{400, 404, 409},
		Responses: ok("200", "The workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", schema{"type": "string", "format": "binary"})})
	alloc := "A finished plan's allocations: lines producer → new site (minutes, tonnes), served producers with their sites, and producers left unserved"
	d.add("GET", "/api/v1/plans/{id}/allocations.geojson", apiOp{Summary: alloc + ", as GeoJSON", Tags: []string{"plans"},
		Parameters: []apiParam{planID}, Problems: []int{404, 409},
		Responses: ok("200", "The allocation layer (property kind: allocation, demand or unserved)", "application/geo+json", ref("FeatureCollection"))})
	d.add("GET", "/api/v1/plans/{id}/allocations.csv", apiOp{Summary: alloc + ", as CSV", Tags: []string{"plans"},
		Parameters: []apiParam{planID, queryParam("bom", "true: start with a UTF-8 byte-order mark (for Chinese Excel)", schema{"type": "boolean"})},
		Problems:   []int{400, 404, 409},
		Responses:  ok("200", "The allocation layer, producer and site coordinates as columns", "text/csv", str())})
	d.add("GET", "/api/v1/plans/{id}/allocations.xlsx", apiOp{Summary: alloc + ", as an Excel workbook", Tags: []string{"plans"},
		Parameters: []apiParam{planID}, Problems: []int{404, 409},
		Responses: ok("200", "The allocation layer as one sheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", schema{"type": "string", "format": "binary"})})
	d.add("GET", "/api/v1/plans/{id}/report", apiOp{Summary: "A finished plan's print-ready report (HTML): the request, a map drawn from the plan's data, key figures before and after, the poverty-exit share of the gain, handling by class, the monthly stock chart, the site table and the proven gap", Tags: []string{"plans"},
		Parameters: []apiParam{planID, lang}, Problems: []int{400, 404, 409},
		Responses: ok("200", "The report page", "text/html", str())})
	d.add("GET", "/api/v1/edits", apiOp{Summary: "Who did what: writes through the API (feature create/update/delete, plan, cancel, adopt) with the token's name and time, newest first. Feature GET and PUT responses carry an ETag; PUT and DELETE take If-Match and answer 412 when the feature changed since it was read.", Tags: []string{"plans"},
		Parameters: []apiParam{queryParam("target", "a layer name or plans", str()), queryParam("id", "a feature or plan id", str()),
			queryParam("limit", "entries (default 100)", integer(1, 1000))},
		Problems:  []int{400},
		Responses: ok("200", "The edit log", "application/json", object(nil, map[string]schema{"edits": arrayOf(anyObject("an edit"))}))})
	scID := pathParam("id", "the scenario's id", schema{"type": "string", "format": "uuid"})
	ifMatch := apiParam{Name: "If-Match", In: "header", Description: "the scenario's ETag as last read (\"v3\"); a stale one is refused with 412", Schema: str()}
	sc := anyObject("a scenario: id, name, created_by, updated_by, version, drafts, applied_at, plans")
	tags := []string{"scenarios"}
	d.add("POST", "/api/v1/scenarios", apiOp{Summary: "Make a named scenario (draft edits of candidates and facilities that plans run on it see)", Tags: tags, Role: RolePlanner,
		RequestBody: jsonBody("Its name", "application/json", object([]string{"name"}, map[string]schema{"name": str()})),
		Problems:    []int{400}, Responses: ok("201", "The scenario; ETag header", "application/json", sc)})
	d.add("GET", "/api/v1/scenarios", apiOp{Summary: "The newest scenarios (at most 100)", Tags: tags,
		Responses: ok("200", "Scenarios", "application/json", object(nil, map[string]schema{"scenarios": arrayOf(sc)}))})
	d.add("GET", "/api/v1/scenarios/{id}", apiOp{Summary: "A scenario with its drafts and plans", Tags: tags,
		Parameters: []apiParam{scID}, Problems: []int{404}, Responses: ok("200", "The scenario; ETag header", "application/json", sc)})
	d.add("POST", "/api/v1/scenarios/{id}/drafts", apiOp{Summary: "Add a draft edit: put a whole facility or candidate feature (add, move, change capacity) or remove one", Tags: tags, Role: RolePlanner,
		Parameters:  []apiParam{scID, ifMatch},
		RequestBody: jsonBody("The draft", "application/json", object([]string{"op", "layer"}, map[string]schema{"op": enum("put", "remove"), "layer": enum(scenario.Layers...), "id": str(), "feature": anyObject("a GeoJSON Feature of the layer")})),
		Problems:    []int{400, 404, 409, 412}, Responses: ok("200", "The scenario; ETag header", "application/json", sc)})
	d.add("POST", "/api/v1/scenarios/{id}/apply", apiOp{Summary: "Apply a scenario's drafts to the shared layers", Tags: tags, Role: RolePlanner,
		Parameters: []apiParam{scID, ifMatch}, Problems: []int{400, 404, 409, 412},
		Responses: ok("200", "The applied scenario", "application/json", sc)})
}

package httpapi

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
}

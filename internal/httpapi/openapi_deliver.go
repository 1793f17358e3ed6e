package httpapi

// deliverOpenAPI documents the routes of deliverroutes.go.
func (s *Server) deliverOpenAPI(d *apiDoc) {
	planID := pathParam("id", "the plan's id", str())
	lang := queryParam("lang", "language of headers and texts (default zh)", enum("zh", "en"))
	d.add("GET", "/api/v1/plans/{id}/export.xlsx", apiOp{Summary: "A finished plan as an Excel workbook: key figures, sites, allocations, by class, by month, by township", Tags: []string{"plans"},
		Parameters: []apiParam{planID, lang}, Problems: []int{400, 404, 409},
		Responses: ok("200", "The workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", schema{"type": "string", "format": "binary"})})
}

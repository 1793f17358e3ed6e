package httpapi

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/coldchain/coldchain/internal/layer"
)

const geoJSONMedia = "application/geo+json"

// serviceEndpoints: health and readiness (outside authentication: probes
// call them without a token), metrics and the OpenAPI document (a token
// when reads need one). apiJSON is the document's body.
func (s *Server) serviceEndpoints(apiJSON *[]byte) []endpoint {
	const tag = "service"
	return []endpoint{
		{Method: "GET", Path: "/healthz", Summary: "Liveness", Tag: tag, Open: true,
			Responses: ok("200", "The server runs", "application/json", object([]string{"status"}, map[string]schema{"status": str(), "version": str()})),
			Handler:   plain(s.healthz)},
		{Method: "GET", Path: "/readyz", Summary: "Readiness: the database answers", Tag: tag, Open: true,
			Problems:  []int{http.StatusServiceUnavailable},
			Responses: ok("200", "Ready", "application/json", object([]string{"status"}, map[string]schema{"status": str()})),
			Handler:   plain(s.readyz)},
		{Path: "/metrics", Summary: "Prometheus metrics", Tag: tag,
			Description: "Requests by route pattern and status, durations, the database pool and the plan queue.",
			Responses:   ok("200", "Metrics in the Prometheus text format", "text/plain", str()),
			Handler:     rawHandler(promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))},
		{Method: "GET", Path: "/api/openapi.json", Summary: "This OpenAPI document", Tag: tag,
			Responses: ok("200", "The document", "application/vnd.oai.openapi+json;version=3.0", anyObject("OpenAPI 3.0")),
			Handler: plain(func(w http.ResponseWriter, r *http.Request) error {
				w.Header().Set("Content-Type", "application/vnd.oai.openapi+json;version=3.0")
				_, err := w.Write(*apiJSON)
				return err
			})},
	}
}

// layerEndpoints: every layer's features as GeoJSON (layer.All).
func (s *Server) layerEndpoints() []endpoint {
	const tag = "layers"
	layerP := pathParam("layer", "the layer", enum(layer.Names()...))
	idP := pathParam("id", "the feature's key (id, or code for regions)", str())
	list := []apiParam{
		queryParam("bbox", "minlon,minlat,maxlon,maxlat (WGS84)", str()),
		queryParam("limit", "features per page (default 1000)", integer(1, layer.MaxLimit)),
		queryParam("offset", "features to skip", integer(0, 0)),
		datumQueryParam(),
	}
	return []endpoint{
		{Method: "GET", Path: "/api/v1/{layer}", Summary: "List a layer's features", Tag: tag,
			PathParams: []apiParam{layerP}, ExtraParams: append(list, layerFilterParams()...), Problems: []int{400, 404},
			Responses: ok("200", "A page of features", geoJSONMedia, ref("FeatureCollection")),
			Handler:   plain(s.listFeatures)},
		{Method: "POST", Path: "/api/v1/{layer}", Summary: "Add features", Tag: tag, Role: RolePlanner,
			Description: "A Feature (201 with Location and the stored feature) or a FeatureCollection, all or nothing: any bad row leaves the layer unchanged and is listed in the problem's errors.",
			PathParams:  []apiParam{layerP}, Problems: []int{400, 404, 409, 413},
			Body:      jsonBody("GeoJSON Feature or FeatureCollection", geoJSONMedia, schema{"oneOf": []schema{ref("Feature"), ref("FeatureCollection")}}),
			Responses: ok("201", "Stored", "application/json", schema{"oneOf": []schema{ref("Feature"), ref("Created")}}),
			Handler:   plain(s.createFeatures)},
		{Method: "GET", Path: "/api/v1/{layer}/{id}", Summary: "One feature", Tag: tag,
			PathParams: []apiParam{layerP, idP}, ExtraParams: []apiParam{datumQueryParam()}, Problems: []int{400, 404},
			Responses: ok("200", "The feature", geoJSONMedia, ref("Feature")),
			Handler:   plain(s.getFeature)},
		{Method: "PUT", Path: "/api/v1/{layer}/{id}", Summary: "Replace a feature", Tag: tag, Role: RolePlanner,
			PathParams: []apiParam{layerP, idP}, Problems: []int{400, 404, 413},
			Body:      jsonBody("GeoJSON Feature", geoJSONMedia, ref("Feature")),
			Responses: ok("200", "The stored feature", geoJSONMedia, ref("Feature")),
			Handler:   plain(s.replaceFeature)},
		{Method: "DELETE", Path: "/api/v1/{layer}/{id}", Summary: "Delete a feature", Tag: tag, Role: RolePlanner,
			PathParams: []apiParam{layerP, idP}, Problems: []int{404},
			Responses: ok("204", "Deleted", "", nil),
			Handler:   plain(s.deleteFeature)},
	}
}

// areaQuery selects the producers a coverage measure covers.
type areaQuery struct {
	Region  string   `query:"region" doc:"administrative code prefix"`
	Regions []string `query:"regions" doc:"administrative codes, comma-separated (at most 100): the producers under any of them"`
	Classes []string `query:"class" doc:"product classes, comma-separated"`
	Include []string `query:"include" doc:"comma-separated: producers adds each producer's access (coverage); planned counts planned facilities (adopted plans) as built"`
}

// coverageQuery is GET /api/v1/coverage's query.
type coverageQuery struct {
	areaQuery
}

// gapsQuery is GET /api/v1/gaps's query.
type gapsQuery struct {
	areaQuery
	Month int     `query:"month" doc:"1 to 12; default (or 0) the whole year" min:"0" max:"12" want:"1 to 12"`
	HexKm float64 `query:"hex_km" doc:"hexagon edge in km (0.1 to 100, default 2)"`
}

// analysisEndpoints: product classes, coverage measures and gaps.
func (s *Server) analysisEndpoints() []endpoint {
	const tag = "analysis"
	return []endpoint{
		{Method: "GET", Path: "/api/v1/classes", Summary: "Product classes and their defaults", Tag: tag,
			Responses: ok("200", "Every product class", "application/json", arrayOf(anyObject("a product class"))),
			Handler:   plain(s.listClasses)},
		{Method: "GET", Path: "/api/v1/coverage", Summary: "Coverage measures of a region", Tag: tag,
			Problems:  []int{400},
			Responses: ok("200", "Access, coverage, handling rates and gap tables", "application/json", anyObject("the coverage report")),
			Handler:   parsed(s.coverageReport)},
		{Method: "GET", Path: "/api/v1/gaps", Summary: "Hexagon map of uncovered output", Tag: tag,
			Problems:  []int{400},
			Responses: ok("200", "Hexagons with their uncovered output, and the gap tables", geoJSONMedia, anyObject("a FeatureCollection with tables")),
			Handler:   parsed(s.gaps)},
	}
}

// listQuery is the query of a list of plans: the newest, or some side by
// side.
type listQuery struct {
	Compare []string `query:"compare" doc:"2 to 10 plan ids, comma-separated"`
	Limit   int      `query:"limit" doc:"plans to list (default 50)" min:"1" max:"500"`
}

// planEndpoints: location plans, run in the background.
func (s *Server) planEndpoints() []endpoint {
	const tag = "plans"
	planID := []apiParam{pathParam("id", "the plan's id", schema{"type": "string", "format": "uuid"})}
	return []endpoint{
		{Method: "POST", Path: "/api/v1/plans", Summary: "Run a plan in the background", Tag: tag, Role: RolePlanner, RateLimited: true,
			Description: "Submissions are limited per token (429 with Retry-After beyond the limit).",
			Problems:    []int{400, 422, 429},
			Body:        jsonBody("What to plan", "application/json", ref("PlanRequest")),
			Responses:   ok("202", "Queued; Location names the plan", "application/json", ref("Plan")),
			Handler:     plain(s.submitPlan)},
		{Method: "GET", Path: "/api/v1/plans", Summary: "Newest plans, or plans side by side", Tag: tag,
			Problems:  []int{400, 404},
			Responses: ok("200", "Plan summaries", "application/json", ref("PlanSummaries")),
			Handler:   parsed(s.listPlans)},
		{Method: "GET", Path: "/api/v1/plans/{id}", Summary: "A plan", Tag: tag,
			PathParams: planID, Problems: []int{404},
			Responses: ok("200", "The plan", "application/json", ref("Plan")),
			Handler:   plain(s.getPlan)},
		{Method: "POST", Path: "/api/v1/plans/{id}/cancel", Summary: "Cancel a queued or running plan", Tag: tag, Role: RolePlanner,
			PathParams: planID, Problems: []int{404, 409},
			Responses: ok("202", "Cancelling", "application/json", object(nil, map[string]schema{"status": str()})),
			Handler:   plain(s.cancelPlan)},
		{Method: "POST", Path: "/api/v1/plans/{id}/adopt", Summary: "Adopt a plan: its sites become planned facilities (expansions raise their facility's capacity as planned)", Tag: tag, Role: RolePlanner,
			PathParams: planID, Problems: []int{404, 409},
			Responses: ok("201", "The facilities added", "application/json", object(nil, map[string]schema{"plan": str(), "facilities": arrayOf(str()), "expansions": arrayOf(str())})),
			Handler:   plain(s.adoptPlan)},
		{Method: "GET", Path: "/api/v1/problems", Summary: "The location problems plans can solve, with what each needs and its labels in English and Chinese", Tag: tag,
			Responses: ok("200", "The problem registry", "application/json", object(nil, map[string]schema{"problems": arrayOf(anyObject("a problem"))})),
			Handler:   plain(s.listProblems)},
		{Method: "GET", Path: "/api/v1/plans/{id}/export.geojson", Summary: "A plan's sites as GeoJSON", Tag: tag,
			PathParams: planID, Problems: []int{404},
			Responses: ok("200", "The sites", geoJSONMedia, ref("FeatureCollection")),
			Handler:   plain(s.exportPlan("geojson"))},
		{Method: "GET", Path: "/api/v1/plans/{id}/export.csv", Summary: "A plan's project list as CSV", Tag: tag,
			PathParams: planID, ExtraParams: []apiParam{queryParam("bom", "true: start with a UTF-8 byte-order mark (for Chinese Excel)", schema{"type": "boolean"})}, Problems: []int{400, 404},
			Responses: ok("200", "The project list", "text/csv", str()),
			Handler:   plain(s.exportPlan("csv"))},
	}
}

// tokenEndpoints: API token management (admin).
func (s *Server) tokenEndpoints() []endpoint {
	const tag = "tokens"
	return []endpoint{
		{Method: "GET", Path: "/api/v1/tokens", Summary: "List API tokens", Tag: tag, Role: RoleAdmin, Problems: []int{404},
			Responses: ok("200", "Every token (never its secret)", "application/json", object([]string{"tokens"}, map[string]schema{"tokens": arrayOf(ref("Token"))})),
			Handler:   plain(s.listTokens)},
		{Method: "POST", Path: "/api/v1/tokens", Summary: "Make an API token", Tag: tag, Role: RoleAdmin, Problems: []int{400, 404},
			Description: "The token text is in the response and nowhere else: store it now.",
			Body:        jsonBody("Role and name", "application/json", ref("TokenRequest")),
			Responses: ok("201", "The token", "application/json", schema{"allOf": []schema{ref("Token"),
				object([]string{"token"}, map[string]schema{"token": str()})}}),
			Handler: plain(s.createToken)},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", Summary: "Revoke an API token", Tag: tag, Role: RoleAdmin,
			PathParams: []apiParam{pathParam("id", "the token's 16-digit id", str())}, Problems: []int{404, 409},
			Responses: ok("204", "Revoked", "", nil),
			Handler:   plain(s.revokeToken)},
	}
}

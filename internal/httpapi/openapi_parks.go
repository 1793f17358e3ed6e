package httpapi

import (
	"strings"

	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/parks"
	"github.com/coldchain/coldchain/internal/plan"
)

// parksOpenAPI documents the park-siting routes (parkroutes.go).
func (s *Server) parksOpenAPI(d *apiDoc) {
	criteria := make([]string, len(parks.Criteria))
	for i, c := range parks.Criteria {
		criteria[i] = c.ID
	}
	weights := schema{"type": "object", "additionalProperties": number(),
		"description": "signed weights by criterion (" + strings.Join(criteria, ", ") + "), rescaled to sum 1 in absolute value; " +
			"only existing_parks may be negative (spread away from existing parks and collection centres; positive co-locates). " +
			"Default by park type: processing_park supply 0.35, roads 0.25, labour 0.15, existing_parks -0.10, land 0.15; " +
			"science_park 0.20, 0.15, 0.35, +0.10, 0.20; demonstration_park 0.40, 0.15, 0.10, -0.15, 0.20."}
	request := object([]string{"facility_type"}, map[string]schema{
		"name":              str(),
		"problem":           enum("parks"),
		"facility_type":     enum(parks.ParkTypes...),
		"tier":              schema{"type": "string", "enum": layer.Tiers, "description": "selects the exclusion zones that apply (default county)"},
		"product_classes":   schema{"type": "array", "items": str(), "maxItems": plan.MaxProductClasses, "description": "leading classes counted as supply (default: the region's two largest by output)"},
		"region":            schema{"type": "string", "description": "administrative code of the area to grid (default: the top-level regions)"},
		"top":               integer(1, parks.MaxTop),
		"hex_km":            schema{"type": "number", "minimum": 0.2, "maximum": 20, "description": "hexagon edge, km (default 1)"},
		"catchment_minutes": schema{"type": "number", "minimum": 5, "maximum": 240, "description": "catchment travel time T (default 20)"},
		"separation_km":     schema{"type": "number", "minimum": 0, "maximum": 200, "description": "least distance between two sites (default 5)"},
		"min_area_km2":      schema{"type": "number", "minimum": 0, "description": "land a park needs in a cell outside exclusion zones (default 0.5)"},
		"land":              schema{"type": "string", "enum": []string{"prefer", "require"}, "description": "construction land as a criterion (prefer) or a filter (require)"},
		"main_roads":        schema{"type": "array", "items": enum(parks.MainRoadClasses...), "maxItems": len(parks.MainRoadClasses), "description": "OSM highway classes of main roads"},
		"weights":           weights,
		"ahp": object([]string{"criteria", "matrix"}, map[string]schema{
			"criteria": maxItems(arrayOf(enum(criteria...)), len(criteria)),
			"matrix":   schema{"type": "array", "items": maxItems(arrayOf(number()), len(criteria)), "maxItems": len(criteria), "description": "pairwise judgements on Saaty's 1/9–9 scale, reciprocal; a consistency ratio of 0.1 or more is refused (400)"},
			"signs":    schema{"type": "object", "additionalProperties": number(), "description": "-1 makes existing_parks spread, 1 co-locate (default: the park type's sign)"},
		}),
		"sensitivity_pct": schema{"type": "number", "minimum": 1, "maximum": 90, "description": "how far each weight moves in the sensitivity analysis (default 20)"},
	})
	planObj := object([]string{"id", "kind", "status", "params"}, map[string]schema{
		"id": str(), "kind": enum("parks"), "status": enum("done", "failed"), "params": anyObject("the normalised request"),
		"error": str(),
		"result": anyObject("facility_type, product_classes, criteria (effective weights, ranges), ahp (weights, lambda_max, ci, ri, cr), " +
			"sites (GeoJSON FeatureCollection: rank, score, class, breakdown by criterion, catchment_t by class, rule check, stay_share, summary), " +
			"sensitivity (runs with each weight ±20 %, kept share, Kendall tau, per-site stability, verdict), areas by class, townships, grid, notes"),
		"created_at":  schema{"type": "string", "format": "date-time"},
		"started_at":  schema{"type": "string", "format": "date-time"},
		"finished_at": schema{"type": "string", "format": "date-time"},
	})
	id := pathParam("id", "the park-siting plan's id", schema{"type": "string", "format": "uuid"})
	tags := []string{"parks"}
	d.add("POST", "/api/v1/parks", apiOp{Summary: "Site industrial parks", Tags: tags, Role: RolePlanner,
		Description: "Suitability analysis on a hexagon grid: criteria normalised and weighted (direct or AHP), exclusion zones as hard filters, " +
			"the top K sites at least separation_km apart with their score broken down, catchment by class and the leading-industry rule, " +
			"and the sensitivity of the ranking to ±20 % weight changes. Runs synchronously (seconds on a county) and is stored as a plan " +
			"of kind parks. A request the data cannot answer is stored as failed and answered 422 with plan_id. Submissions are limited per token (429).",
		Problems:    []int{400, 422, 429},
		RequestBody: jsonBody("What to site", "application/json", request),
		Responses:   ok("201", "Done; Location names the plan", "application/json", planObj)})
	d.add("GET", "/api/v1/parks", apiOp{Summary: "Newest park-siting plans, or plans side by side", Tags: tags,
		Parameters: []apiParam{
			queryParam("compare", "2 to 10 park-siting plan ids, comma-separated", str()),
			queryParam("limit", "plans to list (default 50)", integer(1, 500)),
		},
		Problems: []int{400, 404},
		Responses: ok("200", "Summaries: sites, scores, rule checks, stability, area by class", "application/json",
			object([]string{"plans"}, map[string]schema{"plans": arrayOf(anyObject("a park-siting plan's key figures"))}))})
	d.add("GET", "/api/v1/parks/{id}", apiOp{Summary: "A park-siting plan", Tags: tags,
		Parameters: []apiParam{id}, Problems: []int{404},
		Responses: ok("200", "The plan", "application/json", planObj)})
	d.add("GET", "/api/v1/parks/{id}/export.geojson", apiOp{Summary: "A park-siting plan's sites as GeoJSON", Tags: tags,
		Description: "Points with flat properties: score, class, value/score/weight/contribution per criterion, catchment, rule check, stability, summary.",
		Parameters:  []apiParam{id}, Problems: []int{404, 409},
		Responses: ok("200", "The sites", "application/geo+json", ref("FeatureCollection"))})
	d.add("GET", "/api/v1/parks/{id}/export.csv", apiOp{Summary: "A park-siting plan's sites as CSV", Tags: tags,
		Parameters: []apiParam{id}, Problems: []int{404, 409},
		Responses: ok("200", "The sites, one per row, with lon and lat", "text/csv", str())})
	d.add("GET", "/api/v1/parks/{id}/townships.csv", apiOp{Summary: "Area by suitability class and township", Tags: tags,
		Parameters: []apiParam{id}, Problems: []int{404, 409},
		Responses: ok("200", "km² per class for each township, and a total row", "text/csv", str())})
	d.add("GET", "/api/v1/parks/{id}/suitability.geojson", apiOp{Summary: "The graded hexagons of a park-siting plan", Tags: tags,
		Description: "One polygon per cell: class (high|good|moderate|low|excluded), score, criteria values, or why it is excluded. Also as the vector tile layer suitability.",
		Parameters: []apiParam{id,
			queryParam("class", "only these classes (comma-separated)", str())},
		Problems:  []int{400, 404, 409},
		Responses: ok("200", "The hexagons", "application/geo+json", ref("FeatureCollection"))})
}

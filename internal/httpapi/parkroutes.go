package httpapi

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/parks"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/runs"
)

func (s *Server) parkService() *parks.Service {
	return &parks.Service{Pool: s.Pool, Travel: s.Travel, Log: s.Log}
}

// runParks answers POST /api/v1/parks: the run is a job taken by any
// worker (serve's own or a coldchain worker); the request waits for it
// and answers 201 with the finished plan, or 202 with the plan still
// queued or running after two minutes.
func (s *Server) runParks(w http.ResponseWriter, r *http.Request) error {
	var req parks.Request
	if err := decodeJSON(w, r, maxRequestJSON, "park request", &req); err != nil {
		return err
	}
	var p *runs.Plan
	var err error
	if s.Plans != nil {
		p, err = s.parkService().Submit(r.Context(), s.Plans.Jobs(), req)
	} else {
		p, err = s.parkService().Run(r.Context(), req)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/parks/"+p.ID)
	if p.Status != runs.Done && p.Status != runs.Failed {
		return writeJSON(w, http.StatusAccepted, p)
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) getParks(w http.ResponseWriter, r *http.Request) error {
	p, err := s.parkService().Get(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// listParks answers GET /api/v1/parks: the newest park-siting plans, or
// with ?compare=a,b those plans side by side.
func (s *Server) listParks(w http.ResponseWriter, r *http.Request, q listQuery) error {
	if len(q.Compare) > 0 && (len(q.Compare) < 2 || len(q.Compare) > 10) {
		return derrors.Invalid("compare: name 2 to 10 park-siting plan ids separated by commas")
	}
	sums, err := s.parkService().List(r.Context(), q.Compare, cmp.Or(q.Limit, 50))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plans": sums})
}

// exportParks writes a finished plan's sites (GeoJSON or CSV) or its
// township table (CSV) as a download.
func (s *Server) exportParks(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.parkService().Get(r.Context(), chi.URLParam(r, "id"))
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		name, ext := "parks-"+p.ID[:8], format
		switch format {
		case "csv":
			err = parks.WriteCSV(&buf, p)
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		case "townships":
			err = parks.WriteTownshipsCSV(&buf, p)
			name, ext = name+"-townships", "csv"
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		default:
			err = parks.WriteGeoJSON(&buf, p)
			w.Header().Set("Content-Type", "application/geo+json")
		}
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, ext))
		_, err = buf.WriteTo(w)
		return err
	}
}

// suitabilityQuery is GET /api/v1/parks/{id}/suitability.geojson's query.
type suitabilityQuery struct {
	Classes []string `query:"class" doc:"only these classes (comma-separated)"`
}

// parksSuitability answers the graded hexagons of a finished plan as
// GeoJSON; ?class=high,good keeps those classes.
func (s *Server) parksSuitability(w http.ResponseWriter, r *http.Request, q suitabilityQuery) error {
	classes := q.Classes
	var buf bytes.Buffer
	if err := s.parkService().WriteSuitability(r.Context(), &buf, chi.URLParam(r, "id"), classes); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, err := buf.WriteTo(w)
	return err
}

// parkEndpoints: park siting under /api/v1/parks; runs are synchronous
// (seconds on a county) and stored as plans of kind parks.
func (s *Server) parkEndpoints() []endpoint {
	request := parkRequestSchema()
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
	id := []apiParam{pathParam("id", "the park-siting plan's id", schema{"type": "string", "format": "uuid"})}
	const tag = "parks"
	return []endpoint{
		{Method: "POST", Path: "/api/v1/parks", Summary: "Site industrial parks", Tag: tag, Role: RolePlanner, RateLimited: true,
			Description: "Suitability analysis on a hexagon grid: criteria normalised and weighted (direct or AHP), exclusion zones as hard filters, " +
				"the top K sites at least separation_km apart with their score broken down, catchment by class and the leading-industry rule, " +
				"and the sensitivity of the ranking to ±20 % weight changes. Runs as a job on any worker (seconds on a county) while the request waits, " +
				"and is stored as a plan of kind parks. A request the data cannot answer is stored as failed and answered 422 with plan_id. " +
				"Still queued or running after two minutes: 202 with the plan. Submissions are limited per token (429).",
			Problems: []int{400, 422, 429},
			Body:     jsonBody("What to site", "application/json", request),
			Responses: func() map[string]apiResp {
				r := ok("201", "Done; Location names the plan", "application/json", planObj)
				r["202"] = ok("202", "Still queued or running; poll Location", "application/json", planObj)["202"]
				return r
			}(),
			Handler: plain(s.runParks)},
		{Method: "GET", Path: "/api/v1/parks", Summary: "Newest park-siting plans, or plans side by side", Tag: tag,
			Problems: []int{400, 404},
			Responses: ok("200", "Summaries: sites, scores, rule checks, stability, area by class", "application/json",
				object([]string{"plans"}, map[string]schema{"plans": arrayOf(anyObject("a park-siting plan's key figures"))})),
			Handler: parsed(s.listParks)},
		{Method: "GET", Path: "/api/v1/parks/{id}", Summary: "A park-siting plan", Tag: tag,
			PathParams: id, Problems: []int{404},
			Responses: ok("200", "The plan", "application/json", planObj),
			Handler:   plain(s.getParks)},
		{Method: "GET", Path: "/api/v1/parks/{id}/export.geojson", Summary: "A park-siting plan's sites as GeoJSON", Tag: tag,
			Description: "Points with flat properties: score, class, value/score/weight/contribution per criterion, catchment, rule check, stability, summary.",
			PathParams:  id, Problems: []int{404, 409},
			Responses: ok("200", "The sites", geoJSONMedia, ref("FeatureCollection")),
			Handler:   plain(s.exportParks("geojson"))},
		{Method: "GET", Path: "/api/v1/parks/{id}/export.csv", Summary: "A park-siting plan's sites as CSV", Tag: tag,
			PathParams: id, Problems: []int{404, 409},
			Responses: ok("200", "The sites, one per row, with lon and lat", "text/csv", str()),
			Handler:   plain(s.exportParks("csv"))},
		{Method: "GET", Path: "/api/v1/parks/{id}/townships.csv", Summary: "Area by suitability class and township", Tag: tag,
			PathParams: id, Problems: []int{404, 409},
			Responses: ok("200", "km² per class for each township, and a total row", "text/csv", str()),
			Handler:   plain(s.exportParks("townships"))},
		{Method: "GET", Path: "/api/v1/parks/{id}/suitability.geojson", Summary: "The graded hexagons of a park-siting plan", Tag: tag,
			Description: "One polygon per cell: class (high|good|moderate|low|excluded), score, criteria values, or why it is excluded. Also as the vector tile layer suitability.",
			PathParams:  id, Problems: []int{400, 404, 409},
			Responses: ok("200", "The hexagons", geoJSONMedia, ref("FeatureCollection")),
			Handler:   parsed(s.parksSuitability)},
	}
}

// parkRequestSchema is the schema of a park-siting request.
func parkRequestSchema() schema {
	criteria := make([]string, len(parks.Criteria))
	for i, c := range parks.Criteria {
		criteria[i] = c.ID
	}
	weights := schema{"type": "object", "additionalProperties": number(),
		"description": "signed weights by criterion (" + strings.Join(criteria, ", ") + "), rescaled to sum 1 in absolute value; " +
			"only existing_parks may be negative (spread away from existing parks and collection centres; positive co-locates). " +
			"Default by park type: processing_park supply 0.35, roads 0.25, labour 0.15, existing_parks -0.10, land 0.15; " +
			"science_park 0.20, 0.15, 0.35, +0.10, 0.20; demonstration_park 0.40, 0.15, 0.10, -0.15, 0.20."}
	return object([]string{"facility_type"}, map[string]schema{
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
}

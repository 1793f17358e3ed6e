package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode"

	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/plan"
)

// The OpenAPI 3.0 document at /api/openapi.json is assembled from
// fragments, one per area: coreOpenAPI (health, metrics, layers, analysis,
// plans, tokens), ogcOpenAPI, tilesOpenAPI, parksOpenAPI (openapi_parks.go)
// and roadsOpenAPI (openapi_roads.go). A fragment calls d.add once per
// route; the builder adds operation ids, security and the problem
// responses every operation shares. A test checks that the document is
// valid and that it and the router list the same routes.

// schema is a JSON Schema object (the OpenAPI 3.0 subset).
type schema = map[string]any

// apiDoc is the OpenAPI document under construction.
type apiDoc struct {
	OpenAPI    string                       `json:"openapi"`
	Info       map[string]any               `json:"info"`
	Servers    []map[string]string          `json:"servers"`
	Tags       []map[string]string          `json:"tags"`
	Paths      map[string]map[string]*apiOp `json:"paths"`
	Components map[string]map[string]any    `json:"components"`
	opIDs      map[string]bool              `json:"-"`
	errs       []error                      `json:"-"`
	problems   map[int]bool                 `json:"-"`
}

// apiOp is one operation (a method on a path).
type apiOp struct {
	Summary     string                `json:"summary"`
	Description string                `json:"description,omitempty"`
	OperationID string                `json:"operationId"`
	Tags        []string              `json:"tags,omitempty"`
	Parameters  []apiParam            `json:"parameters,omitempty"`
	RequestBody *apiBody              `json:"requestBody,omitempty"`
	Responses   map[string]apiResp    `json:"responses"`
	Security    []map[string][]string `json:"security,omitempty"`

	// Role is the token role the operation needs; "" for reads, which
	// need a token only when the server requires one for reads.
	Role string `json:"-"`
	// Open marks operations outside authentication (health and
	// readiness, which probes call without a token).
	Open bool `json:"-"`
	// Problems lists the problem statuses the operation answers besides
	// those the builder adds (401 and 403 from Role, 500, 503).
	Problems []int `json:"-"`
}

// apiParam is a path or query parameter.
type apiParam struct {
	Name        string `json:"name"`
	In          string `json:"in"`
	Description string `json:"description"`
	Required    bool   `json:"required,omitempty"`
	Style       string `json:"style,omitempty"`
	Explode     *bool  `json:"explode,omitempty"`
	Schema      schema `json:"schema"`
}

// apiBody is a request body.
type apiBody struct {
	Description string              `json:"description,omitempty"`
	Required    bool                `json:"required"`
	Content     map[string]apiMedia `json:"content"`
}

// apiMedia is a body's schema for one media type.
type apiMedia struct {
	Schema schema `json:"schema"`
}

// apiResp is a response, or a reference to a shared one.
type apiResp struct {
	Ref         string              `json:"$ref,omitempty"`
	Description string              `json:"description,omitempty"`
	Headers     map[string]any      `json:"headers,omitempty"`
	Content     map[string]apiMedia `json:"content,omitempty"`
}

// Helpers for fragments.

func pathParam(name, desc string, s schema) apiParam {
	return apiParam{Name: name, In: "path", Description: desc, Required: true, Schema: s}
}

func queryParam(name, desc string, s schema) apiParam {
	return apiParam{Name: name, In: "query", Description: desc, Schema: s}
}

func str() schema                 { return schema{"type": "string"} }
func ref(name string) schema      { return schema{"$ref": "#/components/schemas/" + name} }
func arrayOf(items schema) schema { return schema{"type": "array", "items": items} }

// maxItems bounds an array schema.
func maxItems(s schema, n int) schema { s["maxItems"] = n; return s }
func number() schema                  { return schema{"type": "number"} }
func anyObject(desc string) schema {
	return schema{"type": "object", "description": desc, "additionalProperties": true}
}

func enum(vals ...string) schema {
	return schema{"type": "string", "enum": vals}
}

func integer(min, max int) schema {
	s := schema{"type": "integer", "minimum": min}
	if max > min {
		s["maximum"] = max
	}
	return s
}

func object(required []string, props map[string]schema) schema {
	s := schema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// content is a body or response content of one media type.
func content(mediaType string, s schema) map[string]apiMedia {
	return map[string]apiMedia{mediaType: {Schema: s}}
}

// ok is a responses map with one success response.
func ok(status, desc, mediaType string, s schema) map[string]apiResp {
	r := apiResp{Description: desc}
	if mediaType != "" {
		r.Content = content(mediaType, s)
	}
	return map[string]apiResp{status: r}
}

// jsonBody is a required JSON request body.
func jsonBody(desc, mediaType string, s schema) *apiBody {
	return &apiBody{Description: desc, Required: true, Content: content(mediaType, s)}
}

// add documents method on path (chi pattern syntax, e.g. /api/v1/{layer}).
func (d *apiDoc) add(method, path string, op apiOp) {
	method = strings.ToLower(method)
	if d.Paths[path] == nil {
		d.Paths[path] = map[string]*apiOp{}
	}
	if d.Paths[path][method] != nil {
		d.errs = append(d.errs, fmt.Errorf("%s %s documented twice", method, path))
		return
	}
	if op.OperationID == "" {
		op.OperationID = operationID(method, path)
	}
	if d.opIDs[op.OperationID] {
		d.errs = append(d.errs, fmt.Errorf("operation id %s used twice", op.OperationID))
	}
	d.opIDs[op.OperationID] = true
	if op.Responses == nil {
		d.errs = append(d.errs, fmt.Errorf("%s %s: no success response", method, path))
		op.Responses = map[string]apiResp{}
	}
	statuses := append([]int(nil), op.Problems...)
	statuses = append(statuses, http.StatusInternalServerError)
	if !op.Open {
		statuses = append(statuses, http.StatusUnauthorized, http.StatusServiceUnavailable)
		op.Security = []map[string][]string{{}, {"bearerAuth": {}}}
	}
	if op.Role != "" {
		statuses = append(statuses, http.StatusForbidden)
		op.Security = []map[string][]string{{"bearerAuth": {}}}
		op.Description = strings.TrimSpace(fmt.Sprintf("Needs an API token with the %s role (or a stronger one). %s", op.Role, op.Description))
	}
	for _, st := range statuses {
		d.problems[st] = true
		op.Responses[fmt.Sprint(st)] = apiResp{Ref: "#/components/responses/Problem" + fmt.Sprint(st)}
	}
	d.Paths[path][method] = &op
}

// operationID derives an id from method and path: GET /api/v1/{layer}
// becomes getApiV1Layer.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(method)
	up := true
	for _, r := range path {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// openAPIDoc assembles the document from every fragment.
func (s *Server) openAPIDoc(reg *tileRegistry) (*apiDoc, error) {
	d := &apiDoc{
		OpenAPI: "3.0.3",
		Info: map[string]any{
			"title":   "coldchain",
			"version": s.Version,
			"description": "Where farm-produce storage, pre-cooling and cold-chain facilities should go. " +
				"Errors are RFC 9457 problem details (application/problem+json). Reads are open unless the server " +
				"requires a token for them (COLDCHAIN_READ_AUTH=true); writes and plans need a planner token, token " +
				"management an admin token: Authorization: Bearer <token>.",
		},
		Servers: []map[string]string{{"url": "/"}},
		Tags: []map[string]string{
			{"name": "service", "description": "Health, readiness, metrics and this document"},
			{"name": "layers", "description": "The data layers as GeoJSON"},
			{"name": "analysis", "description": "Coverage measures and gaps"},
			{"name": "plans", "description": "Planning scenarios"},
			{"name": "tokens", "description": "API tokens (admin)"},
			{"name": "ogc", "description": "OGC API – Features (Part 1 Core, GeoJSON, OpenAPI 3.0; Part 4 create, replace, delete)"},
			{"name": "tiles", "description": "Mapbox vector tiles and TileJSON"},
			{"name": "parks", "description": "Park siting"},
			{"name": "roads", "description": "Road networks and service areas"},
		},
		Paths:    map[string]map[string]*apiOp{},
		opIDs:    map[string]bool{},
		problems: map[int]bool{},
	}
	s.coreOpenAPI(d)
	s.ogcOpenAPI(d)
	s.tilesOpenAPI(d, reg)
	s.parksOpenAPI(d)
	s.deliverOpenAPI(d)
	s.roadsOpenAPI(d)
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	d.Components = map[string]map[string]any{
		"schemas":   sharedSchemas(),
		"responses": {},
		"securitySchemes": {
			"bearerAuth": map[string]any{"type": "http", "scheme": "bearer",
				"description": "An API token from `coldchain token create --role viewer|planner|admin`."},
		},
	}
	for st := range d.problems {
		d.Components["responses"][fmt.Sprintf("Problem%d", st)] = apiResp{
			Description: http.StatusText(st) + " (problem details)",
			Content:     content("application/problem+json", ref("Problem")),
		}
	}
	return d, nil
}

// openAPI answers GET /api/openapi.json.
func (s *Server) openAPI(reg *tileRegistry) handler {
	doc, err := s.openAPIDoc(reg)
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	body, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/vnd.oai.openapi+json;version=3.0")
		_, err := w.Write(body)
		return err
	}
}

// sharedSchemas are the schemas operations refer to by name.
func sharedSchemas() map[string]any {
	link := object([]string{"href", "rel"}, map[string]schema{
		"href": str(), "rel": str(), "type": str(), "title": str(),
	})
	links := arrayOf(ref("Link"))
	return map[string]any{
		"Problem": object([]string{"type", "title", "status"}, map[string]schema{
			"type": str(), "title": str(), "status": {"type": "integer"}, "detail": str(), "instance": str(),
			"plan_id": str(),
			"errors": arrayOf(object(nil, map[string]schema{
				"row": {"type": "integer"}, "field": str(), "reason": str(),
			})),
		}),
		"Link": link,
		"Geometry": object([]string{"type"}, map[string]schema{
			"type":        enum("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"),
			"coordinates": arrayOf(schema{}),
		}),
		"Feature": object([]string{"type", "geometry", "properties"}, map[string]schema{
			"type":       enum("Feature"),
			"id":         schema{"description": "the feature's key (string)"},
			"geometry":   schema{"allOf": []schema{ref("Geometry")}, "nullable": true},
			"properties": schema{"type": "object", "nullable": true, "additionalProperties": true},
			"links":      links,
		}),
		"FeatureCollection": object([]string{"type", "features"}, map[string]schema{
			"type":           enum("FeatureCollection"),
			"name":           str(),
			"features":       arrayOf(ref("Feature")),
			"numberMatched":  integer(0, 0),
			"numberReturned": integer(0, 0),
			"timeStamp":      schema{"type": "string", "format": "date-time"},
			"links":          links,
		}),
		"Created": object([]string{"created", "ids"}, map[string]schema{
			"created": integer(0, 0), "ids": arrayOf(str()),
		}),
		"PlanRequest": object([]string{"problem", "facility_type", "tier", "product_classes"}, map[string]schema{
			"name":                   str(),
			"problem":                enum(problemNames()...),
			"facility_type":          enum(layer.FacilityTypes...),
			"tier":                   enum(layer.Tiers...),
			"product_classes":        maxItems(arrayOf(str()), plan.MaxProductClasses),
			"zones":                  maxItems(arrayOf(enum(layer.Zones...)), len(layer.Zones)),
			"p":                      integer(0, 0),
			"budget":                 number(),
			"coverage_target":        number(),
			"threshold_minutes":      number(),
			"capacity_t":             schema{"type": "object", "additionalProperties": number(), "maxProperties": len(layer.Zones)},
			"capacity_menu":          maxItems(arrayOf(object(nil, map[string]schema{"capacity_t": number(), "build_cost": number()})), plan.MaxCapacityMenu),
			"handling_target":        number(),
			"expansion_menu":         maxItems(arrayOf(object(nil, map[string]schema{"capacity_t": number(), "build_cost": number()})), plan.MaxCapacityMenu),
			"no_expansions":          schema{"type": "boolean"},
			"priority":               object(nil, map[string]schema{"poverty_exit": number(), "key_county": number()}),
			"region":                 str(),
			"scenario":               schema{"type": "string", "format": "uuid", "description": "run on this scenario's draft edits of candidates and facilities"},
			"candidates":             enum("user", "generated", "both"),
			"candidate_hex_km":       number(),
			"seed":                   schema{"type": "integer"},
			"time_limit_s":           schema{"type": "number", "minimum": 1, "maximum": 600, "description": "the solver's time limit, which also bounds preparing the instance (default 30)"},
			"transport_cny_per_t_km": number(),
			"spoilage_cny_per_t_h":   number(),
			"horizon_years":          number(),
			"subsidy_rate":           number(),
		}),
		"Plan": object([]string{"id", "status", "params"}, map[string]schema{
			"id":          str(),
			"kind":        str(),
			"status":      enum("queued", "running", "done", "failed"),
			"params":      anyObject("the request"),
			"error":       str(),
			"result":      anyObject("objective, bound, gap, sites (GeoJSON FeatureCollection), before, after and more"),
			"created_at":  schema{"type": "string", "format": "date-time"},
			"started_at":  schema{"type": "string", "format": "date-time"},
			"finished_at": schema{"type": "string", "format": "date-time"},
		}),
		"PlanSummaries": object([]string{"plans"}, map[string]schema{
			"plans": arrayOf(anyObject("a plan's key figures")),
		}),
		"TokenRequest": object([]string{"role"}, map[string]schema{
			"role": enum(RoleViewer, RolePlanner, RoleAdmin), "name": str(),
		}),
		"Token": object([]string{"id", "role"}, map[string]schema{
			"id": str(), "name": str(), "role": enum(RoleViewer, RolePlanner, RoleAdmin),
			"created_at":   schema{"type": "string", "format": "date-time"},
			"last_used_at": schema{"type": "string", "format": "date-time"},
			"revoked_at":   schema{"type": "string", "format": "date-time"},
		}),
		"LandingPage": object([]string{"links"}, map[string]schema{
			"title": str(), "description": str(), "links": links,
		}),
		"Conformance": object([]string{"conformsTo"}, map[string]schema{"conformsTo": arrayOf(str())}),
		"Collection": object([]string{"id", "links"}, map[string]schema{
			"id": str(), "title": str(), "description": str(), "itemType": str(),
			"crs": arrayOf(str()),
			"extent": object(nil, map[string]schema{
				"spatial": object(nil, map[string]schema{
					"bbox": arrayOf(schema{"type": "array", "minItems": 4, "maxItems": 6, "items": number()}),
					"crs":  str(),
				}),
			}),
			"links": links,
		}),
		"Collections": object([]string{"links", "collections"}, map[string]schema{
			"links": links, "collections": arrayOf(ref("Collection")),
		}),
		"TileJSON": object([]string{"tilejson", "tiles"}, map[string]schema{
			"tilejson": str(), "name": str(), "description": str(), "version": str(), "scheme": str(),
			"tiles": arrayOf(str()), "minzoom": integer(0, maxTileZoom), "maxzoom": integer(0, maxTileZoom),
			"bounds": arrayOf(number()), "center": arrayOf(number()),
			"vector_layers": arrayOf(object([]string{"id", "fields"}, map[string]schema{
				"id": str(), "description": str(), "minzoom": integer(0, maxTileZoom), "maxzoom": integer(0, maxTileZoom),
				"fields": schema{"type": "object", "additionalProperties": enum("String", "Number", "Boolean")},
			})),
		}),
	}
}

// layerFilterParams documents every layer's filters, each once.
func layerFilterParams() []apiParam {
	users := map[string][]string{}
	var order []string
	for _, l := range layer.All {
		for _, f := range l.Filters {
			if users[f.Param] == nil {
				order = append(order, f.Param)
			}
			users[f.Param] = append(users[f.Param], l.Name)
		}
	}
	var out []apiParam
	for _, p := range order {
		desc := fmt.Sprintf("filter on %s; comma-separated values mean any of", strings.Join(users[p], ", "))
		switch p {
		case "region":
			desc = "administrative code prefix (the region and everything in it); " + desc
		case "min_output_t":
			desc = "least yearly output in tonnes; " + desc
		}
		out = append(out, queryParam(p, desc, str()))
	}
	return out
}

func (s *Server) coreOpenAPI(d *apiDoc) {
	geojson := "application/geo+json"
	d.add("GET", "/healthz", apiOp{Summary: "Liveness", Tags: []string{"service"}, Open: true,
		Responses: ok("200", "The server runs", "application/json", object([]string{"status"}, map[string]schema{"status": str(), "version": str()}))})
	d.add("GET", "/readyz", apiOp{Summary: "Readiness: the database answers", Tags: []string{"service"}, Open: true,
		Problems:  []int{http.StatusServiceUnavailable},
		Responses: ok("200", "Ready", "application/json", object([]string{"status"}, map[string]schema{"status": str()}))})
	d.add("GET", "/metrics", apiOp{Summary: "Prometheus metrics", Tags: []string{"service"},
		Description: "Requests by route pattern and status, durations, the database pool and the plan queue.",
		Responses:   ok("200", "Metrics in the Prometheus text format", "text/plain", str())})
	d.add("GET", "/api/openapi.json", apiOp{Summary: "This OpenAPI document", Tags: []string{"service"},
		Responses: ok("200", "The document", "application/vnd.oai.openapi+json;version=3.0", anyObject("OpenAPI 3.0"))})

	layerP := pathParam("layer", "the layer", enum(layer.Names()...))
	idP := pathParam("id", "the feature's key (id, or code for regions)", str())
	list := []apiParam{layerP,
		queryParam("bbox", "minlon,minlat,maxlon,maxlat (WGS84)", str()),
		queryParam("limit", "features per page (default 1000)", integer(1, layer.MaxLimit)),
		queryParam("offset", "features to skip", integer(0, 0)),
	}
	d.add("GET", "/api/v1/{layer}", apiOp{Summary: "List a layer's features", Tags: []string{"layers"},
		Parameters: append(list, layerFilterParams()...), Problems: []int{400, 404},
		Responses: ok("200", "A page of features", geojson, ref("FeatureCollection"))})
	d.add("POST", "/api/v1/{layer}", apiOp{Summary: "Add features", Tags: []string{"layers"}, Role: RolePlanner,
		Description: "A Feature (201 with Location and the stored feature) or a FeatureCollection, all or nothing: any bad row leaves the layer unchanged and is listed in the problem's errors.",
		Parameters:  []apiParam{layerP}, Problems: []int{400, 404, 409, 413},
		RequestBody: jsonBody("GeoJSON Feature or FeatureCollection", geojson, schema{"oneOf": []schema{ref("Feature"), ref("FeatureCollection")}}),
		Responses:   ok("201", "Stored", "application/json", schema{"oneOf": []schema{ref("Feature"), ref("Created")}})})
	d.add("GET", "/api/v1/{layer}/{id}", apiOp{Summary: "One feature", Tags: []string{"layers"},
		Parameters: []apiParam{layerP, idP}, Problems: []int{404},
		Responses: ok("200", "The feature", geojson, ref("Feature"))})
	d.add("PUT", "/api/v1/{layer}/{id}", apiOp{Summary: "Replace a feature", Tags: []string{"layers"}, Role: RolePlanner,
		Parameters: []apiParam{layerP, idP}, Problems: []int{400, 404, 413},
		RequestBody: jsonBody("GeoJSON Feature", geojson, ref("Feature")),
		Responses:   ok("200", "The stored feature", geojson, ref("Feature"))})
	d.add("DELETE", "/api/v1/{layer}/{id}", apiOp{Summary: "Delete a feature", Tags: []string{"layers"}, Role: RolePlanner,
		Parameters: []apiParam{layerP, idP}, Problems: []int{404},
		Responses: ok("204", "Deleted", "", nil)})

	d.add("GET", "/api/v1/classes", apiOp{Summary: "Product classes and their defaults", Tags: []string{"analysis"},
		Responses: ok("200", "Every product class", "application/json", arrayOf(anyObject("a product class")))})
	area := []apiParam{
		queryParam("region", "administrative code prefix", str()),
		queryParam("class", "product classes, comma-separated", str()),
	}
	d.add("GET", "/api/v1/coverage", apiOp{Summary: "Coverage measures of a region", Tags: []string{"analysis"},
		Parameters: append(area, queryParam("include", "comma-separated: producers adds each producer's access; planned counts planned facilities (adopted plans) as built", str())),
		Problems:   []int{400},
		Responses:  ok("200", "Access, coverage, handling rates and gap tables", "application/json", anyObject("the coverage report"))})
	d.add("GET", "/api/v1/gaps", apiOp{Summary: "Hexagon map of uncovered output", Tags: []string{"analysis"},
		Parameters: append(area, queryParam("month", "1 to 12; default the whole year", integer(1, 12)),
			queryParam("hex_km", "hexagon edge in km", number())),
		Problems:  []int{400},
		Responses: ok("200", "Hexagons with their uncovered output, and the gap tables", geojson, anyObject("a FeatureCollection with tables"))})

	planID := pathParam("id", "the plan's id", schema{"type": "string", "format": "uuid"})
	d.add("POST", "/api/v1/plans", apiOp{Summary: "Run a plan in the background", Tags: []string{"plans"}, Role: RolePlanner,
		Description: "Submissions are limited per token (429 with Retry-After beyond the limit).",
		Problems:    []int{400, 422, 429},
		RequestBody: jsonBody("What to plan", "application/json", ref("PlanRequest")),
		Responses:   ok("202", "Queued; Location names the plan", "application/json", ref("Plan"))})
	d.add("GET", "/api/v1/plans", apiOp{Summary: "Newest plans, or plans side by side", Tags: []string{"plans"},
		Parameters: []apiParam{
			queryParam("compare", "2 to 10 plan ids, comma-separated", str()),
			queryParam("limit", "plans to list (default 50)", integer(1, 500)),
		},
		Problems:  []int{400, 404},
		Responses: ok("200", "Plan summaries", "application/json", ref("PlanSummaries"))})
	d.add("GET", "/api/v1/plans/{id}", apiOp{Summary: "A plan", Tags: []string{"plans"},
		Parameters: []apiParam{planID}, Problems: []int{404},
		Responses: ok("200", "The plan", "application/json", ref("Plan"))})
	d.add("POST", "/api/v1/plans/{id}/cancel", apiOp{Summary: "Cancel a queued or running plan", Tags: []string{"plans"}, Role: RolePlanner,
		Parameters: []apiParam{planID}, Problems: []int{404, 409},
		Responses: ok("202", "Cancelling", "application/json", object(nil, map[string]schema{"status": str()}))})
	d.add("POST", "/api/v1/plans/{id}/adopt", apiOp{Summary: "Adopt a plan: its sites become planned facilities (expansions raise their facility's capacity as planned)", Tags: []string{"plans"}, Role: RolePlanner,
		Parameters: []apiParam{planID}, Problems: []int{404, 409},
		Responses: ok("201", "The facilities added", "application/json", object(nil, map[string]schema{"plan": str(), "facilities": arrayOf(str()), "expansions": arrayOf(str())}))})
	d.add("GET", "/api/v1/problems", apiOp{Summary: "The location problems plans can solve, with what each needs and its labels in English and Chinese", Tags: []string{"plans"},
		Responses: ok("200", "The problem registry", "application/json", object(nil, map[string]schema{"problems": arrayOf(anyObject("a problem"))}))})
	d.add("GET", "/api/v1/plans/{id}/export.geojson", apiOp{Summary: "A plan's sites as GeoJSON", Tags: []string{"plans"},
		Parameters: []apiParam{planID}, Problems: []int{404},
		Responses: ok("200", "The sites", geojson, ref("FeatureCollection"))})
	d.add("GET", "/api/v1/plans/{id}/export.csv", apiOp{Summary: "A plan's project list as CSV", Tags: []string{"plans"},
		Parameters: []apiParam{planID, queryParam("bom", "true: start with a UTF-8 byte-order mark (for Chinese Excel)", schema{"type": "boolean"})}, Problems: []int{400, 404},
		Responses: ok("200", "The project list", "text/csv", str())})

	d.add("GET", "/api/v1/tokens", apiOp{Summary: "List API tokens", Tags: []string{"tokens"}, Role: RoleAdmin, Problems: []int{404},
		Responses: ok("200", "Every token (never its secret)", "application/json", object([]string{"tokens"}, map[string]schema{"tokens": arrayOf(ref("Token"))}))})
	d.add("POST", "/api/v1/tokens", apiOp{Summary: "Make an API token", Tags: []string{"tokens"}, Role: RoleAdmin, Problems: []int{400, 404},
		Description: "The token text is in the response and nowhere else: store it now.",
		RequestBody: jsonBody("Role and name", "application/json", ref("TokenRequest")),
		Responses: ok("201", "The token", "application/json", schema{"allOf": []schema{ref("Token"),
			object([]string{"token"}, map[string]schema{"token": str()})}})})
	d.add("DELETE", "/api/v1/tokens/{id}", apiOp{Summary: "Revoke an API token", Tags: []string{"tokens"}, Role: RoleAdmin,
		Parameters: []apiParam{pathParam("id", "the token's 16-digit id", str())}, Problems: []int{404, 409},
		Responses: ok("204", "Revoked", "", nil)})
}

func (s *Server) ogcOpenAPI(d *apiDoc) {
	geojson := "application/geo+json"
	tags := []string{"ogc"}
	coll := pathParam("collectionId", "a layer ("+strings.Join(layer.Names(), ", ")+") or plan-<id> for a finished plan's sites, plan-<id>-allocations for its allocations", str())
	fid := pathParam("featureId", "the feature's id", str())
	no := false
	items := []apiParam{coll,
		{Name: "bbox", In: "query", Description: "minlon,minlat,maxlon,maxlat in CRS84", Style: "form", Explode: &no,
			Schema: schema{"type": "array", "minItems": 4, "maxItems": 6, "items": number()}},
		queryParam("limit", fmt.Sprintf("features per page (default %d; larger values are lowered to %d)", ogcDefaultLimit, layer.MaxLimit),
			schema{"type": "integer", "minimum": 1, "default": ogcDefaultLimit}),
		queryParam("offset", "features to skip (the next and prev links carry it)", integer(0, 0)),
		queryParam("datetime", "accepted and ignored: the data has no time", str()),
		queryParam("crs", "only "+crs84, enum(crs84)),
		queryParam("bbox-crs", "only "+crs84, enum(crs84)),
		queryParam("f", "format; only JSON is served", enum("json", "geojson")),
	}
	d.add("GET", "/ogc", apiOp{Summary: "OGC API – Features landing page", Tags: tags,
		Responses: ok("200", "Links to the API definition, conformance and collections", "application/json", ref("LandingPage"))})
	d.add("GET", "/ogc/conformance", apiOp{Summary: "Conformance classes", Tags: tags,
		Responses: ok("200", "The classes implemented", "application/json", ref("Conformance"))})
	d.add("GET", "/ogc/collections", apiOp{Summary: "Every layer and every finished plan's sites", Tags: tags,
		Responses: ok("200", "The collections", "application/json", ref("Collections"))})
	d.add("GET", "/ogc/collections/{collectionId}", apiOp{Summary: "A collection", Tags: tags,
		Parameters: []apiParam{coll}, Problems: []int{404},
		Responses: ok("200", "The collection", "application/json", ref("Collection"))})
	d.add("GET", "/ogc/collections/{collectionId}/items", apiOp{Summary: "A page of a collection's features", Tags: tags,
		Description: "numberMatched counts every feature the query selects; follow the next links to read them all.",
		Parameters:  append(items, layerFilterParams()...), Problems: []int{400, 404},
		Responses: ok("200", "The features", geojson, ref("FeatureCollection"))})
	d.add("POST", "/ogc/collections/{collectionId}/items", apiOp{Summary: "Add a feature (Part 4)", Tags: tags, Role: RolePlanner,
		Description: "Only producers, facilities and candidates are editable (others answer 405). A FeatureCollection adds all its features or none.",
		Parameters:  []apiParam{coll}, Problems: []int{400, 404, 405, 409, 413},
		RequestBody: jsonBody("GeoJSON Feature", geojson, schema{"oneOf": []schema{ref("Feature"), ref("FeatureCollection")}}),
		Responses:   ok("201", "Stored; Location names the new feature", geojson, schema{"oneOf": []schema{ref("Feature"), ref("Created")}})})
	d.add("GET", "/ogc/collections/{collectionId}/items/{featureId}", apiOp{Summary: "A feature", Tags: tags,
		Parameters: []apiParam{coll, fid}, Problems: []int{404},
		Responses: ok("200", "The feature", geojson, ref("Feature"))})
	d.add("PUT", "/ogc/collections/{collectionId}/items/{featureId}", apiOp{Summary: "Replace a feature (Part 4)", Tags: tags, Role: RolePlanner,
		Parameters: []apiParam{coll, fid}, Problems: []int{400, 404, 405, 413},
		RequestBody: jsonBody("GeoJSON Feature", geojson, ref("Feature")),
		Responses:   ok("200", "The stored feature", geojson, ref("Feature"))})
	d.add("DELETE", "/ogc/collections/{collectionId}/items/{featureId}", apiOp{Summary: "Delete a feature (Part 4)", Tags: tags, Role: RolePlanner,
		Parameters: []apiParam{coll, fid}, Problems: []int{404, 405},
		Responses: ok("204", "Deleted", "", nil)})
}

func (s *Server) tilesOpenAPI(d *apiDoc, reg *tileRegistry) {
	tags := []string{"tiles"}
	var names, descs []string
	params := map[string][]string{}
	paramDesc := map[string]string{}
	for _, l := range reg.layers {
		names = append(names, l.Name)
		descs = append(descs, fmt.Sprintf("%s (%s)", l.Name, l.Title))
		for _, p := range l.Params {
			params[p.Name] = append(params[p.Name], l.Name)
			paramDesc[p.Name] = p.Description
		}
	}
	var query []apiParam
	pnames := make([]string, 0, len(params))
	for p := range params {
		pnames = append(pnames, p)
	}
	sort.Strings(pnames)
	for _, p := range pnames {
		query = append(query, queryParam(p, fmt.Sprintf("%s (layers %s)", paramDesc[p], strings.Join(params[p], ", ")), str()))
	}
	layersP := pathParam("layers", "tile layers, comma-separated: "+strings.Join(descs, ", "),
		schema{"type": "string", "pattern": `^[a-z0-9_]+(,[a-z0-9_]+)*$`, "example": strings.Join(names[:min(2, len(names))], ",")})
	d.add("GET", "/tiles", apiOp{Summary: "The tile layers", Tags: tags,
		Responses: ok("200", "Every tile layer with its TileJSON", "application/json",
			object([]string{"layers"}, map[string]schema{"layers": arrayOf(anyObject("a tile layer"))}))})
	d.add("GET", "/tiles/{layers}.json", apiOp{Summary: "TileJSON 3.0 of tile layers", Tags: tags,
		Parameters: append([]apiParam{layersP}, query...), Problems: []int{400, 404},
		Responses: ok("200", "TileJSON with the data's bounds and each layer's fields", "application/json", ref("TileJSON"))})
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
	d.add("GET", "/tiles/{layers}/{z}/{x}/{y}.mvt", apiOp{Summary: "A vector tile", Tags: tags,
		Description: "Built by PostGIS in one ST_AsMVT query. Invalid z, x or y answer 400.",
		Parameters: append(append(tileP, query...),
			apiParam{Name: "If-None-Match", In: "header", Description: "an ETag the client holds", Schema: str()}),
		Problems:  []int{400, 404},
		Responses: resp})
}

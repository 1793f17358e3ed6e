package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/plan"
)

// The OpenAPI 3.0 document at /api/openapi.json is built from the endpoint
// tables (endpoint.go), the same ones the router is: d.add documents each
// endpoint and adds operation ids, security and the problem responses
// every operation shares. Query parameters come from the endpoints' query
// structs (query.go), PlanRequest from plan.Request. A test checks that the
// document is valid and that it and the router list the same routes with
// their parameters.

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
func (s *Server) openAPIDoc(eps []endpoint) (*apiDoc, error) {
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
		// Relative to the document (/api/openapi.json), so that it holds
		// behind a proxy that serves the API under a sub-path too.
		Servers: []map[string]string{{"url": ".."}},
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
	for _, ep := range eps {
		method, op, err := ep.operation()
		if err != nil {
			d.errs = append(d.errs, err)
			continue
		}
		d.add(method, ep.Path, op)
	}
	schemas, err := sharedSchemas()
	if err != nil {
		d.errs = append(d.errs, err)
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	d.Components = map[string]map[string]any{
		"schemas":   schemas,
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

// mustOpenAPI encodes the document; an error in it is a programming error
// (an endpoint declared badly), caught when the server starts.
func mustOpenAPI(doc *apiDoc, err error) []byte {
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	body, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	return body
}

// planRequestSchema is plan.Request's schema, generated from the Go type,
// with the enums and the bounds Normalize enforces (every list bounded).
func planRequestSchema() (schema, error) {
	menu := schema{"maxItems": plan.MaxCapacityMenu}
	return goSchema(plan.Request{}, map[string][]string{
		"problem":       problemNames(),
		"facility_type": layer.FacilityTypes,
		"tier":          layer.Tiers,
		"zones":         layer.Zones,
		"candidates":    {"user", "generated", "both"},
	}, map[string]schema{
		"product_classes": {"maxItems": plan.MaxProductClasses},
		"regions":         {"maxItems": plan.MaxRegions},
		"zones":           {"maxItems": len(layer.Zones)},
		"capacity_t":      {"maxProperties": len(layer.Zones)},
		"capacity_menu":   menu,
		"expansion_menu":  menu,
		"p":               {"minimum": 0},
		"time_limit_s":    {"minimum": 1, "maximum": 600, "description": "the solver's time limit, which also bounds preparing the instance (default 30)"},
	})
}

// sharedSchemas are the schemas operations refer to by name.
func sharedSchemas() (map[string]any, error) {
	planRequest, err := planRequestSchema()
	if err != nil {
		return nil, fmt.Errorf("PlanRequest: %w", err)
	}
	link := object([]string{"href", "rel"}, map[string]schema{
		"href": str(), "rel": str(), "type": str(), "title": str(),
	})
	links := arrayOf(ref("Link"))
	out := map[string]any{
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
			"warnings": schema{"type": "array", "items": str(),
				"description": "what was stored but deserves a look: features outside every region, regions whose areas are derived from their points"},
		}),
		"PlanRequest": planRequest,
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
	}
	for k, v := range ogcSchemas(links) {
		out[k] = v
	}
	return out, nil
}

// ogcSchemas are the schemas of OGC API – Features and TileJSON.
func ogcSchemas(links schema) map[string]any {
	return map[string]any{
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

// datumQueryParam is the datum of feature reads' output coordinates.
func datumQueryParam() apiParam {
	return queryParam("datum", "datum of the returned coordinates: wgs84 (default), gcj02 (Amap, Tencent, DataV) or bd09 (Baidu), to hand data back to Chinese web maps; bbox stays WGS84",
		enum("wgs84", "gcj02", "bd09"))
}

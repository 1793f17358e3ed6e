package httpapi

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/web"
)

// Every HTTP endpoint is declared once, as an endpoint value in its area's
// table (serviceEndpoints, layerEndpoints, analysisEndpoints,
// planEndpoints, deliverEndpoints, scenarioEndpoints, tokenEndpoints, parkEndpoints, roadEndpoints,
// ogcEndpoints, tileEndpoints). The router (routes) and the OpenAPI
// document (openAPIDoc) are both built from those tables: a route cannot
// be served without being documented, nor documented without being served.

// endpoint is one method on one path: how it is served and documented.
type endpoint struct {
	// Method is the HTTP method; "" serves every method (documented as
	// GET: /metrics).
	Method string
	// Path is the full chi pattern, e.g. /api/v1/plans/{id}.
	Path string
	// Summary, Description and Tag document the operation.
	Summary, Description, Tag string
	// Role is the token role the endpoint needs (require); "" for reads.
	Role string
	// Open endpoints are outside authentication (health and readiness);
	// the others pass authenticate (open reads unless ReadAuth).
	Open bool
	// RateLimited endpoints pass the per-token plan rate limit.
	RateLimited bool
	// PathParams documents each {name} of Path.
	PathParams []apiParam
	// ExtraParams are query parameters that come from data tables (layer
	// filters, tile-layer parameters) rather than from a query struct.
	ExtraParams []apiParam
	// Body is the request body, Responses the success responses, Problems
	// the problem statuses besides those the document adds itself.
	Body      *apiBody
	Responses map[string]apiResp
	Problems  []int
	// Handler serves the endpoint; its query struct (parsed) documents the
	// query parameters.
	Handler action
}

// action is an endpoint's handler with the type of the struct its query
// parameters are parsed into (nil: none), or a plain http.Handler.
type action struct {
	h     handler
	query reflect.Type
	raw   http.Handler
}

// plain is an action without query parameters.
func plain(h handler) action { return action{h: h} }

// rawHandler serves h as it is (for every method).
func rawHandler(h http.Handler) action { return action{raw: h} }

// parsed is an action whose query parameters parse into a Q (see
// decodeQuery) before h runs; a bad parameter is a 400 problem.
func parsed[Q any](h func(w http.ResponseWriter, r *http.Request, q Q) error) action {
	return action{
		query: reflect.TypeFor[Q](),
		h: func(w http.ResponseWriter, r *http.Request) error {
			var q Q
			if err := decodeQuery(r.URL.Query(), &q); err != nil {
				return err
			}
			return h(w, r, q)
		},
	}
}

// endpoints lists every endpoint. apiJSON is where the OpenAPI endpoint
// reads the document, built from this same list.
func (s *Server) endpoints(reg *tileRegistry, apiJSON *[]byte) []endpoint {
	var eps []endpoint
	for _, area := range [][]endpoint{
		s.serviceEndpoints(apiJSON),
		s.analysisEndpoints(),
		s.planEndpoints(),
		s.deliverEndpoints(),
		s.scenarioEndpoints(),
		s.parkEndpoints(),
		s.roadEndpoints(),
		s.tokenEndpoints(),
		s.layerEndpoints(),
		s.ogcEndpoints(),
		s.tileEndpoints(reg),
		s.styleEndpoints(reg),
	} {
		eps = append(eps, area...)
	}
	return eps
}

// authGroups are the path prefixes mounted as groups that pass
// authenticate (open reads unless ReadAuth), unknown paths under them
// included; endpoints elsewhere pass it one by one unless Open.
var authGroups = []string{"/api/v1", "/ogc", "/tiles"}

// inAuthGroup reports whether path is under one of authGroups.
func inAuthGroup(path string) bool {
	for _, prefix := range authGroups {
		if underPrefix(path, prefix) {
			return true
		}
	}
	return false
}

func (s *Server) routes() http.Handler {
	reg, err := newTileRegistry(s.tileLayers())
	if err != nil {
		panic(err) // a malformed tile layer: a programming error
	}
	var apiJSON []byte
	eps := s.endpoints(reg, &apiJSON)
	apiJSON = mustOpenAPI(s.openAPIDoc(eps))

	r := chi.NewRouter()
	// No middleware.RealIP: forwarded-for headers are client-controlled, and
	// the plan rate limit keys on the connection's address when tokens are off.
	r.Use(s.underBasePath, middleware.RequestID, s.logRequests, middleware.Recoverer)
	r.Use(s.corsHandler(), middleware.GetHead, s.refuseNUL)
	grouped := map[bool][]endpoint{}
	for _, ep := range eps {
		grouped[inAuthGroup(ep.Path)] = append(grouped[inAuthGroup(ep.Path)], ep)
	}
	// Endpoints' responses are compressed as the client accepts; the web
	// UI's files come precompressed.
	compress := compressor()
	for _, ep := range grouped[false] {
		if ep.Open {
			s.mount(r.With(compress), "", ep)
		} else {
			s.mount(r.With(compress, s.authenticate), "", ep)
		}
	}
	for _, prefix := range authGroups {
		r.Route(prefix, func(r chi.Router) {
			r.Use(compress, s.authenticate)
			if prefix == "/api/v1" {
				r.Use(s.trackEdits) // ETags, If-Match and the edit log
			}
			for _, ep := range grouped[true] {
				if underPrefix(ep.Path, prefix) {
					s.mount(r, prefix, ep)
				}
			}
		})
	}
	if s.Web != nil {
		r.Handle("/*", web.Handler(s.Web))
	}
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return derrors.NotFound("no route %s %s", r.Method, r.URL.Path)
	}))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return &statusError{status: http.StatusMethodNotAllowed, msg: fmt.Sprintf("%s not allowed on %s", r.Method, r.URL.Path)}
	}))
	return r
}

func underPrefix(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// mount registers ep on r, a router for the paths under prefix.
func (s *Server) mount(r chi.Router, prefix string, ep endpoint) {
	path := strings.TrimPrefix(ep.Path, prefix)
	if path == "" {
		path = "/"
	}
	var mw []func(http.Handler) http.Handler
	if ep.Role != "" {
		mw = append(mw, s.require(ep.Role))
	}
	if ep.RateLimited {
		mw = append(mw, s.limitPlans())
	}
	switch {
	case ep.Handler.raw != nil:
		r.With(mw...).Handle(path, ep.Handler.raw)
	case ep.Method == "":
		r.With(mw...).Handle(path, s.handle(ep.Handler.h))
	default:
		r.With(mw...).Method(ep.Method, path, s.handle(ep.Handler.h))
	}
}

var pathParamPattern = regexp.MustCompile(`\{(\w+)\}`)

// operation documents ep.
func (ep endpoint) operation() (method string, op apiOp, err error) {
	method = ep.Method
	if method == "" {
		method = http.MethodGet
	}
	for _, m := range pathParamPattern.FindAllStringSubmatch(ep.Path, -1) {
		if !hasParam(ep.PathParams, m[1], "path") {
			return "", op, fmt.Errorf("%s %s: path parameter %s is not documented", method, ep.Path, m[1])
		}
	}
	params := append([]apiParam(nil), ep.PathParams...)
	if ep.Handler.query != nil {
		qp, err := queryParams(ep.Handler.query)
		if err != nil {
			return "", op, fmt.Errorf("%s %s: %w", method, ep.Path, err)
		}
		params = append(params, qp...)
	}
	params = append(params, ep.ExtraParams...)
	var responses map[string]apiResp
	if ep.Responses != nil {
		responses = map[string]apiResp{}
		for k, v := range ep.Responses {
			responses[k] = v
		}
	}
	op = apiOp{Summary: ep.Summary, Description: ep.Description, Tags: []string{ep.Tag}, Parameters: params,
		RequestBody: ep.Body, Responses: responses, Role: ep.Role, Open: ep.Open, Problems: ep.Problems}
	return method, op, nil
}

func hasParam(ps []apiParam, name, in string) bool {
	for _, p := range ps {
		if p.Name == name && p.In == in {
			return true
		}
	}
	return false
}

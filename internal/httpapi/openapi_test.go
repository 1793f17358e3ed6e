package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/go-chi/chi/v5"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// routerRoutes lists the router's routes as "METHOD path". A route
// registered for every method (r.Handle: /metrics) counts as GET.
func routerRoutes(t *testing.T, h http.Handler) []string {
	t.Helper()
	routes, ok := h.(chi.Routes)
	if !ok {
		t.Fatalf("the handler is a %T, not a chi router", h)
	}
	methods := map[string][]string{}
	err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = regexp.MustCompile(`\{(\w+):[^}]*\}`).ReplaceAllString(route, "{$1}")
		if len(route) > 1 {
			route = strings.TrimSuffix(route, "/")
		}
		methods[route] = append(methods[route], method)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for route, ms := range methods {
		if route == "/*" {
			continue // the map UI's files, not API
		}
		if len(ms) >= 9 {
			ms = []string{"GET"}
		}
		for _, m := range ms {
			out = append(out, m+" "+route)
		}
	}
	sort.Strings(out)
	return out
}

func TestOpenAPI(t *testing.T) {
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	planID := insertPlan(t, pool, "done", [][2]float64{{114.1, 26.6}})
	s := httpapi.New(pool, access.NewGeodesic(0, 0), nil, slog.New(slog.NewTextHandler(io.Discard, nil)), "test",
		fstest.MapFS{"index.html": {Data: []byte("<html></html>")}})
	s.Tokens = &auth.Store{Pool: pool}
	h := s.Handler()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)

	status, hdr, body := call(t, "GET", ts.URL+"/api/openapi.json", "", "")
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/vnd.oai.openapi+json") {
		t.Fatalf("%d %s", status, hdr.Get("Content-Type"))
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3.0: %v", err)
	}

	t.Run("documented routes are the router's", func(t *testing.T) {
		var documented []string
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				documented = append(documented, method+" "+path)
			}
		}
		sort.Strings(documented)
		routes := routerRoutes(t, h)
		for _, r := range routes {
			if !slices.Contains(documented, r) {
				t.Errorf("route %s is not documented: declare it in its area's endpoint table (endpoint.go lists them)", r)
			}
		}
		for _, d := range documented {
			if !slices.Contains(routes, d) {
				t.Errorf("documented %s is not a route", d)
			}
		}
		if len(routes) < 30 {
			t.Errorf("only %d routes walked", len(routes))
		}
	})

	t.Run("operations declare their problems", func(t *testing.T) {
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				if op.Responses.Status(500) == nil {
					t.Errorf("%s %s: no 500 problem", method, path)
				}
				bearerOnly := op.Security != nil && len(*op.Security) == 1
				if bearerOnly && (op.Responses.Status(401) == nil || op.Responses.Status(403) == nil) {
					t.Errorf("%s %s needs a token but documents no 401/403", method, path)
				}
				writes := method != "GET"
				if writes && !bearerOnly {
					t.Errorf("%s %s writes without needing a token", method, path)
				}
			}
		}
	})

	t.Run("path parameters are documented", func(t *testing.T) {
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
					if p := op.Parameters.GetByInAndName("path", m[1]); p == nil || !p.Required {
						t.Errorf("%s %s: path parameter %s is not documented as required", method, path, m[1])
					}
				}
			}
		}
	})
	checkResponseSchemas(t, ts.URL, doc, planID)
}

// checkResponseSchemas checks that real responses match their documented
// schemas, problems included.
func checkResponseSchemas(t *testing.T, base string, doc *openapi3.T, planID string) {
	cases := []struct {
		method, path, template string
		status                 int
	}{
		{"GET", "/healthz", "/healthz", 200},
		{"GET", "/ogc", "/ogc", 200},
		{"GET", "/ogc/conformance", "/ogc/conformance", 200},
		{"GET", "/ogc/collections", "/ogc/collections", 200},
		{"GET", "/ogc/collections/producers", "/ogc/collections/{collectionId}", 200},
		{"GET", "/ogc/collections/producers/items?limit=3", "/ogc/collections/{collectionId}/items", 200},
		{"GET", "/ogc/collections/plan-" + planID + "/items", "/ogc/collections/{collectionId}/items", 200},
		{"GET", "/ogc/collections/producers/items?limit=x", "/ogc/collections/{collectionId}/items", 400},
		{"GET", "/ogc/collections/rivers", "/ogc/collections/{collectionId}", 404},
		{"POST", "/ogc/collections/producers/items", "/ogc/collections/{collectionId}/items", 401},
		{"GET", "/api/v1/producers?limit=2", "/api/v1/{layer}", 200},
		{"GET", "/api/v1/tokens", "/api/v1/tokens", 401},
		{"GET", "/tiles/producers,regions.json", "/tiles/{layers}.json", 200},
		{"GET", "/tiles/producers/99/0/0.mvt", "/tiles/{layers}/{z}/{x}/{y}.mvt", 400},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			status, hdr, body := call(t, tc.method, base+tc.path, "", "")
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			op := doc.Paths.Find(tc.template).GetOperation(tc.method)
			if op == nil {
				t.Fatalf("%s %s is not documented", tc.method, tc.template)
			}
			resp := op.Responses.Status(status)
			if resp == nil || resp.Value == nil {
				t.Fatalf("status %d is not documented", status)
			}
			mt := strings.TrimSpace(strings.Split(hdr.Get("Content-Type"), ";")[0])
			media := resp.Value.Content.Get(mt)
			if media == nil {
				media = resp.Value.Content.Get(hdr.Get("Content-Type"))
			}
			if media == nil || media.Schema == nil {
				t.Fatalf("content type %q of %d is not documented", hdr.Get("Content-Type"), status)
			}
			var v any
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			if err := media.Schema.Value.VisitJSON(v); err != nil {
				t.Errorf("the response does not match its schema: %v", err)
			}
		})
	}
}

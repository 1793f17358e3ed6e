package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newServer(t *testing.T) (*httptest.Server, *httpapi.Server) {
	t.Helper()
	pool := pgtest.Pool(t)
	s := httpapi.New(pool, access.NewGeodesic(0, 0), nil, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", nil)
	s.MaxBody = 1 << 16
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, s
}

func do(t *testing.T, method, url, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Row    int    `json:"row"`
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func wantProblem(t *testing.T, status int, h http.Header, body []byte, wantStatus int, wantDetail string) problem {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	if ct := h.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("content type %q", ct)
	}
	var p problem
	if err := json.Unmarshal(body, &p); err != nil || p.Status != wantStatus || p.Title == "" {
		t.Fatalf("not a problem body: %s (%v)", body, err)
	}
	if !strings.Contains(p.Detail+p.errorsText(), wantDetail) {
		t.Errorf("problem %+v does not say %q", p, wantDetail)
	}
	return p
}

func (p problem) errorsText() string {
	var b strings.Builder
	for _, e := range p.Errors {
		b.WriteString(" " + e.Field + ": " + e.Reason)
	}
	return b.String()
}

type collection struct {
	Type           string `json:"type"`
	NumberMatched  int    `json:"numberMatched"`
	NumberReturned int    `json:"numberReturned"`
	Features       []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
}

const farm = `{"type":"Feature","properties":{"name":"Veg coop","operator_type":"cooperative","product_class":"leafy_vegetable","annual_output_t":300},"geometry":{"type":"Point","coordinates":[114.2,26.6]}}`

func TestLayerAPI(t *testing.T) {
	ts, _ := newServer(t)
	api := ts.URL + "/api/v1"

	status, h, body := do(t, "POST", api+"/producers", farm)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	loc := h.Get("Location")
	if !strings.HasPrefix(loc, "/api/v1/producers/p-") {
		t.Fatalf("location %q", loc)
	}
	coll := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":"t1","properties":{"operator_type":"enterprise","product_class":"tea","annual_output_t":20},"geometry":{"type":"Point","coordinates":[114.3,26.7]}},
	 {"type":"Feature","id":"c1","properties":{"operator_type":"family_farm","product_class":"citrus","annual_output_t":900},"geometry":{"type":"Point","coordinates":[114.5,26.9]}}]}`
	if status, _, body := do(t, "POST", api+"/producers", coll); status != http.StatusCreated {
		t.Fatalf("create collection: %d %s", status, body)
	}

	var c collection
	status, h, body = do(t, "GET", api+"/producers", "")
	if status != 200 || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("list: %d %s", status, h.Get("Content-Type"))
	}
	if err := json.Unmarshal(body, &c); err != nil || c.Type != "FeatureCollection" || c.NumberMatched != 3 || len(c.Features) != 3 {
		t.Fatalf("list: %+v %v", c, err)
	}

	cases := []struct {
		query string
		want  []string
	}{
		{"?product_class=tea", []string{"t1"}},
		{"?product_class=tea,citrus", []string{"c1", "t1"}},
		{"?bbox=114.25,26.65,114.6,27", []string{"c1", "t1"}},
		{"?bbox=114.25,26.65,114.4,26.8&product_class=citrus", nil},
		{"?min_output_t=500", []string{"c1"}},
		{"?limit=1&offset=1&product_class=tea,citrus", []string{"t1"}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			status, _, body := do(t, "GET", api+"/producers"+tc.query, "")
			var c collection
			if err := json.Unmarshal(body, &c); status != 200 || err != nil {
				t.Fatalf("%d %s", status, body)
			}
			var got []string
			for _, f := range c.Features {
				got = append(got, f.ID)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	status, _, body = do(t, "GET", api+"/producers/t1", "")
	if status != 200 || !strings.Contains(string(body), `"product_class": "tea"`) && !strings.Contains(string(body), `"product_class":"tea"`) {
		t.Fatalf("get: %d %s", status, body)
	}
	moved := `{"type":"Feature","properties":{"operator_type":"enterprise","product_class":"tea","annual_output_t":25},"geometry":{"type":"Point","coordinates":[114.31,26.71]}}`
	if status, _, body := do(t, "PUT", api+"/producers/t1", moved); status != 200 || !strings.Contains(string(body), "114.31") {
		t.Fatalf("put: %d %s", status, body)
	}
	if status, _, _ := do(t, "DELETE", api+"/producers/t1", ""); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	status, h, body = do(t, "DELETE", api+"/producers/t1", "")
	wantProblem(t, status, h, body, 404, `producer "t1" not found`)
}

func TestLayerAPIErrors(t *testing.T) {
	ts, _ := newServer(t)
	api := ts.URL + "/api/v1"
	bad := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","properties":{"operator_type":"cooperative","product_class":"durian","annual_output_t":1},"geometry":{"type":"Point","coordinates":[114,26]}},
	 {"type":"Feature","properties":{"operator_type":"cooperative","product_class":"tea","annual_output_t":1},"geometry":{"type":"Point","coordinates":[26,114]}}]}`
	cases := []struct {
		name, method, path, body string
		status                   int
		detail                   string
	}{
		{"unknown layer", "GET", "/rivers", "", 404, `unknown layer "rivers"`},
		{"unknown filter", "GET", "/producers?colour=red", "", 400, `unknown query parameter "colour"`},
		{"bad enum filter", "GET", "/facilities?tier=galactic", "", 400, `unknown value "galactic"`},
		{"bad bbox", "GET", "/producers?bbox=1,2,3", "", 400, "bbox"},
		{"bad limit", "GET", "/producers?limit=0", "", 400, "limit"},
		{"not json", "POST", "/producers", "hello", 400, "not a JSON object"},
		{"bare geometry", "POST", "/producers", `{"type":"Point","coordinates":[1,2]}`, 400, "want a GeoJSON Feature or FeatureCollection"},
		{"bad rows", "POST", "/producers", bad, 400, `unknown product class "durian"`},
		{"swapped", "POST", "/producers", bad, 400, "look swapped"},
		{"too large", "POST", "/producers", `{"type":"FeatureCollection","features":[` + strings.Repeat(farm+",", 400) + farm + `]}`, 413, "larger than"},
		{"put missing", "PUT", "/producers/nope", farm, 404, "not found"},
		{"method", "PATCH", "/producers/x", "", 405, "not allowed"},
		{"no route", "GET", "/../../etc/passwd", "", 404, "no route"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := do(t, tc.method, api+tc.path, tc.body)
			wantProblem(t, status, h, body, tc.status, tc.detail)
		})
	}
	// Nothing was written by the failed requests.
	_, _, body := do(t, "GET", api+"/producers", "")
	var c collection
	if err := json.Unmarshal(body, &c); err != nil || c.NumberMatched != 0 {
		t.Fatalf("failed writes left %d producers (%v)", c.NumberMatched, err)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	ts, _ := newServer(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if status, _, body := do(t, "GET", ts.URL+p, ""); status != 200 {
			t.Fatalf("%s: %d %s", p, status, body)
		}
	}
	do(t, "GET", ts.URL+"/api/v1/producers", "")
	status, _, body := do(t, "GET", ts.URL+"/metrics", "")
	if status != 200 || !strings.Contains(string(body), `coldchain_http_requests_total{method="GET",route="/api/v1/{layer}",status="200"} 1`) ||
		!strings.Contains(string(body), "coldchain_db_pool_connections") {
		t.Fatalf("metrics: %d\n%s", status, body)
	}
}

func TestDatabaseDownGives503(t *testing.T) {
	// A pool whose server does not exist: every database call fails to
	// connect, as during an outage.
	pool, err := pgxpool.New(context.Background(), "host=/nonexistent-coldchain port=5432 user=x dbname=x connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := httpapi.New(pool, access.NewGeodesic(0, 0), nil, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", nil)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for _, p := range []string{"/readyz", "/api/v1/producers", "/api/v1/facilities/f1"} {
		status, h, body := do(t, "GET", ts.URL+p, "")
		wantProblem(t, status, h, body, 503, "unavailable")
	}
	if status, _, _ := do(t, "GET", ts.URL+"/healthz", ""); status != 200 {
		t.Fatalf("healthz depends on the database: %d", status)
	}
}

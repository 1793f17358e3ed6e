package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// tokens makes one token of each role, and one revoked planner token.
func tokens(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	st := &auth.Store{Pool: pool}
	out := map[string]string{}
	for _, role := range append(auth.Roles(), "revoked") {
		r := role
		if role == "revoked" {
			r = auth.Planner
		}
		tok, text, err := st.Create(context.Background(), r, role+" test")
		if err != nil {
			t.Fatal(err)
		}
		if role == "revoked" {
			if err := st.Revoke(context.Background(), tok.ID); err != nil {
				t.Fatal(err)
			}
		}
		out[role] = text
	}
	return out
}

// snapshot is the producers table as text, to prove a refused write
// changed nothing.
func snapshot(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	err := pool.QueryRow(context.Background(), `SELECT coalesce(string_agg(p::text, E'\n' ORDER BY id), '') FROM producer p`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWritesNeedAPlannerToken(t *testing.T) {
	pool := pgtest.Pool(t)
	ts, _ := gisServer(t, pool, nil, nil)
	tok := tokens(t, pool)
	seed := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":"keep","properties":{"operator_type":"cooperative","product_class":"citrus","annual_output_t":500},"geometry":{"type":"Point","coordinates":[114.2,26.6]}},
	 {"type":"Feature","id":"gone","properties":{"operator_type":"cooperative","product_class":"tea","annual_output_t":50},"geometry":{"type":"Point","coordinates":[114.3,26.7]}}]}`
	if status, _, body := call(t, "POST", ts.URL+"/api/v1/producers", tok["planner"], seed); status != http.StatusCreated {
		t.Fatalf("seed: %d %s", status, body)
	}
	newFarm := `{"type":"Feature","id":"new","properties":{"operator_type":"family_farm","product_class":"berry","annual_output_t":20},"geometry":{"type":"Point","coordinates":[114.25,26.65]}}`
	moved := `{"type":"Feature","properties":{"operator_type":"cooperative","product_class":"citrus","annual_output_t":900},"geometry":{"type":"Point","coordinates":[114.21,26.61]}}`
	writes := []struct {
		name, method, path, body string
		okStatus                 int
	}{
		{"ogc create", "POST", "/ogc/collections/producers/items", newFarm, http.StatusCreated},
		{"ogc replace", "PUT", "/ogc/collections/producers/items/keep", strings.Replace(moved, "900", "800", 1), http.StatusOK},
		{"ogc delete", "DELETE", "/ogc/collections/producers/items/gone", "", http.StatusNoContent},
		{"api create", "POST", "/api/v1/producers", strings.Replace(newFarm, `"new"`, `"new2"`, 1), http.StatusCreated},
		{"api replace", "PUT", "/api/v1/producers/keep", moved, http.StatusOK},
		{"api delete", "DELETE", "/api/v1/producers/new2", "", http.StatusNoContent},
	}
	refusals := []struct {
		name, token, header string
		status              int
	}{
		{"no token", "", "", http.StatusUnauthorized},
		{"viewer", tok["viewer"], "", http.StatusForbidden},
		{"revoked planner", tok["revoked"], "", http.StatusUnauthorized},
		{"bad token", "cc_0123456789abcdef_" + strings.Repeat("x", 43), "", http.StatusUnauthorized},
		{"basic auth", "", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
	}
	for _, w := range writes {
		t.Run(w.name, func(t *testing.T) {
			for _, ref := range refusals {
				before := snapshot(t, pool)
				var headers []string
				if ref.header != "" {
					headers = []string{"Authorization", ref.header}
				}
				status, h, body := call(t, w.method, ts.URL+w.path, ref.token, w.body, headers...)
				p := wantProblem(t, status, h, body, ref.status, "")
				if status == http.StatusUnauthorized && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s: 401 without WWW-Authenticate: Bearer", ref.name)
				}
				if p.Detail == "" {
					t.Errorf("%s: problem without detail", ref.name)
				}
				if after := snapshot(t, pool); after != before {
					t.Fatalf("%s: a refused write changed the data", ref.name)
				}
			}
			before := snapshot(t, pool)
			if status, _, body := call(t, w.method, ts.URL+w.path, tok["planner"], w.body); status != w.okStatus {
				t.Fatalf("planner: %d %s", status, body)
			}
			if snapshot(t, pool) == before {
				t.Fatal("the planner's write changed nothing")
			}
		})
	}
	checkAfterWrites(t, pool, ts.URL, tok, newFarm)
}

// checkAfterWrites checks the data the writes left, that an admin may
// write, that read-only collections refuse writes, and that reads stay
// open but refuse a bad token.
func checkAfterWrites(t *testing.T, pool *pgxpool.Pool, base string, tok map[string]string, newFarm string) {
	t.Helper()
	var ids string
	if err := pool.QueryRow(context.Background(), `SELECT string_agg(id || ':' || annual_output_t, ',' ORDER BY id) FROM producer`).Scan(&ids); err != nil || ids != "keep:900,new:20" {
		t.Errorf("after the writes: %q %v", ids, err)
	}

	// An admin may do what a planner may.
	if status, _, body := call(t, "DELETE", base+"/ogc/collections/producers/items/new", tok["admin"], ""); status != http.StatusNoContent {
		t.Errorf("admin delete: %d %s", status, body)
	}
	// Read-only collections refuse writes even from planners.
	for _, path := range []string{"/ogc/collections/regions/items", "/ogc/collections/exclusions/items", "/ogc/collections/plan-" + insertPlan(t, pool, "done", [][2]float64{{114, 26}}) + "/items"} {
		status, h, body := call(t, "POST", base+path, tok["planner"], newFarm)
		wantProblem(t, status, h, body, http.StatusMethodNotAllowed, "read-only")
		if h.Get("Allow") != "GET" {
			t.Errorf("%s: Allow %q", path, h.Get("Allow"))
		}
	}
	// Reads stay open; a bad token is refused even there.
	if status, _, _ := call(t, "GET", base+"/ogc/collections/producers/items", "", ""); status != 200 {
		t.Errorf("anonymous read: %d", status)
	}
	status, h, body := call(t, "GET", base+"/tiles/producers/0/0/0.mvt", tok["revoked"], "")
	wantProblem(t, status, h, body, http.StatusUnauthorized, "revoked")
}

func TestReadAuth(t *testing.T) {
	pool := pgtest.Pool(t)
	ts, _ := gisServer(t, pool, func(s *httpapi.Server) { s.ReadAuth = true }, nil)
	tok := tokens(t, pool)
	paths := []string{"/ogc/collections", "/ogc/collections/producers/items", "/tiles/producers/0/0/0.mvt", "/tiles/producers.json", "/api/v1/producers", "/api/v1/classes",
		"/metrics", "/api/openapi.json"}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			status, h, body := call(t, "GET", ts.URL+p, "", "")
			wantProblem(t, status, h, body, http.StatusUnauthorized, "token is required")
			if status, _, body := call(t, "GET", ts.URL+p, tok["viewer"], ""); status != 200 {
				t.Errorf("viewer: %d %s", status, body)
			}
		})
	}
	// Health and readiness stay open (probes carry no token).
	for _, p := range []string{"/healthz", "/readyz"} {
		if status, _, _ := call(t, "GET", ts.URL+p, "", ""); status != 200 {
			t.Errorf("%s: %d", p, status)
		}
	}
	_, h, _ := call(t, "GET", ts.URL+"/tiles/producers/0/0/0.mvt", tok["viewer"], "")
	if !strings.HasPrefix(h.Get("Cache-Control"), "private") {
		t.Errorf("tiles for token holders are cached publicly: %q", h.Get("Cache-Control"))
	}
}

func TestTokenManagement(t *testing.T) {
	pool := pgtest.Pool(t)
	ts, _ := gisServer(t, pool, nil, nil)
	tok := tokens(t, pool)
	api := ts.URL + "/api/v1/tokens"
	for _, role := range []string{"", "viewer", "planner"} {
		want := http.StatusForbidden
		if role == "" {
			want = http.StatusUnauthorized
		}
		for _, req := range [][2]string{{"GET", api}, {"POST", api}, {"DELETE", api + "/0123456789abcdef"}} {
			status, h, body := call(t, req[0], req[1], tok[role], `{"role":"admin"}`)
			wantProblem(t, status, h, body, want, "")
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM api_token`); n != 4 {
		t.Fatalf("refused requests made tokens: %d", n)
	}

	status, _, body := call(t, "POST", api, tok["admin"], `{"role":"planner","name":"QGIS"}`)
	var made struct {
		ID    string `json:"id"`
		Role  string `json:"role"`
		Token string `json:"token"`
	}
	if err := json.Unmarshal(body, &made); status != http.StatusCreated || err != nil || made.Role != "planner" || !strings.HasPrefix(made.Token, "cc_"+made.ID) {
		t.Fatalf("create: %d %s", status, body)
	}
	if status, _, body := call(t, "POST", ts.URL+"/ogc/collections/candidates/items", made.Token,
		`{"type":"Feature","properties":{"allowed_tiers":["field"],"land_use":"construction"},"geometry":{"type":"Point","coordinates":[114.2,26.6]}}`); status != http.StatusCreated {
		t.Fatalf("the new token cannot write: %d %s", status, body)
	}
	status, _, body = call(t, "GET", api, tok["admin"], "")
	if status != 200 || strings.Contains(string(body), made.Token) || !strings.Contains(string(body), made.ID) {
		t.Fatalf("list: %d %s", status, body)
	}
	cases := []struct {
		name, body string
		status     int
	}{
		{"unknown role", `{"role":"root"}`, 400},
		{"unknown field", `{"role":"viewer","scope":"all"}`, 400},
		{"not JSON", `role=viewer`, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := call(t, "POST", api, tok["admin"], tc.body)
			wantProblem(t, status, h, body, tc.status, "")
		})
	}
	if status, _, body := call(t, "DELETE", api+"/"+made.ID, tok["admin"], ""); status != http.StatusNoContent {
		t.Fatalf("revoke: %d %s", status, body)
	}
	status, h, body := call(t, "DELETE", api+"/"+made.ID, tok["admin"], "")
	wantProblem(t, status, h, body, http.StatusConflict, "already revoked")
	status, h, body = call(t, "GET", ts.URL+"/ogc/collections", made.Token, "")
	wantProblem(t, status, h, body, http.StatusUnauthorized, "revoked")
}

func TestPlanRateLimit(t *testing.T) {
	pool := pgtest.Pool(t)
	ts, _ := gisServer(t, pool, func(s *httpapi.Server) { s.PlanRate, s.PlanRateWindow = 2, time.Hour }, nil)
	tok := tokens(t, pool)
	other, otherText, err := (&auth.Store{Pool: pool}).Create(context.Background(), auth.Planner, "second planner")
	if err != nil || other.ID == "" {
		t.Fatal(err)
	}
	// A malformed request still counts: the limit guards the endpoint.
	body := `{"bogus": true}`
	for i := 0; i < 2; i++ {
		status, h, b := call(t, "POST", ts.URL+"/api/v1/plans", tok["planner"], body)
		wantProblem(t, status, h, b, http.StatusBadRequest, "")
	}
	status, h, b := call(t, "POST", ts.URL+"/api/v1/plans", tok["planner"], body)
	wantProblem(t, status, h, b, http.StatusTooManyRequests, "at most 2 plans")
	if h.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Another token has its own allowance; a viewer is refused before it.
	status, h, b = call(t, "POST", ts.URL+"/api/v1/plans", otherText, body)
	wantProblem(t, status, h, b, http.StatusBadRequest, "")
	status, h, b = call(t, "POST", ts.URL+"/api/v1/plans", tok["viewer"], body)
	wantProblem(t, status, h, b, http.StatusForbidden, "planner")
}

func TestCORSAndMetrics(t *testing.T) {
	pool := pgtest.Pool(t)
	const origin = "https://maps.example.org"
	cases := []struct {
		name    string
		origins []string
		from    string
		allowed bool
	}{
		{"off by default", nil, origin, false},
		{"listed origin", []string{origin}, origin, true},
		{"other origin", []string{origin}, "https://evil.example.com", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts, _ := gisServer(t, pool, func(s *httpapi.Server) { s.CORSOrigins = tc.origins }, nil)
			_, h, _ := call(t, "OPTIONS", ts.URL+"/ogc/collections/producers/items", "", "",
				"Origin", tc.from, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type")
			if got := h.Get("Access-Control-Allow-Origin") == tc.from; got != tc.allowed {
				t.Errorf("preflight allowed %v, want %v (%v)", got, tc.allowed, h)
			}
			_, h, _ = call(t, "GET", ts.URL+"/tiles/producers/0/0/0.mvt", "", "", "Origin", tc.from)
			if got := h.Get("Access-Control-Allow-Origin") == tc.from; got != tc.allowed {
				t.Errorf("GET allowed %v, want %v", got, tc.allowed)
			}
		})
	}

	ts, _ := gisServer(t, pool, nil, nil)
	call(t, "GET", ts.URL+"/ogc/collections/producers/items?limit=5", "", "")
	call(t, "GET", ts.URL+"/tiles/producers/3/1/2.mvt", "", "")
	call(t, "GET", ts.URL+"/tiles/producers/30/1/2.mvt", "", "")
	status, _, body := call(t, "GET", ts.URL+"/metrics", "", "")
	for _, want := range []string{
		`coldchain_plan_queue_length 0`,
		`coldchain_http_requests_total{method="GET",route="/ogc/collections/{collectionId}/items",status="200"} 1`,
		`coldchain_http_requests_total{method="GET",route="/tiles/{layers}/{z}/{x}/{y}.mvt",status="200"} 1`,
		`coldchain_http_requests_total{method="GET",route="/tiles/{layers}/{z}/{x}/{y}.mvt",status="400"} 1`,
	} {
		if status != 200 || !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

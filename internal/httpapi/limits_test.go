package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// Every list in every JSON request body has a documented bound.
func TestRequestListsAreBounded(t *testing.T) {
	ts, _ := newServer(t)
	status, _, body := do(t, "GET", ts.URL+"/api/openapi.json", "")
	if status != 200 {
		t.Fatalf("openapi: %d", status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil || mt.Schema == nil {
				continue
			}
			checked++
			for _, where := range unboundedLists(mt.Schema, "body", map[*openapi3.Schema]bool{}) {
				t.Errorf("%s %s: %s is a list without maxItems", method, path, where)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("checked %d JSON request bodies, want plans, parks and tokens at least", checked)
	}
}

func unboundedLists(ref *openapi3.SchemaRef, where string, seen map[*openapi3.Schema]bool) []string {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return nil
	}
	s := ref.Value
	seen[s] = true
	var out []string
	if s.Type != nil && s.Type.Is("array") {
		if s.MaxItems == nil {
			out = append(out, where)
		}
		out = append(out, unboundedLists(s.Items, where+"[]", seen)...)
	}
	for name, p := range s.Properties {
		out = append(out, unboundedLists(p, where+"."+name, seen)...)
	}
	for _, sub := range append(append(s.AllOf, s.OneOf...), s.AnyOf...) {
		out = append(out, unboundedLists(sub, where, seen)...)
	}
	return out
}

// planAPI serves the plan routes on an empty database with a plan service
// of one worker and a queue of queueLen.
func planAPI(t *testing.T, queueLen int) (*httptest.Server, *plan.Service) {
	t.Helper()
	pool := pgtest.Pool(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	model := access.NewGeodesic(1.3, 40)
	svc, err := plan.NewService(context.Background(), pool, model, log, 1, queueLen)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	ts := httptest.NewServer(httpapi.New(pool, model, svc, log, "test", nil).Handler())
	t.Cleanup(ts.Close)
	return ts, svc
}

const validPlan = `{"problem": "mclp", "facility_type": "precooling", "tier": "field", "product_classes": ["leafy_vegetable"], "p": 1}`

// Bad plan bodies get a 4xx problem that says what to fix, in JSON terms.
func TestPlanBodyProblems(t *testing.T) {
	ts, _ := planAPI(t, 4)
	menu := make([]string, 10000)
	for i := range menu {
		menu[i] = `{"capacity_t": 100, "build_cost": 10}`
	}
	huge := `{"name": "` + strings.Repeat("x", 1<<20) + `"}`
	for _, tc := range []struct {
		name, body string
		status     int
		detail     string
	}{
		{"10,000 capacity_menu entries", `{"problem": "cflp", "facility_type": "precooling", "tier": "field", "product_classes": ["leafy_vegetable"], "capacity_menu": [` + strings.Join(menu, ",") + `]}`, 400, "capacity_menu: at most 20"},
		{"over 1 MB", huge, 413, "larger than"},
		{"empty", "", 400, "the body is empty"},
		{"blank", "  \n", 400, "the body is empty"},
		{"truncated", `{"problem": "mclp"`, 400, "ends too early"},
		{"wrong type", strings.Replace(validPlan, `"p": 1`, `"p": "three"`, 1), 400, "p: want a whole number, got a JSON string"},
		{"wrong list", strings.Replace(validPlan, `["leafy_vegetable"]`, `"leafy_vegetable"`, 1), 400, "product_classes: want a list"},
		{"unknown field", strings.Replace(validPlan, `"p": 1`, `"p": 1, "colour": "red"`, 1), 400, `unknown field "colour"`},
		{"duplicate key", strings.Replace(validPlan, `"p": 1`, `"p": 1, "p": 2`, 1), 400, `key "p" appears twice`},
		{"two values", validPlan + validPlan, 400, "more than one JSON value"},
		{"time limit below 1 s", strings.Replace(validPlan, `"p": 1`, `"p": 1, "time_limit_s": 1e-9`, 1), 400, "time_limit_s: want 1 to 600"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := do(t, "POST", ts.URL+"/api/v1/plans", tc.body)
			p := wantProblem(t, status, h, body, tc.status, tc.detail)
			for _, leak := range []string{"Go struct", "plan.Request", "float64", "int64", "json: "} {
				if strings.Contains(p.Detail, leak) {
					t.Errorf("message leaks %q: %s", leak, p.Detail)
				}
			}
		})
	}
}

// A full queue answers 503 with Retry-After and says so, storing nothing.
func TestFullPlanQueue(t *testing.T) {
	ts, svc := planAPI(t, 1)
	release := make(chan struct{})
	svc.Finished = func(string, string) { <-release }
	defer close(release)
	for i := 0; i < 2; i++ { // one held by the worker, one waiting
		// The empty database cannot satisfy the plan: the first is found out
		// while the request waits (422, stored as failed), the second waits
		// behind the held worker (202); both hold a place.
		status, _, body := do(t, "POST", ts.URL+"/api/v1/plans", validPlan)
		if status != 202 && status != 422 {
			t.Fatalf("plan %d: %d %s", i, status, body)
		}
		if i == 0 {
			waitFor(t, func() bool { return svc.QueueLen() == 0 })
		}
	}
	status, h, body := do(t, "POST", ts.URL+"/api/v1/plans", validPlan)
	wantProblem(t, status, h, body, 503, "plan queue is full")
	if h.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	_, _, list := do(t, "GET", ts.URL+"/api/v1/plans", "")
	if n := strings.Count(string(list), `"id"`); n != 2 {
		t.Errorf("%d plans stored, want the 2 accepted: %s", n, list)
	}
}

// NUL characters in a path, a query or a body are 400s that say so.
func TestNULIsRefused(t *testing.T) {
	ts, _ := newServer(t)
	for _, tc := range []struct{ method, path, body, detail string }{
		{"GET", "/api/v1/producers/a%00b", "", "NUL"},
		{"GET", "/api/v1/producers?operator_type=co%00op", "", "NUL"},
		{"GET", "/api/v1/producers?bbox%00=1", "", "NUL"},
		{"GET", "/ogc/collections/producers/items/a%00b", "", "NUL"},
		{"POST", "/api/v1/producers", `{"type":"Feature","properties":{"name":"a\u0000b","operator_type":"cooperative","product_class":"leafy_vegetable","annual_output_t":300},"geometry":{"type":"Point","coordinates":[114.2,26.6]}}`, "NUL"},
		{"POST", "/api/v1/producers", `{"type":"Feature","id":"x\u0000","properties":{"operator_type":"cooperative","product_class":"leafy_vegetable","annual_output_t":300},"geometry":{"type":"Point","coordinates":[114.2,26.6]}}`, "NUL"},
		{"PUT", "/api/v1/producers/a%00b", farm, "NUL"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			status, h, body := do(t, tc.method, ts.URL+tc.path, tc.body)
			wantProblem(t, status, h, body, 400, tc.detail)
		})
	}
}

// Coordinates need a longitude and a latitude.
func TestShortCoordinatesRefused(t *testing.T) {
	ts, _ := newServer(t)
	for _, coords := range []string{"[]", "[114.2]"} {
		body := strings.Replace(farm, "[114.2,26.6]", coords, 1)
		status, h, b := do(t, "POST", ts.URL+"/api/v1/producers", body)
		wantProblem(t, status, h, b, 400, "needs longitude and latitude")
	}
	_, _, list := do(t, "GET", ts.URL+"/api/v1/producers", "")
	if strings.Contains(string(list), `"Feature"`) {
		t.Errorf("a producer was stored: %s", list)
	}
}

// HEAD works where GET does; NaN and infinities are not numbers.
func TestHeadAndNaN(t *testing.T) {
	ts, _ := newServer(t)
	for _, p := range []string{"/healthz", "/readyz", "/api/v1/producers"} {
		req, _ := http.NewRequest("HEAD", ts.URL+p, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("HEAD %s: %d", p, resp.StatusCode)
		}
	}
	for _, v := range []string{"NaN", "nan", "Inf", "-Infinity"} {
		status, h, body := do(t, "GET", ts.URL+"/api/v1/producers?min_output_t="+v, "")
		wantProblem(t, status, h, body, 400, fmt.Sprintf("%q is not a number", v))
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 6000 && !cond(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if !cond() {
		t.Fatal("condition not met within a minute")
	}
}

// /readyz answers 200 while every pooled connection is busy: its ping does
// not queue behind the pool.
func TestReadyWhilePoolIsBusy(t *testing.T) {
	ts, s := newServer(t)
	ctx := context.Background()
	n := int(s.Pool.Config().MaxConns)
	if n < 16 {
		t.Errorf("pool of %d connections: too small for a server", n)
	}
	for i := 0; i < n; i++ {
		c, err := s.Pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Release()
	}
	status, _, body := do(t, "GET", ts.URL+"/readyz", "")
	if status != 200 {
		t.Fatalf("/readyz with the pool busy: %d %s", status, body)
	}
	s.Close()
}

// Feature bodies: an empty or mistyped body says what to send, without Go
// type names.
func TestFeatureBodyProblems(t *testing.T) {
	ts, _ := newServer(t)
	for _, tc := range []struct{ body, detail string }{
		{"", "the body is empty"},
		{`[1, 2]`, "want an object, got a JSON array"},
		{`{"type": 5}`, "type: want text, got a JSON number"},
		{`{"type": "Feature"`, "ends too early"},
	} {
		status, h, body := do(t, "POST", ts.URL+"/api/v1/producers", tc.body)
		p := wantProblem(t, status, h, body, 400, tc.detail)
		if strings.Contains(p.Detail, "Go ") || strings.Contains(p.Detail, "struct") {
			t.Errorf("%q: message names Go types: %s", tc.body, p.Detail)
		}
	}
}

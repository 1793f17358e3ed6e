package httpapi

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/plan"
)

// testDoc builds the OpenAPI document from the endpoint tables, as the
// router does.
func testDoc(t *testing.T) (*apiDoc, []endpoint) {
	t.Helper()
	s := &Server{TileLimit: 100}
	reg, err := newTileRegistry(s.tileLayers())
	if err != nil {
		t.Fatal(err)
	}
	var body []byte
	eps := s.endpoints(reg, &body)
	doc, err := s.openAPIDoc(eps)
	if err != nil {
		t.Fatalf("the endpoint tables do not make a document: %v", err)
	}
	return doc, eps
}

// Every query struct field is a documented query parameter of its
// endpoint, and every endpoint is documented once.
func TestEndpointsDocumented(t *testing.T) {
	doc, eps := testDoc(t)
	seen := map[string]bool{}
	for _, ep := range eps {
		method, _, err := ep.operation()
		if err != nil {
			t.Fatal(err)
		}
		key := method + " " + ep.Path
		if seen[key] {
			t.Errorf("%s declared twice", key)
		}
		seen[key] = true
		op := doc.Paths[ep.Path][strings.ToLower(method)]
		if op == nil {
			t.Fatalf("%s is not documented", key)
		}
		if ep.Handler.query == nil {
			continue
		}
		fields, err := queryFields(ep.Handler.query)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fields {
			if !hasParam(op.Parameters, f.name, "query") {
				t.Errorf("%s: query parameter %s (%s) is not documented", key, f.name, ep.Handler.query)
			}
		}
	}
	if len(eps) < 40 {
		t.Errorf("only %d endpoints", len(eps))
	}
}

// PlanRequest's properties are plan.Request's JSON fields, none listed by
// hand: a field added to plan.Request appears in the document.
func TestPlanRequestSchemaFollowsTheGoType(t *testing.T) {
	doc, _ := testDoc(t)
	b, err := json.Marshal(doc.Components["schemas"]["PlanRequest"])
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Required   []string                  `json:"required"`
		Properties map[string]map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	var want, required []string
	rt := reflect.TypeFor[plan.Request]()
	for i := range rt.NumField() {
		name, opts, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		want = append(want, name)
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	var props []string
	for p := range got.Properties {
		props = append(props, p)
	}
	slices.Sort(props)
	slices.Sort(want)
	if !slices.Equal(props, want) {
		t.Errorf("PlanRequest properties %v, want plan.Request's %v", props, want)
	}
	slices.Sort(required)
	slices.Sort(got.Required)
	if !slices.Equal(got.Required, required) || !slices.Contains(required, "problem") {
		t.Errorf("required %v, want %v", got.Required, required)
	}
	if e, _ := got.Properties["problem"]["enum"].([]any); len(e) < 5 {
		t.Errorf("problem enum %v", got.Properties["problem"]["enum"])
	}
	if got.Properties["p"]["type"] != "integer" || got.Properties["product_classes"]["type"] != "array" {
		t.Errorf("types: p %v, product_classes %v", got.Properties["p"], got.Properties["product_classes"])
	}
}

type testQuery struct {
	strictQuery
	listQuery
	Name    string    `query:"name" doc:"a name"`
	Snap    float64   `query:"snap_m" min:"1" max:"50000" unit:"metres"`
	Month   int       `query:"month" min:"0" max:"12" want:"1 to 12"`
	Ratio   float64   `query:"ratio"`
	Minutes []float64 `query:"minutes"`
	Ignored string
}

func TestDecodeQuery(t *testing.T) {
	good := []struct {
		query string
		want  testQuery
	}{
		{"", testQuery{}},
		{"name=+a+&limit=7&compare=a,,b+", testQuery{Name: "a", listQuery: listQuery{Limit: 7, Compare: []string{"a", "b"}}}},
		{"snap_m=1&month=12&ratio=-2.5&minutes=30,+60", testQuery{Snap: 1, Month: 12, Ratio: -2.5, Minutes: []float64{30, 60}}},
	}
	for _, tc := range good {
		var got testQuery
		q, _ := url.ParseQuery(tc.query)
		if err := decodeQuery(q, &got); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %+v, %v; want %+v", tc.query, got, err, tc.want)
		}
	}
	bad := []struct{ query, msg string }{
		{"limit=0", `limit: want 1 to 500, got "0"`},
		{"limit=x", `limit: want 1 to 500, got "x"`},
		{"snap_m=NaN", `snap_m: want 1 to 50000 metres, got "NaN"`},
		{"month=13", `month: want 1 to 12, got "13"`},
		{"ratio=abc", `ratio: "abc" is not a number`},
		{"minutes=30,x", `minutes: "x" is not a number`},
		{"colour=red", `unknown query parameter "colour" (want compare, limit, name, snap_m, month, ratio, minutes)`},
		{"Ignored=1", `unknown query parameter "Ignored"`},
	}
	for _, tc := range bad {
		var got testQuery
		q, _ := url.ParseQuery(tc.query)
		err := decodeQuery(q, &got)
		if !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v, want ErrInvalid saying %s", tc.query, err, tc.msg)
		}
	}
	params, err := queryParams(reflect.TypeFor[testQuery]())
	if err != nil || len(params) != 7 {
		t.Fatalf("%d params, %v", len(params), err)
	}
	if s := params[0].Schema; s["type"] != "string" || params[1].Schema["minimum"] != 1.0 || params[1].Schema["maximum"] != 500.0 {
		t.Errorf("schemas: %v %v", s, params[1].Schema)
	}
}

package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestScenarioDrafts: a scenario's drafts (remove the cold room F1, add a
// candidate near a and b) change what a plan run on it finds, while the
// shared layers stay as they are until the scenario is applied; a stale
// If-Match is refused with 412.
func TestScenarioDrafts(t *testing.T) {
	base := planServer(t)
	runPlan := func(scenario string) (string, float64) {
		t.Helper()
		req := `{"problem": "mclp", "facility_type": "precooling", "tier": "field", "product_classes": ["leafy_vegetable"], "p": 2, "candidates": "user"` + scenario + `}`
		status, _, body := do(t, "POST", base+"/api/v1/plans", req)
		var created struct{ ID string }
		if err := json.Unmarshal(body, &created); status != 202 || err != nil {
			t.Fatalf("plan: %d %s", status, body)
		}
		p := waitPlan(t, base, created.ID)
		if p["status"] != "done" {
			t.Fatalf("plan %v", p)
		}
		return created.ID, p["result"].(map[string]any)["objective"].(float64)
	}
	_, shared := runPlan("")
	status, h, body := doH(t, "POST", base+"/api/v1/scenarios", `{"name": "no cold room at Near"}`)
	var sc struct {
		ID    string
		Plans []string
	}
	if err := json.Unmarshal(body, &sc); status != 201 || err != nil || h.Get("ETag") != `"v1"` {
		t.Fatalf("create: %d %q %s", status, h.Get("ETag"), body)
	}
	url := base + "/api/v1/scenarios/" + sc.ID
	status, h, body = doH(t, "POST", url+"/drafts", `{"op": "remove", "layer": "facilities", "id": "F1"}`, "If-Match", `"v1"`)
	if status != 200 || h.Get("ETag") != `"v2"` {
		t.Fatalf("remove draft: %d %q %s", status, h.Get("ETag"), body)
	}
	c3 := `{"op": "put", "layer": "candidates", "feature": {"type": "Feature", "id": "c3", "properties": {"name": "Near farms", "allowed_tiers": ["field"], "build_cost": 40, "land_use": "construction"}, "geometry": {"type": "Point", "coordinates": [114.005, 26.505]}}}`
	status, h, body = doH(t, "POST", url+"/drafts", c3, "If-Match", `"v1"`)
	wantProblem(t, status, h, body, http.StatusPreconditionFailed, "changed since it was read")
	if status, h, body = doH(t, "POST", url+"/drafts", c3, "If-Match", `"v2"`); status != 200 || h.Get("ETag") != `"v3"` {
		t.Fatalf("put draft: %d %s", status, body)
	}
	planID, onScenario := runPlan(`, "scenario": "` + sc.ID + `"`)
	// Shared: F1 covers a and b, c1 covers d and e, c2 adds nothing: 1150 t.
	// Scenario: without F1, c3 covers a and b and c1 d and e: 1150 t with
	// two new sites, both needed; without c3 it would be 650 t.
	if shared != 1150 || onScenario != 1150 {
		t.Errorf("objective shared %v, on the scenario %v; want 1150 and 1150", shared, onScenario)
	}
	_, _, body = do(t, "GET", base+"/api/v1/plans/"+planID+"/export.csv", "")
	if !strings.Contains(string(body), ",c3,") {
		t.Errorf("the plan on the scenario does not use the draft candidate c3:\n%s", body)
	}
	for path, want := range map[string]int{"/api/v1/facilities/F1": 200, "/api/v1/candidates/c3": 404} {
		if status, _, _ := do(t, "GET", base+path, ""); status != want {
			t.Errorf("before apply, GET %s: %d, want %d (drafts must not touch the shared layers)", path, status, want)
		}
	}
	_, _, body = do(t, "GET", url, "")
	if err := json.Unmarshal(body, &sc); err != nil || !slices.Contains(sc.Plans, planID) {
		t.Errorf("the scenario does not list its plan %s: %s", planID, body)
	}
	status, h, body = doH(t, "POST", url+"/apply", "", "If-Match", `"v2"`)
	wantProblem(t, status, h, body, http.StatusPreconditionFailed, "changed since it was read")
	if status, _, body = doH(t, "POST", url+"/apply", "", "If-Match", `"v3"`); status != 200 {
		t.Fatalf("apply: %d %s", status, body)
	}
	for path, want := range map[string]int{"/api/v1/facilities/F1": 404, "/api/v1/candidates/c3": 200} {
		if status, _, _ := do(t, "GET", base+path, ""); status != want {
			t.Errorf("after apply, GET %s: %d, want %d", path, status, want)
		}
	}
	status, h, body = doH(t, "POST", url+"/apply", "", "If-Match", `"v4"`)
	wantProblem(t, status, h, body, http.StatusConflict, "was applied")
	status, h, body = doH(t, "POST", url+"/drafts", `{"op": "move", "layer": "facilities", "id": "F1"}`)
	wantProblem(t, status, h, body, 400, "want put or remove")
	_, _, body = do(t, "GET", base+"/api/v1/edits?target=scenarios&id="+sc.ID, "")
	for _, action := range []string{`"scenario"`, `"draft"`, `"apply"`} {
		if !strings.Contains(string(body), `"action":`+action) {
			t.Errorf("edit log lacks %s: %s", action, body)
		}
	}
}

// doH is do with extra headers (name, value pairs).
func doH(t *testing.T, method, url, body string, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	return call(t, method, url, "", body, headers...)
}

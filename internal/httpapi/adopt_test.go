package httpapi_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// TestCapacityPlanAdoptAPI runs a capacity plan over HTTP, adopts it, and
// checks that coverage with planned facilities reproduces its after figures.
func TestCapacityPlanAdoptAPI(t *testing.T) {
	base := planServer(t)
	checkProblemRegistry(t, base)

	req := `{"problem": "capacity", "facility_type": "cold_room", "tier": "field", "product_classes": ["leafy_vegetable"],
	         "candidates": "user", "capacity_menu": [{"capacity_t": 100, "build_cost": 40}], "no_expansions": true, "budget": 50, "time_limit_s": 5}`
	status, h, body := do(t, "POST", base+"/api/v1/plans", strings.Replace(req, `"budget": 50, `, "", 1))
	wantProblem(t, status, h, body, 400, "budget or handling_target")
	status, h, body = do(t, "POST", base+"/api/v1/plans?lang=zh", strings.Replace(req, `"budget": 50, `, "", 1))
	if p := wantProblem(t, status, h, body, 400, "需要 budget 或 handling_target"); p.Title != "请求有误" {
		t.Errorf("Chinese problem title %q", p.Title)
	}
	status, _, body = do(t, "POST", base+"/api/v1/plans", req)
	if status != 202 {
		t.Fatalf("submit: %d %s", status, body)
	}
	var created struct{ ID string }
	json.Unmarshal(body, &created)
	p := waitPlan(t, base, created.ID)
	if p["status"] != "done" {
		t.Fatalf("plan %v", p)
	}
	res := p["result"].(map[string]any)
	after := res["after"].(map[string]any)["handling_rate"].(float64)
	before := res["before"].(map[string]any)["handling_rate"].(float64)
	if !(after > before) || res["priority"] == nil {
		t.Fatalf("handling %v -> %v, priority %v", before, after, res["priority"])
	}
	status, _, body = do(t, "GET", base+"/api/v1/plans/"+created.ID+"?lang=zh", "")
	var zh struct {
		Result struct {
			ObjectiveLabel string   `json:"objective_label"`
			Notes          []string `json:"notes"`
		} `json:"result"`
	}
	if err := json.Unmarshal(body, &zh); status != 200 || err != nil || zh.Result.ObjectiveLabel != "可达冷库年处理吨数" || !strings.Contains(strings.Join(zh.Result.Notes, " "), "脱贫") {
		t.Errorf("plan in Chinese: %d %+v", status, zh.Result)
	}
	status, _, body = do(t, "POST", base+"/api/v1/plans/"+created.ID+"/adopt", "")
	if status != 201 || !strings.Contains(string(body), `"facilities":["plan-`) {
		t.Fatalf("adopt: %d %s", status, body)
	}
	status, h, body = do(t, "POST", base+"/api/v1/plans/"+created.ID+"/adopt", "")
	wantProblem(t, status, h, body, 409, "adopted already")

	measure := func(q string) float64 {
		status, _, body := do(t, "GET", base+"/api/v1/coverage?class=leafy_vegetable"+q, "")
		var rep struct {
			Totals struct {
				HandlingRate float64 `json:"handling_rate"`
			} `json:"totals"`
		}
		if err := json.Unmarshal(body, &rep); status != 200 || err != nil {
			t.Fatalf("coverage: %d %s", status, body)
		}
		return rep.Totals.HandlingRate
	}
	if got := measure(""); math.Abs(got-before) > 1e-9 {
		t.Errorf("coverage without planned facilities %v, want the plan's before %v", got, before)
	}
	if got := measure("&include=planned"); math.Abs(got-after) > 0.001 {
		t.Errorf("coverage with planned facilities %v, want the plan's after %v", got, after)
	}
}

// checkProblemRegistry checks that GET /api/v1/problems lists the
// capacity problem with its needs and Chinese title.
func checkProblemRegistry(t *testing.T, base string) {
	t.Helper()
	status, _, body := do(t, "GET", base+"/api/v1/problems", "")
	var reg struct {
		Problems []struct {
			Name           string `json:"name"`
			BudgetOrTarget bool   `json:"budget_or_handling_target"`
			Title          struct{ EN, ZH string }
		} `json:"problems"`
	}
	if err := json.Unmarshal(body, &reg); status != 200 || err != nil || len(reg.Problems) < 6 {
		t.Fatalf("problems: %d %s", status, body)
	}
	found := false
	for _, p := range reg.Problems {
		found = found || (p.Name == "capacity" && p.BudgetOrTarget && p.Title.ZH != "")
	}
	if !found {
		t.Errorf("problems lack capacity: %s", body)
	}
}

package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/xuri/excelize/v2"

	"github.com/coldchain/coldchain/internal/plan"
)

// capacityPlan runs the test county's capacity plan over HTTP and returns
// its id and result.
func capacityPlan(t *testing.T, base string) (string, plan.Result) {
	t.Helper()
	req := `{"problem": "capacity", "facility_type": "cold_room", "tier": "field", "product_classes": ["leafy_vegetable"],
	         "candidates": "user", "capacity_menu": [{"capacity_t": 100, "build_cost": 40}], "no_expansions": true, "budget": 50, "time_limit_s": 5}`
	status, _, body := do(t, "POST", base+"/api/v1/plans", req)
	if status != 202 {
		t.Fatalf("submit: %d %s", status, body)
	}
	var created struct{ ID string }
	json.Unmarshal(body, &created)
	if p := waitPlan(t, base, created.ID); p["status"] != "done" {
		t.Fatalf("plan %v", p)
	}
	_, _, body = do(t, "GET", base+"/api/v1/plans/"+created.ID, "")
	var p struct{ Result plan.Result }
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	return created.ID, p.Result
}

// TestPlanWorkbook opens a capacity plan's workbook with excelize and checks
// its sheets against the plan's result, in both languages.
func TestPlanWorkbook(t *testing.T) {
	base := planServer(t)
	id, res := capacityPlan(t, base)
	if len(res.Assigned) == 0 {
		t.Fatalf("capacity plan has no allocations: %+v", res)
	}
	for _, lang := range []string{"zh", "en"} {
		status, h, body := do(t, "GET", base+"/api/v1/plans/"+id+"/export.xlsx?lang="+lang, "")
		if status != 200 || !strings.Contains(h.Get("Content-Disposition"), ".xlsx") {
			t.Fatalf("%s: %d %s", lang, status, body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: excelize cannot open the workbook: %v", lang, err)
		}
		if got := f.GetSheetList(); !slices.Equal(got, plan.SheetNames[lang]) {
			t.Fatalf("%s sheets %v, want %v", lang, got, plan.SheetNames[lang])
		}
		rows := func(i int) [][]string {
			rs, err := f.GetRows(plan.SheetNames[lang][i])
			if err != nil {
				t.Fatal(err)
			}
			return rs
		}
		if sites := rows(1); len(sites) != 2 || (lang == "zh" && sites[0][3] != "名称") || !strings.Contains(sites[1][23], map[string]string{"zh": "服务", "en": "serves"}[lang]) {
			t.Errorf("%s sites sheet %q", lang, sites)
		}
		alloc := rows(2)
		sum := 0.0
		for _, r := range alloc[1:] {
			sum += num(t, r[3])
		}
		if len(alloc)-1 != len(res.Assigned) || math.Abs(sum-(res.After.HandledT-res.Before.HandledT)) > 0.05 {
			t.Errorf("%s allocations: %d rows, %.2f t; want %d rows, the %.2f t handling gain", lang, len(alloc)-1, sum, len(res.Assigned), res.After.HandledT-res.Before.HandledT)
		}
		byClass := rows(3)
		if len(byClass) != 1+len(res.ByClass) || num(t, byClass[1][5]) != res.ByClass[0].HandledTAfter || !(num(t, byClass[1][5]) > num(t, byClass[1][4])) {
			t.Errorf("%s by class %q, want handled after > before as in %+v", lang, byClass, res.ByClass)
		}
		if months := rows(4); len(months) != 13 {
			t.Errorf("%s months: %d rows", lang, len(months))
		}
		if towns := rows(5); len(towns) != 1+len(res.Regions) {
			t.Errorf("%s townships %q", lang, towns)
		}
		f.Close()
	}
	status, _, body := do(t, "GET", base+"/api/v1/edits?target=plans&id="+id, "")
	if status != 200 || !strings.Contains(string(body), `"actor":"anonymous"`) || !strings.Contains(string(body), `"action":"plan"`) {
		t.Errorf("the plan's submission is not in the edit log: %d %s", status, body)
	}
	status, h, body := do(t, "GET", base+"/api/v1/plans/"+id+"/export.xlsx?lang=fr", "")
	wantProblem(t, status, h, body, 400, "want zh or en")
	status, _, body = do(t, "GET", base+"/api/v1/plans/"+id+"/export.csv?bom=true", "")
	if status != 200 || !bytes.HasPrefix(body, []byte("\xef\xbb\xbfrank,")) {
		t.Errorf("csv with bom: %d %q", status, body[:min(len(body), 20)])
	}
	status, h, body = do(t, "GET", base+"/api/v1/plans/"+id+"/export.csv?bom=maybe", "")
	wantProblem(t, status, h, body, 400, "bom")
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	var x float64
	if err := json.Unmarshal([]byte(s), &x); err != nil {
		t.Fatalf("cell %q is not a number", s)
	}
	return x
}

// TestPlanAllocations checks a capacity plan's allocation layer against its
// result: lines carry the handling gain, unserved points the output left.
func TestPlanAllocations(t *testing.T) {
	base := planServer(t)
	id, res := capacityPlan(t, base)
	status, h, body := do(t, "GET", base+"/api/v1/plans/"+id+"/allocations.geojson", "")
	if status != 200 || h.Get("Content-Type") != "application/geo+json" {
		t.Fatalf("allocations: %d %s", status, body)
	}
	fc, err := geojson.UnmarshalFeatureCollection(body)
	if err != nil {
		t.Fatal(err)
	}
	count, allocT, unservedT := plan.AllocationTotals(fc)
	gain := res.After.HandledT - res.Before.HandledT
	if count["allocation"] == 0 || count["demand"] == 0 || math.Abs(allocT-gain) > 0.05 {
		t.Errorf("allocations %v carry %.2f t, want the handling gain %.2f t", count, allocT, gain)
	}
	if (count["unserved"] == 0) != (res.UnservedT == 0) || math.Abs(unservedT-res.UnservedT) > 0.05 {
		t.Errorf("unserved %d producers, %.2f t; the plan leaves %.2f t unserved", count["unserved"], unservedT, res.UnservedT)
	}
	for _, f := range fc.Features {
		if f.Properties["kind"] == "allocation" {
			ls, ok := f.Geometry.(orb.LineString)
			if !ok || len(ls) != 2 || f.Properties["site"] != "c1" || !(f.Properties["minutes"].(float64) > 0) {
				t.Errorf("allocation %v %v", f.Geometry, f.Properties)
			}
		}
	}
	checkOGCAllocations(t, base, id, fc)
	status, _, body = do(t, "GET", base+"/api/v1/plans/"+id+"/allocations.csv?bom=1", "")
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
	if status != 200 || err != nil || len(recs) != 1+len(fc.Features) || recs[0][0] != "kind" || !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Errorf("allocations csv: %d %v %d rows", status, err, len(recs))
	}
	status, _, body = do(t, "GET", base+"/api/v1/plans/"+id+"/allocations.xlsx", "")
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if status != 200 || err != nil {
		t.Fatalf("allocations xlsx: %d %v", status, err)
	}
	if rows, _ := f.GetRows("allocations"); len(rows) != 1+len(fc.Features) {
		t.Errorf("allocations sheet: %d rows, want %d", len(rows), 1+len(fc.Features))
	}
	// A covering plan with a 3-minute threshold: the site covers d and e,
	// a and b (4 minutes from F1) stay uncovered and are listed.
	status, _, body = do(t, "POST", base+"/api/v1/plans", `{"problem": "mclp", "facility_type": "precooling", "tier": "field",
		"product_classes": ["leafy_vegetable"], "p": 1, "candidates": "user", "threshold_minutes": 3}`)
	var created struct{ ID string }
	if err := json.Unmarshal(body, &created); status != 202 || err != nil {
		t.Fatalf("mclp: %d %s", status, body)
	}
	waitPlan(t, base, created.ID)
	_, _, body = do(t, "GET", base+"/api/v1/plans/"+created.ID+"/allocations.geojson", "")
	if fc, err = geojson.UnmarshalFeatureCollection(body); err != nil {
		t.Fatal(err)
	}
	count, allocT, unservedT = plan.AllocationTotals(fc)
	if count["allocation"] != 2 || allocT != 650 || count["unserved"] != 2 || unservedT != 500 {
		t.Errorf("mclp allocations %v: %.2f t allocated, %.2f t unserved; want d and e (650 t) to c1, a and b (500 t) unserved", count, allocT, unservedT)
	}
	status, h, body = do(t, "GET", base+"/api/v1/plans/00000000-0000-0000-0000-000000000000/allocations.geojson", "")
	wantProblem(t, status, h, body, 404, "not found")
	status, h, body = do(t, "GET", base+"/api/v1/plans/"+id+"/allocations.csv?bom=x", "")
	wantProblem(t, status, h, body, 400, "bom")
}

// checkOGCAllocations reads the plan's allocation layer as an OGC
// collection: listed, paged and by feature, the same as the API's.
func checkOGCAllocations(t *testing.T, base, id string, fc *geojson.FeatureCollection) {
	t.Helper()
	coll := base + "/ogc/collections/plan-" + id + "-allocations"
	_, _, body := do(t, "GET", base+"/ogc/collections/plan-"+id, "")
	if !strings.Contains(string(body), `/ogc/collections/plan-`+id+`-allocations"`) {
		t.Errorf("the plan's collection does not link its allocations: %s", body)
	}
	status, _, body := do(t, "GET", coll, "")
	if status != 200 || !strings.Contains(string(body), `"extent"`) {
		t.Errorf("collection: %d %s", status, body)
	}
	status, _, body = do(t, "GET", coll+"/items?limit=1&offset=1", "")
	page, err := geojson.UnmarshalFeatureCollection(body)
	if status != 200 || err != nil || len(page.Features) != 1 || page.Features[0].ID != fc.Features[1].ID ||
		page.ExtraMembers["numberMatched"] != float64(len(fc.Features)) || !strings.Contains(string(body), `"rel":"next"`) {
		t.Errorf("items page: %d %v %s", status, err, body)
	}
	fid := fc.Features[len(fc.Features)-1].ID.(string)
	status, _, body = do(t, "GET", coll+"/items/"+fid, "")
	if status != 200 || !strings.Contains(string(body), `"kind":"`) {
		t.Errorf("item %s: %d %s", fid, status, body)
	}
	status, h, body := do(t, "GET", coll+"/items/nope", "")
	wantProblem(t, status, h, body, 404, "no feature")
}

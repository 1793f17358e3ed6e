package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/geodata/province"
	"github.com/coldchain/coldchain/internal/layer"
)

// TestCoverageRegionsList measures a synthetic province by province,
// prefecture and county codes, and by a list of two counties: the list's
// figures are the sum of the two counties', its tables are by county; a
// list too long or naming an unknown region is a problem saying so.
func TestCoverageRegionsList(t *testing.T) {
	ts, s := newServer(t)
	p, err := province.Generate(province.Options{Seed: 9, Counties: 3, Producers: 900})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := province.Load(context.Background(), &layer.Store{Pool: s.Pool}, p); err != nil {
		t.Fatal(err)
	}
	producers := func(query string) (int, []string) {
		t.Helper()
		status, _, body := do(t, "GET", ts.URL+"/api/v1/coverage?"+query, "")
		if status != http.StatusOK {
			t.Fatalf("%s: %d %s", query, status, body)
		}
		var r struct {
			Totals  struct{ Producers int }
			Regions []struct{ Region string }
		}
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatal(err)
		}
		var groups []string
		for _, g := range r.Regions {
			groups = append(groups, g.Region)
		}
		return r.Totals.Producers, groups
	}
	for _, q := range []string{"region=" + p.Code, ""} {
		all, byPref := producers(q)
		if all != 900 || len(byPref) != len(p.Prefectures) {
			t.Errorf("%q: %d producers in groups %v, want 900 by prefecture %v", q, all, byPref, p.Prefectures)
		}
	}
	a, _ := producers("region=" + p.Counties[0])
	b, _ := producers("region=" + p.Counties[1])
	both, groups := producers("regions=" + p.Counties[0] + "," + p.Counties[1])
	if a == 0 || b == 0 || both != a+b || strings.Join(groups, ",") != p.Counties[0]+","+p.Counties[1] {
		t.Errorf("counties %d and %d producers; the list of both %d in groups %v", a, b, both, groups)
	}
	status, _, body := do(t, "GET", ts.URL+"/api/v1/gaps?regions="+p.Counties[0]+","+p.Counties[1], "")
	var g struct {
		Totals struct{ Producers int }
	}
	if err := json.Unmarshal(body, &g); status != http.StatusOK || err != nil || g.Totals.Producers != a+b {
		t.Errorf("gaps of the list: %d, %d producers (%v)", status, g.Totals.Producers, err)
	}

	long := strings.TrimSuffix(strings.Repeat(p.Counties[0]+",", 101), ",")
	status, h, body := do(t, "GET", ts.URL+"/api/v1/coverage?regions="+long, "")
	wantProblem(t, status, h, body, http.StatusBadRequest, "at most 100 region codes")
	status, h, body = do(t, "GET", ts.URL+"/api/v1/coverage?regions="+p.Counties[0]+",3999", "")
	wantProblem(t, status, h, body, http.StatusNotFound, `"3999" not found`)
}

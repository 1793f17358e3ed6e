package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// TestEditsETagAndLog: two planners edit one feature; the one holding a
// stale ETag gets 412 and changes nothing, and the edit log says who did
// what.
func TestEditsETagAndLog(t *testing.T) {
	pool := pgtest.Pool(t)
	ts, _ := gisServer(t, pool, nil, nil)
	st := &auth.Store{Pool: pool}
	tok := map[string]string{}
	for _, name := range []string{"alice", "bob"} {
		_, text, err := st.Create(context.Background(), auth.Planner, name)
		if err != nil {
			t.Fatal(err)
		}
		tok[name] = text
	}
	url := ts.URL + "/api/v1/producers/farm1"
	farm := func(output string) string {
		return `{"type":"Feature","id":"farm1","properties":{"operator_type":"cooperative","product_class":"citrus","annual_output_t":` +
			output + `},"geometry":{"type":"Point","coordinates":[114.2,26.6]}}`
	}
	if status, h, body := call(t, "POST", ts.URL+"/api/v1/producers", tok["alice"], farm("100")); status != http.StatusCreated || h.Get("ETag") == "" {
		t.Fatalf("create: %d %q %s", status, h.Get("ETag"), body)
	}
	status, h, body := call(t, "GET", url, "", "")
	e1 := h.Get("ETag")
	if status != 200 || e1 == "" {
		t.Fatalf("get: %d etag %q %s", status, e1, body)
	}
	status, h, body = call(t, "PUT", url, tok["bob"], farm("200"), "If-Match", e1)
	e2 := h.Get("ETag")
	if status != 200 || e2 == "" || e2 == e1 {
		t.Fatalf("bob's update: %d etag %q (was %q) %s", status, e2, e1, body)
	}
	if _, h, _ := call(t, "GET", url, "", ""); h.Get("ETag") != e2 {
		t.Errorf("GET after the update has ETag %q, the update answered %q", h.Get("ETag"), e2)
	}
	for _, method := range []string{"PUT", "DELETE"} {
		status, h, body = call(t, method, url, tok["alice"], farm("300"), "If-Match", e1)
		wantProblem(t, status, h, body, http.StatusPreconditionFailed, "changed since you read it")
	}
	_, _, body = call(t, "GET", url, "", "")
	if !strings.Contains(string(body), `"annual_output_t": 200`) {
		t.Fatalf("a refused edit changed the feature: %s", body)
	}
	if status, _, body = call(t, "PUT", url, tok["alice"], farm("300"), "If-Match", e2); status != 200 {
		t.Fatalf("alice with the fresh ETag: %d %s", status, body)
	}
	status, _, body = call(t, "GET", ts.URL+"/api/v1/edits?target=producers&id=farm1", "", "")
	var log struct {
		Edits []struct{ Actor, Action, ETag string }
	}
	if err := json.Unmarshal(body, &log); status != 200 || err != nil {
		t.Fatalf("edits: %d %s", status, body)
	}
	var got []string
	for _, e := range log.Edits {
		got = append(got, e.Actor+" "+e.Action)
	}
	if strings.Join(got, ", ") != "alice update, bob update, alice create" || log.Edits[1].ETag != e2 {
		t.Errorf("edit log %v (etags %+v), want alice update, bob update, alice create", got, log.Edits)
	}
	status, h, body = call(t, "GET", ts.URL+"/api/v1/edits?limit=5000", "", "")
	wantProblem(t, status, h, body, 400, "limit")
}

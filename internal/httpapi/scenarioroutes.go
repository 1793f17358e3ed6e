package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/coldchain/coldchain/internal/audit"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/scenario"
)

// scenarioEndpoints: named scenarios of draft edits that plans can run on.
func (s *Server) scenarioEndpoints() []endpoint {
	const tag = "scenarios"
	scID := []apiParam{pathParam("id", "the scenario's id", schema{"type": "string", "format": "uuid"})}
	ifMatch := apiParam{Name: "If-Match", In: "header", Description: "the scenario's ETag as last read (\"v3\"); a stale one is refused with 412", Schema: str()}
	sc := anyObject("a scenario: id, name, created_by, updated_by, version, drafts, applied_at, plans")
	return []endpoint{
		{Method: "POST", Path: "/api/v1/scenarios", Summary: "Make a named scenario (draft edits of candidates and facilities that plans run on it see)", Tag: tag, Role: RolePlanner,
			Body:     jsonBody("Its name", "application/json", object([]string{"name"}, map[string]schema{"name": str()})),
			Problems: []int{400}, Responses: ok("201", "The scenario; ETag header", "application/json", sc),
			Handler: plain(s.createScenario)},
		{Method: "GET", Path: "/api/v1/scenarios", Summary: "The newest scenarios (at most 100)", Tag: tag,
			Responses: ok("200", "Scenarios", "application/json", object(nil, map[string]schema{"scenarios": arrayOf(sc)})),
			Handler:   plain(s.listScenarios)},
		{Method: "GET", Path: "/api/v1/scenarios/{id}", Summary: "A scenario with its drafts and plans", Tag: tag,
			PathParams: scID, Problems: []int{404}, Responses: ok("200", "The scenario; ETag header", "application/json", sc),
			Handler: plain(s.getScenario)},
		{Method: "POST", Path: "/api/v1/scenarios/{id}/drafts", Summary: "Add a draft edit: put a whole facility or candidate feature (add, move, change capacity) or remove one", Tag: tag, Role: RolePlanner,
			PathParams: scID, ExtraParams: []apiParam{ifMatch},
			Body:     jsonBody("The draft", "application/json", object([]string{"op", "layer"}, map[string]schema{"op": enum("put", "remove"), "layer": enum(scenario.Layers...), "id": str(), "feature": anyObject("a GeoJSON Feature of the layer")})),
			Problems: []int{400, 404, 409, 412}, Responses: ok("200", "The scenario; ETag header", "application/json", sc),
			Handler: plain(s.addDraft)},
		{Method: "POST", Path: "/api/v1/scenarios/{id}/apply", Summary: "Apply a scenario's drafts to the shared layers", Tag: tag, Role: RolePlanner,
			PathParams: scID, ExtraParams: []apiParam{ifMatch}, Problems: []int{400, 404, 409, 412},
			Responses: ok("200", "The applied scenario", "application/json", sc),
			Handler:   plain(s.applyScenario)},
	}
}

// actor is the request's token name and id ("anonymous" without tokens).
func actor(r *http.Request) (string, string) {
	if c, ok := callerOf(r.Context()); ok && c.token != nil {
		return c.token.Name, c.token.ID
	}
	return "anonymous", ""
}

// recordEdit logs a scenario change in the edit log.
func (s *Server) recordEdit(r *http.Request, action string, sc *scenario.Scenario) error {
	name, id := actor(r)
	return (&audit.Log{Pool: s.Pool}).Record(context.WithoutCancel(r.Context()),
		audit.Entry{Actor: name, TokenID: id, Action: action, Target: "scenarios", TargetID: sc.ID, ETag: sc.ETag()})
}

// writeScenario answers with sc and its ETag.
func writeScenario(w http.ResponseWriter, status int, sc *scenario.Scenario) error {
	w.Header().Set("ETag", sc.ETag())
	return writeJSON(w, status, sc)
}

// staleOr turns ErrStale into 412.
func staleOr(err error) error {
	if errors.Is(err, scenario.ErrStale) {
		return &statusError{status: http.StatusPreconditionFailed, msg: err.Error()}
	}
	return err
}

func (s *Server) createScenario(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return derrors.Invalid("scenario: want {\"name\": \"...\"}: %v", err)
	}
	name, _ := actor(r)
	sc, err := (&scenario.Store{Pool: s.Pool}).Create(r.Context(), in.Name, name)
	if err != nil {
		return err
	}
	if err := s.recordEdit(r, "scenario", sc); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/scenarios/"+sc.ID)
	return writeScenario(w, http.StatusCreated, sc)
}

func (s *Server) listScenarios(w http.ResponseWriter, r *http.Request) error {
	list, err := (&scenario.Store{Pool: s.Pool}).List(r.Context(), 100)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"scenarios": list})
}

func (s *Server) getScenario(w http.ResponseWriter, r *http.Request) error {
	sc, err := (&scenario.Store{Pool: s.Pool}).Get(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	return writeScenario(w, http.StatusOK, sc)
}

func (s *Server) addDraft(w http.ResponseWriter, r *http.Request) error {
	version, err := scenario.ParseETag(r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	var d scenario.Draft
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return derrors.Invalid("draft: want {\"op\": \"put\"|\"remove\", \"layer\": \"facilities\"|\"candidates\", \"id\": ..., \"feature\": {...}}: %v", err)
	}
	name, _ := actor(r)
	sc, err := (&scenario.Store{Pool: s.Pool}).AddDraft(r.Context(), chi.URLParam(r, "id"), version, d, name)
	if err != nil {
		return staleOr(err)
	}
	if err := s.recordEdit(r, "draft", sc); err != nil {
		return err
	}
	return writeScenario(w, http.StatusOK, sc)
}

func (s *Server) applyScenario(w http.ResponseWriter, r *http.Request) error {
	version, err := scenario.ParseETag(r.Header.Get("If-Match"))
	if err != nil {
		return err
	}
	name, _ := actor(r)
	sc, err := (&scenario.Store{Pool: s.Pool}).Apply(r.Context(), chi.URLParam(r, "id"), version, name, s.Layers)
	if err != nil {
		return staleOr(err)
	}
	if err := s.recordEdit(r, "apply", sc); err != nil {
		return err
	}
	return writeScenario(w, http.StatusOK, sc)
}

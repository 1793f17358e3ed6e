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

// scenarioRoutes adds named scenarios under /api/v1/scenarios.
func (s *Server) scenarioRoutes(r chi.Router) {
	r.With(s.require(RolePlanner)).Post("/scenarios", s.handle(s.createScenario))
	r.Get("/scenarios", s.handle(s.listScenarios))
	r.Get("/scenarios/{id}", s.handle(s.getScenario))
	r.With(s.require(RolePlanner)).Post("/scenarios/{id}/drafts", s.handle(s.addDraft))
	r.With(s.require(RolePlanner)).Post("/scenarios/{id}/apply", s.handle(s.applyScenario))
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

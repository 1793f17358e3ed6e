package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/report"
)

// deliverRoutes adds what a planner hands on from a finished plan: the
// workbook, the allocation layers and the report (documented in
// openapi_deliver.go).
func (s *Server) deliverRoutes(r chi.Router) {
	r.Get("/plans/{id}/export.xlsx", s.handle(s.exportPlan("xlsx")))
	r.Get("/plans/{id}/allocations.geojson", s.handle(s.allocations("geojson")))
	r.Get("/plans/{id}/allocations.csv", s.handle(s.allocations("csv")))
	r.Get("/plans/{id}/allocations.xlsx", s.handle(s.allocations("xlsx")))
	r.Get("/plans/{id}/report", s.handle(s.planReport))
	r.Get("/edits", s.handle(s.listEdits))
	s.scenarioRoutes(r)
}

// planReport answers GET /plans/{id}/report?lang=zh|en with the plan's
// print-ready HTML report.
func (s *Server) planReport(w http.ResponseWriter, r *http.Request) error {
	src := report.Source{Pool: s.Pool, Plans: s.Plans, Travel: s.Travel}
	page, err := src.HTML(r.Context(), chi.URLParam(r, "id"), r.URL.Query().Get("lang"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(page)
	return err
}

// queryBool parses an optional boolean query parameter.
func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, derrors.Invalid("%s: want true or false, got %q", name, v)
	}
	return b, nil
}

// allocations writes a finished plan's allocation layer in format.
func (s *Server) allocations(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		bom, err := queryBool(r, "bom")
		if err != nil {
			return err
		}
		fc, err := s.Plans.Allocations(r.Context(), chi.URLParam(r, "id"))
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		switch format {
		case "csv":
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			err = plan.WriteAllocationsCSV(&buf, fc, bom)
		case "xlsx":
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			err = plan.WriteAllocationsXLSX(&buf, fc)
		default:
			w.Header().Set("Content-Type", "application/geo+json")
			err = json.NewEncoder(&buf).Encode(fc)
		}
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="plan-%s-allocations.%s"`, chi.URLParam(r, "id")[:8], format))
		_, err = buf.WriteTo(w)
		return err
	}
}

package httpapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/locate"
	"github.com/coldchain/coldchain/internal/plan"
)

// filter is the coverage filter the query selects: include=planned
// counts planned facilities (adopted plans) as built.
func (q areaQuery) filter() coverage.Filter {
	f := coverage.Filter{Region: q.Region, Regions: q.Regions, Classes: q.Classes}
	if slices.Contains(q.Include, "planned") {
		f.Statuses = []string{"existing", "planned"}
	}
	return f
}

// problemNames lists the problem registry's names.
func problemNames() []string {
	out := make([]string, len(locate.Problems))
	for i, sp := range locate.Problems {
		out[i] = string(sp.Name)
	}
	return out
}

// listProblems answers GET /api/v1/problems: the problem registry.
func (s *Server) listProblems(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]any{"problems": locate.Problems})
}

// adoptPlan answers POST /api/v1/plans/{id}/adopt.
func (s *Server) adoptPlan(w http.ResponseWriter, r *http.Request) error {
	ad, err := s.Plans.Adopt(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, ad)
}

func (s *Server) measure(r *http.Request, f coverage.Filter) (*coverage.Data, *coverage.Report, error) {
	d, err := coverage.Load(r.Context(), s.readPool(), f)
	if err != nil {
		return nil, nil, err
	}
	rep, err := coverage.Compute(r.Context(), s.Travel, d, coverage.Options{})
	return d, rep, err
}

// coverageReport answers GET /api/v1/coverage: the measures of a region.
func (s *Server) coverageReport(w http.ResponseWriter, r *http.Request, q coverageQuery) error {
	_, rep, err := s.measure(r, q.filter())
	if err != nil {
		return err
	}
	out := struct {
		*coverage.Report
		Producers []coverage.Access `json:"producers,omitempty"`
	}{Report: rep}
	rep.Warnings = localWarnings(r, rep.Warnings)
	if slices.Contains(q.Include, "producers") {
		out.Producers = rep.Producers
	}
	return writeJSON(w, http.StatusOK, out)
}

// gaps answers GET /api/v1/gaps: hexagons of uncovered output as GeoJSON,
// with the gap tables.
func (s *Server) gaps(w http.ResponseWriter, r *http.Request, q gapsQuery) error {
	opt := coverage.HexOptions{Month: q.Month, SizeKm: q.HexKm}
	if err := opt.Validate(); err != nil {
		return err
	}
	d, rep, err := s.measure(r, q.filter())
	if err != nil {
		return err
	}
	hex, err := coverage.Hexagons(r.Context(), s.readPool(), d, rep, opt)
	if err != nil {
		return err
	}
	rows := rep.Gaps
	if opt.Month > 0 {
		rows = rows[:0:0]
		for _, g := range rep.Gaps {
			if g.Month == opt.Month {
				rows = append(rows, g)
			}
		}
	}
	out := map[string]any{
		"type":     "FeatureCollection",
		"features": hex,
		"month":    opt.Month,
		"hex_km":   opt.SizeKm,
		"travel":   rep.Travel,
		"totals":   rep.Totals,
		"tables":   map[string]any{"gaps": rows, "months": rep.Months, "classes": rep.Classes, "regions": rep.Regions},
	}
	if len(rep.Warnings) > 0 {
		out["warnings"] = localWarnings(r, rep.Warnings)
	}
	w.Header().Set("Content-Type", "application/geo+json")
	return json.NewEncoder(w).Encode(out)
}

func (s *Server) submitPlan(w http.ResponseWriter, r *http.Request) error {
	var req plan.Request
	if err := decodeJSON(w, r, maxRequestJSON, "plan request", &req); err != nil {
		return err
	}
	// Preparation runs on the queue; a request the data cannot satisfy
	// that is found out within a few seconds is answered 422 at once.
	p, err := s.Plans.SubmitAndWait(r.Context(), req, prepWait)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/plans/"+p.ID)
	return writeJSON(w, http.StatusAccepted, p)
}

// prepWait is how long a plan submission waits for the plan's preparation
// to find out whether the data can satisfy it.
const prepWait = 5 * time.Second

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Plans.Get(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	if wantsChinese(r) {
		plan.Localize(p, "zh")
	}
	return writeJSON(w, http.StatusOK, p)
}

func (s *Server) cancelPlan(w http.ResponseWriter, r *http.Request) error {
	if err := s.Plans.Cancel(r.Context(), chi.URLParam(r, "id")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, map[string]string{"status": "cancelling"})
}

// listPlans answers GET /api/v1/plans, or with ?compare=a,b the plans
// side by side.
func (s *Server) listPlans(w http.ResponseWriter, r *http.Request, q listQuery) error {
	if len(q.Compare) > 0 {
		if len(q.Compare) < 2 || len(q.Compare) > 10 {
			return derrors.Invalid("compare: name 2 to 10 plan ids separated by commas")
		}
		sums, err := s.Plans.Compare(r.Context(), q.Compare)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]any{"plans": sums})
	}
	sums, err := s.Plans.List(r.Context(), cmp.Or(q.Limit, 50))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plans": sums})
}

func (s *Server) exportPlan(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := plan.FindExportFormat(format)
		if err != nil {
			return err
		}
		o := plan.ExportOptions{Lang: r.URL.Query().Get("lang")}
		if o.BOM, err = queryBool(r, "bom"); err != nil {
			return err
		}
		p, err := s.Plans.Get(r.Context(), chi.URLParam(r, "id"))
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := f.Write(&buf, p, o); err != nil {
			return err
		}
		w.Header().Set("Content-Type", f.ContentType)
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="plan-%s.%s"`, p.ID[:8], f.Name))
		_, err = buf.WriteTo(w)
		return err
	}
}

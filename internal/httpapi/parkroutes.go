package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/parks"
)

// parkRoutes registers the park-siting API under /api/v1: runs are
// synchronous (seconds on a county) and stored as plans of kind parks.
func (s *Server) parkRoutes(r chi.Router) {
	r.With(s.require(RolePlanner), s.limitPlans()).Post("/parks", s.handle(s.runParks))
	r.Get("/parks", s.handle(s.listParks))
	r.Get("/parks/{id}", s.handle(s.getParks))
	r.Get("/parks/{id}/export.geojson", s.handle(s.exportParks("geojson")))
	r.Get("/parks/{id}/export.csv", s.handle(s.exportParks("csv")))
	r.Get("/parks/{id}/townships.csv", s.handle(s.exportParks("townships")))
	r.Get("/parks/{id}/suitability.geojson", s.handle(s.parksSuitability))
}

func (s *Server) parkService() *parks.Service {
	return &parks.Service{Pool: s.Pool, Travel: s.Travel, Log: s.Log}
}

// runParks answers POST /api/v1/parks: it runs the request and answers
// 201 with the finished plan.
func (s *Server) runParks(w http.ResponseWriter, r *http.Request) error {
	var req parks.Request
	if err := decodeJSON(w, r, maxRequestJSON, "park request", &req); err != nil {
		return err
	}
	p, err := s.parkService().Run(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/parks/"+p.ID)
	return writeJSON(w, http.StatusCreated, p)
}

func (s *Server) getParks(w http.ResponseWriter, r *http.Request) error {
	p, err := s.parkService().Get(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// listParks answers GET /api/v1/parks: the newest park-siting plans, or
// with ?compare=a,b those plans side by side.
func (s *Server) listParks(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var ids []string
	if c := q.Get("compare"); c != "" {
		ids = strings.Split(c, ",")
		if len(ids) < 2 || len(ids) > 10 {
			return derrors.Invalid("compare: name 2 to 10 park-siting plan ids separated by commas")
		}
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return derrors.Invalid("limit: want 1 to 500, got %q", v)
		}
		limit = n
	}
	sums, err := s.parkService().List(r.Context(), ids, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plans": sums})
}

// exportParks writes a finished plan's sites (GeoJSON or CSV) or its
// township table (CSV) as a download.
func (s *Server) exportParks(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.parkService().Get(r.Context(), chi.URLParam(r, "id"))
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		name, ext := "parks-"+p.ID[:8], format
		switch format {
		case "csv":
			err = parks.WriteCSV(&buf, p)
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		case "townships":
			err = parks.WriteTownshipsCSV(&buf, p)
			name, ext = name+"-townships", "csv"
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		default:
			err = parks.WriteGeoJSON(&buf, p)
			w.Header().Set("Content-Type", "application/geo+json")
		}
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, ext))
		_, err = buf.WriteTo(w)
		return err
	}
}

// parksSuitability answers the graded hexagons of a finished plan as
// GeoJSON; ?class=high,good keeps those classes.
func (s *Server) parksSuitability(w http.ResponseWriter, r *http.Request) error {
	var classes []string
	for _, c := range strings.Split(r.URL.Query().Get("class"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			classes = append(classes, c)
		}
	}
	var buf bytes.Buffer
	if err := s.parkService().WriteSuitability(r.Context(), &buf, chi.URLParam(r, "id"), classes); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, err := buf.WriteTo(w)
	return err
}

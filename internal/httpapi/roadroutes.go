package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/roads"
)

// roadRoutes registers the road-network API under /api/v1: the network's
// description, the snapping report and service areas. The roads layer
// itself is read through the generic layer routes (GET /api/v1/roads);
// writes to it are refused here, before the generic routes see them.
func (s *Server) roadRoutes(r chi.Router) {
	r.Get("/roads/network", s.handle(s.roadNetwork))
	r.Get("/roads/snapping", s.handle(s.roadSnapping))
	r.Get("/service-areas", s.handle(s.serviceAreas))
	readOnly := s.handle(s.roadsReadOnly)
	planner := r.With(s.require(RolePlanner))
	planner.Post("/roads", readOnly)
	planner.Put("/roads/{id}", readOnly)
	planner.Delete("/roads/{id}", readOnly)
}

// roadsReadOnly answers writes to the roads layer.
func (s *Server) roadsReadOnly(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Allow", "GET, HEAD")
	return &statusError{status: http.StatusMethodNotAllowed,
		msg: "the road network is read-only through the API: import a whole network with `coldchain import roads FILE.osm.pbf` (or a GeoJSON road file)"}
}

// roadGraph returns the road network in memory and the snapping settings:
// the travel model's cached graph when it is the road model, else a fresh
// load with the default settings. No network is ErrConflict.
func (s *Server) roadGraph(ctx context.Context) (*roads.Graph, roads.PairOptions, error) {
	var g *roads.Graph
	var opt roads.PairOptions
	var err error
	if m, ok := s.Travel.(*access.Road); ok {
		g, err = m.Graph(ctx)
		opt = m.Options()
	} else {
		g, err = roads.Load(ctx, s.Pool)
	}
	if err != nil {
		return nil, opt, err
	}
	if g.Empty() {
		return nil, opt, derrors.Conflict("no road network is loaded: import one with `coldchain import roads FILE.osm.pbf`")
	}
	return g, opt, nil
}

// roadNetwork answers GET /api/v1/roads/network: what network is loaded.
func (s *Server) roadNetwork(w http.ResponseWriter, r *http.Request) error {
	if err := roadParams(r); err != nil {
		return err
	}
	info, err := roads.Describe(r.Context(), s.Pool)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"network": info, "travel": s.Travel.Describe()})
}

// roadSnapping answers GET /api/v1/roads/snapping[?snap_m=M]: which
// producers, facilities and candidate sites join the network, and the list
// of those too far from every road.
func (s *Server) roadSnapping(w http.ResponseWriter, r *http.Request) error {
	if err := roadParams(r, "snap_m"); err != nil {
		return err
	}
	g, opt, err := s.roadGraph(r.Context())
	if err != nil {
		return err
	}
	limit := opt.SnapMetres
	if v := r.URL.Query().Get("snap_m"); v != "" {
		if limit, err = strconv.ParseFloat(v, 64); err != nil || !(limit >= 1 && limit <= 50000) {
			return derrors.Invalid("snap_m: want 1 to 50000 metres, got %q", v)
		}
	}
	rep, err := g.Report(r.Context(), s.Pool, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// serviceAreas answers GET /api/v1/service-areas: nested service areas
// (isochrones) of facilities as GeoJSON. Parameters: facility (ids,
// comma-separated), region (code prefix), status (default existing and
// under_construction), minutes (thresholds, default 30,60,120), buffer_m
// (default 300). The default thresholds and buffer come from the stored
// areas (the tile layer's), refreshed first if roads or facilities changed.
func (s *Server) serviceAreas(w http.ResponseWriter, r *http.Request) error {
	if err := roadParams(r, "facility", "region", "status", "minutes", "buffer_m"); err != nil {
		return err
	}
	q := r.URL.Query()
	f := roads.SiteFilter{IDs: roadList(q.Get("facility")), Region: strings.TrimSpace(q.Get("region")), Statuses: roadList(q.Get("status"))}
	for _, st := range f.Statuses {
		if !slices.Contains(layer.FacilityStatus, st) {
			return derrors.Invalid("status: unknown value %q (want %s)", st, strings.Join(layer.FacilityStatus, "|"))
		}
	}
	var opt roads.AreaOptions
	for _, v := range roadList(q.Get("minutes")) {
		m, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return derrors.Invalid("minutes: %q is not a number", v)
		}
		opt.Minutes = append(opt.Minutes, m)
	}
	if v := q.Get("buffer_m"); v != "" {
		b, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return derrors.Invalid("buffer_m: %q is not a number", v)
		}
		opt.BufferMetres = b
	}
	if err := opt.Validate(); err != nil {
		return err
	}
	g, pair, err := s.roadGraph(r.Context())
	if err != nil {
		return err
	}
	opt.Pair = pair
	sites, err := roads.LoadSites(r.Context(), s.Pool, f)
	if err != nil {
		return err
	}
	stored := opt.BufferMetres == roads.DefaultBufferMetres
	for _, m := range opt.Minutes {
		stored = stored && slices.Contains(roads.DefaultAreaMinutes, m)
	}
	ids := make([]string, len(sites))
	for i, st := range sites {
		ids[i] = st.ID
		stored = stored && (st.Status == "existing" || st.Status == "under_construction")
	}
	var features json.RawMessage
	var unreached []roads.Unreached
	switch {
	case len(sites) == 0:
		features, unreached = json.RawMessage("[]"), []roads.Unreached{}
	case stored:
		if _, err := g.RefreshServiceAreas(r.Context(), s.Pool, pair); err != nil {
			return err
		}
		if features, err = roads.StoredServiceAreas(r.Context(), s.Pool, ids, "", opt.Minutes); err != nil {
			return err
		}
		unreached = g.Unsnapped(sites, pair)
	default:
		if features, unreached, err = g.ServiceAreas(r.Context(), s.Pool, sites, opt); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "application/geo+json")
	return json.NewEncoder(w).Encode(struct {
		Type        string            `json:"type"`
		Features    json.RawMessage   `json:"features"`
		Minutes     []float64         `json:"minutes"`
		BufferM     float64           `json:"buffer_m"`
		Facilities  int               `json:"facilities"`
		Unreachable []roads.Unreached `json:"unreachable"`
		Travel      string            `json:"travel"`
	}{"FeatureCollection", features, opt.Minutes, opt.BufferMetres, len(sites), unreached, s.Travel.Describe()})
}

// roadParams refuses query parameters other than allowed.
func roadParams(r *http.Request, allowed ...string) error {
	for name := range r.URL.Query() {
		if !slices.Contains(allowed, name) {
			if len(allowed) == 0 {
				return derrors.Invalid("unknown query parameter %q", name)
			}
			return derrors.Invalid("unknown query parameter %q (want %s)", name, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// roadList splits a comma-separated parameter, dropping empty parts.
func roadList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

package httpapi

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/roads"
)

// roadEndpoints: the road network, snapping and service areas. The roads
// layer's reads are the generic layer endpoints (GET /api/v1/{layer}); its
// writes answer 405.
func (s *Server) roadEndpoints() []endpoint {
	const tag = "roads"
	info := object([]string{"version", "edges", "km"}, map[string]schema{
		"version":     schema{"type": "integer", "description": "changes whenever the road table does"},
		"source":      schema{"type": "string", "description": "the imported file"},
		"imported_at": schema{"type": "string", "format": "date-time"},
		"edges":       integer(0, 0),
		"km":          number(),
		"speeds":      schema{"type": "object", "additionalProperties": number(), "description": "km/h by OSM highway class used by the import"},
		"km_by_class": schema{"type": "object", "additionalProperties": number()},
	})
	unreached := object([]string{"id", "lon", "lat", "nearest_road_m"}, map[string]schema{
		"id": str(), "name": str(), "lon": number(), "lat": number(),
		"nearest_road_m": schema{"type": "number", "description": "distance to the nearest road; -1 when none is within 50 km"},
	})
	readOnly := "The road network is written only by `coldchain import roads` (a whole network at a time); this answers 405."
	id := []apiParam{pathParam("id", "the road edge's id", schema{"type": "integer"})}
	return []endpoint{
		{Method: "GET", Path: "/api/v1/roads/network", Summary: "The loaded road network", Tag: tag,
			Description: "Where the network came from, its size by class and the speeds used, and how travel times are computed.",
			Problems:    []int{400},
			Responses: ok("200", "The network", "application/json", object([]string{"network", "travel"}, map[string]schema{
				"network": info, "travel": schema{"type": "string", "description": "the travel model in use"},
			})),
			Handler: parsed(s.roadNetwork)},
		{Method: "GET", Path: "/api/v1/roads/snapping", Summary: "Which producers, facilities and candidate sites join the road network", Tag: tag,
			Description: "Each point joins the nearest road edge within snap_m by an off-road leg; those farther are unreachable by road " +
				"(they stay in the data, without road access). Lists them, farthest first.",
			Problems: []int{400, 409},
			Responses: ok("200", "Counts and lists by layer", "application/json", object([]string{"limit_m", "components", "main_vertices", "layers"}, map[string]schema{
				"limit_m": number(), "components": integer(0, 0), "main_vertices": integer(0, 0),
				"layers": arrayOf(object([]string{"layer", "total", "snapped", "on_fragment", "fragments", "beyond", "unreachable"}, map[string]schema{
					"layer": enum("producers", "facilities", "candidates"), "total": integer(0, 0), "snapped": integer(0, 0),
					"on_fragment": integer(0, 0),
					"fragments": arrayOf(object([]string{"id", "lon", "lat", "fragment_m", "fragment_vertices", "main_network_m"}, map[string]schema{
						"id": str(), "name": str(), "lon": number(), "lat": number(), "fragment_m": number(),
						"fragment_vertices": integer(0, 0), "main_network_m": number(),
					})),
					"beyond": integer(0, 0), "unreachable": arrayOf(unreached),
					"median_m": number(), "max_m": number(),
				})),
			})),
			Handler: parsed(s.roadSnapping)},
		{Method: "GET", Path: "/api/v1/service-areas", Summary: "Nested service areas (isochrones) of facilities", Tag: tag,
			Description: "For each facility and threshold, the land within buffer_m of the roads from which the facility is reached by road " +
				"within the threshold (plus its off-road leg). Areas are valid MultiPolygons and nest: each contains the smaller thresholds' areas. " +
				"The default thresholds and buffer are stored (also the vector tile layer service_areas) and refreshed when roads or facilities change; " +
				"others are computed on request. 409 when no road network is loaded.",
			Problems: []int{400, 404, 409},
			Responses: ok("200", "One feature per facility and threshold (facility_id, name, facility_type, minutes, area_km2), largest first",
				geoJSONMedia, object([]string{"type", "features"}, map[string]schema{
					"type":        enum("FeatureCollection"),
					"features":    arrayOf(ref("Feature")),
					"minutes":     arrayOf(number()),
					"buffer_m":    number(),
					"facilities":  integer(0, 0),
					"unreachable": arrayOf(unreached),
					"travel":      str(),
				})),
			Handler: parsed(s.serviceAreas)},
		{Method: "POST", Path: "/api/v1/roads", Summary: "Not allowed: the roads layer is read-only", Tag: tag, Role: RolePlanner,
			Description: readOnly, Problems: []int{405}, Responses: map[string]apiResp{}, Handler: plain(s.roadsReadOnly)},
		{Method: "PUT", Path: "/api/v1/roads/{id}", Summary: "Not allowed: the roads layer is read-only", Tag: tag, Role: RolePlanner,
			Description: readOnly, PathParams: id, Problems: []int{405}, Responses: map[string]apiResp{}, Handler: plain(s.roadsReadOnly)},
		{Method: "DELETE", Path: "/api/v1/roads/{id}", Summary: "Not allowed: the roads layer is read-only", Tag: tag, Role: RolePlanner,
			Description: readOnly, PathParams: id, Problems: []int{405}, Responses: map[string]apiResp{}, Handler: plain(s.roadsReadOnly)},
	}
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
func (s *Server) roadNetwork(w http.ResponseWriter, r *http.Request, _ roadNetworkQuery) error {
	info, err := roads.Describe(r.Context(), s.Pool)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"network": info, "travel": s.Travel.Describe()})
}

// roadSnapping answers GET /api/v1/roads/snapping[?snap_m=M]: which
// producers, facilities and candidate sites join the network, and the list
// of those too far from every road.
func (s *Server) roadSnapping(w http.ResponseWriter, r *http.Request, q snappingQuery) error {
	g, opt, err := s.roadGraph(r.Context())
	if err != nil {
		return err
	}
	rep, err := g.Report(r.Context(), s.Pool, cmp.Or(q.SnapM, opt.SnapMetres))
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
func (s *Server) serviceAreas(w http.ResponseWriter, r *http.Request, q serviceAreaQuery) error {
	f := roads.SiteFilter{IDs: q.Facilities, Region: q.Region, Statuses: q.Statuses}
	if f.Region != "" {
		if err := layer.CheckRegionCode("region", f.Region); err != nil {
			return err
		}
	}
	for _, st := range f.Statuses {
		if !slices.Contains(layer.FacilityStatus, st) {
			return derrors.Invalid("status: unknown value %q (want %s)", st, strings.Join(layer.FacilityStatus, "|"))
		}
	}
	opt := roads.AreaOptions{Minutes: q.Minutes, BufferMetres: q.BufferM}
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

// roadNetworkQuery is GET /api/v1/roads/network's query: none.
type roadNetworkQuery struct{ strictQuery }

// snappingQuery is GET /api/v1/roads/snapping's query.
type snappingQuery struct {
	strictQuery
	SnapM float64 `query:"snap_m" doc:"snapping limit in metres (default: the server's, 2000 unless --snap-m)" min:"1" max:"50000" unit:"metres"`
}

// serviceAreaQuery is GET /api/v1/service-areas's query.
type serviceAreaQuery struct {
	strictQuery
	Facilities []string  `query:"facility" doc:"facility ids, comma-separated (default: every facility with the statuses)"`
	Region     string    `query:"region" doc:"administrative code prefix of the facilities"`
	Statuses   []string  `query:"status" doc:"facility statuses, comma-separated (default existing,under_construction)" example:"existing"`
	Minutes    []float64 `query:"minutes" doc:"thresholds in minutes, comma-separated, at most 6, each 1 to 1440 (default 30,60,120)" example:"30,60,120"`
	BufferM    float64   `query:"buffer_m" doc:"half-width of the area around reached roads, 10 to 5000 m (default 300)"`
}

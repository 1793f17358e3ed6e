package httpapi

// roadsOpenAPI documents the road-network routes (roadroutes.go). The roads
// layer's reads are the generic layer routes (GET /api/v1/{layer}).
func (s *Server) roadsOpenAPI(d *apiDoc) {
	tags := []string{"roads"}
	info := object([]string{"version", "edges", "km"}, map[string]schema{
		"version":     schema{"type": "integer", "description": "changes whenever the road table does"},
		"source":      schema{"type": "string", "description": "the imported file"},
		"imported_at": schema{"type": "string", "format": "date-time"},
		"edges":       integer(0, 0),
		"km":          number(),
		"speeds":      schema{"type": "object", "additionalProperties": number(), "description": "km/h by OSM highway class used by the import"},
		"km_by_class": schema{"type": "object", "additionalProperties": number()},
	})
	d.add("GET", "/api/v1/roads/network", apiOp{Summary: "The loaded road network", Tags: tags,
		Description: "Where the network came from, its size by class and the speeds used, and how travel times are computed.",
		Problems:    []int{400},
		Responses: ok("200", "The network", "application/json", object([]string{"network", "travel"}, map[string]schema{
			"network": info, "travel": schema{"type": "string", "description": "the travel model in use"},
		}))})

	unreached := object([]string{"id", "lon", "lat", "nearest_road_m"}, map[string]schema{
		"id": str(), "name": str(), "lon": number(), "lat": number(),
		"nearest_road_m": schema{"type": "number", "description": "distance to the nearest road; -1 when none is within 50 km"},
	})
	d.add("GET", "/api/v1/roads/snapping", apiOp{Summary: "Which producers, facilities and candidate sites join the road network", Tags: tags,
		Description: "Each point joins the nearest road edge within snap_m by an off-road leg; those farther are unreachable by road " +
			"(they stay in the data, without road access). Lists them, farthest first.",
		Parameters: []apiParam{queryParam("snap_m", "snapping limit in metres (default: the server's, 2000 unless --snap-m)",
			schema{"type": "number", "minimum": 1, "maximum": 50000})},
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
		}))})

	d.add("GET", "/api/v1/service-areas", apiOp{Summary: "Nested service areas (isochrones) of facilities", Tags: tags,
		Description: "For each facility and threshold, the land within buffer_m of the roads from which the facility is reached by road " +
			"within the threshold (plus its off-road leg). Areas are valid MultiPolygons and nest: each contains the smaller thresholds' areas. " +
			"The default thresholds and buffer are stored (also the vector tile layer service_areas) and refreshed when roads or facilities change; " +
			"others are computed on request. 409 when no road network is loaded.",
		Parameters: []apiParam{
			queryParam("facility", "facility ids, comma-separated (default: every facility with the statuses)", str()),
			queryParam("region", "administrative code prefix of the facilities", str()),
			queryParam("status", "facility statuses, comma-separated (default existing,under_construction)", schema{"type": "string", "example": "existing"}),
			queryParam("minutes", "thresholds in minutes, comma-separated, at most 6, each 1 to 1440 (default 30,60,120)", schema{"type": "string", "example": "30,60,120"}),
			queryParam("buffer_m", "half-width of the area around reached roads, 10 to 5000 m (default 300)", number()),
		},
		Problems: []int{400, 404, 409},
		Responses: ok("200", "One feature per facility and threshold (facility_id, name, facility_type, minutes, area_km2), largest first",
			"application/geo+json", object([]string{"type", "features"}, map[string]schema{
				"type":        enum("FeatureCollection"),
				"features":    arrayOf(ref("Feature")),
				"minutes":     arrayOf(number()),
				"buffer_m":    number(),
				"facilities":  integer(0, 0),
				"unreachable": arrayOf(unreached),
				"travel":      str(),
			}))})

	readOnly := "The road network is written only by `coldchain import roads` (a whole network at a time); this answers 405."
	id := pathParam("id", "the road edge's id", schema{"type": "integer"})
	d.add("POST", "/api/v1/roads", apiOp{Summary: "Not allowed: the roads layer is read-only", Tags: tags, Role: RolePlanner,
		Description: readOnly, Problems: []int{405},
		Responses: map[string]apiResp{}})
	d.add("PUT", "/api/v1/roads/{id}", apiOp{Summary: "Not allowed: the roads layer is read-only", Tags: tags, Role: RolePlanner,
		Description: readOnly, Parameters: []apiParam{id}, Problems: []int{405},
		Responses: map[string]apiResp{}})
	d.add("DELETE", "/api/v1/roads/{id}", apiOp{Summary: "Not allowed: the roads layer is read-only", Tags: tags, Role: RolePlanner,
		Description: readOnly, Parameters: []apiParam{id}, Problems: []int{405},
		Responses: map[string]apiResp{}})
}

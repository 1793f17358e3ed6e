package httpapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/roads"
)

// roadTileLayers returns the road-network work's tile layers: the road
// edges, and the stored service areas of facilities (see
// roads.RefreshServiceAreas: refreshed by road imports, the demo and
// GET /api/v1/service-areas after roads or facilities changed).
func roadTileLayers() []tileLayer {
	return []tileLayer{
		{
			Name: "roads", Title: "Road network", Geometry: "line", MinZoom: 6,
			Description: "Routable road edges with their class, speed and travel time; the fastest roads first when a tile is full.",
			Fields: []tileField{
				{Name: "id", Type: "Number"}, {Name: "name", Type: "String"},
				{Name: "ref", Type: "String", Description: "road number, e.g. G105, X012"},
				{Name: "highway", Type: "String", Description: "OSM highway class"},
				{Name: "oneway", Type: "Boolean", Description: "travel only in the line's direction"},
				{Name: "speed_kmh", Type: "Number", Description: "travel speed used for routing"},
				{Name: "minutes", Type: "Number", Description: "travel time along the edge"},
			},
			Params: []tileParam{{Name: "highway", Description: "only these OSM classes (comma-separated)", Valid: oneOf(layer.RoadClasses...)}},
			Rows: func(q *tileQuery) string {
				sql := `SELECT geom, id, name, ref, highway, oneway, speed_kmh, minutes FROM road WHERE geom && ` + q.BBox()
				if v := q.Param("highway"); v != "" {
					sql += ` AND highway = ANY(` + q.Arg(strings.Split(v, ",")) + `::text[])`
				}
				return sql + ` ORDER BY speed_kmh DESC, id`
			},
		},
		{
			Name: "service_areas", Title: "Service areas", Geometry: "polygon",
			Description: fmt.Sprintf("Nested areas from which existing and under-construction facilities are reached by road within %s minutes; largest first, so smaller areas draw on top.",
				areaMinutesList(roads.DefaultAreaMinutes)),
			Fields: []tileField{
				{Name: "facility_id", Type: "String"}, {Name: "name", Type: "String"},
				{Name: "facility_type", Type: "String"},
				{Name: "minutes", Type: "Number", Description: "travel-time threshold"},
				{Name: "area_km2", Type: "Number"},
			},
			Params: []tileParam{
				{Name: "minutes", Description: "only these thresholds (comma-separated)", Valid: oneOf(areaMinutesVocab()...)},
				{Name: "facility", Description: "only these facilities (comma-separated ids)", Valid: validAreaFacilities},
			},
			Rows: func(q *tileQuery) string {
				sql := `SELECT geom, facility_id, name, facility_type, minutes, area_km2 FROM road_service_area WHERE geom && ` + q.BBox()
				if v := q.Param("minutes"); v != "" {
					var ms []float64
					for _, p := range strings.Split(v, ",") {
						m, _ := strconv.ParseFloat(p, 64)
						ms = append(ms, m)
					}
					sql += ` AND minutes = ANY(` + q.Arg(ms) + `::float8[])`
				}
				if v := q.Param("facility"); v != "" {
					sql += ` AND facility_id = ANY(` + q.Arg(strings.Split(v, ",")) + `::text[])`
				}
				return sql + ` ORDER BY minutes DESC, facility_id`
			},
		},
	}
}

// areaMinutesVocab lists the stored thresholds as parameter values ("30").
func areaMinutesVocab() []string {
	out := make([]string, len(roads.DefaultAreaMinutes))
	for i, m := range roads.DefaultAreaMinutes {
		out[i] = strconv.FormatFloat(m, 'f', -1, 64)
	}
	return out
}

func areaMinutesList(ms []float64) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = strconv.FormatFloat(m, 'f', -1, 64)
	}
	return strings.Join(parts, ", ")
}

// validAreaFacilities accepts comma-separated feature ids.
func validAreaFacilities(v string) error {
	for _, id := range strings.Split(v, ",") {
		if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || slices.Contains([]rune("_.:-"), r))
		}) {
			return fmt.Errorf("%q is not a facility id", id)
		}
	}
	return nil
}

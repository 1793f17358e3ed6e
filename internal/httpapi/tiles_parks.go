package httpapi

import (
	"strings"
	"time"

	"github.com/coldchain/coldchain/internal/parks"
)

// parkTileLayers returns the park-siting work's tile layers: the graded
// hexagons of a park-siting plan (suitability, from park_cell) and its top
// sites (park_sites, from the plan's result). Plans never change once
// finished, so tiles may be cached for a day.
func parkTileLayers() []tileLayer {
	classes := make([]string, 0, len(parks.Classes)+1)
	for _, c := range parks.Classes {
		classes = append(classes, c.Name)
	}
	classes = append(classes, parks.Excluded)
	plan := tileParam{Name: "plan", Required: true, Description: "the park-siting plan's id", Valid: validPlanID}
	return []tileLayer{
		{
			Name: "suitability", Title: "Park suitability", Geometry: "polygon", MaxAge: 24 * time.Hour,
			Description: "Hexagons of a park-siting plan graded high|good|moderate|low (score ≥ 0.7, 0.5, 0.3, below) or excluded; the best first when a tile is full.",
			Fields: []tileField{
				{Name: "cell", Type: "String", Description: "ST_HexagonGrid indices i_j"},
				{Name: "class", Type: "String", Description: "suitability class"},
				{Name: "score", Type: "Number", Description: "weighted score 0–1 (none when excluded)"},
				{Name: "township", Type: "String", Description: "code of the township holding most of the cell"},
				{Name: "supply_t", Type: "Number", Description: "leading-class output within the catchment time, t/yr"},
				{Name: "road_km", Type: "Number", Description: "distance to the nearest main road"},
				{Name: "town_km", Type: "Number", Description: "distance to the nearest town or county seat"},
				{Name: "park_km", Type: "Number", Description: "distance to the nearest existing park or collection centre"},
				{Name: "land", Type: "Number", Description: "construction-land score 0–1"},
				{Name: "site_rank", Type: "Number", Description: "rank of the suggested site in this cell, if any"},
				{Name: "reason", Type: "String", Description: "why an excluded cell is excluded"},
			},
			Params: []tileParam{plan, {Name: "class", Description: "only these classes (comma-separated)", Valid: oneOf(classes...)}},
			Rows: func(q *tileQuery) string {
				sql := `SELECT geom, cell, class, score, township,
					(properties->>'supply_t')::float8 AS supply_t, (properties->>'road_km')::float8 AS road_km,
					(properties->>'town_km')::float8 AS town_km, (properties->>'park_km')::float8 AS park_km,
					(properties->>'land')::float8 AS land, (properties->>'site_rank')::float8 AS site_rank,
					properties->>'reason' AS reason
					FROM park_cell WHERE plan_id = ` + q.Arg(q.Param("plan")) + `::uuid AND geom && ` + q.BBox()
				if v := q.Param("class"); v != "" {
					sql += ` AND class = ANY(` + q.Arg(strings.Split(v, ",")) + `::text[])`
				}
				return sql + ` ORDER BY score DESC NULLS LAST, cell`
			},
		},
		{
			Name: "park_sites", Title: "Park sites", Geometry: "point", MaxAge: 24 * time.Hour,
			Description: "The top sites of a finished park-siting plan, with the reasons for their scores.",
			Fields: []tileField{
				{Name: "rank", Type: "Number"}, {Name: "cell", Type: "String"},
				{Name: "score", Type: "Number"}, {Name: "class", Type: "String"},
				{Name: "township_name", Type: "String"},
				{Name: "catchment_t", Type: "Number", Description: "output of every class within the catchment time, t/yr"},
				{Name: "meets_rule", Type: "Boolean", Description: "1–2 leading industries make ≥ 50 % of the catchment's output"},
				{Name: "stay_share", Type: "Number", Description: "share of the ±20 % weight runs keeping the site in the top K"},
				{Name: "summary", Type: "String", Description: "the score broken down, in words"},
			},
			Params: []tileParam{plan},
			Rows: func(q *tileQuery) string {
				return `SELECT ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326) AS geom,
					(f->'properties'->>'rank')::float8 AS rank, f->'properties'->>'cell' AS cell,
					(f->'properties'->>'score')::float8 AS score, f->'properties'->>'class' AS class,
					f->'properties'->>'township_name' AS township_name,
					(f->'properties'->>'catchment_total_t')::float8 AS catchment_t,
					(f->'properties'->'rule'->>'passes')::boolean AS meets_rule,
					(f->'properties'->>'stay_share')::float8 AS stay_share,
					f->'properties'->>'summary' AS summary
					FROM plan p CROSS JOIN LATERAL jsonb_array_elements(p.result->'sites'->'features') WITH ORDINALITY AS e(f, n)
					WHERE p.id = ` + q.Arg(q.Param("plan")) + `::uuid AND p.kind = 'parks' AND p.status = 'done'
					  AND ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326) && ` + q.BBox() + ` ORDER BY n`
			},
		},
	}
}

package coverage

import (
	"context"
	"encoding/json"
	"math"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// HexOptions shape the hexagon gap map.
type HexOptions struct {
	// SizeKm is the hexagons' edge length (their circumradius); default 2.
	SizeKm float64
	// Month (1–12) maps the month's uncovered output; 0 maps the year's.
	Month int
}

// Validate checks the options.
func (o *HexOptions) Validate() error {
	if o.SizeKm == 0 {
		o.SizeKm = 2
	}
	if !(o.SizeKm >= 0.1 && o.SizeKm <= 100) {
		return derrors.Invalid("hex_km: want 0.1 to 100 km, got %v", o.SizeKm)
	}
	if o.Month < 0 || o.Month > 12 {
		return derrors.Invalid("month: want 1 to 12, got %d", o.Month)
	}
	return nil
}

// Hexagons returns the uncovered output of rep's producers on a hexagon
// grid as a JSON array of GeoJSON Features (properties: uncovered_t,
// producers, by_class), largest gap first. The grid is built by
// ST_HexagonGrid in the UTM zone of the producers, so that sizes are true
// metres, and each producer counts in exactly one hexagon.
func Hexagons(ctx context.Context, pool *pgxpool.Pool, d *Data, rep *Report, opt HexOptions) (json.RawMessage, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	var ids, classes []string
	var tonnes []float64
	for _, a := range rep.Producers {
		if a.Covered {
			continue
		}
		t := a.OutputT
		if opt.Month > 0 {
			t *= d.Producers[a.Index].Harvest[opt.Month-1]
		}
		if t <= 0 || math.IsNaN(t) {
			continue
		}
		ids = append(ids, a.ID)
		classes = append(classes, a.Class)
		tonnes = append(tonnes, t)
	}
	if len(ids) == 0 {
		return json.RawMessage("[]"), nil
	}
	var out string
	err := pool.QueryRow(ctx, `
		WITH u AS (
		  SELECT t.id, t.class, t.tonnes, p.geom
		    FROM unnest($1::text[], $2::text[], $3::float8[]) AS t(id, class, tonnes)
		    JOIN producer p ON p.id = t.id),
		z AS (
		  SELECT 32601 + floor((ST_X(c) + 180) / 6)::int + CASE WHEN ST_Y(c) < 0 THEN 100 ELSE 0 END AS srid
		    FROM (SELECT ST_Centroid(ST_Collect(geom)) AS c FROM u) x),
		pts AS (SELECT u.id, u.class, u.tonnes, ST_Transform(u.geom, z.srid) AS g, z.srid FROM u, z),
		grid AS (
		  SELECT h.geom, h.i, h.j
		    FROM z, ST_HexagonGrid($4, ST_SetSRID((SELECT ST_Extent(g) FROM pts)::geometry, z.srid)) AS h),
		hit AS (
		  SELECT DISTINCT ON (pts.id) pts.id, pts.class, pts.tonnes, grid.i, grid.j, grid.geom
		    FROM pts JOIN grid ON ST_Intersects(grid.geom, pts.g)
		   ORDER BY pts.id, grid.i, grid.j),
		by_class AS (SELECT i, j, class, sum(tonnes) AS t FROM hit GROUP BY i, j, class),
		cell AS (
		  SELECT i, j, (array_agg(geom))[1] AS geom, sum(tonnes) AS t, count(*) AS n FROM hit GROUP BY i, j)
		SELECT coalesce(json_agg(json_build_object(
		         'type', 'Feature',
		         'id', cell.i || '_' || cell.j,
		         'geometry', ST_AsGeoJSON(ST_Transform(cell.geom, 4326), 6)::json,
		         'properties', json_build_object(
		           'uncovered_t', round(cell.t::numeric, 2),
		           'producers', cell.n,
		           'by_class', (SELECT json_object_agg(b.class, round(b.t::numeric, 2) ORDER BY b.t DESC)
		                          FROM by_class b WHERE b.i = cell.i AND b.j = cell.j)))
		         ORDER BY cell.t DESC, cell.i, cell.j), '[]')::text
		  FROM cell`, ids, classes, tonnes, opt.SizeKm*1000).Scan(&out)
	if err != nil {
		return nil, postgres.Translate(err, "gap hexagons")
	}
	return json.RawMessage(out), nil
}

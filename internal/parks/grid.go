package parks

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// cell is one hexagon of the grid as PostGIS shaped it.
type cell struct {
	ID       string // "i_j", ST_HexagonGrid's indices
	Geom     string // GeoJSON of the hexagon clipped to the region (WGS84)
	LandKm2  float64
	FreeKm2  float64  // land outside the exclusion zones that apply
	Zones    []string // ids of those zones that cut the cell
	FarmFree float64  // share of the land outside basic farmland

	// Where a park in this cell would go (only for cells with land to
	// spare): a construction-land candidate site, else the centre when it
	// is free, else the free point furthest from the zones.
	HasSite      bool
	Site         access.Point
	X, Y         float64 // the site in UTM metres
	Candidate    string
	SiteKind     string // candidate|centre|inscribed
	Township     string // code of the township holding the site
	TownshipName string

	RoadKm, TownKm, ParkKm          float64 // -1: nothing of the kind
	RoadName, NearestTown, ParkName string
}

// townshipPart is how much of a cell lies in a township.
type townshipPart struct {
	Cell             int
	Code, Name       string
	LandKm2, FreeKm2 float64
}

// grid is what PostGIS computed for a run.
type grid struct {
	SRID      int
	Cells     []cell
	Parts     []townshipPart
	Roads     bool // a road table with main roads exists
	RoadNote  string
	Towns     bool
	Parks     bool
	Townships map[string]string // code -> name
}

// parkLikeTypes are the facilities a new park spreads from or co-locates with.
var parkLikeTypes = []string{"processing_park", "science_park", "demonstration_park", "collection_centre"}

// buildGrid lays the hexagon grid over the region in its UTM zone, clips it
// to the region, subtracts the exclusion zones that apply to the tier,
// places a site in every cell with at least minArea km² free, and measures
// each site's distance to main roads, towns and existing parks.
func buildGrid(ctx context.Context, pool *pgxpool.Pool, req *Request) (*grid, error) {
	g := &grid{Townships: map[string]string{}}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, phase := range []func(context.Context, pgx.Tx, *Request) error{
			g.area, zonesAndCandidates, hexCells, cellSites, g.readCells, g.nearest, g.townships,
		} {
			if err := phase(ctx, tx, req); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, postgres.Translate(err, "suitability grid")
	}
	return g, nil
}

// area makes the temporary table parks_area: the region's polygon (or the
// top-level polygons) in WGS84 and in its UTM zone, whose SRID it keeps.
func (g *grid) area(ctx context.Context, tx pgx.Tx, req *Request) error {
	// The area: the region's polygon, or the top-level polygons.
	tag, err := tx.Exec(ctx, `
		CREATE TEMP TABLE parks_area ON COMMIT DROP AS
		WITH area AS (
		  SELECT ST_Union(coalesce(area, geom)) AS g FROM region
		   WHERE GeometryType(coalesce(area, geom)) = 'MULTIPOLYGON'
		     AND CASE WHEN $1 = '' THEN length(code) = (SELECT min(length(code)) FROM region WHERE GeometryType(coalesce(area, geom)) = 'MULTIPOLYGON')
		              ELSE code = $1 END)
		SELECT g AS g4326, srid, ST_Transform(g, srid) AS g
		  FROM area, LATERAL (SELECT 32601 + floor((ST_X(ST_Centroid(g)) + 180) / 6)::int
		                             + CASE WHEN ST_Y(ST_Centroid(g)) < 0 THEN 100 ELSE 0 END AS srid) z
		 WHERE g IS NOT NULL`, req.Region)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		if req.Region == "" {
			return derrors.Invalid("the database has no region polygons to lay a grid over: import regions first")
		}
		return derrors.NotFound("region %q has no polygon to lay a grid over", req.Region)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT srid, ceil(ST_Area(g) / (3 * sqrt(3) / 2 * $1 * $1))::int FROM parks_area`, req.HexKm*1000).Scan(&g.SRID, &n); err != nil {
		return err
	}
	if n > maxCells {
		return derrors.Invalid("hex_km: %.2f km hexagons would make about %d cells over the region (at most %d): use larger hexagons", req.HexKm, n, maxCells)
	}
	return nil
}

// zonesAndCandidates makes parks_zone and parks_cand: the exclusion zones
// in the UTM zone (applies: they forbid the tier) and the construction-land
// candidate sites.
func zonesAndCandidates(ctx context.Context, tx pgx.Tx, req *Request) error {
	_, err := tx.Exec(ctx, `
		CREATE TEMP TABLE parks_zone ON COMMIT DROP AS
		SELECT x.id, x.kind, $1 = ANY(x.applies_to_tiers) AS applies, ST_Transform(x.geom, a.srid) AS g
		  FROM exclusion_zone x, parks_area a
		 WHERE ST_Intersects(x.geom, a.g4326)`, req.Tier)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `
		CREATE TEMP TABLE parks_cand ON COMMIT DROP AS
		SELECT s.id, ST_Transform(s.geom, a.srid) AS g
		  FROM candidate_site s, parks_area a
		 WHERE s.land_use = 'construction' AND ST_Intersects(s.geom, a.g4326);
		CREATE INDEX ON parks_zone USING gist (g);
		CREATE INDEX ON parks_cand USING gist (g);
		ANALYZE parks_zone; ANALYZE parks_cand`)
	if err != nil {
		return err
	}
	return nil
}

// hexCells makes parks_cell: hexagons clipped to the area; free = land
// minus the zones that apply to the tier; farm_free = share outside basic
// farmland.
func hexCells(ctx context.Context, tx pgx.Tx, req *Request) error {
	// Cells: hexagons clipped to the area; free = land minus the zones
	// that apply to the tier; farm_free = share outside basic farmland.
	// The area and the zones' unions enter as scalar subqueries:
	// computed once and kept in memory (a column of a joined table would
	// be read and decompressed again for every hexagon).
	_, err := tx.Exec(ctx, `
		CREATE TEMP TABLE parks_cell ON COMMIT DROP AS
		WITH hex AS MATERIALIZED (
		  SELECT h.i, h.j, ST_Centroid(h.geom) AS centre,
		         CASE WHEN ST_Within(h.geom, (SELECT g FROM parks_area)) THEN h.geom
		              ELSE ST_CollectionExtract(ST_Intersection(h.geom, (SELECT g FROM parks_area)), 3) END AS land
		    FROM ST_HexagonGrid($1, (SELECT g FROM parks_area)) AS h
		   WHERE ST_Intersects(h.geom, (SELECT g FROM parks_area)))
		SELECT (row_number() OVER (ORDER BY i, j) - 1)::int AS idx, i || '_' || j AS id, centre, land,
		       CASE WHEN ST_Intersects(land, (SELECT ST_Union(g) FROM parks_zone WHERE applies))
		            THEN ST_CollectionExtract(ST_Difference(land, (SELECT ST_Union(g) FROM parks_zone WHERE applies)), 3)
		            ELSE land END AS free,
		       CASE WHEN ST_Intersects(land, (SELECT ST_Union(g) FROM parks_zone WHERE kind = 'basic_farmland'))
		            THEN ST_Area(ST_Difference(land, (SELECT ST_Union(g) FROM parks_zone WHERE kind = 'basic_farmland')))
		            ELSE ST_Area(land) END / ST_Area(land) AS farm_free
		  FROM hex
		 WHERE ST_Area(land) > 0`, req.HexKm*1000)
	if err != nil {
		return err
	}
	return nil
}

// cellSites makes parks_site: the site of every cell with enough free land.
func cellSites(ctx context.Context, tx pgx.Tx, req *Request) error {
	// Sites: a construction-land candidate in the free part (nearest the
	// centre), else the centre when free, else the centre of the largest
	// circle inscribed in the free part.
	_, err := tx.Exec(ctx, `
		CREATE TEMP TABLE parks_site ON COMMIT DROP AS
		SELECT c.idx, k.id AS candidate,
		       CASE WHEN k.id IS NOT NULL THEN 'candidate'
		            WHEN ST_Intersects(c.free, c.centre) THEN 'centre' ELSE 'inscribed' END AS kind,
		       CASE WHEN k.id IS NOT NULL THEN k.g
		            WHEN ST_Intersects(c.free, c.centre) THEN c.centre
		            ELSE (ST_MaximumInscribedCircle(c.free)).center END AS site
		  FROM parks_cell c
		  LEFT JOIN LATERAL (
		    SELECT s.id, s.g FROM parks_cand s
		     WHERE ST_Intersects(s.g, c.free)
		     ORDER BY ST_Distance(s.g, c.centre), s.id
		     LIMIT 1) k ON true
		 WHERE ST_Area(c.free) >= $1`, req.MinAreaKm2*1e6)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE parks_site ADD pt geometry;
		UPDATE parks_site SET pt = ST_Transform(site, 4326);
		CREATE INDEX ON parks_site (idx); ANALYZE parks_site; ANALYZE parks_cell`); err != nil {
		return err
	}
	return nil
}

// readCells reads the cells with their sites and townships into g.
func (g *grid) readCells(ctx context.Context, tx pgx.Tx, req *Request) error {
	rows, err := tx.Query(ctx, `
		SELECT c.id, ST_AsGeoJSON(ST_Transform(c.land, 4326), 6), ST_Area(c.land) / 1e6, ST_Area(c.free) / 1e6, c.farm_free,
		       coalesce((SELECT array_agg(z.id ORDER BY z.id) FROM parks_zone z
		                  WHERE z.applies AND ST_Intersects(z.g, c.land)), '{}'),
		       s.idx IS NOT NULL, coalesce(ST_X(s.pt), 0), coalesce(ST_Y(s.pt), 0),
		       coalesce(ST_X(s.site), 0), coalesce(ST_Y(s.site), 0), coalesce(s.candidate, ''), coalesce(s.kind, ''),
		       coalesce(t.code, ''), coalesce(t.name, '')
		  FROM parks_cell c
		  LEFT JOIN parks_site s ON s.idx = c.idx
		  LEFT JOIN LATERAL (
		    SELECT r.code, r.name FROM region r
		     WHERE s.idx IS NOT NULL AND r.level = 'township' AND GeometryType(coalesce(r.area, r.geom)) = 'MULTIPOLYGON'
		       AND ST_Intersects(coalesce(r.area, r.geom), s.pt)
		     ORDER BY r.code LIMIT 1) t ON true
		 ORDER BY c.idx`)
	if err != nil {
		return err
	}
	var c cell
	_, err = pgx.ForEachRow(rows, []any{&c.ID, &c.Geom, &c.LandKm2, &c.FreeKm2, &c.FarmFree, &c.Zones,
		&c.HasSite, &c.Site.Lon, &c.Site.Lat, &c.X, &c.Y, &c.Candidate, &c.SiteKind, &c.Township, &c.TownshipName}, func() error {
		cc := c
		cc.RoadKm, cc.TownKm, cc.ParkKm = -1, -1, -1
		g.Cells = append(g.Cells, cc)
		return nil
	})
	if err != nil {
		return err
	}
	if len(g.Cells) == 0 {
		return derrors.Invalid("the region is too small for one %.2f km hexagon", req.HexKm)
	}
	return nil
}

// nearest measures each site's geodesic distance to the nearest main road,
// town and existing park. Candidates come from the GiST index (<->, in
// degrees), and the closest of the few nearest by geodesic distance wins.
func (g *grid) nearest(ctx context.Context, tx pgx.Tx, req *Request) error {
	scan := func(sql string, set func(c *cell, km float64, name string), args ...any) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		var idx int
		var km float64
		var name string
		_, err = pgx.ForEachRow(rows, []any{&idx, &km, &name}, func() error {
			set(&g.Cells[idx], km, name)
			return nil
		})
		return err
	}
	// Towns: the points of settlements that are towns or the county seat.
	if err := scan(`
		SELECT s.idx, k.km, k.name FROM parks_site s
		CROSS JOIN LATERAL (
		  SELECT ST_Distance(ST_PointOnSurface(r.geom)::geography, s.pt::geography) / 1000 AS km, r.name
		    FROM (SELECT geom, name, code FROM region WHERE settlement IN ('town', 'county_seat')
		           ORDER BY geom <-> s.pt LIMIT 5) r
		   ORDER BY 1, r.code LIMIT 1) k`,
		func(c *cell, km float64, name string) { c.TownKm, c.NearestTown = km, name }); err != nil {
		return err
	}
	// Existing parks and collection centres (built or being built).
	if err := scan(`
		SELECT s.idx, k.km, k.name FROM parks_site s
		CROSS JOIN LATERAL (
		  SELECT ST_Distance(f.geom::geography, s.pt::geography) / 1000 AS km, f.name || ' (' || f.facility_type || ')' AS name
		    FROM (SELECT id, geom, name, facility_type FROM facility
		           WHERE facility_type = ANY($1) AND status IN ('existing', 'under_construction')
		           ORDER BY geom <-> s.pt LIMIT 5) f
		   ORDER BY 1, f.id LIMIT 1) k`,
		func(c *cell, km float64, name string) { c.ParkKm, c.ParkName = km, name }, parkLikeTypes); err != nil {
		return err
	}
	// Main roads, when a road network is loaded.
	var hasRoads bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass('road') IS NOT NULL
		AND (SELECT count(*) = 3 FROM information_schema.columns
		      WHERE table_name = 'road' AND table_schema = current_schema() AND column_name IN ('highway', 'name', 'geom'))`).Scan(&hasRoads); err != nil {
		return err
	}
	if !hasRoads {
		g.RoadNote = "no road network is loaded (coldchain import roads FILE): the main-road criterion is left out"
	} else {
		var all, main int
		if err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE highway = ANY($1)) FROM road`, req.MainRoads).Scan(&all, &main); err != nil {
			return err
		}
		if all == 0 {
			g.RoadNote = "no road network is loaded (coldchain import roads FILE): the main-road criterion is left out"
		} else if main == 0 {
			g.RoadNote = fmt.Sprintf("the road network has no main roads (%s): the main-road criterion is left out", strings.Join(req.MainRoads, ", "))
		} else {
			g.Roads = true
			if err := scan(`
				SELECT s.idx, k.km, k.name FROM parks_site s
				CROSS JOIN LATERAL (
				  SELECT ST_Distance(r.geom::geography, s.pt::geography) / 1000 AS km,
				         CASE WHEN r.name <> '' THEN r.name || ', ' || r.highway ELSE r.highway END AS name
				    FROM (SELECT geom, name, highway FROM road WHERE highway = ANY($1)
				           ORDER BY geom <-> s.pt LIMIT 5) r
				   ORDER BY 1 LIMIT 1) k`,
				func(c *cell, km float64, name string) { c.RoadKm, c.RoadName = km, name }, req.MainRoads); err != nil {
				return err
			}
		}
	}
	for _, c := range g.Cells {
		if c.HasSite {
			g.Towns = g.Towns || c.TownKm >= 0
			g.Parks = g.Parks || c.ParkKm >= 0
		}
	}
	return nil
}

// townships splits every cell's land and free land among the townships of
// the region.
func (g *grid) townships(ctx context.Context, tx pgx.Tx, req *Request) error {
	rows, err := tx.Query(ctx, `
		WITH t AS MATERIALIZED (
		  SELECT r.code, r.name, ST_Transform(coalesce(r.area, r.geom), a.srid) AS g
		    FROM region r, parks_area a
		   WHERE r.level = 'township' AND GeometryType(coalesce(r.area, r.geom)) = 'MULTIPOLYGON'
		     AND ($1 = '' OR coldchain_within(r.code, $1)) AND ST_Intersects(coalesce(r.area, r.geom), a.g4326))
		SELECT c.idx, t.code, t.name,
		       ST_Area(CASE WHEN ST_Within(c.land, t.g) THEN c.land ELSE ST_Intersection(c.land, t.g) END) / 1e6,
		       ST_Area(CASE WHEN ST_Within(c.free, t.g) THEN c.free ELSE ST_Intersection(c.free, t.g) END) / 1e6
		  FROM parks_cell c JOIN t ON ST_Intersects(t.g, c.land)
		 ORDER BY c.idx, t.code`, req.Region)
	if err != nil {
		return err
	}
	var p townshipPart
	_, err = pgx.ForEachRow(rows, []any{&p.Cell, &p.Code, &p.Name, &p.LandKm2, &p.FreeKm2}, func() error {
		if p.LandKm2 > 1e-9 {
			g.Parts = append(g.Parts, p)
			g.Townships[p.Code] = p.Name
		}
		return nil
	})
	return err
}

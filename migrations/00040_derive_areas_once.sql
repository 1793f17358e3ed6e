-- +goose Up
-- Derived areas at province scale. PostgreSQL inlines a CTE referenced
-- once, and its row estimates for CTE scans are tiny, so the update joined
-- every point with every point and looked up a Voronoi cell for each pair
-- (n² lookups, each scanning all cells): 750 villages took more than ten
-- minutes. The same function with its intermediate results computed once
-- (MATERIALIZED) takes about a second; its results are unchanged.

-- coldchain_derive_areas recomputes every derived area and returns how many
-- point regions have one. A point region's parent is its parent_code when
-- that region has an area, else the smallest region area with a shorter
-- code containing the point. A point with no parent area, or whose cell
-- misses the parent, keeps no area.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION coldchain_derive_areas() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  lvl text;
  n integer;
BEGIN
  FOREACH lvl IN ARRAY ARRAY['province','prefecture','county','township','village'] LOOP
    WITH kid AS (
      SELECT c.code, c.geom AS pt, coalesce(
        (SELECT p.code FROM region p
          WHERE p.code = c.parent_code AND GeometryType(coalesce(p.area, p.geom)) = 'MULTIPOLYGON'),
        (SELECT p.code FROM region p
          WHERE length(p.code) < length(c.code) AND ST_Intersects(coalesce(p.area, p.geom), c.geom)
            AND GeometryType(coalesce(p.area, p.geom)) = 'MULTIPOLYGON'
          ORDER BY length(p.code) DESC, p.code LIMIT 1)) AS parent
        FROM region c
       WHERE c.level = lvl AND GeometryType(c.geom) = 'POINT'),
    -- The parent's area left to the point children: minus siblings given
    -- as polygons. The Voronoi diagram is built in the parent's UTM zone;
    -- its cells are clipped in WGS84, so that the areas tile the parent.
    free AS MATERIALIZED (
      SELECT p.code, z.srid, coalesce(ST_Difference(coalesce(p.area, p.geom),
               (SELECT ST_Union(s.geom) FROM region s
                 WHERE s.parent_code = p.code AND GeometryType(s.geom) = 'MULTIPOLYGON')),
               coalesce(p.area, p.geom)) AS g
        FROM region p, LATERAL (SELECT coldchain_utm_srid(coalesce(p.area, p.geom)) AS srid) z
       WHERE p.code IN (SELECT parent FROM kid)),
    cell AS MATERIALIZED (
      SELECT f.code AS parent, f.srid, f.g,
             CASE WHEN count(*) = 1 THEN f.g
                  ELSE ST_Transform(ST_VoronoiPolygons(ST_Collect(ST_Transform(k.pt, f.srid)), 0,
                                                       ST_Expand(ST_Transform(f.g, f.srid), 1000)), 4326) END AS cells
        FROM free f JOIN kid k ON k.parent = f.code
       GROUP BY f.code, f.srid, f.g),
    piece AS MATERIALIZED (
      SELECT c.parent, c.g, d.geom AS cell
        FROM cell c, LATERAL ST_Dump(c.cells) d),
    area AS MATERIALIZED (
      SELECT k.code, (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(p.cell, p.g)), 3))
                        FROM piece p
                       WHERE p.parent = k.parent AND ST_Intersects(p.cell, k.pt)
                       ORDER BY ST_Area(p.cell) LIMIT 1) AS g
        FROM kid k)
    UPDATE region r
       SET area = CASE WHEN a.g IS NULL OR ST_IsEmpty(a.g) THEN NULL ELSE a.g END
      FROM (SELECT k.code, a.g FROM kid k LEFT JOIN area a ON a.code = k.code) a
     WHERE r.code = a.code
       AND r.area IS DISTINCT FROM (CASE WHEN a.g IS NULL OR ST_IsEmpty(a.g) THEN NULL ELSE a.g END);
  END LOOP;
  SELECT count(*) INTO n FROM region WHERE area IS NOT NULL;
  RETURN n;
END $$;
-- +goose StatementEnd

-- +goose Down
-- coldchain_derive_areas recomputes every derived area and returns how many
-- point regions have one. A point region's parent is its parent_code when
-- that region has an area, else the smallest region area with a shorter
-- code containing the point. A point with no parent area, or whose cell
-- misses the parent, keeps no area.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION coldchain_derive_areas() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  lvl text;
  n integer;
BEGIN
  FOREACH lvl IN ARRAY ARRAY['province','prefecture','county','township','village'] LOOP
    WITH kid AS (
      SELECT c.code, c.geom AS pt, coalesce(
        (SELECT p.code FROM region p
          WHERE p.code = c.parent_code AND GeometryType(coalesce(p.area, p.geom)) = 'MULTIPOLYGON'),
        (SELECT p.code FROM region p
          WHERE length(p.code) < length(c.code) AND ST_Intersects(coalesce(p.area, p.geom), c.geom)
            AND GeometryType(coalesce(p.area, p.geom)) = 'MULTIPOLYGON'
          ORDER BY length(p.code) DESC, p.code LIMIT 1)) AS parent
        FROM region c
       WHERE c.level = lvl AND GeometryType(c.geom) = 'POINT'),
    -- The parent's area left to the point children: minus siblings given
    -- as polygons. The Voronoi diagram is built in the parent's UTM zone;
    -- its cells are clipped in WGS84, so that the areas tile the parent.
    free AS (
      SELECT p.code, z.srid, coalesce(ST_Difference(coalesce(p.area, p.geom),
               (SELECT ST_Union(s.geom) FROM region s
                 WHERE s.parent_code = p.code AND GeometryType(s.geom) = 'MULTIPOLYGON')),
               coalesce(p.area, p.geom)) AS g
        FROM region p, LATERAL (SELECT coldchain_utm_srid(coalesce(p.area, p.geom)) AS srid) z
       WHERE p.code IN (SELECT parent FROM kid)),
    cell AS (
      SELECT f.code AS parent, f.srid, f.g,
             CASE WHEN count(*) = 1 THEN f.g
                  ELSE ST_Transform(ST_VoronoiPolygons(ST_Collect(ST_Transform(k.pt, f.srid)), 0,
                                                       ST_Expand(ST_Transform(f.g, f.srid), 1000)), 4326) END AS cells
        FROM free f JOIN kid k ON k.parent = f.code
       GROUP BY f.code, f.srid, f.g),
    piece AS (
      SELECT c.parent, c.g, d.geom AS cell
        FROM cell c, LATERAL ST_Dump(c.cells) d),
    area AS (
      SELECT k.code, (SELECT ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Intersection(p.cell, p.g)), 3))
                        FROM piece p
                       WHERE p.parent = k.parent AND ST_Intersects(p.cell, k.pt)
                       ORDER BY ST_Area(p.cell) LIMIT 1) AS g
        FROM kid k)
    UPDATE region r
       SET area = CASE WHEN a.g IS NULL OR ST_IsEmpty(a.g) THEN NULL ELSE a.g END
      FROM (SELECT k.code, a.g FROM kid k LEFT JOIN area a ON a.code = k.code) a
     WHERE r.code = a.code
       AND r.area IS DISTINCT FROM (CASE WHEN a.g IS NULL OR ST_IsEmpty(a.g) THEN NULL ELSE a.g END);
  END LOOP;
  SELECT count(*) INTO n FROM region WHERE area IS NOT NULL;
  RETURN n;
END $$;
-- +goose StatementEnd


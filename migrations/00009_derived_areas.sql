-- +goose Up
-- Derived areas of regions known only by a point. Township and village
-- boundaries are rarely public in China; their points are. A point region
-- gets as its area the part of its parent's area nearer to it than to its
-- sibling points (a Voronoi cell clipped to the parent, in the parent's UTM
-- zone so that "nearer" is in metres), minus the siblings given as
-- polygons. The given point stays in geom; the area is stored in area and
-- the region is derived. Areas are recomputed after every statement that
-- changes regions, parents before children (a village's parent may itself
-- be a derived township).

ALTER TABLE region
  ADD COLUMN area geometry(MultiPolygon, 4326) CHECK (ST_IsValid(area)),
  -- Only a point region has a derived area.
  ADD CONSTRAINT region_area_of_point CHECK (area IS NULL OR GeometryType(geom) = 'POINT'),
  ADD COLUMN derived boolean GENERATED ALWAYS AS (area IS NOT NULL) STORED;
CREATE INDEX region_area_idx ON region USING gist (area);

-- A region given (again) as a polygon has no derived area.
-- +goose StatementBegin
CREATE FUNCTION coldchain_region_given() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF GeometryType(NEW.geom) <> 'POINT' THEN
    NEW.area := NULL;
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER region_given BEFORE INSERT OR UPDATE OF geom ON region
  FOR EACH ROW EXECUTE FUNCTION coldchain_region_given();

-- The UTM zone (EPSG 326xx north, 327xx south) of a geometry's centroid.
CREATE FUNCTION coldchain_utm_srid(g geometry) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT 32601 + least(59, floor((ST_X(ST_Centroid(g)) + 180) / 6)::int)
         + CASE WHEN ST_Y(ST_Centroid(g)) < 0 THEN 100 ELSE 0 END
$$;

-- The smallest region area (given polygon or derived) containing g's point
-- on surface.
CREATE OR REPLACE FUNCTION coldchain_region_of(g geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT code FROM (
    SELECT r.code FROM region r
     WHERE GeometryType(r.geom) = 'MULTIPOLYGON' AND ST_Intersects(r.geom, ST_PointOnSurface(g))
    UNION ALL
    SELECT r.code FROM region r WHERE ST_Intersects(r.area, ST_PointOnSurface(g))) c
  ORDER BY length(code) DESC, code
  LIMIT 1
$$;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION coldchain_set_region() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE pt geometry;
BEGIN
  IF NEW.region_code IS NULL OR TG_OP = 'UPDATE' THEN
    pt := ST_PointOnSurface(NEW.geom);
    SELECT code INTO NEW.region_code FROM (
      SELECT r.code FROM region r
       WHERE GeometryType(r.geom) = 'MULTIPOLYGON' AND ST_Intersects(r.geom, pt)
      UNION ALL
      SELECT r.code FROM region r WHERE ST_Intersects(r.area, pt)) c
     ORDER BY length(code) DESC, code
     LIMIT 1;
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd

-- coldchain_derive_areas recomputes every derived area and returns how many
-- point regions have one. A point region's parent is its parent_code when
-- that region has an area, else the smallest region area with a shorter
-- code containing the point. A point with no parent area, or whose cell
-- misses the parent, keeps no area.
-- +goose StatementBegin
CREATE FUNCTION coldchain_derive_areas() RETURNS integer
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

-- After any statement that changes regions (but not the recomputation's
-- own updates), recompute the derived areas.
-- +goose StatementBegin
CREATE FUNCTION coldchain_regions_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() = 1 THEN
    PERFORM coldchain_derive_areas();
  END IF;
  RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER region_derive_areas AFTER INSERT OR UPDATE OR DELETE ON region
  FOR EACH STATEMENT EXECUTE FUNCTION coldchain_regions_changed();

-- The regions' output: derived says the area was derived from the point
-- (area_km2 is then the derived area's).
CREATE OR REPLACE VIEW region_feature AS
  SELECT code, name, level, parent_code, key_county, poverty_exit, population, settlement,
         CASE WHEN GeometryType(coalesce(area, geom)) = 'MULTIPOLYGON'
              THEN round((ST_Area(coalesce(area, geom)::geography) / 1e6)::numeric, 3) END AS area_km2,
         geom, derived
    FROM region;

-- Every region with an area, given or derived: what maps draw and GIS
-- clients read as boundaries.
CREATE VIEW region_area_feature AS
  SELECT code, name, level, parent_code, derived,
         round((ST_Area(g::geography) / 1e6)::numeric, 3) AS area_km2, g AS geom
    FROM (SELECT code, name, level, parent_code, derived, coalesce(area, geom) AS g FROM region) r
   WHERE GeometryType(g) = 'MULTIPOLYGON';

-- +goose Down
DROP VIEW region_area_feature, region_feature;
DROP TRIGGER region_derive_areas ON region;
DROP TRIGGER region_given ON region;
DROP FUNCTION coldchain_regions_changed, coldchain_derive_areas, coldchain_region_given;
CREATE OR REPLACE FUNCTION coldchain_region_of(g geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT r.code FROM region r
   WHERE GeometryType(r.geom) = 'MULTIPOLYGON'
     AND ST_Intersects(r.geom, ST_PointOnSurface(g))
   ORDER BY length(r.code) DESC, r.code
   LIMIT 1
$$;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION coldchain_set_region() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.region_code IS NULL OR TG_OP = 'UPDATE' THEN
    SELECT r.code INTO NEW.region_code FROM region r
     WHERE GeometryType(r.geom) = 'MULTIPOLYGON'
       AND ST_Intersects(r.geom, ST_PointOnSurface(NEW.geom))
     ORDER BY length(r.code) DESC, r.code
     LIMIT 1;
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
DROP FUNCTION coldchain_utm_srid;
ALTER TABLE region DROP COLUMN derived, DROP COLUMN area;
CREATE VIEW region_feature AS
  SELECT code, name, level, parent_code, key_county, poverty_exit, population, settlement,
         CASE WHEN GeometryType(geom) = 'MULTIPOLYGON' THEN round((ST_Area(geom::geography) / 1e6)::numeric, 3) END AS area_km2,
         geom
    FROM region;

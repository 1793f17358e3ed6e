-- +goose Up
-- Road network for travel times (docs/design.md#domain-model): edges with travel time
-- in minutes and pgRouting topology (source/target vertices, cost and
-- reverse_cost; a oneway edge is stored in its direction of travel with
-- reverse_cost -1). An import replaces the whole network in one transaction.

CREATE EXTENSION IF NOT EXISTS pgrouting;

CREATE TABLE road_vertex (
  id   bigint PRIMARY KEY CHECK (id > 0),
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX road_vertex_geom_idx ON road_vertex USING gist (geom);

CREATE TABLE road (
  id           bigint PRIMARY KEY CHECK (id > 0),
  -- Where the edge came from: "way/123" (OpenStreetMap) or a GeoJSON feature id.
  way          text NOT NULL,
  name         text NOT NULL DEFAULT '',
  ref          text NOT NULL DEFAULT '',
  highway      text NOT NULL CHECK (highway ~ '^[a-z_]{1,40}$'),
  oneway       boolean NOT NULL DEFAULT false,
  maxspeed_kmh double precision CHECK (maxspeed_kmh > 0),
  speed_kmh    double precision NOT NULL CHECK (speed_kmh > 0 AND speed_kmh <= 200),
  length_m     double precision NOT NULL CHECK (length_m > 0),
  -- Travel time, and pgRouting's costs derived from it so they cannot disagree.
  minutes      double precision GENERATED ALWAYS AS (length_m / 1000 / speed_kmh * 60) STORED,
  cost         double precision GENERATED ALWAYS AS (length_m / 1000 / speed_kmh * 60) STORED,
  reverse_cost double precision GENERATED ALWAYS AS (CASE WHEN oneway THEN -1 ELSE length_m / 1000 / speed_kmh * 60 END) STORED,
  source       bigint NOT NULL REFERENCES road_vertex (id),
  target       bigint NOT NULL REFERENCES road_vertex (id),
  region_code  text,
  geom         geometry(LineString, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX road_geom_idx ON road USING gist (geom);
-- pgRouting and graph loads join edges to vertices both ways.
CREATE INDEX road_source_idx ON road (source);
CREATE INDEX road_target_idx ON road (target);
CREATE INDEX road_region_idx ON road (region_code text_pattern_ops);

-- One row describing the loaded network. version changes whenever road
-- changes (trigger below), so that in-memory graphs know they are stale.
CREATE TABLE road_network (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version     bigint NOT NULL DEFAULT 0,
  source      text,
  imported_at timestamptz,
  speeds      jsonb,
  stats       jsonb,
  -- What road_service_area was computed for (network version, facilities,
  -- thresholds); a different key means the stored areas are stale.
  areas_key   text
);
INSERT INTO road_network DEFAULT VALUES;

-- +goose StatementBegin
CREATE FUNCTION coldchain_road_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE road_network SET version = version + 1;
  RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER road_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON road
  FOR EACH STATEMENT EXECUTE FUNCTION coldchain_road_changed();

-- GeoJSON properties of the roads layer.
CREATE VIEW road_feature AS
  SELECT id, way, name, ref, highway, oneway, maxspeed_kmh, speed_kmh,
         round(length_m::numeric, 1) AS length_m, round(minutes::numeric, 3) AS minutes,
         source, target, region_code, geom
    FROM road;

-- Service areas (nested isochrones) of facilities at the default thresholds,
-- kept for the service_areas tile layer; refreshed after road imports and
-- when read through the API after roads or facilities changed.
CREATE TABLE road_service_area (
  facility_id   text NOT NULL,
  minutes       double precision NOT NULL CHECK (minutes > 0),
  name          text NOT NULL DEFAULT '',
  facility_type text NOT NULL DEFAULT '',
  area_km2      double precision NOT NULL,
  geom          geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom)),
  PRIMARY KEY (facility_id, minutes)
);
CREATE INDEX road_service_area_geom_idx ON road_service_area USING gist (geom);

-- +goose Down
DROP TABLE road_service_area;
DROP VIEW road_feature;
DROP TRIGGER road_changed ON road;
DROP FUNCTION coldchain_road_changed;
DROP TABLE road_network, road, road_vertex;

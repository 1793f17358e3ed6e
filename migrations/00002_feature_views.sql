-- +goose Up
-- One view per layer shapes its GeoJSON properties; the API, exports and
-- OGC API Features read through them (ST_AsGeoJSON(record) puts every
-- non-geometry column into properties).

CREATE VIEW region_feature AS
  SELECT code, name, level, parent_code, key_county, poverty_exit, population, settlement,
         CASE WHEN GeometryType(geom) = 'MULTIPOLYGON' THEN round((ST_Area(geom::geography) / 1e6)::numeric, 3) END AS area_km2,
         geom
    FROM region;

CREATE VIEW producer_feature AS
  SELECT id, name, operator_type, product_class, annual_output_t, harvest_months, region_code, geom
    FROM producer;

-- capacity_t: tonnes per temperature zone, zones without capacity left out.
CREATE VIEW facility_feature AS
  SELECT id, name, facility_type, tier, status,
         jsonb_strip_nulls(jsonb_build_object(
           'frozen',  NULLIF(capacity_frozen_t, 0),
           'chilled', NULLIF(capacity_chilled_t, 0),
           'ca',      NULLIF(capacity_ca_t, 0),
           'cool',    NULLIF(capacity_cool_t, 0),
           'ambient', NULLIF(capacity_ambient_t, 0))) AS capacity_t,
         product_classes, build_cost, region_code, geom
    FROM facility;

CREATE VIEW candidate_site_feature AS
  SELECT id, name, allowed_tiers, allowed_types, build_cost, land_use, source, region_code, geom
    FROM candidate_site;

CREATE VIEW exclusion_zone_feature AS
  SELECT id, name, kind, applies_to_tiers, region_code, geom
    FROM exclusion_zone;

-- +goose Down
DROP VIEW exclusion_zone_feature, candidate_site_feature, facility_feature, producer_feature, region_feature;

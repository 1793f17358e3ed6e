-- +goose Up
-- coldchain schema: administrative regions, producers, facilities, candidate
-- sites, exclusion zones, plans, and the product-class parameter table.
-- Storage is WGS84 (SRID 4326); every layer row carries region_code so the
-- data can be distributed by province (Citus) without schema changes.

CREATE EXTENSION IF NOT EXISTS postgis;

-- Twelve monthly shares, none negative, summing to 1 within 0.001.
CREATE FUNCTION coldchain_shares_ok(s double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT cardinality(s) = 12
     AND array_ndims(s) = 1
     AND (SELECT bool_and(x IS NOT NULL AND x >= 0) FROM unnest(s) x)
     AND abs((SELECT sum(x) FROM unnest(s) x) - 1) <= 0.001
$$;

-- Temperature zones of storage, in the order of the capacity columns.
CREATE FUNCTION coldchain_zones() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY['frozen','chilled','ca','cool','ambient'] $$;

CREATE FUNCTION coldchain_tiers() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY['field','township','county','prefecture','national'] $$;

CREATE FUNCTION coldchain_facility_types() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY['ventilated_store','cold_room','ca_store','precooling','quick_freeze',
               'mobile_cold_room','collection_centre','county_logistics_centre','backbone_base',
               'processing_park','science_park','demonstration_park']
$$;

-- Product classes (docs/design.md#product-classes): defaults a planner may edit.
CREATE TABLE product_class (
  code              text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]{1,39}$'),
  name_en           text NOT NULL,
  name_zh           text NOT NULL,
  -- zones[1] is the preferred storage zone; the others are also acceptable.
  zones             text[] NOT NULL CHECK (cardinality(zones) >= 1 AND zones <@ coldchain_zones()),
  threshold_minutes integer NOT NULL CHECK (threshold_minutes > 0),
  holding_days      integer NOT NULL CHECK (holding_days > 0),
  density_t_m3      double precision CHECK (density_t_m3 > 0),
  loss_pct_min      double precision CHECK (loss_pct_min BETWEEN 0 AND 100),
  loss_pct_max      double precision CHECK (loss_pct_max BETWEEN 0 AND 100),
  harvest_months    double precision[] NOT NULL CHECK (coldchain_shares_ok(harvest_months)),
  source            text NOT NULL
);

INSERT INTO product_class VALUES
 ('leafy_vegetable','Leafy vegetables','叶菜类',ARRAY['chilled'],120,10,0.23,20,30,
  ARRAY[0.10,0.10,0.11,0.10,0.08,0.06,0.05,0.05,0.07,0.08,0.10,0.10],
  'Pre-cool within 2 h, hold 0 °C ~10 d: USDA Agriculture Handbook 66; density 0.23 t/m³: GB 50072; losses 20–30 %: NDRC cold-chain plan 2010'),
 ('hardy_vegetable','Hardy vegetables (cabbage, potato, ginger)','耐储蔬菜',ARRAY['cool','chilled','ambient'],1440,90,0.23,20,30,
  ARRAY[0.12,0.08,0.05,0.04,0.04,0.05,0.06,0.08,0.10,0.12,0.13,0.13],
  'Cool/ventilated store within 24 h, ~90 d: USDA Handbook 66; density: GB 50072; losses: NDRC 2010'),
 ('berry','Berries (strawberry)','浆果（草莓）',ARRAY['chilled'],60,5,0.23,20,30,
  ARRAY[0.25,0.22,0.18,0.10,0,0,0,0,0,0,0.05,0.20],
  'Quality falls ~20/37/50/70 % after 2/4/6/8 h uncooled: Nunes et al. 1995; hold ~5 d: USDA Handbook 66'),
 ('fruit','Fruit (pome, stone, kiwi, grape)','水果',ARRAY['chilled','ca'],360,60,0.23,20,30,
  ARRAY[0,0,0,0,0.05,0.15,0.25,0.25,0.20,0.10,0,0],
  'Cool within 6 h, chilled/CA storage: USDA Handbook 66; density: GB 50072; losses: NDRC 2010'),
 ('citrus','Citrus','柑橘',ARRAY['cool','chilled'],720,45,0.23,20,30,
  ARRAY[0.15,0.05,0,0,0,0,0,0,0.05,0.20,0.30,0.25],
  'Cool 4–8 °C within 12 h, ~45 d: USDA Handbook 66; density: GB 50072; losses: NDRC 2010'),
 ('meat','Meat','肉类',ARRAY['chilled','frozen'],60,20,0.40,12,12,
  ARRAY[0.084,0.084,0.084,0.084,0.083,0.083,0.083,0.083,0.083,0.083,0.083,0.083],
  'Chill within 1 h after slaughter; density 0.40 t/m³: GB 50072; loss 12 %: NDRC 2010'),
 ('aquatic','Aquatic products','水产品',ARRAY['frozen','chilled'],60,60,0.47,15,15,
  ARRAY[0.10,0.06,0.05,0.05,0.06,0.07,0.08,0.09,0.10,0.11,0.11,0.12],
  'Freeze within 1 h; density 0.47 t/m³: GB 50072; loss 15 %: NDRC 2010'),
 ('dairy','Raw milk','生鲜乳',ARRAY['chilled'],120,2,1.03,NULL,NULL,
  ARRAY[0.084,0.084,0.084,0.084,0.083,0.083,0.083,0.083,0.083,0.083,0.083,0.083],
  'Raw milk to ≤ 4 °C within 2 h of milking; density 1.03 t/m³'),
 ('flower','Cut flowers','鲜切花',ARRAY['chilled'],120,7,NULL,NULL,NULL,
  ARRAY[0.10,0.15,0.15,0.12,0.10,0.06,0.04,0.04,0.05,0.06,0.06,0.07],
  'Chill within 2 h, ~7 d: USDA Handbook 66'),
 ('tea','Made tea','成品茶',ARRAY['cool','ambient'],1440,180,NULL,NULL,NULL,
  ARRAY[0,0,0.15,0.35,0.20,0.08,0.07,0.06,0.05,0.04,0,0],
  'Cool, dry storage within 24 h, ~180 d'),
 ('mushroom','Mushrooms','食用菌',ARRAY['chilled'],360,7,0.23,20,30,
  ARRAY[0.15,0.14,0.14,0.10,0.04,0.02,0.02,0.02,0.04,0.09,0.12,0.12],
  'Chill within 6 h, ~7 d: USDA Handbook 66; density: GB 50072; losses: NDRC 2010'),
 ('herbs','Herbs (fresh medicinal and culinary)','药材与香草',ARRAY['chilled','cool'],360,7,0.23,20,30,
  ARRAY[0.03,0.02,0.02,0.03,0.05,0.05,0.05,0.08,0.20,0.25,0.17,0.05],
  'Chill within 6 h, ~7 d: USDA Handbook 66; density: GB 50072; losses: NDRC 2010');

-- Administrative areas. Codes are hierarchical (county 6 digits, township 9,
-- village 12), so a region filter is a prefix match on region_code.
CREATE TABLE region (
  code         text PRIMARY KEY CHECK (code ~ '^[0-9]{2,12}$'),
  name         text NOT NULL CHECK (name <> ''),
  level        text NOT NULL CHECK (level IN ('province','prefecture','county','township','village')),
  -- No foreign key: an analyst may load townships without their county.
  parent_code  text CHECK (parent_code ~ '^[0-9]{2,12}$'),
  key_county   text NOT NULL DEFAULT 'none' CHECK (key_county IN ('national','provincial','none')),
  poverty_exit boolean NOT NULL DEFAULT false,
  population   integer CHECK (population >= 0),
  settlement   text CHECK (settlement IN ('county_seat','town','central_village','village')),
  geom         geometry(Geometry, 4326) NOT NULL
               CHECK (GeometryType(geom) IN ('MULTIPOLYGON','POINT'))
               CHECK (ST_IsValid(geom))
);
CREATE INDEX region_geom_idx ON region USING gist (geom);
CREATE INDEX region_parent_idx ON region (parent_code);

-- region_code of a point or area: the smallest region polygon containing it
-- (for an area, containing its point on surface).
CREATE FUNCTION coldchain_region_of(g geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT r.code FROM region r
   WHERE GeometryType(r.geom) = 'MULTIPOLYGON'
     AND ST_Intersects(r.geom, ST_PointOnSurface(g))
   ORDER BY length(r.code) DESC, r.code
   LIMIT 1
$$;

-- +goose StatementBegin
CREATE FUNCTION coldchain_set_region() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.region_code IS NULL OR TG_OP = 'UPDATE' THEN
    NEW.region_code := coldchain_region_of(NEW.geom);
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd

-- Every element of classes must be a known product class.
-- +goose StatementBegin
CREATE FUNCTION coldchain_check_classes(classes text[], what text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE bad text;
BEGIN
  SELECT c INTO bad FROM unnest(classes) c
   WHERE NOT EXISTS (SELECT 1 FROM product_class p WHERE p.code = c) LIMIT 1;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown product class % in %', bad, what USING ERRCODE = 'check_violation';
  END IF;
END $$;
-- +goose StatementEnd

CREATE TABLE producer (
  id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
  name            text NOT NULL DEFAULT '',
  operator_type   text NOT NULL CHECK (operator_type IN
                    ('family_farm','cooperative','enterprise','village_collective','smallholders')),
  product_class   text NOT NULL REFERENCES product_class (code),
  annual_output_t double precision NOT NULL CHECK (annual_output_t >= 0 AND annual_output_t < 1e8),
  -- NULL on insert takes the class default (trigger below).
  harvest_months  double precision[] NOT NULL CHECK (coldchain_shares_ok(harvest_months)),
  region_code     text,
  geom            geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX producer_geom_idx ON producer USING gist (geom);
-- text_pattern_ops: region filters are prefix matches (LIKE '360323%').
CREATE INDEX producer_region_idx ON producer (region_code text_pattern_ops);
CREATE INDEX producer_class_idx ON producer (product_class);

-- +goose StatementBegin
CREATE FUNCTION coldchain_producer_defaults() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.harvest_months IS NULL THEN
    SELECT harvest_months INTO NEW.harvest_months FROM product_class WHERE code = NEW.product_class;
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER producer_defaults BEFORE INSERT OR UPDATE ON producer
  FOR EACH ROW EXECUTE FUNCTION coldchain_producer_defaults();
CREATE TRIGGER producer_region BEFORE INSERT OR UPDATE OF geom ON producer
  FOR EACH ROW EXECUTE FUNCTION coldchain_set_region();

CREATE TABLE facility (
  id                 text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
  name               text NOT NULL DEFAULT '',
  facility_type      text NOT NULL CHECK (facility_type = ANY (coldchain_facility_types())),
  tier               text NOT NULL CHECK (tier = ANY (coldchain_tiers())),
  status             text NOT NULL DEFAULT 'existing'
                       CHECK (status IN ('existing','under_construction','planned','proposed')),
  -- Capacity in tonnes per temperature zone (docs/design.md#domain-model).
  capacity_frozen_t  double precision NOT NULL DEFAULT 0 CHECK (capacity_frozen_t >= 0),
  capacity_chilled_t double precision NOT NULL DEFAULT 0 CHECK (capacity_chilled_t >= 0),
  capacity_ca_t      double precision NOT NULL DEFAULT 0 CHECK (capacity_ca_t >= 0),
  capacity_cool_t    double precision NOT NULL DEFAULT 0 CHECK (capacity_cool_t >= 0),
  capacity_ambient_t double precision NOT NULL DEFAULT 0 CHECK (capacity_ambient_t >= 0),
  -- Accepted classes; empty means every class its zones suit.
  product_classes    text[] NOT NULL DEFAULT '{}',
  build_cost         double precision CHECK (build_cost >= 0),
  region_code        text,
  geom               geometry(Geometry, 4326) NOT NULL
                       CHECK (GeometryType(geom) IN ('POINT','POLYGON','MULTIPOLYGON'))
                       CHECK (ST_IsValid(geom))
);
CREATE INDEX facility_geom_idx ON facility USING gist (geom);
CREATE INDEX facility_region_idx ON facility (region_code text_pattern_ops);

-- +goose StatementBegin
CREATE FUNCTION coldchain_facility_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM coldchain_check_classes(NEW.product_classes, 'product_classes');
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER facility_check BEFORE INSERT OR UPDATE ON facility
  FOR EACH ROW EXECUTE FUNCTION coldchain_facility_check();
CREATE TRIGGER facility_region BEFORE INSERT OR UPDATE OF geom ON facility
  FOR EACH ROW EXECUTE FUNCTION coldchain_set_region();

CREATE TABLE candidate_site (
  id            text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
  name          text NOT NULL DEFAULT '',
  allowed_tiers text[] NOT NULL CHECK (cardinality(allowed_tiers) >= 1 AND allowed_tiers <@ coldchain_tiers()),
  -- Empty means any facility type of an allowed tier.
  allowed_types text[] NOT NULL DEFAULT '{}' CHECK (allowed_types <@ coldchain_facility_types()),
  build_cost    double precision NOT NULL DEFAULT 0 CHECK (build_cost >= 0), -- 10,000 CNY
  land_use      text NOT NULL CHECK (land_use IN ('farmland','construction','other')),
  source        text NOT NULL DEFAULT 'user' CHECK (source IN ('user','generated')),
  region_code   text,
  geom          geometry(Point, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX candidate_site_geom_idx ON candidate_site USING gist (geom);
CREATE INDEX candidate_site_region_idx ON candidate_site (region_code text_pattern_ops);
CREATE TRIGGER candidate_site_region BEFORE INSERT OR UPDATE OF geom ON candidate_site
  FOR EACH ROW EXECUTE FUNCTION coldchain_set_region();

CREATE TABLE exclusion_zone (
  id               text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
  name             text NOT NULL DEFAULT '',
  kind             text NOT NULL CHECK (kind IN ('basic_farmland','ecological_redline','flood','water_source')),
  -- Tiers the zone forbids (field cold rooms may sit on basic farmland).
  applies_to_tiers text[] NOT NULL CHECK (cardinality(applies_to_tiers) >= 1 AND applies_to_tiers <@ coldchain_tiers()),
  region_code      text,
  geom             geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE INDEX exclusion_zone_geom_idx ON exclusion_zone USING gist (geom);
CREATE TRIGGER exclusion_zone_region BEFORE INSERT OR UPDATE OF geom ON exclusion_zone
  FOR EACH ROW EXECUTE FUNCTION coldchain_set_region();

-- Planning scenarios. A finished plan (done or failed) is immutable.
CREATE TABLE plan (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind        text NOT NULL DEFAULT 'facility' CHECK (kind IN ('facility','parks')),
  params      jsonb NOT NULL,
  status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','failed')),
  error       text,
  result      jsonb,
  region_code text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz,
  finished_at timestamptz,
  CHECK (status <> 'done' OR result IS NOT NULL),
  CHECK (status <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX plan_created_idx ON plan (created_at DESC);

-- +goose StatementBegin
CREATE FUNCTION coldchain_plan_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('done','failed') THEN
    RAISE EXCEPTION 'plan % is finished and cannot change', OLD.id USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER plan_immutable BEFORE UPDATE ON plan
  FOR EACH ROW EXECUTE FUNCTION coldchain_plan_immutable();

-- Small key/value facts about the database (e.g. which demo is loaded).
CREATE TABLE meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- +goose Down
DROP TABLE meta, plan, exclusion_zone, candidate_site, facility, producer, region, product_class;
DROP FUNCTION coldchain_plan_immutable, coldchain_facility_check, coldchain_producer_defaults,
  coldchain_check_classes, coldchain_set_region, coldchain_region_of, coldchain_facility_types,
  coldchain_tiers, coldchain_zones, coldchain_shares_ok;

-- +goose Up
-- Set-based bulk loads. A load (layer.Store.Load) assigns region codes and
-- class defaults for the whole batch in a few SQL statements and says so
-- with the transaction-local setting coldchain.load = 'set_based'; the
-- per-row triggers then stand aside for that transaction only. Every other
-- write (psql, the road importer, plan adoption) still goes through them.

-- The row triggers' guard: true unless the current transaction is a
-- set-based load.
CREATE FUNCTION coldchain_row_triggers() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT current_setting('coldchain.load', true) IS DISTINCT FROM 'set_based'
$$;

DROP TRIGGER producer_defaults ON producer;
DROP TRIGGER producer_region ON producer;
DROP TRIGGER facility_region ON facility;
DROP TRIGGER candidate_site_region ON candidate_site;
DROP TRIGGER exclusion_zone_region ON exclusion_zone;
CREATE TRIGGER producer_defaults BEFORE INSERT OR UPDATE ON producer
  FOR EACH ROW WHEN (coldchain_row_triggers()) EXECUTE FUNCTION coldchain_producer_defaults();
CREATE TRIGGER producer_region BEFORE INSERT OR UPDATE OF geom ON producer
  FOR EACH ROW WHEN (coldchain_row_triggers()) EXECUTE FUNCTION coldchain_set_region();
CREATE TRIGGER facility_region BEFORE INSERT OR UPDATE OF geom ON facility
  FOR EACH ROW WHEN (coldchain_row_triggers()) EXECUTE FUNCTION coldchain_set_region();
CREATE TRIGGER candidate_site_region BEFORE INSERT OR UPDATE OF geom ON candidate_site
  FOR EACH ROW WHEN (coldchain_row_triggers()) EXECUTE FUNCTION coldchain_set_region();
CREATE TRIGGER exclusion_zone_region BEFORE INSERT OR UPDATE OF geom ON exclusion_zone
  FOR EACH ROW WHEN (coldchain_row_triggers()) EXECUTE FUNCTION coldchain_set_region();

-- The shares check without STRICT: PostgreSQL inlines a STRICT SQL
-- function only when its body is strict too, and AND is not, so the STRICT
-- version ran the SQL-function executor once per row (about 5 times the
-- cost of the whole insert of a producer). A NULL array still gives NULL,
-- which a CHECK accepts as before (harvest_months is NOT NULL anyway).
CREATE OR REPLACE FUNCTION coldchain_shares_ok(s double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT cardinality(s) = 12 AND array_ndims(s) = 1
     AND array_position(s, NULL) IS NULL
     AND least(s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12]) >= 0
     AND abs(s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7] + s[8] + s[9] + s[10] + s[11] + s[12] - 1) <= 0.001
$$;

-- The id checks without the bounded repetition {0,63}, which PostgreSQL's
-- regular expression engine expands into a large automaton (about 10 times
-- slower per row than the same rule as an unbounded class plus a length).
ALTER TABLE producer DROP CONSTRAINT producer_id_check,
  ADD CONSTRAINT producer_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' AND length(id) <= 64);
ALTER TABLE facility DROP CONSTRAINT facility_id_check,
  ADD CONSTRAINT facility_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' AND length(id) <= 64);
ALTER TABLE candidate_site DROP CONSTRAINT candidate_site_id_check,
  ADD CONSTRAINT candidate_site_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' AND length(id) <= 64);
ALTER TABLE exclusion_zone DROP CONSTRAINT exclusion_zone_id_check,
  ADD CONSTRAINT exclusion_zone_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' AND length(id) <= 64);

-- +goose Down
DROP TRIGGER producer_defaults ON producer;
DROP TRIGGER producer_region ON producer;
DROP TRIGGER facility_region ON facility;
DROP TRIGGER candidate_site_region ON candidate_site;
DROP TRIGGER exclusion_zone_region ON exclusion_zone;
CREATE TRIGGER producer_defaults BEFORE INSERT OR UPDATE ON producer
  FOR EACH ROW EXECUTE FUNCTION coldchain_producer_defaults();
CREATE TRIGGER producer_region BEFORE INSERT OR UPDATE OF geom ON producer
  FOR EACH ROW EXECUTE FUNCTION coldchain_set_region();
CREATE TRIGGER facility_region BEFORE INSERT OR UPDATE OF geom ON facility
  FOR EACH ROW EXECUTE FUNCTION coldchain_set_region();
CREATE TRIGGER candidate_site_region BEFORE INSERT OR UPDATE OF geom ON candidate_site
  FOR EACH ROW EXECUTE FUNCTION coldchain_set_region();
CREATE TRIGGER exclusion_zone_region BEFORE INSERT OR UPDATE OF geom ON exclusion_zone
  FOR EACH ROW EXECUTE FUNCTION coldchain_set_region();
DROP FUNCTION coldchain_row_triggers();
ALTER TABLE producer DROP CONSTRAINT producer_id_check,
  ADD CONSTRAINT producer_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$');
ALTER TABLE facility DROP CONSTRAINT facility_id_check,
  ADD CONSTRAINT facility_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$');
ALTER TABLE candidate_site DROP CONSTRAINT candidate_site_id_check,
  ADD CONSTRAINT candidate_site_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$');
ALTER TABLE exclusion_zone DROP CONSTRAINT exclusion_zone_id_check,
  ADD CONSTRAINT exclusion_zone_id_check CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$');

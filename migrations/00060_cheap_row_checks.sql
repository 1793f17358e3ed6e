-- +goose Up
-- The same row rules, in expressions PostgreSQL evaluates faster. A bulk
-- load writes every row through these checks, and they were the largest
-- per-row cost left in it (server CPU over 200,000 producers: the shares
-- check 158 ms, ST_IsValid on a point 150 ms, the heap insert itself
-- about 170 ms).

-- Shares: every array subscript unpacks the array again, so the 12
-- subscripts of least() go: one ALL comparison checks that no share is
-- negative (16 unpackings per row instead of 27). The sum still needs its
-- 12 subscripts. NULL elements are still refused by array_position, and a
-- NULL array still gives NULL.
CREATE OR REPLACE FUNCTION coldchain_shares_ok(s double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT cardinality(s) = 12 AND array_ndims(s) = 1
     AND array_position(s, NULL) IS NULL
     AND 0 <= ALL (s)
     AND abs(s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7] + s[8] + s[9] + s[10] + s[11] + s[12] - 1) <= 0.001
$$;

-- A point is valid (ST_IsValid) when its coordinates are finite, or when it
-- is empty. ST_IsValid builds a GEOS geometry for that; x * 0 = 0 is false
-- for NaN and ±Infinity only, and ST_X of an empty point is NULL. Not
-- STRICT, so that the planner inlines it into the CHECK.
CREATE FUNCTION coldchain_point_ok(g geometry) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (ST_X(g) * 0 = 0 AND ST_Y(g) * 0 = 0) IS NOT FALSE
$$;

-- The constraints keep their names (error messages name them).
ALTER TABLE producer DROP CONSTRAINT producer_geom_check,
  ADD CONSTRAINT producer_geom_check CHECK (coldchain_point_ok(geom));
ALTER TABLE candidate_site DROP CONSTRAINT candidate_site_geom_check,
  ADD CONSTRAINT candidate_site_geom_check CHECK (coldchain_point_ok(geom));

-- +goose Down
ALTER TABLE producer DROP CONSTRAINT producer_geom_check,
  ADD CONSTRAINT producer_geom_check CHECK (ST_IsValid(geom));
ALTER TABLE candidate_site DROP CONSTRAINT candidate_site_geom_check,
  ADD CONSTRAINT candidate_site_geom_check CHECK (ST_IsValid(geom));
DROP FUNCTION coldchain_point_ok(geometry);
CREATE OR REPLACE FUNCTION coldchain_shares_ok(s double precision[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT cardinality(s) = 12 AND array_ndims(s) = 1
     AND array_position(s, NULL) IS NULL
     AND least(s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12]) >= 0
     AND abs(s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7] + s[8] + s[9] + s[10] + s[11] + s[12] - 1) <= 0.001
$$;

-- +goose Up
-- A queued or running plan is owned by the process that will run it
-- through a lease: owner names the process, lease_until is pushed forward
-- by its heartbeat. Another process touches a plan only once its lease has
-- expired (the owner crashed, was killed or lost the database), and then
-- re-queues it once (attempts counts the starts) before failing it with
-- the reason.
ALTER TABLE plan
  ADD COLUMN owner       text,
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0);

-- The sweep for expired leases reads only unfinished plans.
CREATE INDEX plan_unfinished_idx ON plan (created_at) WHERE status IN ('queued', 'running');

-- The sites a finished plan suggests, one row each, with their geometry:
-- what vector tiles and OGC API – Features read instead of parsing the
-- plan's result themselves. n is the site's position in the result.
CREATE VIEW plan_site AS
SELECT p.id AS plan_id, e.n, e.f->>'id' AS site_id, e.f AS feature,
       ST_SetSRID(ST_GeomFromGeoJSON(e.f->'geometry'), 4326) AS geom
  FROM plan p
 CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(p.result->'sites'->'features') = 'array'
                                             THEN p.result->'sites'->'features' ELSE '[]' END) WITH ORDINALITY AS e(f, n)
 WHERE p.status = 'done';

-- +goose Down
DROP VIEW plan_site;
DROP INDEX plan_unfinished_idx;
ALTER TABLE plan DROP COLUMN attempts, DROP COLUMN lease_until, DROP COLUMN owner;

-- +goose Up
-- Adopted plans: a plan's sites become facilities with status 'planned'.
-- plan_id records which plan a facility came from (a plan is adopted at
-- most once); expands names the existing facility that a planned
-- expansion enlarges: its capacity adds to that facility's when planned
-- facilities are counted, instead of standing as a separate store.
ALTER TABLE facility
  ADD COLUMN plan_id uuid REFERENCES plan (id) ON DELETE SET NULL,
  ADD COLUMN expands text REFERENCES facility (id) ON DELETE CASCADE,
  ADD CHECK (expands IS NULL OR expands <> id);
-- Partial: only adopted facilities carry a plan id.
CREATE INDEX facility_plan_idx ON facility (plan_id) WHERE plan_id IS NOT NULL;

-- +goose Down
DROP INDEX facility_plan_idx;
ALTER TABLE facility DROP COLUMN expands, DROP COLUMN plan_id;

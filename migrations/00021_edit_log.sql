-- +goose Up
-- Who did what: every write through the API (feature edits, plans,
-- adoptions, scenarios) with the API token's name and the time. Rows are
-- only ever appended.
CREATE TABLE edit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  token_id   text,
  action     text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'plan', 'cancel', 'adopt', 'scenario', 'draft', 'apply')),
  target     text NOT NULL,  -- a layer name, 'plans' or 'scenarios'
  target_id  text NOT NULL DEFAULT '',
  etag       text
);
-- History of one feature, plan or scenario, newest first.
CREATE INDEX edit_log_target_idx ON edit_log (target, target_id, at DESC);

-- Named scenarios: draft edits to candidate sites and facilities that
-- plans run on the scenario see, and that touch the shared layers only
-- when applied. version rises with every change (the scenario's ETag).
CREATE TABLE scenario (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL CHECK (name <> '' AND length(name) <= 200),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  version     integer NOT NULL DEFAULT 1,
  drafts      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(drafts) = 'array' AND jsonb_array_length(drafts) <= 1000),
  applied_at  timestamptz,
  applied_by  text
);

-- +goose Down
DROP TABLE scenario;
DROP TABLE edit_log;

-- +goose Up
-- Who did what: every write through the API (feature edits, plans,
-- adoptions) with the API token's name and the time. Rows are only ever
-- appended.
CREATE TABLE edit_log (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  token_id   text,
  action     text NOT NULL CHECK (action IN ('create', 'update', 'delete', 'plan', 'cancel', 'adopt')),
  target     text NOT NULL,  -- a layer name, or 'plans'
  target_id  text NOT NULL DEFAULT '',
  etag       text
);
-- History of one feature or plan, newest first.
CREATE INDEX edit_log_target_idx ON edit_log (target, target_id, at DESC);

-- +goose Down
DROP TABLE edit_log;

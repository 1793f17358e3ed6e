-- +goose Up
-- API tokens (docs/design.md#security). A token is shown once when it is made; only its
-- SHA-256 hash is kept. Tokens carry 256 random bits, so a fast hash is
-- enough: nobody can search that space, and verifying stays cheap on every
-- request (a slow password hash would only add latency).

CREATE TABLE api_token (
  -- The public part of the token (cc_<id>_<secret>), used to find the row
  -- so that the hash is compared in constant time in Go, never looked up.
  id           text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
  name         text NOT NULL DEFAULT '' CHECK (length(name) <= 100),
  role         text NOT NULL CHECK (role IN ('viewer','planner','admin')),
  hash         bytea NOT NULL CHECK (length(hash) = 32),
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- Updated at most once a minute, to show which tokens are in use.
  last_used_at timestamptz,
  -- A revoked token is kept (who had which role when) but never accepted.
  revoked_at   timestamptz
);

-- +goose Down
DROP TABLE api_token;

-- +goose Up
-- Plans run as River jobs (package jobs; River's tables are migrated by
-- River's own migrator right after these files). The plan table stays the
-- record: job_id is the River job computing the plan (for a plan
-- decomposed by county, the job that combines its parts); attempts counts
-- the starts and guards every write of a run, so that a run whose job was
-- handed to another process can no longer store anything.
-- prepared_at is set once the plan's data is loaded and checked;
-- failure_kind says why a plan failed before that ('invalid': the request
-- does not fit the data, 'not_found': something it names is missing), so
-- that the server that took the request can answer 422 whichever process
-- ran it.
ALTER TABLE plan
  ADD COLUMN job_id       bigint,
  ADD COLUMN prepared_at  timestamptz,
  ADD COLUMN failure_kind text CHECK (failure_kind IN ('invalid', 'not_found'));

-- The parts of a plan decomposed by county, each its own job; the plan is
-- finished by combining them once every part has finished. n numbers the
-- parts from 1; request is the part's own request (its county, its share
-- of p or of the budget), output_t the county's output of the plan's
-- classes that the share was taken by.
CREATE TABLE plan_part (
  plan_id     uuid NOT NULL REFERENCES plan (id) ON DELETE CASCADE,
  n           integer NOT NULL CHECK (n >= 1),
  region_code text NOT NULL,
  request     jsonb NOT NULL,
  output_t    double precision NOT NULL DEFAULT 0,
  status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed', 'skipped')),
  attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  job_id      bigint,
  worker      text,
  error       text,
  result      jsonb,
  started_at  timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (plan_id, n),
  CHECK (status <> 'done' OR result IS NOT NULL)
);

-- Plans queued or running under the old in-process queue have no job:
-- nothing would ever run them now.
UPDATE plan SET status = 'failed', finished_at = now(), owner = NULL, lease_until = NULL,
       error = 'interrupted by an upgrade of the plan queue: submit it again'
 WHERE status IN ('queued', 'running') AND kind = 'facility';

-- +goose Down
DROP TABLE plan_part;
ALTER TABLE plan DROP COLUMN failure_kind, DROP COLUMN prepared_at, DROP COLUMN job_id;

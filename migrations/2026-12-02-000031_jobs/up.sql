-- One job runner for every background job: a job is a row leased by one instance at a time
-- (FOR UPDATE SKIP LOCKED), kept by heartbeat, taken over when the holder falls silent, retried
-- with back-off up to its limit, cancellable, and resumed from the last step its handler
-- committed. The work itself (an identification run, a claim window) stays in its own table.
CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('identification_run', 'claim_window', 'idempotency_expiry')),
  -- The record the job works on (a run, a window); none for periodic housekeeping.
  subject_id uuid,
  -- A periodic job's period (its start, UTC): one job per kind and period across all instances.
  period timestamptz,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL CHECK (max_attempts > 0),
  -- Not claimed before this: a retry's back-off.
  run_after timestamptz NOT NULL DEFAULT now(),
  lease_token uuid,
  leased_by text,
  heartbeat_at timestamptz,
  cancel_requested_at timestamptz,
  cancel_requested_by text,
  done bigint NOT NULL DEFAULT 0 CHECK (done >= 0),
  total bigint CHECK (total >= 0),
  started_at timestamptz,
  finished_at timestamptz,
  -- Why the last attempt failed (kept when retried, and when the job finally fails).
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT jobs_lease_while_running CHECK ((status = 'running') = (lease_token IS NOT NULL)),
  CONSTRAINT jobs_finished CHECK ((status IN ('succeeded', 'failed', 'cancelled')) = (finished_at IS NOT NULL))
);
CREATE UNIQUE INDEX jobs_once_per_period ON jobs (kind, period) WHERE period IS NOT NULL;
CREATE UNIQUE INDEX jobs_one_live_per_subject ON jobs (kind, subject_id)
  WHERE status IN ('queued', 'running') AND subject_id IS NOT NULL;
-- What the runner claims, and what /metrics counts.
CREATE INDEX jobs_live ON jobs (kind, created_at) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_subject ON jobs (subject_id, created_at) WHERE subject_id IS NOT NULL;

-- The work in flight carries over as jobs (resumed from where it stopped); work that ended keeps
-- its progress in a finished job, so that every run and window has one.
INSERT INTO jobs (id, kind, subject_id, status, attempts, max_attempts, done, total, started_at,
                  finished_at, error, created_at)
SELECT gen_random_uuid(), 'identification_run', id,
       CASE WHEN status IN ('queued', 'running') THEN 'queued' ELSE status END,
       0, 3, done, total, started_at,
       CASE WHEN status IN ('queued', 'running') THEN NULL ELSE coalesce(finished_at, updated_at) END,
       error, created_at
  FROM identification_runs;
INSERT INTO jobs (id, kind, subject_id, status, attempts, max_attempts, done, total, started_at,
                  finished_at, error, created_at)
SELECT gen_random_uuid(), 'claim_window', id,
       CASE WHEN status = 'computing' THEN 'queued' WHEN status = 'failed' THEN 'failed' ELSE 'succeeded' END,
       0, 3, done, total, started_at,
       CASE WHEN status = 'computing' THEN NULL ELSE coalesce(computed_at, updated_at) END,
       error, created_at
  FROM claim_windows;

-- The leases and the progress move to the jobs.
ALTER TABLE identification_runs DROP COLUMN claim_token, DROP COLUMN heartbeat_at,
  DROP COLUMN done, DROP COLUMN total;
ALTER TABLE claim_windows DROP COLUMN claim_token, DROP COLUMN heartbeat_at,
  DROP COLUMN done, DROP COLUMN total;

-- Runs are leased as jobs now.
DROP INDEX identification_runs_claim_idx;

-- A run can be cancelled.
ALTER TABLE identification_runs DROP CONSTRAINT identification_runs_status_check;
ALTER TABLE identification_runs ADD CONSTRAINT identification_runs_status_check
  CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'));

GRANT SELECT, INSERT, UPDATE ON jobs TO ffc_service;

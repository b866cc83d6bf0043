ALTER TABLE identification_runs DROP CONSTRAINT identification_runs_status_check;
UPDATE identification_runs SET status = 'failed' WHERE status = 'cancelled';
ALTER TABLE identification_runs ADD CONSTRAINT identification_runs_status_check
  CHECK (status IN ('queued', 'running', 'succeeded', 'failed'));
ALTER TABLE identification_runs ADD COLUMN claim_token uuid, ADD COLUMN heartbeat_at timestamptz,
  ADD COLUMN total integer NOT NULL DEFAULT 0, ADD COLUMN done integer NOT NULL DEFAULT 0;
ALTER TABLE claim_windows ADD COLUMN claim_token uuid, ADD COLUMN heartbeat_at timestamptz,
  ADD COLUMN total integer NOT NULL DEFAULT 0, ADD COLUMN done integer NOT NULL DEFAULT 0;
UPDATE identification_runs r SET total = coalesce(j.total, 0), done = j.done
  FROM jobs j WHERE j.subject_id = r.id;
UPDATE claim_windows w SET total = coalesce(j.total, 0), done = j.done
  FROM jobs j WHERE j.subject_id = w.id;
CREATE INDEX identification_runs_claim_idx ON identification_runs (created_at)
  WHERE status IN ('queued', 'running');
DROP TABLE jobs;

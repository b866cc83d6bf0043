-- Identification runs: the whole-cohort eligibility check, run in the background by any instance.
CREATE TABLE identification_runs (
  id uuid PRIMARY KEY,
  ruleset_code text NOT NULL REFERENCES rulesets (code),
  revision_id uuid NOT NULL REFERENCES ruleset_revisions (id),
  as_of date NOT NULL,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  total integer NOT NULL DEFAULT 0 CHECK (total >= 0),
  done integer NOT NULL DEFAULT 0 CHECK (done >= 0),
  eligible integer NOT NULL DEFAULT 0 CHECK (eligible >= 0),
  eligible_not_attached integer NOT NULL DEFAULT 0 CHECK (eligible_not_attached >= 0),
  not_eligible integer NOT NULL DEFAULT 0 CHECK (not_eligible >= 0),
  -- Where a resumed run carries on: families are processed in id order.
  last_family_id uuid,
  error text,
  requested_by text NOT NULL,
  heartbeat_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX identification_runs_claim_idx ON identification_runs (created_at)
  WHERE status IN ('queued', 'running');

-- Eligible families not yet attached under the run's ruleset.
CREATE TABLE identification_results (
  run_id uuid NOT NULL REFERENCES identification_runs (id),
  family_id uuid NOT NULL REFERENCES families (id),
  criteria_met text[] NOT NULL,
  local_filters text[] NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, family_id)
);
CREATE INDEX identification_results_criteria_idx ON identification_results USING gin (criteria_met);
CREATE INDEX identification_results_filters_idx ON identification_results USING gin (local_filters);

GRANT SELECT, INSERT, UPDATE ON identification_runs TO ffc_service;
GRANT SELECT, INSERT ON identification_results TO ffc_service;

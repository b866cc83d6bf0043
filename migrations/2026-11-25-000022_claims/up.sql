-- Payment-by-Results claims: a window computed as of a cut-off, reviewed by the claims officer
-- who prepared it, validated by an auditor who did not, submitted, and then never changed
-- except that a result found invalid is withdrawn.
CREATE TABLE claim_windows (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  cut_off date NOT NULL CHECK (cut_off BETWEEN DATE '1990-01-01' AND DATE '2100-12-31'),
  status text NOT NULL DEFAULT 'computing'
    CHECK (status IN ('computing', 'failed', 'review', 'validated', 'submitted')),
  -- Progress of the computation: attached families judged so far, of how many.
  total integer NOT NULL DEFAULT 0 CHECK (total >= 0),
  done integer NOT NULL DEFAULT 0 CHECK (done >= 0),
  last_attachment_id uuid,
  claim_token uuid,
  heartbeat_at timestamptz,
  started_at timestamptz,
  computed_at timestamptz,
  error text,
  prepared_by text NOT NULL,
  validated_by text,
  validated_at timestamptz,
  submitted_by text,
  submitted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  -- Four eyes: whoever prepared a window neither validates nor submits it.
  CONSTRAINT claim_windows_validator CHECK (validated_by IS NULL OR validated_by <> prepared_by),
  CONSTRAINT claim_windows_submitter CHECK (submitted_by IS NULL OR submitted_by <> prepared_by),
  CONSTRAINT claim_windows_validated CHECK (
    status NOT IN ('validated', 'submitted') OR (validated_by IS NOT NULL AND validated_at IS NOT NULL)),
  CONSTRAINT claim_windows_submitted CHECK (
    (status = 'submitted') = (submitted_by IS NOT NULL AND submitted_at IS NOT NULL))
);
CREATE INDEX claim_windows_status_idx ON claim_windows (status, id);
CREATE INDEX claim_windows_queue_idx ON claim_windows (created_at) WHERE status = 'computing';

CREATE TABLE claim_items (
  id uuid PRIMARY KEY,
  window_id uuid NOT NULL REFERENCES claim_windows (id),
  family_id uuid NOT NULL REFERENCES families (id),
  attachment_id uuid NOT NULL REFERENCES attachments (id),
  ruleset_code text NOT NULL REFERENCES rulesets (code),
  revision_id uuid NOT NULL REFERENCES ruleset_revisions (id),
  -- The financial year the family was attached in: it sets the schedule's amount.
  financial_year smallint NOT NULL CHECK (financial_year BETWEEN 1990 AND 2100),
  result text NOT NULL CHECK (result IN (
    'crime_asb_education', 'progress_to_work', 'continuous_employment', 'sustained_progress',
    'sustained_outcomes')),
  -- Results sharing a slot are alternatives (continuous employment or crime/ASB and education).
  slot text NOT NULL CHECK (slot IN ('results', 'progress_to_work')),
  achieved_on date NOT NULL,
  amount_pence bigint NOT NULL CHECK (amount_pence >= 0),
  -- The result as judged at the cut-off: components, figures and evidence ids, kept as they were.
  snapshot jsonb NOT NULL,
  evidence_ids uuid[] NOT NULL,
  status text NOT NULL DEFAULT 'included' CHECK (status IN ('included', 'excluded', 'withdrawn')),
  excluded_reason text CHECK (length(excluded_reason) BETWEEN 3 AND 2000),
  excluded_by text,
  excluded_at timestamptz,
  withdrawn_reason text CHECK (length(withdrawn_reason) BETWEEN 3 AND 2000),
  withdrawn_on date,
  withdrawn_by text,
  recovered_pence bigint CHECK (recovered_pence >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT claim_items_excluded CHECK (
    (status = 'excluded') = (excluded_reason IS NOT NULL AND excluded_by IS NOT NULL AND excluded_at IS NOT NULL)),
  CONSTRAINT claim_items_withdrawn CHECK (
    (status = 'withdrawn') = (withdrawn_reason IS NOT NULL AND withdrawn_on IS NOT NULL
      AND withdrawn_by IS NOT NULL AND recovered_pence IS NOT NULL)),
  -- A window holds each result of a family once, whatever became of it.
  CONSTRAINT claim_items_once_per_window UNIQUE (window_id, attachment_id, result)
);
-- A result (or its alternative) is claimed for a family at most once across all windows, and a
-- withdrawn one is never claimed again: only an exclusion before submission frees the slot.
CREATE UNIQUE INDEX claim_items_once ON claim_items (attachment_id, slot) WHERE status <> 'excluded';
CREATE INDEX claim_items_window_idx ON claim_items (window_id, id);
CREATE INDEX claim_items_window_status_idx ON claim_items (window_id, status, id);
CREATE INDEX claim_items_window_result_idx ON claim_items (window_id, result, id);
CREATE INDEX claim_items_family_idx ON claim_items (family_id);

-- What may change, and when: items are excluded only while the window is being reviewed, and
-- withdrawn only once it was submitted; what was claimed never changes; nothing is deleted.
CREATE FUNCTION ffc_claim_items_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  w text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'claim items are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.window_id, NEW.family_id, NEW.attachment_id, NEW.ruleset_code, NEW.revision_id,
      NEW.financial_year, NEW.result, NEW.slot, NEW.achieved_on, NEW.amount_pence, NEW.snapshot,
      NEW.evidence_ids, NEW.created_at)
     IS DISTINCT FROM
     (OLD.window_id, OLD.family_id, OLD.attachment_id, OLD.ruleset_code, OLD.revision_id,
      OLD.financial_year, OLD.result, OLD.slot, OLD.achieved_on, OLD.amount_pence, OLD.snapshot,
      OLD.evidence_ids, OLD.created_at) THEN
    RAISE EXCEPTION 'what a claim item claims never changes' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT status INTO w FROM claim_windows WHERE id = NEW.window_id;
  IF OLD.status = NEW.status AND w NOT IN ('validated', 'submitted') THEN
    RETURN NEW;
  ELSIF OLD.status = 'included' AND NEW.status = 'excluded' AND w IN ('computing', 'review') THEN
    RETURN NEW;
  ELSIF OLD.status = 'included' AND NEW.status = 'withdrawn' AND w = 'submitted' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'claim item % may not go from % to % in a % window', OLD.id, OLD.status, NEW.status, w
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER claim_items_guard BEFORE UPDATE OR DELETE ON claim_items
  FOR EACH ROW EXECUTE FUNCTION ffc_claim_items_guard();

CREATE FUNCTION ffc_claim_windows_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status = 'submitted' THEN
    RAISE EXCEPTION 'a submitted claim never changes' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.cut_off <> OLD.cut_off OR NEW.prepared_by <> OLD.prepared_by THEN
    RAISE EXCEPTION 'a window''s cut-off and preparer never change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER claim_windows_guard BEFORE UPDATE OR DELETE ON claim_windows
  FOR EACH ROW EXECUTE FUNCTION ffc_claim_windows_guard();

GRANT SELECT, INSERT, UPDATE ON claim_windows, claim_items TO ffc_service;

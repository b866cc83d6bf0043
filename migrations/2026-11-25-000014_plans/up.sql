-- The Team Around the Family's meetings and the action plan of an FCAF.

CREATE TABLE taf_meetings (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  assessment_id uuid NOT NULL REFERENCES assessments (id),
  meeting_on date NOT NULL,
  status text NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
  family_attended boolean,
  -- Staff ids (checked by the service: arrays cannot carry foreign keys) and named agencies.
  attendee_staff_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(attendee_staff_ids) <= 50),
  attendee_agencies text[] NOT NULL DEFAULT '{}' CHECK (cardinality(attendee_agencies) <= 50),
  decisions text CHECK (length(decisions) BETWEEN 1 AND 10000),
  notes text CHECK (length(notes) BETWEEN 1 AND 10000),
  next_review_on date,
  recorded_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT taf_meetings_held CHECK (
    (status = 'held') = (family_attended IS NOT NULL AND next_review_on IS NOT NULL)),
  CONSTRAINT taf_meetings_review_after CHECK (next_review_on > meeting_on)
);
CREATE INDEX taf_meetings_assessment_idx ON taf_meetings (assessment_id, meeting_on);
CREATE INDEX taf_meetings_family_idx ON taf_meetings (family_id, meeting_on);

CREATE FUNCTION ffc_meeting_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  a assessments%ROWTYPE;
BEGIN
  SELECT * INTO a FROM assessments WHERE id = NEW.assessment_id;
  IF NEW.meeting_on < a.started_on THEN
    RAISE EXCEPTION 'invalid meeting_on: must not be before the FCAF started (%)', a.started_on
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status = 'held' AND NEW.meeting_on > ffc_london_today() THEN
    RAISE EXCEPTION 'invalid meeting_on: a meeting in the future cannot have been held'
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status <> 'planned' AND NEW.status <> OLD.status THEN
    RAISE EXCEPTION 'invalid status: a % meeting stays %', OLD.status, OLD.status
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER taf_meetings_rules BEFORE INSERT OR UPDATE ON taf_meetings
  FOR EACH ROW EXECUTE FUNCTION ffc_meeting_rules();
CREATE TRIGGER taf_meetings_no_delete BEFORE DELETE OR TRUNCATE ON taf_meetings
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

CREATE TABLE plan_actions (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  assessment_id uuid NOT NULL REFERENCES assessments (id),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
  owner_staff_id uuid REFERENCES staff (id),
  owner_organisation text REFERENCES organisations (code),
  member_id uuid REFERENCES members (id),
  need text NOT NULL CHECK (need IN (
    'education', 'crime_asb', 'employment', 'physical_health', 'mental_health',
    'substance_misuse', 'domestic_abuse', 'housing', 'family_relationships', 'money')),
  due_on date NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'dropped')),
  closed_on date,
  outcome text CHECK (length(outcome) BETWEEN 1 AND 2000),
  closed_by text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT plan_actions_one_owner CHECK (num_nonnulls(owner_staff_id, owner_organisation) = 1),
  CONSTRAINT plan_actions_closed CHECK (
    (status = 'open') = (closed_on IS NULL)
    AND (status = 'open') = (outcome IS NULL)
    AND (status = 'open') = (closed_by IS NULL))
);
CREATE INDEX plan_actions_family_idx ON plan_actions (family_id, id);
CREATE INDEX plan_actions_open_assessment_idx ON plan_actions (assessment_id) WHERE status = 'open';
CREATE INDEX plan_actions_overdue_idx ON plan_actions (due_on, id) WHERE status = 'open';
CREATE INDEX plan_actions_owner_open_idx ON plan_actions (owner_staff_id, due_on) WHERE status = 'open';
CREATE INDEX plan_actions_agency_open_idx ON plan_actions (owner_organisation, due_on) WHERE status = 'open';

CREATE FUNCTION ffc_action_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  started date;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status <> 'open' THEN
    RAISE EXCEPTION 'a % action does not change', OLD.status USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT started_on INTO started FROM assessments WHERE id = NEW.assessment_id;
  IF NEW.due_on < started THEN
    RAISE EXCEPTION 'invalid due_on: must not be before the FCAF started (%)', started
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.closed_on < started THEN
    RAISE EXCEPTION 'invalid closed_on: must not be before the FCAF started (%)', started
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER plan_actions_rules BEFORE INSERT OR UPDATE ON plan_actions
  FOR EACH ROW EXECUTE FUNCTION ffc_action_rules();
CREATE TRIGGER plan_actions_no_delete BEFORE DELETE OR TRUNCATE ON plan_actions
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

-- Progress notes on an action: never edited.
CREATE TABLE action_progress (
  id uuid PRIMARY KEY,
  action_id uuid NOT NULL REFERENCES plan_actions (id),
  note text NOT NULL CHECK (length(note) BETWEEN 1 AND 5000),
  author text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX action_progress_action_idx ON action_progress (action_id, id);
CREATE TRIGGER action_progress_immutable BEFORE UPDATE OR DELETE ON action_progress
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();

GRANT SELECT, INSERT, UPDATE ON taf_meetings, plan_actions TO ffc_service;
GRANT SELECT, INSERT ON action_progress TO ffc_service;

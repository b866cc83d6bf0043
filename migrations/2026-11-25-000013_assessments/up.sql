-- The Family Common Assessment (FCAF), the Team Around the Family's membership, and the one
-- timeline per family of social care plans and early help (step up / step down).

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- An update may change only the columns named in the trigger's arguments.
CREATE FUNCTION ffc_changes_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF to_jsonb(NEW) - TG_ARGV <> to_jsonb(OLD) - TG_ARGV THEN
    RAISE EXCEPTION '% rows change only in %', TG_TABLE_NAME, array_to_string(TG_ARGV, ', ')
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

CREATE TABLE assessments (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'active', 'closed')),
  lead_worker_id uuid NOT NULL REFERENCES staff (id),
  started_on date NOT NULL,
  -- The consent in force when it started.
  consent_id uuid NOT NULL REFERENCES consents (id),
  -- Practitioners it was completed with, e.g. the Youth Offending Team case manager.
  completed_with text[] NOT NULL DEFAULT '{}' CHECK (cardinality(completed_with) <= 20),
  family_priorities text CHECK (length(family_priorities) <= 5000),
  practitioner_priorities text CHECK (length(practitioner_priorities) <= 5000),
  activated_on date,
  activated_by text,
  -- When the Team Around the Family must next review it.
  review_due_on date,
  closed_on date,
  closure_reason text CHECK (closure_reason IN (
    'needs_met', 'stepped_up', 'disengaged', 'moved_away', 'other')),
  closure_note text CHECK (length(closure_note) <= 5000),
  closed_by text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT assessments_draft CHECK (status <> 'draft' OR (activated_on IS NULL AND closed_on IS NULL)),
  CONSTRAINT assessments_active CHECK (status <> 'active'
    OR (activated_on IS NOT NULL AND activated_by IS NOT NULL AND review_due_on IS NOT NULL AND closed_on IS NULL)),
  CONSTRAINT assessments_closed CHECK (status <> 'closed'
    OR (closed_on IS NOT NULL AND closure_reason IS NOT NULL AND closed_by IS NOT NULL)),
  CONSTRAINT assessments_other_explained CHECK (closure_reason <> 'other' OR closure_note IS NOT NULL),
  CONSTRAINT assessments_dates CHECK (activated_on >= started_on AND closed_on >= started_on
    AND closed_on >= activated_on)
);
-- One FCAF at a time per family (docs/rules.md: one whole-family assessment).
CREATE UNIQUE INDEX assessments_one_open_per_family ON assessments (family_id) WHERE status <> 'closed';
CREATE INDEX assessments_family_idx ON assessments (family_id, id);
CREATE INDEX assessments_review_due_idx ON assessments (review_due_on) WHERE status = 'active';
CREATE INDEX assessments_lead_open_idx ON assessments (lead_worker_id) WHERE status <> 'closed';

-- Strengths and needs by domain, for the family (member_id null) and for each member.
CREATE TABLE assessment_findings (
  id uuid PRIMARY KEY,
  assessment_id uuid NOT NULL REFERENCES assessments (id),
  member_id uuid REFERENCES members (id),
  domain text NOT NULL CHECK (domain IN (
    'education', 'crime_asb', 'employment', 'physical_health', 'mental_health',
    'substance_misuse', 'domestic_abuse', 'housing', 'family_relationships', 'money')),
  strengths text CHECK (length(strengths) BETWEEN 1 AND 5000),
  needs text CHECK (length(needs) BETWEEN 1 AND 5000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT assessment_findings_said CHECK (strengths IS NOT NULL OR needs IS NOT NULL),
  CONSTRAINT assessment_findings_once UNIQUE NULLS NOT DISTINCT (assessment_id, member_id, domain)
);

-- A closed assessment is a record: neither it nor its findings change again.
CREATE FUNCTION ffc_assessment_closed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  st text;
BEGIN
  IF TG_TABLE_NAME = 'assessments' THEN
    st := OLD.status;
  ELSE
    SELECT status INTO st FROM assessments
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.assessment_id ELSE NEW.assessment_id END;
  END IF;
  IF st = 'closed' THEN
    RAISE EXCEPTION 'a closed assessment does not change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER assessments_closed_final BEFORE UPDATE ON assessments
  FOR EACH ROW EXECUTE FUNCTION ffc_assessment_closed();
CREATE TRIGGER assessment_findings_closed_final BEFORE INSERT OR DELETE ON assessment_findings
  FOR EACH ROW EXECUTE FUNCTION ffc_assessment_closed();

-- The Team Around the Family: staff who work with the family. Sitting on it lets a lead or key
-- worker see the family.
CREATE TABLE taf_members (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  staff_id uuid NOT NULL REFERENCES staff (id),
  joined_on date NOT NULL,
  left_on date,
  added_by text NOT NULL,
  removed_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT taf_members_left CHECK (left_on >= joined_on AND (left_on IS NULL) = (removed_by IS NULL))
);
CREATE UNIQUE INDEX taf_members_once ON taf_members (family_id, staff_id) WHERE left_on IS NULL;
CREATE INDEX taf_members_staff_idx ON taf_members (staff_id) WHERE left_on IS NULL;
CREATE INDEX taf_members_family_idx ON taf_members (family_id, id);
CREATE TRIGGER taf_members_only_leave BEFORE UPDATE ON taf_members
  FOR EACH ROW EXECUTE FUNCTION ffc_changes_only('left_on', 'removed_by', 'version', 'updated_at');

-- Social care plans and early help as one history per family. A child's plan names the child;
-- early help is the family's. Periods of one kind for one person never overlap (two FCAFs at
-- once are refused here as well as by the one-open-assessment index).
CREATE TABLE care_episodes (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  member_id uuid REFERENCES members (id),
  kind text NOT NULL CHECK (kind IN (
    'child_protection_plan', 'child_in_need_plan', 'fcaf', 'family_recovery_programme')),
  started_on date NOT NULL,
  ended_on date,
  direction text NOT NULL CHECK (direction IN ('start', 'step_up', 'step_down', 'transfer')),
  follows_id uuid REFERENCES care_episodes (id),
  assessment_id uuid REFERENCES assessments (id),
  agreed_by text NOT NULL CHECK (length(agreed_by) BETWEEN 1 AND 200),
  recorded_by text NOT NULL,
  end_agreed_by text CHECK (length(end_agreed_by) BETWEEN 1 AND 200),
  end_reason text CHECK (length(end_reason) BETWEEN 1 AND 2000),
  ended_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT care_episodes_end CHECK (ended_on >= started_on
    AND (ended_on IS NULL) = (end_agreed_by IS NULL) AND (ended_on IS NULL) = (ended_by IS NULL)),
  CONSTRAINT care_episodes_whose CHECK (
    CASE WHEN kind IN ('child_protection_plan', 'child_in_need_plan') THEN member_id IS NOT NULL
         ELSE member_id IS NULL END),
  CONSTRAINT care_episodes_fcaf CHECK ((kind = 'fcaf') = (assessment_id IS NOT NULL)),
  CONSTRAINT care_episodes_direction CHECK ((direction = 'start') = (follows_id IS NULL)),
  CONSTRAINT care_episodes_no_overlap EXCLUDE USING gist (
    family_id WITH =, kind WITH =,
    (coalesce(member_id, '00000000-0000-0000-0000-000000000000'::uuid)) WITH =,
    daterange(started_on, ended_on, '[]') WITH &&)
);
CREATE INDEX care_episodes_family_idx ON care_episodes (family_id, started_on);
CREATE TRIGGER care_episodes_only_end BEFORE UPDATE ON care_episodes
  FOR EACH ROW EXECUTE FUNCTION ffc_changes_only(
    'ended_on', 'end_agreed_by', 'end_reason', 'ended_by', 'version', 'updated_at');
CREATE TRIGGER care_episodes_no_delete BEFORE DELETE OR TRUNCATE ON care_episodes
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

GRANT SELECT, INSERT, UPDATE ON assessments, taf_members, care_episodes TO ffc_service;
-- Findings are replaced as a whole while the assessment is open.
GRANT SELECT, INSERT, DELETE ON assessment_findings TO ffc_service;

-- Evidence records and versioned eligibility rulesets (cohort identification).

-- One row per dated fact about a member or the family. Rows are never updated: a correction is a
-- new row that supersedes an old one (at most one correction per row), or retracts it.
CREATE TABLE evidence (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  member_id uuid REFERENCES members (id),
  kind text NOT NULL CHECK (kind IN (
    'proven_offence', 'asb_intervention', 'asb_incident', 'school_term', 'permanent_exclusion',
    'alternative_provision', 'not_on_roll', 'out_of_work_benefit', 'employment',
    'work_programme', 'local_filter', 'phase2_problem', 'sf_need')),
  source text NOT NULL CHECK (source IN (
    'school', 'police', 'youth_offending', 'dwp', 'housing', 'health', 'social_care',
    'self_reported')),
  occurred_on date NOT NULL CHECK (occurred_on >= DATE '1990-01-01'),
  ends_on date,
  -- kind-specific facts
  intervention_kind text CHECK (intervention_kind IN (
    'asbo', 'injunction', 'acceptable_behaviour_contract', 'housing_asb_action')),
  academic_year smallint CHECK (academic_year BETWEEN 1990 AND 2100),
  term text CHECK (term IN ('autumn', 'spring', 'summer')),
  possible_sessions integer CHECK (possible_sessions BETWEEN 1 AND 400),
  sessions_attended integer CHECK (sessions_attended >= 0),
  unauthorised_absences integer CHECK (unauthorised_absences >= 0),
  fixed_term_exclusions integer CHECK (fixed_term_exclusions >= 0),
  benefit_type text CHECK (benefit_type IN (
    'jobseekers_allowance', 'employment_support_allowance', 'income_support',
    'incapacity_benefit', 'universal_credit_not_working', 'other')),
  hours_per_week smallint CHECK (hours_per_week BETWEEN 1 AND 100),
  programme text CHECK (programme IN ('work_programme', 'esf')),
  filter text CHECK (filter IN (
    'benefit_cap', 'adult_mental_health', 'domestic_abuse', 'substance_misuse',
    'child_protection_plan', 'child_in_need_plan', 'rent_arrears', 'member_in_custody')),
  indicator text CHECK (length(indicator) BETWEEN 1 AND 60),
  notes text CHECK (length(notes) BETWEEN 1 AND 2000),
  supersedes_id uuid UNIQUE REFERENCES evidence (id),
  retracts boolean NOT NULL DEFAULT false,
  recorded_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT evidence_dates CHECK (ends_on IS NULL OR ends_on >= occurred_on),
  CONSTRAINT evidence_retraction_needs_target CHECK (NOT retracts OR supersedes_id IS NOT NULL),
  CONSTRAINT evidence_member_facts CHECK (
    member_id IS NOT NULL OR kind IN ('asb_incident', 'local_filter', 'phase2_problem', 'sf_need')),
  CONSTRAINT evidence_asb_intervention CHECK (
    (kind = 'asb_intervention') = (intervention_kind IS NOT NULL)),
  CONSTRAINT evidence_school_term CHECK (
    (kind = 'school_term') = (academic_year IS NOT NULL AND term IS NOT NULL
      AND possible_sessions IS NOT NULL AND sessions_attended IS NOT NULL
      AND unauthorised_absences IS NOT NULL AND fixed_term_exclusions IS NOT NULL)),
  CONSTRAINT evidence_sessions CHECK (
    sessions_attended <= possible_sessions
    AND unauthorised_absences <= possible_sessions - sessions_attended),
  CONSTRAINT evidence_benefit CHECK ((kind = 'out_of_work_benefit') = (benefit_type IS NOT NULL)),
  CONSTRAINT evidence_employment CHECK ((kind = 'employment') = (hours_per_week IS NOT NULL)),
  CONSTRAINT evidence_programme CHECK ((kind = 'work_programme') = (programme IS NOT NULL)),
  CONSTRAINT evidence_filter CHECK ((kind = 'local_filter') = (filter IS NOT NULL)),
  CONSTRAINT evidence_indicator CHECK ((kind IN ('phase2_problem', 'sf_need')) = (indicator IS NOT NULL))
);
CREATE INDEX evidence_family_idx ON evidence (family_id, occurred_on);
CREATE INDEX evidence_member_idx ON evidence (member_id) WHERE member_id IS NOT NULL;

-- Rulesets: the programme's rules as data. Revisions are immutable; a change is a new revision.
CREATE TABLE rulesets (
  code text PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{3,40}$'),
  name text NOT NULL,
  family text NOT NULL CHECK (family IN ('phase1', 'phase2', 'supporting_families')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ruleset_revisions (
  id uuid PRIMARY KEY,
  ruleset_code text NOT NULL REFERENCES rulesets (code),
  revision integer NOT NULL CHECK (revision >= 1),
  effective_from date NOT NULL,
  parameters jsonb NOT NULL,
  note text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ruleset_code, revision),
  UNIQUE (ruleset_code, effective_from)
);

CREATE FUNCTION ffc_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are immutable: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ruleset_revisions_immutable BEFORE UPDATE OR DELETE ON ruleset_revisions
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();
CREATE TRIGGER evidence_immutable BEFORE UPDATE OR DELETE ON evidence
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();

INSERT INTO rulesets (code, name, family) VALUES
  ('phase1-2012', 'Troubled Families phase 1 (2012-2015)', 'phase1'),
  ('phase2-2015', 'Troubled Families expanded programme (phase 2, 2015-2020)', 'phase2'),
  ('supporting-families-2022', 'Supporting Families (2022-2025)', 'supporting_families');

-- Seed revisions. Thresholds come from docs/rules.md; the deprived-area list is a small
-- example (Rotherham postcode districts) to be replaced by a council through the API.
INSERT INTO ruleset_revisions (id, ruleset_code, revision, effective_from, parameters, note, created_by) VALUES
 ('01900000-0000-7000-8000-000000000001', 'phase1-2012', 1, DATE '2012-04-01', $json$
 {
   "offence_window_months": 12,
   "asb_window_months": 12,
   "adult_age": 18,
   "consecutive_terms": 3,
   "absence_measure": "unauthorised",
   "absence_threshold_basis_points": 1500,
   "fixed_term_exclusions_threshold": 3,
   "local_filters": ["deprived_area", "benefit_cap", "adult_mental_health", "domestic_abuse", "substance_misuse"],
   "deprived_areas": {"postcode_districts": ["S60", "S61", "S62", "S63", "S65", "S66"], "lsoas": []},
   "payments": {
     "max_per_family_pence": 400000,
     "attachment_fee_basis_points_by_year": {"2012": 8000, "2013": 6000, "2014": 4000},
     "crime_asb_education_pence_by_year": {"2012": 70000, "2013": 150000, "2014": 230000},
     "progress_to_work_pence": 10000,
     "continuous_employment_pence_by_year": {"2012": 80000, "2013": 160000, "2014": 240000},
     "deadweight_numerator": 1,
     "deadweight_denominator": 6
   }
 }$json$::jsonb, 'National phase 1 criteria with Rotherham''s local filters (May 2014 review).', 'migration'),
 ('01900000-0000-7000-8000-000000000002', 'phase2-2015', 1, DATE '2015-01-01', $json$
 {
   "problem_window_months": 12,
   "minimum_problems": 2,
   "payments": {"attachment_fee_pence": 100000, "result_pence": 80000}
 }$json$::jsonb, 'Expanded programme: at least 2 of the 6 headline problems.', 'migration'),
 ('01900000-0000-7000-8000-000000000003', 'supporting-families-2022', 1, DATE '2022-04-01', $json$
 {
   "need_window_months": 12,
   "minimum_needs": 3,
   "adult_age": 18,
   "payments": {"result_pence": 80000}
 }$json$::jsonb, 'Supporting Families: dependent children (or an expectant parent) and at least 3 of the 10 needs.', 'migration');

GRANT SELECT, INSERT ON evidence TO ffc_service;
-- UPDATE only so that adding a revision can lock the ruleset row (SELECT ... FOR UPDATE).
GRANT SELECT, UPDATE ON rulesets TO ffc_service;
GRANT SELECT, INSERT ON ruleset_revisions TO ffc_service;

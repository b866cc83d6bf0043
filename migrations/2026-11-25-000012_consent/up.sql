-- Organisations data may be shared with, consent to share, and sharing without consent.

-- A check a trigger raises as 'invalid <field>: <message>' reaches the caller as a 422 naming the
-- field (see error.rs).

CREATE TABLE organisations (
  code text PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{2,40}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN (
    'council', 'police', 'health', 'education', 'voluntary', 'government', 'private')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
-- The organisations of the Rotherham reports (2013-2015); admins add others.
INSERT INTO organisations (code, name, kind) VALUES
  ('rmbc', 'Rotherham Metropolitan Borough Council (Families for Change)', 'council'),
  ('rotherham-yos', 'Rotherham Youth Offending Services', 'council'),
  ('rotherham-iyss', 'Rotherham Integrated Youth Support Service (Connexions)', 'council'),
  ('south-yorkshire-police', 'South Yorkshire Police', 'police'),
  ('dwp', 'Department for Work and Pensions (Jobcentre Plus)', 'government'),
  ('ywca', 'YWCA Yorkshire (family support)', 'voluntary'),
  ('rotherham-mind', 'Rotherham and Barnsley MIND (intensive family support)', 'voluntary'),
  ('remedi', 'Remedi (family mediation)', 'voluntary'),
  ('barnsley-mst', 'Barnsley Multi-Systemic Therapy team', 'council'),
  ('wiseability', 'Wiseability (ESF employment support)', 'private'),
  ('rotherham-camhs', 'Rotherham CAMHS (NHS)', 'health'),
  ('aston-academy', 'Aston Academy', 'education'),
  ('rcat', 'Rotherham College of Arts and Technology', 'education');

CREATE FUNCTION ffc_known_organisations(codes text[], field text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT c INTO missing FROM unnest(codes) AS c
   WHERE NOT EXISTS (SELECT 1 FROM organisations o WHERE o.code = c) LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'invalid %: no organisation with code %', field, missing
      USING ERRCODE = 'check_violation';
  END IF;
END
$$;

CREATE FUNCTION ffc_london_today() RETURNS date
LANGUAGE sql STABLE AS $$ SELECT (now() AT TIME ZONE 'Europe/London')::date $$;

-- A consent grant: whose data (a member, or the whole family when member_id is null), to which
-- organisations, for which purposes and data categories (null = all), with exclusions.
CREATE TABLE consents (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  member_id uuid REFERENCES members (id),
  decision text NOT NULL CHECK (decision IN ('given', 'refused')),
  organisations text[] NOT NULL CHECK (cardinality(organisations) BETWEEN 1 AND 50),
  purposes text[] NOT NULL CHECK (cardinality(purposes) >= 1 AND purposes <@ ARRAY[
    'assessment', 'team_around_family', 'referral', 'service_delivery', 'evaluation']),
  categories text[] CHECK (categories IS NULL OR (cardinality(categories) >= 1 AND categories <@ ARRAY[
    'identity_contact', 'education', 'crime_asb', 'employment', 'physical_health',
    'mental_health', 'substance_misuse', 'domestic_abuse', 'housing',
    'family_relationships', 'money', 'social_care'])),
  excluded_categories text[] NOT NULL DEFAULT '{}' CHECK (excluded_categories <@ ARRAY[
    'identity_contact', 'education', 'crime_asb', 'employment', 'physical_health',
    'mental_health', 'substance_misuse', 'domestic_abuse', 'housing',
    'family_relationships', 'money', 'social_care']),
  valid_from date NOT NULL,
  valid_until date,
  notes text CHECK (length(notes) <= 2000),
  recorded_by text NOT NULL,
  withdrawn_on date,
  withdrawn_reason text CHECK (length(withdrawn_reason) <= 2000),
  withdrawn_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT consents_period CHECK (valid_until IS NULL OR valid_until >= valid_from),
  CONSTRAINT consents_withdrawal CHECK (
    (withdrawn_on IS NULL) = (withdrawn_reason IS NULL)
    AND (withdrawn_on IS NULL) = (withdrawn_by IS NULL)),
  CONSTRAINT consents_withdraw_given CHECK (
    withdrawn_on IS NULL OR (decision = 'given' AND withdrawn_on >= valid_from)),
  CONSTRAINT consents_refusal_whole CHECK (decision = 'given' OR cardinality(excluded_categories) = 0),
  CONSTRAINT consents_exclusions_disjoint CHECK (
    categories IS NULL OR NOT (categories && excluded_categories))
);
CREATE INDEX consents_family_idx ON consents (family_id, id);

CREATE FUNCTION ffc_consent_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- A grant is never rewritten; it is only withdrawn, once.
    IF OLD.withdrawn_on IS NOT NULL
       OR to_jsonb(NEW) - ARRAY['withdrawn_on', 'withdrawn_reason', 'withdrawn_by', 'version', 'updated_at']
          <> to_jsonb(OLD) - ARRAY['withdrawn_on', 'withdrawn_reason', 'withdrawn_by', 'version', 'updated_at'] THEN
      RAISE EXCEPTION 'consents are only withdrawn' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.withdrawn_on > ffc_london_today() THEN
      RAISE EXCEPTION 'invalid withdrawn_on: must not be in the future' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END IF;
  PERFORM ffc_known_organisations(NEW.organisations, 'organisations');
  IF NEW.member_id IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM members m WHERE m.id = NEW.member_id AND m.family_id = NEW.family_id) THEN
    RAISE EXCEPTION 'invalid member_id: not a member of this family' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER consents_rules BEFORE INSERT OR UPDATE ON consents
  FOR EACH ROW EXECUTE FUNCTION ffc_consent_rules();
CREATE TRIGGER consents_no_delete BEFORE DELETE OR TRUNCATE ON consents
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

-- Sharing without consent (the police single point of contact, safeguarding): what was shared,
-- with whom, by whom, why and on which lawful basis. Never changed.
CREATE TABLE information_sharing (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  member_id uuid REFERENCES members (id),
  shared_with text NOT NULL REFERENCES organisations (code),
  lawful_basis text NOT NULL CHECK (lawful_basis IN (
    'crime_and_disorder_act_s115', 'children_act_s47', 'children_act_s10',
    'children_act_s11', 'welfare_reform_act_s131', 'legal_obligation',
    'vital_interests', 'public_task')),
  categories text[] NOT NULL CHECK (cardinality(categories) >= 1 AND categories <@ ARRAY[
    'identity_contact', 'education', 'crime_asb', 'employment', 'physical_health',
    'mental_health', 'substance_misuse', 'domestic_abuse', 'housing',
    'family_relationships', 'money', 'social_care']),
  what_was_shared text NOT NULL CHECK (length(what_was_shared) BETWEEN 1 AND 5000),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 5000),
  shared_on date NOT NULL,
  shared_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX information_sharing_family_idx ON information_sharing (family_id, id);

CREATE FUNCTION ffc_sharing_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.shared_on > ffc_london_today() THEN
    RAISE EXCEPTION 'invalid shared_on: must not be in the future' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.member_id IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM members m WHERE m.id = NEW.member_id AND m.family_id = NEW.family_id) THEN
    RAISE EXCEPTION 'invalid member_id: not a member of this family' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER information_sharing_rules BEFORE INSERT ON information_sharing
  FOR EACH ROW EXECUTE FUNCTION ffc_sharing_rules();
CREATE TRIGGER information_sharing_immutable BEFORE UPDATE OR DELETE ON information_sharing
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();
CREATE TRIGGER information_sharing_no_truncate BEFORE TRUNCATE ON information_sharing
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

GRANT SELECT, INSERT ON organisations TO ffc_service;
GRANT SELECT, INSERT, UPDATE ON consents TO ffc_service;
GRANT SELECT, INSERT ON information_sharing TO ffc_service;

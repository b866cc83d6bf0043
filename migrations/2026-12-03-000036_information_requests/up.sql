-- Information requests to partner organisations (the police single point of contact first; the
-- same for health or a school): what is asked about a family or member, why, on which lawful
-- basis, by when; answered once, with what was found or that nothing is held, or declined with a
-- reason. Once answered or declined a request never changes.
CREATE TABLE information_requests (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  member_id uuid REFERENCES members (id),
  organisation text NOT NULL REFERENCES organisations (code),
  asked text NOT NULL CHECK (length(asked) BETWEEN 1 AND 5000),
  purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
  lawful_basis text NOT NULL CHECK (lawful_basis IN (
    'crime_and_disorder_act_s115', 'children_act_s47', 'children_act_s10',
    'children_act_s11', 'welfare_reform_act_s131', 'legal_obligation',
    'vital_interests', 'public_task')),
  categories text[] NOT NULL CHECK (cardinality(categories) >= 1 AND categories <@ ARRAY[
    'identity_contact', 'education', 'crime_asb', 'employment', 'physical_health',
    'mental_health', 'substance_misuse', 'domestic_abuse', 'housing',
    'family_relationships', 'money', 'social_care']),
  due_on date NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'declined')),
  requested_by text NOT NULL,
  requested_on date NOT NULL,
  outcome text CHECK (outcome IN ('found', 'nothing_held')),
  response text CHECK (length(response) BETWEEN 1 AND 5000),
  responded_by text,
  responded_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT information_requests_due CHECK (due_on >= requested_on),
  CONSTRAINT information_requests_responded CHECK (
    (status = 'open') = (responded_at IS NULL) AND (status = 'open') = (responded_by IS NULL)),
  CONSTRAINT information_requests_outcome CHECK ((status = 'answered') = (outcome IS NOT NULL)),
  CONSTRAINT information_requests_declined CHECK (status <> 'declined' OR response IS NOT NULL)
);
-- The contact's list (their organisation's requests by status), the family's list, and the
-- sender's overdue list.
CREATE INDEX information_requests_organisation_idx ON information_requests (organisation, status, id);
CREATE INDEX information_requests_family_idx ON information_requests (family_id, id);
CREATE INDEX information_requests_overdue_idx ON information_requests (due_on, id)
  WHERE status = 'open';
CREATE INDEX information_requests_sender_idx ON information_requests (requested_by, id);

CREATE FUNCTION ffc_information_request_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status <> 'open' THEN
    RAISE EXCEPTION 'invalid status: the request was % and no longer changes', OLD.status
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND (NEW.family_id, NEW.member_id, NEW.organisation, NEW.asked, NEW.purpose,
      NEW.lawful_basis, NEW.categories, NEW.due_on, NEW.requested_by, NEW.requested_on)
      IS DISTINCT FROM (OLD.family_id, OLD.member_id, OLD.organisation, OLD.asked, OLD.purpose,
      OLD.lawful_basis, OLD.categories, OLD.due_on, OLD.requested_by, OLD.requested_on) THEN
    RAISE EXCEPTION 'invalid change: what was asked is never rewritten'
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.member_id IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM members m WHERE m.id = NEW.member_id AND m.family_id = NEW.family_id) THEN
    RAISE EXCEPTION 'invalid member_id: not a member of this family' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER information_requests_rules BEFORE INSERT OR UPDATE ON information_requests
  FOR EACH ROW EXECUTE FUNCTION ffc_information_request_rules();
CREATE TRIGGER information_requests_no_delete BEFORE DELETE ON information_requests
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();
CREATE TRIGGER information_requests_no_truncate BEFORE TRUNCATE ON information_requests
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

-- The evidence an answer gave, and the sharing log's side of each exchange: what the council
-- sent (the request) and what it received (the answer or the refusal).
ALTER TABLE evidence ADD COLUMN information_request_id uuid REFERENCES information_requests (id);
CREATE INDEX evidence_information_request_idx ON evidence (information_request_id)
  WHERE information_request_id IS NOT NULL;
ALTER TABLE information_sharing
  ADD COLUMN direction text NOT NULL DEFAULT 'sent' CHECK (direction IN ('sent', 'received')),
  ADD COLUMN information_request_id uuid REFERENCES information_requests (id);
CREATE INDEX information_sharing_request_idx ON information_sharing (information_request_id)
  WHERE information_request_id IS NOT NULL;

GRANT SELECT, INSERT, UPDATE ON information_requests TO ffc_service;

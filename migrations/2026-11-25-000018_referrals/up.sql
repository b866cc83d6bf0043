-- Referrals of a family (or one member) to a commissioned service, with their history.
CREATE TABLE referrals (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  member_id uuid REFERENCES members (id),
  service_code text NOT NULL REFERENCES services (code),
  -- The service's organisation, kept on the row: a provider sees its organisation's referrals.
  organisation text NOT NULL REFERENCES organisations (code),
  status text NOT NULL CHECK (status IN (
    'waiting', 'requested', 'accepted', 'rejected', 'in_progress', 'on_hold', 'completed',
    'failed', 'cancelled')),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 5000),
  referred_on date NOT NULL,
  -- The consent it rests on, or a manager's recorded override.
  consent_id uuid REFERENCES consents (id),
  consent_override text CHECK (length(consent_override) BETWEEN 1 AND 2000),
  override_by text,
  -- Place in the queue while waiting.
  queued_at timestamptz,
  outcome text CHECK (length(outcome) BETWEEN 1 AND 5000),
  referred_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT referrals_consent CHECK (num_nonnulls(consent_id, consent_override) = 1
    AND (consent_override IS NULL) = (override_by IS NULL)),
  CONSTRAINT referrals_queue CHECK ((status = 'waiting') = (queued_at IS NOT NULL)),
  CONSTRAINT referrals_outcome CHECK (status <> 'completed' OR outcome IS NOT NULL)
);
CREATE INDEX referrals_family_idx ON referrals (family_id, id);
CREATE INDEX referrals_organisation_idx ON referrals (organisation, id);
CREATE INDEX referrals_service_idx ON referrals (service_code, id);
CREATE INDEX referrals_status_idx ON referrals (status, id);
CREATE INDEX referrals_active_idx ON referrals (service_code)
  WHERE status IN ('requested', 'accepted', 'in_progress', 'on_hold');
CREATE INDEX referrals_queue_idx ON referrals (service_code, queued_at, id) WHERE status = 'waiting';

-- A service's capacity holds in the database too: a referral takes a place only while there is
-- one. The service row lock queues referrals racing for the last place.
CREATE FUNCTION ffc_referral_capacity() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cap integer;
  taken integer;
BEGIN
  IF NEW.status NOT IN ('requested', 'accepted', 'in_progress', 'on_hold')
     OR (TG_OP = 'UPDATE' AND OLD.status IN ('requested', 'accepted', 'in_progress', 'on_hold')) THEN
    RETURN NEW;
  END IF;
  SELECT capacity INTO cap FROM services WHERE code = NEW.service_code FOR UPDATE;
  IF cap IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT count(*) INTO taken FROM referrals
   WHERE service_code = NEW.service_code AND id <> NEW.id
     AND status IN ('requested', 'accepted', 'in_progress', 'on_hold');
  IF taken >= cap THEN
    RAISE EXCEPTION 'capacity: service % has % of % places taken', NEW.service_code, taken, cap
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER referrals_capacity BEFORE INSERT OR UPDATE OF status ON referrals
  FOR EACH ROW EXECUTE FUNCTION ffc_referral_capacity();

-- Once ended, a referral does not change; who, whom and where never change.
CREATE FUNCTION ffc_referral_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status IN ('rejected', 'cancelled', 'completed', 'failed') THEN
    RAISE EXCEPTION 'an ended referral does not change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.family_id <> OLD.family_id OR NEW.member_id IS DISTINCT FROM OLD.member_id
     OR NEW.service_code <> OLD.service_code OR NEW.organisation <> OLD.organisation
     OR NEW.referred_on <> OLD.referred_on OR NEW.referred_by <> OLD.referred_by THEN
    RAISE EXCEPTION 'a referral''s parties do not change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER referrals_rules BEFORE UPDATE ON referrals
  FOR EACH ROW EXECUTE FUNCTION ffc_referral_rules();
CREATE TRIGGER referrals_no_delete BEFORE DELETE OR TRUNCATE ON referrals
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

-- Each move: who, when, from what to what, and why.
CREATE TABLE referral_events (
  id uuid PRIMARY KEY,
  referral_id uuid NOT NULL REFERENCES referrals (id),
  action text NOT NULL CHECK (action IN (
    'create', 'offer', 'accept', 'reject', 'start', 'hold', 'resume', 'complete', 'fail', 'cancel')),
  from_status text,
  to_status text NOT NULL,
  reason text CHECK (length(reason) BETWEEN 1 AND 5000),
  actor text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_events_referral_idx ON referral_events (referral_id, id);
CREATE TRIGGER referral_events_immutable BEFORE UPDATE OR DELETE ON referral_events
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();

GRANT SELECT, INSERT, UPDATE ON referrals TO ffc_service;
GRANT SELECT, INSERT ON referral_events TO ffc_service;

-- Updates posted by providers' systems on a referral: sessions, engagement, progress, outcome
-- measures. Never changed: a correction is a new update naming the one it corrects.
CREATE TABLE referral_updates (
  id uuid PRIMARY KEY,
  referral_id uuid NOT NULL REFERENCES referrals (id),
  kind text NOT NULL CHECK (kind IN ('session', 'progress', 'outcome')),
  occurred_on date NOT NULL,
  session_held boolean,
  family_engaged boolean,
  note text CHECK (length(note) BETWEEN 1 AND 5000),
  -- [{"name": ..., "value": integer, "unit": ...}], checked by the service.
  measures jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(measures) = 'array'),
  corrects_id uuid REFERENCES referral_updates (id),
  posted_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_updates_referral_idx ON referral_updates (referral_id, id);
CREATE TRIGGER referral_updates_immutable BEFORE UPDATE OR DELETE ON referral_updates
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();
CREATE TRIGGER referral_updates_no_truncate BEFORE TRUNCATE ON referral_updates
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

GRANT SELECT, INSERT ON referral_updates TO ffc_service;

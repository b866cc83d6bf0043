-- Attachment: a family taken on by the programme under a ruleset revision on a date.
CREATE TABLE attachments (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  ruleset_code text NOT NULL REFERENCES rulesets (code),
  -- The revision in force on the attachment date; the family's claims are judged by it.
  revision_id uuid NOT NULL REFERENCES ruleset_revisions (id),
  attached_on date NOT NULL,
  -- First calendar year of the financial year (April to March) the date falls in.
  financial_year smallint NOT NULL CHECK (financial_year BETWEEN 1990 AND 2100),
  attachment_fee_pence bigint NOT NULL CHECK (attachment_fee_pence >= 0),
  eligible boolean NOT NULL,
  -- The verdict at attachment, kept as it was.
  eligibility jsonb NOT NULL,
  override_justification text CHECK (length(override_justification) BETWEEN 10 AND 4000),
  attached_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- At most once per ruleset.
  CONSTRAINT attachments_once_per_ruleset UNIQUE (family_id, ruleset_code),
  -- An ineligible family is attached only with a manager's written justification.
  CONSTRAINT attachments_override CHECK (eligible OR override_justification IS NOT NULL)
);
CREATE INDEX attachments_ruleset_year_idx ON attachments (ruleset_code, financial_year);

CREATE TRIGGER attachments_immutable BEFORE UPDATE OR DELETE ON attachments
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();

GRANT SELECT, INSERT ON attachments TO ffc_service;

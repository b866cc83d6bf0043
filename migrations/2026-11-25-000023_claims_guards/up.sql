-- Claims, held tighter by the database (review of 000022): items are added only while their
-- window is being computed; a window moves only along its lifecycle; who validated it is
-- written once; the submitter is neither the preparer nor the validator; no more is recovered
-- than was claimed.
CREATE FUNCTION ffc_claim_items_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM added a JOIN claim_windows w ON w.id = a.window_id
              WHERE w.status <> 'computing') THEN
    RAISE EXCEPTION 'results are added to a claim window only while it is computed'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NULL;
END
$$;
-- Once per statement (a batch adds thousands of rows), not once per row.
CREATE TRIGGER claim_items_added AFTER INSERT ON claim_items
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION ffc_claim_items_added();

CREATE OR REPLACE FUNCTION ffc_claim_windows_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.status = 'submitted' THEN
    RAISE EXCEPTION 'a submitted claim never changes' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.cut_off <> OLD.cut_off OR NEW.prepared_by <> OLD.prepared_by THEN
    RAISE EXCEPTION 'a window''s cut-off and preparer never change' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.validated_by IS NOT NULL AND (NEW.validated_by, NEW.validated_at)
       IS DISTINCT FROM (OLD.validated_by, OLD.validated_at) THEN
    RAISE EXCEPTION 'a window''s validation is never rewritten' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.status <> OLD.status AND (OLD.status, NEW.status) NOT IN (
       ('computing', 'review'), ('computing', 'failed'), ('review', 'computing'),
       ('failed', 'computing'), ('review', 'validated'), ('validated', 'submitted')) THEN
    RAISE EXCEPTION 'a claim window does not go from % to %', OLD.status, NEW.status
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;

ALTER TABLE claim_windows ADD CONSTRAINT claim_windows_submitter_not_validator
  CHECK (submitted_by IS NULL OR submitted_by <> validated_by);
ALTER TABLE claim_items ADD CONSTRAINT claim_items_recovered_at_most_claimed
  CHECK (recovered_pence IS NULL OR recovered_pence <= amount_pence);

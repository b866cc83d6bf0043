-- A claim window may be limited to chosen rulesets (NULL: every ruleset). Each code must be a
-- ruleset; the service gives the friendly message, this holds it.
ALTER TABLE claim_windows ADD COLUMN rulesets text[]
  CHECK (rulesets IS NULL OR (cardinality(rulesets) BETWEEN 1 AND 20 AND array_position(rulesets, NULL) IS NULL));

CREATE FUNCTION ffc_claim_window_rulesets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.rulesets IS NOT NULL AND EXISTS (
       SELECT 1 FROM unnest(NEW.rulesets) c WHERE NOT EXISTS (SELECT 1 FROM rulesets r WHERE r.code = c)) THEN
    RAISE EXCEPTION 'claim window % names a ruleset that does not exist', NEW.id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.rulesets IS DISTINCT FROM OLD.rulesets THEN
    RAISE EXCEPTION 'the rulesets of claim window % do not change', NEW.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER claim_windows_rulesets BEFORE INSERT OR UPDATE ON claim_windows
  FOR EACH ROW EXECUTE FUNCTION ffc_claim_window_rulesets();

-- Windows run forward: the latest submitted cut-off is read under the opening lock.
CREATE INDEX claim_windows_submitted_cut_off_idx ON claim_windows (cut_off) WHERE status = 'submitted';

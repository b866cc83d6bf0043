ALTER TABLE claim_items ALTER COLUMN snapshot TYPE jsonb USING snapshot::jsonb;
CREATE OR REPLACE FUNCTION ffc_claim_items_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  w text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'claim items are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.window_id, NEW.family_id, NEW.attachment_id, NEW.ruleset_code, NEW.revision_id,
      NEW.financial_year, NEW.result, NEW.slot, NEW.achieved_on, NEW.amount_pence, NEW.snapshot,
      NEW.evidence_ids, NEW.created_at)
     IS DISTINCT FROM
     (OLD.window_id, OLD.family_id, OLD.attachment_id, OLD.ruleset_code, OLD.revision_id,
      OLD.financial_year, OLD.result, OLD.slot, OLD.achieved_on, OLD.amount_pence, OLD.snapshot,
      OLD.evidence_ids, OLD.created_at) THEN
    RAISE EXCEPTION 'what a claim item claims never changes' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT status INTO w FROM claim_windows WHERE id = NEW.window_id;
  IF OLD.status = NEW.status AND w NOT IN ('validated', 'submitted') THEN
    RETURN NEW;
  ELSIF OLD.status = 'included' AND NEW.status = 'excluded' AND w IN ('computing', 'review') THEN
    RETURN NEW;
  ELSIF OLD.status = 'included' AND NEW.status = 'withdrawn' AND w = 'submitted' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'claim item % may not go from % to % in a % window', OLD.id, OLD.status, NEW.status, w
    USING ERRCODE = 'insufficient_privilege';
END
$$;
ALTER TABLE claim_items
  DROP CONSTRAINT claim_items_attachment_fkey,
  ADD CONSTRAINT claim_items_attachment_id_fkey FOREIGN KEY (attachment_id) REFERENCES attachments (id),
  ADD CONSTRAINT claim_items_family_id_fkey FOREIGN KEY (family_id) REFERENCES families (id),
  ADD CONSTRAINT claim_items_ruleset_code_fkey FOREIGN KEY (ruleset_code) REFERENCES rulesets (code),
  ADD CONSTRAINT claim_items_revision_id_fkey FOREIGN KEY (revision_id) REFERENCES ruleset_revisions (id);
ALTER TABLE attachments DROP CONSTRAINT attachments_identity;

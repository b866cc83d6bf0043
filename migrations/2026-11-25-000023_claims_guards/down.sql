ALTER TABLE claim_items DROP CONSTRAINT claim_items_recovered_at_most_claimed;
ALTER TABLE claim_windows DROP CONSTRAINT claim_windows_submitter_not_validator;
DROP TRIGGER claim_items_added ON claim_items;
DROP FUNCTION ffc_claim_items_added();

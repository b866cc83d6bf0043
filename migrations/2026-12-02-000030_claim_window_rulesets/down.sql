DROP INDEX claim_windows_submitted_cut_off_idx;
DROP TRIGGER claim_windows_rulesets ON claim_windows;
DROP FUNCTION ffc_claim_window_rulesets();
ALTER TABLE claim_windows DROP COLUMN rulesets;

DROP TABLE claim_items;
DROP TABLE claim_windows;
DROP FUNCTION ffc_claim_items_guard();
DROP FUNCTION ffc_claim_windows_guard();

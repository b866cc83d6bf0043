DROP INDEX members_name_dob_idx;
DROP INDEX members_upn_idx;
DROP INDEX members_ni_number_idx;
DROP INDEX evidence_import_key_idx;
ALTER TABLE evidence DROP COLUMN import_key;
DROP TABLE import_review_rows;
DROP TABLE imports;

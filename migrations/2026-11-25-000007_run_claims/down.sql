ALTER TABLE identification_runs DROP COLUMN claim_token;

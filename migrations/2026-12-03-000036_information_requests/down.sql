ALTER TABLE information_sharing DROP COLUMN information_request_id, DROP COLUMN direction;
ALTER TABLE evidence DROP COLUMN information_request_id;
DROP TABLE information_requests;
DROP FUNCTION ffc_information_request_rules();

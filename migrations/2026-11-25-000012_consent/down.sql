DROP TABLE information_sharing;
DROP FUNCTION ffc_sharing_rules();
DROP TABLE consents;
DROP FUNCTION ffc_consent_rules();
DROP FUNCTION ffc_london_today();
DROP FUNCTION ffc_known_organisations(text[], text);
DROP TABLE organisations;

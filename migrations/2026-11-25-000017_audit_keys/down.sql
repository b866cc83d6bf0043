ALTER TABLE audit_events DROP COLUMN resource_keys;

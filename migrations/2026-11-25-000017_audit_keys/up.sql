-- Some records are keyed by a code, not an id (organisations, services): the audit names them too.
ALTER TABLE audit_events ADD COLUMN resource_keys text[] NOT NULL DEFAULT '{}';

-- The issuer of the caller's token, so two identity services' subjects cannot be confused.
ALTER TABLE audit_events ADD COLUMN actor_issuer text;

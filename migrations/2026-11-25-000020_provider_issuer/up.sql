-- Each provider may run its own identity service, which chooses its own subjects: a binding is
-- to the (issuer, subject) pair, or one provider's service could name another's user.
ALTER TABLE provider_users ADD COLUMN issuer text NOT NULL DEFAULT 'ffc-dev'
  CHECK (length(issuer) BETWEEN 1 AND 500);
ALTER TABLE provider_users ALTER COLUMN issuer DROP DEFAULT;
ALTER TABLE provider_users DROP CONSTRAINT provider_users_subject_key;
ALTER TABLE provider_users ADD CONSTRAINT provider_users_identity UNIQUE (issuer, subject);

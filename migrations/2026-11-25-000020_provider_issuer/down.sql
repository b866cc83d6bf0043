ALTER TABLE provider_users DROP CONSTRAINT provider_users_identity;
ALTER TABLE provider_users ADD CONSTRAINT provider_users_subject_key UNIQUE (subject);
ALTER TABLE provider_users DROP COLUMN issuer;

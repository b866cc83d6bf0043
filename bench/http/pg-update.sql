-- pgbench: POST /referrals/{id}/updates as the service runs it for a provider: one
-- transaction: the Idempotency-Key's advisory lock and lookup (sent together), the referral
-- locked, the caller's organisation, the update inserted, the outbox event (and a delivery per
-- webhook subscription), the audit event and the stored response, committed. Ids are made in
-- the first statement (the service makes them in Rust).
\set r random(1, :referrals)
SELECT b.id AS rid, b.family_id AS fam, bench.uuid7() AS uid, bench.uuid7() AS oid, bench.uuid7() AS aid, 'pgbench-' || md5(random()::text) AS key FROM bench.referral_ids b WHERE b.n = :r \gset
BEGIN;
\startpipeline
SELECT pg_try_advisory_xact_lock(hashtextextended('ffc-dev|bench-ywca' || chr(31) || :key, 0));
SELECT "idempotency_keys"."caller", "idempotency_keys"."idempotency_key", "idempotency_keys"."request_hash", "idempotency_keys"."response_status", "idempotency_keys"."response_body", "idempotency_keys"."response_headers" FROM "idempotency_keys" WHERE (("idempotency_keys"."caller" = 'ffc-dev|bench-ywca') AND ("idempotency_keys"."idempotency_key" = :key)) LIMIT 1;
\endpipeline
SELECT "referrals"."id", "referrals"."family_id", "referrals"."member_id", "referrals"."service_code", "referrals"."organisation", "referrals"."status", "referrals"."reason", "referrals"."referred_on", "referrals"."consent_id", "referrals"."consent_override", "referrals"."override_by", "referrals"."queued_at", "referrals"."outcome", "referrals"."referred_by", "referrals"."created_at", "referrals"."version" FROM "referrals" WHERE ("referrals"."id" = :rid) LIMIT 1 FOR UPDATE;
SELECT "provider_users"."organisation" FROM "provider_users" WHERE (("provider_users"."issuer" = 'ffc-dev') AND ("provider_users"."subject" = 'bench-ywca')) LIMIT 1;
INSERT INTO "referral_updates" ("id", "referral_id", "kind", "occurred_on", "session_held", "family_engaged", "note", "measures", "corrects_id", "posted_by") VALUES (:uid, :rid, 'session', '2015-06-01', true, true, NULL, '[]', NULL, 'bench-ywca') RETURNING "referral_updates"."id", "referral_updates"."referral_id", "referral_updates"."kind", "referral_updates"."occurred_on", "referral_updates"."session_held", "referral_updates"."family_engaged", "referral_updates"."note", "referral_updates"."measures", "referral_updates"."corrects_id", "referral_updates"."posted_by", "referral_updates"."created_at";
WITH e AS (INSERT INTO outbox (id, event_type, organisation, payload) VALUES (:oid, 'referral.update_posted', 'ywca', jsonb_build_object('status', 'in_progress', 'update_id', :uid::text, 'referral_id', :rid::text)) RETURNING id) INSERT INTO webhook_deliveries (id, outbox_id, subscription_id) SELECT gen_random_uuid(), e.id, s.id FROM e, webhook_subscriptions s WHERE s.organisation = 'ywca' AND s.active;
INSERT INTO "audit_events" ("id", "actor", "actor_roles", "action", "resource_type", "resource_ids", "resource_keys", "request_id", "purpose", "actor_issuer") VALUES (:aid, 'bench-ywca', '{provider}', 'referral.update', 'referral_update', ARRAY[:uid::uuid, :rid::uuid, :fam::uuid], '{}', gen_random_uuid()::text, NULL, 'ffc-dev');
INSERT INTO "idempotency_keys" ("caller", "idempotency_key", "request_hash", "response_status", "response_body", "response_headers") VALUES ('ffc-dev|bench-ywca', :key, md5(:key) || md5(:key), 201, jsonb_build_object('id', :uid::text, 'kind', 'session', 'note', null, 'measures', '[]'::jsonb, 'posted_by', 'bench-ywca', 'created_at', now(), 'occurred_on', '2015-06-01', 'referral_id', :rid::text, 'session_held', true, 'family_engaged', true, 'corrects_update_id', null), jsonb_build_object('etag', '"1"', 'location', '/api/v1/referrals/' || :rid || '/updates'));
COMMIT;

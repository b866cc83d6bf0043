-- pgbench: the family-with-members read alone (the three statements of GET /families/{id}),
-- sent together as the service sends them, without the deactivation check, the transaction or
-- the audit event: the ceiling the audit
-- is measured against. The family id is picked from the sampled ids in the same statement.
\set n random(1, :samples)
\startpipeline
SELECT "families"."id", "families"."reference", "families"."address_line1", "families"."address_line2", "families"."town", "families"."postcode", "families"."lsoa", "families"."housing_tenure", "families"."bedrooms", "families"."status", "families"."notes", "families"."archived_at", "families"."created_at", "families"."updated_at", "families"."version" FROM "families" WHERE (("families"."id" = (SELECT id FROM bench.family_ids WHERE n = :n)) AND ("families"."archived_at" IS NULL)) LIMIT 1;
SELECT "members"."id", "members"."family_id", "members"."member_role", "members"."relationship", "members"."given_name", "members"."family_name", "members"."date_of_birth", "members"."gender", "members"."upn", "members"."nhs_number", "members"."ni_number", "members"."school_name", "members"."created_at", "members"."updated_at", "members"."version" FROM "members" WHERE (("members"."family_id" = ANY(ARRAY[(SELECT id FROM bench.family_ids WHERE n = :n)])) AND ("members"."archived_at" IS NULL)) ORDER BY "members"."family_id", "members"."date_of_birth", "members"."id";
SELECT "relatives"."id", "relatives"."family_id", "relatives"."related_member_id", "relatives"."relationship", "relatives"."given_name", "relatives"."family_name", "relatives"."date_of_birth", "relatives"."notes", "relatives"."created_at", "relatives"."version" FROM "relatives" WHERE (("relatives"."family_id" = (SELECT id FROM bench.family_ids WHERE n = :n)) AND ("relatives"."archived_at" IS NULL)) ORDER BY "relatives"."id";
\endpipeline

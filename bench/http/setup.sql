-- The benchmark's own helpers, in a schema of their own: samples of what the load picks from
-- (the same for wrk and pgbench) and a time-ordered id like the service's UUIDv7.
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
CREATE TABLE bench.family_ids AS
  SELECT row_number() OVER () AS n, id FROM (SELECT id FROM families ORDER BY random() LIMIT 10000) s;
ALTER TABLE bench.family_ids ADD PRIMARY KEY (n);
CREATE TABLE bench.postcodes AS
  SELECT row_number() OVER (ORDER BY postcode) AS n, postcode FROM (SELECT DISTINCT postcode FROM families WHERE status != 'archived') s;
ALTER TABLE bench.postcodes ADD PRIMARY KEY (n);
-- The provider's open referrals (updates go only on accepted or in-progress ones).
CREATE TABLE bench.referral_ids AS
  SELECT row_number() OVER (ORDER BY id) AS n, id, family_id FROM referrals
   WHERE organisation = 'ywca' AND status IN ('accepted', 'in_progress');
ALTER TABLE bench.referral_ids ADD PRIMARY KEY (n);
CREATE FUNCTION bench.uuid7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT (lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7'
          || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid
$$;
GRANT USAGE ON SCHEMA bench TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA bench TO PUBLIC;
GRANT EXECUTE ON FUNCTION bench.uuid7() TO PUBLIC;

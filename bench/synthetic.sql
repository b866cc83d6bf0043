-- Synthetic families for benchmarks: realistic shapes, reproducible from the seed. Run as the
-- owner role: psql -v n=100000 -v seed=0.42 -f bench/synthetic.sql
-- Set-based (one INSERT ... SELECT per table), so 100,000 families load in seconds.
\set ON_ERROR_STOP on
SELECT setseed(:seed);

CREATE TEMP TABLE bench_postcodes (i int PRIMARY KEY, pc text NOT NULL);
INSERT INTO bench_postcodes VALUES
  (0, 'S60 1AE'), (1, 'S60 2AA'), (2, 'S61 1BD'), (3, 'S62 6EB'), (4, 'S63 7QP'),
  (5, 'S65 1AA'), (6, 'S66 2HL'), (7, 'S25 1AB'), (8, 'S26 4WD'), (9, 'S81 7AA'),
  (10, 'LS1 4AP'), (11, 'M1 1AE'), (12, 'B1 1BB'), (13, 'NE1 7RU'), (14, 'L1 8JQ'),
  (15, 'S1 2HE'), (16, 'S2 4SU'), (17, 'DN1 1AA'), (18, 'S70 2TA'), (19, 'S35 0AA');

-- Families.
CREATE TEMP TABLE bench_families AS
SELECT gen_random_uuid() AS id, g AS n, (random() * 19)::int AS pc
FROM generate_series(1, :n) g;

INSERT INTO families (id, address_line1, town, postcode, housing_tenure, bedrooms)
SELECT f.id, f.n || ' Synthetic Street', 'Rotherham', p.pc,
       (ARRAY['social_rent_council', 'private_rent', 'owner_occupier', 'social_rent_housing_association'])[1 + (f.n % 4)],
       1 + (f.n % 5)
FROM bench_families f JOIN bench_postcodes p ON p.i = f.pc;

-- Members: one or two adults, then up to four children (1 to 6 people a household).
CREATE TEMP TABLE bench_members AS
SELECT gen_random_uuid() AS id, f.id AS family_id, m.k,
       CASE WHEN m.k <= 1 + (f.n % 2) THEN 'adult' ELSE 'child' END AS role
FROM bench_families f
CROSS JOIN LATERAL generate_series(1, 1 + (f.n % 2) + ((f.n * 7 + 3) % 5)) AS m(k);

INSERT INTO members (id, family_id, member_role, relationship, given_name, family_name, date_of_birth, gender)
SELECT m.id, m.family_id, m.role, CASE WHEN m.role = 'adult' THEN 'parent' ELSE 'child' END,
       (ARRAY['Alex', 'Sam', 'Jo', 'Chris', 'Pat', 'Lee', 'Kim', 'Ash', 'Robin', 'Jamie'])[1 + (random() * 9)::int],
       (ARRAY['Smith', 'Jones', 'Taylor', 'Brown', 'Wilson', 'Evans', 'Thomas', 'Roberts'])[1 + (random() * 7)::int],
       CASE WHEN m.role = 'adult' THEN DATE '1960-01-01' + (random() * 11000)::int
            ELSE DATE '1996-09-01' + (random() * 5800)::int END,
       (ARRAY['female', 'male'])[1 + (random() > 0.5)::int]
FROM bench_members m;

-- Three school terms per child before June 2013, with absence spread so some pass 15%.
INSERT INTO evidence (id, family_id, member_id, kind, source, occurred_on, academic_year, term,
                      possible_sessions, sessions_attended, unauthorised_absences, fixed_term_exclusions, recorded_by)
SELECT gen_random_uuid(), m.family_id, m.id, 'school_term', 'school', t.starts, t.y, t.term,
       140, 140 - a.absent, a.absent / 2 + (a.absent % 2) * (random() > 0.5)::int, (random() < 0.05)::int, 'bench'
FROM bench_members m
CROSS JOIN (VALUES (2011, 'summer', DATE '2012-04-16'), (2012, 'autumn', DATE '2012-09-03'),
                   (2012, 'spring', DATE '2013-01-07')) AS t(y, term, starts)
CROSS JOIN LATERAL (SELECT (random() * 60 * (m.k % 3 = 0)::int)::int + (m.k % 2) AS absent) a
WHERE m.role = 'child';

-- Offences (some by children), ASB interventions, benefit spells, local-filter facts.
INSERT INTO evidence (id, family_id, member_id, kind, source, occurred_on, recorded_by)
SELECT gen_random_uuid(), m.family_id, m.id, 'proven_offence', 'police', DATE '2012-07-01' + (random() * 300)::int, 'bench'
FROM bench_members m WHERE random() < 0.08;

INSERT INTO evidence (id, family_id, member_id, kind, source, occurred_on, intervention_kind, recorded_by)
SELECT gen_random_uuid(), m.family_id, m.id, 'asb_intervention', 'police', DATE '2012-06-01' + (random() * 360)::int,
       (ARRAY['asbo', 'injunction', 'acceptable_behaviour_contract', 'housing_asb_action'])[1 + (random() * 3)::int], 'bench'
FROM bench_members m WHERE random() < 0.05;

INSERT INTO evidence (id, family_id, member_id, kind, source, occurred_on, ends_on, benefit_type, recorded_by)
SELECT gen_random_uuid(), m.family_id, m.id, 'out_of_work_benefit', 'dwp', DATE '2009-01-01' + (random() * 1400)::int,
       CASE WHEN random() < 0.3 THEN DATE '2013-01-01' ELSE NULL END,
       (ARRAY['jobseekers_allowance', 'employment_support_allowance', 'income_support'])[1 + (random() * 2)::int], 'bench'
FROM bench_members m WHERE m.role = 'adult' AND random() < 0.45;

INSERT INTO evidence (id, family_id, member_id, kind, source, occurred_on, filter, recorded_by)
SELECT gen_random_uuid(), f.id, NULL, 'local_filter', 'social_care', DATE '2011-01-01' + (random() * 800)::int,
       (ARRAY['adult_mental_health', 'domestic_abuse', 'substance_misuse', 'benefit_cap'])[1 + (random() * 3)::int], 'bench'
FROM bench_families f WHERE random() < 0.15;

ANALYZE families;
ANALYZE members;
ANALYZE evidence;
SELECT (SELECT count(*) FROM families) AS families, (SELECT count(*) FROM members) AS members,
       (SELECT count(*) FROM evidence) AS evidence;

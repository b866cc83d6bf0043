-- Attaches every synthetic family (bench/synthetic.sql) to phase 1 on 1 October 2012 and adds
-- what happened next, so that a claim window as of 15 September 2013 has results to find:
-- the summer 2012/13 school return, ASB incidents before and after attachment, jobs after
-- benefits ended, Work Programme starts. Set-based; reproducible from the seed.
\set ON_ERROR_STOP on
SELECT setseed(:seed);

INSERT INTO attachments (id, family_id, ruleset_code, revision_id, attached_on, financial_year,
                         attachment_fee_pence, eligible, eligibility, attached_by)
SELECT gen_random_uuid(), f.id, 'phase1-2012', '01900000-0000-7000-8000-000000000001',
       DATE '2012-10-01', 2012, 320000, true, '{}'::jsonb, 'bench'
FROM families f;
UPDATE families SET status = 'attached';

-- The third term of 2012/13 for every child.
INSERT INTO evidence (id, family_id, member_id, kind, source, occurred_on, academic_year, term,
                      possible_sessions, sessions_attended, unauthorised_absences, fixed_term_exclusions, recorded_by)
SELECT gen_random_uuid(), m.family_id, m.id, 'school_term', 'school', DATE '2013-04-15', 2012, 'summer',
       140, 140 - a.absent, a.absent, (random() < 0.03)::int, 'bench'
FROM members m
CROSS JOIN LATERAL (SELECT (random() * 30)::int AS absent) a
WHERE m.member_role = 'child';

-- ASB incidents across the family: some before attachment, fewer (or more) after.
INSERT INTO evidence (id, family_id, kind, source, occurred_on, recorded_by)
SELECT gen_random_uuid(), f.id, 'asb_incident', 'police', DATE '2012-04-01' + (random() * 180)::int, 'bench'
FROM families f CROSS JOIN generate_series(1, 3) g WHERE random() < 0.4;
INSERT INTO evidence (id, family_id, kind, source, occurred_on, recorded_by)
SELECT gen_random_uuid(), f.id, 'asb_incident', 'police', DATE '2013-03-20' + (random() * 170)::int, 'bench'
FROM families f WHERE random() < 0.3;

-- Adults whose benefits ended on 1 January 2013 find work the next day.
INSERT INTO evidence (id, family_id, member_id, kind, source, occurred_on, hours_per_week, recorded_by)
SELECT gen_random_uuid(), e.family_id, e.member_id, 'employment', 'dwp', DATE '2013-01-02', 30, 'bench'
FROM evidence e WHERE e.kind = 'out_of_work_benefit' AND e.ends_on = DATE '2013-01-01' AND random() < 0.5;

-- Work Programme and ESF starts.
INSERT INTO evidence (id, family_id, member_id, kind, source, occurred_on, programme, recorded_by)
SELECT gen_random_uuid(), m.family_id, m.id, 'work_programme', 'dwp', DATE '2012-11-01' + (random() * 200)::int,
       (ARRAY['work_programme', 'esf'])[1 + (random() > 0.5)::int], 'bench'
FROM members m WHERE m.member_role = 'adult' AND random() < 0.1;

ANALYZE attachments;
ANALYZE evidence;
SELECT (SELECT count(*) FROM attachments) AS attached, (SELECT count(*) FROM evidence) AS evidence;

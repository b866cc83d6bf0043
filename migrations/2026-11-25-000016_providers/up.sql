-- Commissioned services: which organisation provides them, whom they are for, how many families
-- they take at once, and their contract. Data that managers keep (docs/rules.md: "new
-- providers appear every year"); seeded with the Rotherham set of 2013-2015.
CREATE TABLE services (
  code text PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{2,40}$'),
  organisation text NOT NULL REFERENCES organisations (code),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- The need it addresses (an FCAF domain).
  need text NOT NULL CHECK (need IN (
    'education', 'crime_asb', 'employment', 'physical_health', 'mental_health',
    'substance_misuse', 'domestic_abuse', 'housing', 'family_relationships', 'money')),
  -- Age of the member referred on the referral date, inclusive.
  min_age integer CHECK (min_age BETWEEN 0 AND 120),
  max_age integer CHECK (max_age BETWEEN 0 AND 120),
  -- The member must be on one of these plans on the referral date (none: no requirement).
  required_plans text[] NOT NULL DEFAULT '{}'
    CHECK (required_plans <@ ARRAY['child_protection_plan', 'child_in_need_plan']),
  -- Open cases at once (requested, accepted, in progress, on hold); null: no limit.
  capacity integer CHECK (capacity > 0),
  contract_start date NOT NULL,
  -- Inclusive; null: open-ended.
  contract_end date,
  contract_value_pence bigint CHECK (contract_value_pence >= 0),
  notes text CHECK (length(notes) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT services_ages CHECK (min_age <= max_age),
  CONSTRAINT services_contract CHECK (contract_end >= contract_start)
);
CREATE INDEX services_organisation_idx ON services (organisation);

-- docs/rules.md, "Delivery routes and providers (Rotherham, 2013-2015)". Values in pence
-- are not in the sources, so they are left for the council to enter.
INSERT INTO services (code, organisation, name, need, min_age, max_age, required_plans, capacity,
                      contract_start, contract_end, notes) VALUES
  ('ywca-family-support', 'ywca', 'YWCA family support', 'family_relationships', NULL, NULL, '{}',
   NULL, DATE '2013-04-01', DATE '2015-03-31',
   'Families at the threshold of social care, too complex for an FCAF without a dedicated lead worker; step-down from social care.'),
  ('mind-intensive-family-support', 'rotherham-mind', 'MIND intensive family support', 'mental_health',
   NULL, NULL, '{child_protection_plan,child_in_need_plan}', NULL, DATE '2013-04-01', DATE '2015-03-31',
   'Cohort families known to social care, alongside the social worker. Contract to September 2014, extended to April 2015; 39 cases in year one.'),
  ('remedi-family-mediation', 'remedi', 'Family mediation (Remedi)', 'family_relationships', NULL, NULL, '{}',
   18, DATE '2013-04-01', NULL,
   'Family conflict where a breakdown in communication affects a young person''s attendance and behaviour; one practitioner, about 18 families.'),
  ('multi-systemic-therapy', 'barnsley-mst', 'Multi-Systemic Therapy (with the Barnsley team)', 'crime_asb',
   11, 17, '{}', 10, DATE '2014-07-01', NULL,
   'Young people aged 11-17 at risk of care or custody; a pilot of about 10 cases; 3-5 months of intensive work.'),
  ('ffc-employment-adviser', 'dwp', 'Families for Change employment adviser', 'employment', 16, NULL, '{}',
   NULL, DATE '2013-04-01', NULL,
   'Seconded from DWP; a small caseload, links families to DWP, the Work Programme and ESF providers.'),
  ('esf-employment-support', 'wiseability', 'ESF employment support (Wiseability)', 'employment', 16, NULL, '{}',
   NULL, DATE '2013-04-01', DATE '2015-03-31', 'ESF provision ends in March 2015.');

-- A provider's user, bound to one organisation by the subject of their tokens. The binding is
-- what lets a provider token see anything at all.
CREATE TABLE provider_users (
  id uuid PRIMARY KEY,
  subject text NOT NULL UNIQUE CHECK (length(subject) BETWEEN 1 AND 200),
  organisation text NOT NULL REFERENCES organisations (code),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_users_organisation_idx ON provider_users (organisation);

GRANT SELECT, INSERT, UPDATE ON services TO ffc_service;
GRANT SELECT, INSERT, DELETE ON provider_users TO ffc_service;

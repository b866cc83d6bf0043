-- Staff and teams (casework). A staff record is linked to the subject of its holder's tokens;
-- deactivating it stops those tokens at once, whatever their expiry.
CREATE TABLE teams (
  code text PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{2,40}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- Most families a team may hold open at once (the Family Recovery Programme: 45).
  open_case_limit integer CHECK (open_case_limit > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
INSERT INTO teams (code, name, open_case_limit) VALUES
  ('family-recovery', 'Family Recovery Programme (key workers)', 45),
  ('lead-workers', 'Lead workers (FCAF)', NULL),
  ('coordination', 'Families for Change coordinators', NULL);

CREATE TABLE staff (
  id uuid PRIMARY KEY,
  subject text NOT NULL UNIQUE CHECK (length(subject) BETWEEN 1 AND 200),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  staff_role text NOT NULL CHECK (staff_role IN (
    'coordinator', 'lead_worker', 'key_worker', 'employment_adviser', 'social_worker',
    'police_contact', 'claims_officer', 'auditor', 'manager', 'admin', 'provider_lead_worker')),
  team_code text REFERENCES teams (code),
  organisation text NOT NULL CHECK (length(organisation) BETWEEN 1 AND 200),
  active boolean NOT NULL DEFAULT true,
  deactivated_at timestamptz,
  deactivated_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  CONSTRAINT staff_deactivation CHECK (active = (deactivated_at IS NULL))
);
CREATE INDEX staff_team_idx ON staff (team_code, id);
-- A request asks whether its subject has been deactivated when its instance's set of
-- deactivated subjects is not current (migration 000033).
CREATE INDEX staff_inactive_subject_idx ON staff (subject) WHERE NOT active;

GRANT SELECT, UPDATE ON teams TO ffc_service;
GRANT SELECT, INSERT, UPDATE ON staff TO ffc_service;

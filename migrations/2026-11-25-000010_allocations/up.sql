-- Allocations: each open family's dedicated worker, with history. One open allocation per family;
-- a team's limit on open families (the Family Recovery Programme: 45) is held by a trigger that
-- locks the team row, so parallel allocations cannot overshoot it.
CREATE TABLE allocations (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  staff_id uuid NOT NULL REFERENCES staff (id),
  team_code text REFERENCES teams (code),
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  end_reason text CHECK (end_reason IN ('reallocated', 'worker_left', 'case_closed', 'other')),
  allocated_by text NOT NULL,
  ended_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT allocations_end CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE UNIQUE INDEX allocations_one_open_per_family ON allocations (family_id) WHERE ended_at IS NULL;
CREATE INDEX allocations_staff_open_idx ON allocations (staff_id) WHERE ended_at IS NULL;
CREATE INDEX allocations_team_open_idx ON allocations (team_code) WHERE ended_at IS NULL;
CREATE INDEX allocations_family_idx ON allocations (family_id, started_at);

CREATE FUNCTION ffc_allocation_capacity() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cap integer;
  open_now integer;
BEGIN
  IF NEW.ended_at IS NOT NULL OR NEW.team_code IS NULL THEN
    RETURN NEW;
  END IF;
  -- The team row lock queues parallel allocations to one team; each then counts afresh.
  SELECT open_case_limit INTO cap FROM teams WHERE code = NEW.team_code FOR UPDATE;
  IF cap IS NULL THEN
    RETURN NEW;
  END IF;
  SELECT count(*) INTO open_now FROM allocations
   WHERE team_code = NEW.team_code AND ended_at IS NULL;
  IF open_now >= cap THEN
    RAISE EXCEPTION 'capacity: team % has % of % open families', NEW.team_code, open_now, cap
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER allocations_capacity BEFORE INSERT ON allocations
  FOR EACH ROW EXECUTE FUNCTION ffc_allocation_capacity();

-- An allocation only ever ends; who, which family and which team never change.
CREATE FUNCTION ffc_allocation_only_ends() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.ended_at IS NOT NULL OR NEW.ended_at IS NULL
     OR NEW.family_id <> OLD.family_id OR NEW.staff_id <> OLD.staff_id
     OR NEW.team_code IS DISTINCT FROM OLD.team_code OR NEW.started_at <> OLD.started_at THEN
    RAISE EXCEPTION 'allocations only end' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER allocations_only_end BEFORE UPDATE ON allocations
  FOR EACH ROW EXECUTE FUNCTION ffc_allocation_only_ends();
CREATE TRIGGER allocations_no_delete BEFORE DELETE OR TRUNCATE ON allocations
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_refuse_change();

GRANT SELECT, INSERT, UPDATE ON allocations TO ffc_service;

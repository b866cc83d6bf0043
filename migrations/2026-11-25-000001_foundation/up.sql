-- Foundation: families, members, relatives outside the household, the append-only audit trail and
-- idempotency keys. Runs as the owner role; the service connects as a member of ffc_service, which
-- owns nothing and is granted only what it needs (see the GRANTs at the end).

CREATE EXTENSION IF NOT EXISTS pg_trgm;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ffc_service') THEN
    CREATE ROLE ffc_service NOLOGIN;
  END IF;
END
$$;

-- Identifier checks repeated here so that no path around the API can store an invalid value
-- (docs/rules.md, "Identifier checks"). The Rust domain layer gives the friendly message.
CREATE FUNCTION ffc_upn_is_valid(upn text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  alphabet constant text := 'ABCDEFGHJKLMNPQRTUVWXYZ';
  total int := 0;
  c text;
BEGIN
  IF upn !~ '^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$' THEN
    RETURN false;
  END IF;
  FOR p IN 2..13 LOOP
    c := substr(upn, p, 1);
    IF c ~ '^[0-9]$' THEN
      total := total + p * c::int;
    ELSE
      total := total + p * (strpos(alphabet, c) - 1);
    END IF;
  END LOOP;
  RETURN substr(alphabet, (total % 23) + 1, 1) = substr(upn, 1, 1);
END
$$;

CREATE FUNCTION ffc_nhs_number_is_valid(n text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  total int := 0;
  check_digit int;
BEGIN
  IF n !~ '^[0-9]{10}$' THEN
    RETURN false;
  END IF;
  FOR i IN 1..9 LOOP
    total := total + substr(n, i, 1)::int * (11 - i);
  END LOOP;
  check_digit := 11 - (total % 11);
  IF check_digit = 11 THEN
    check_digit := 0;
  END IF;
  RETURN check_digit <> 10 AND check_digit = substr(n, 10, 1)::int;
END
$$;

CREATE FUNCTION ffc_ni_number_is_valid(n text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT n ~ '^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$'
     AND substr(n, 1, 2) NOT IN ('BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ')
$$;

CREATE SEQUENCE family_reference_seq;

CREATE TABLE families (
  id uuid PRIMARY KEY,
  reference text NOT NULL UNIQUE
    DEFAULT ('FFC-' || lpad(nextval('family_reference_seq')::text, 6, '0')),
  address_line1 text NOT NULL CHECK (length(address_line1) BETWEEN 1 AND 200),
  address_line2 text CHECK (length(address_line2) BETWEEN 1 AND 200),
  town text NOT NULL CHECK (length(town) BETWEEN 1 AND 100),
  postcode text NOT NULL
    CHECK (postcode ~ '^([A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}|GIR 0AA)$'),
  housing_tenure text NOT NULL CHECK (housing_tenure IN (
    'owner_occupier', 'social_rent_council', 'social_rent_housing_association', 'private_rent',
    'temporary_accommodation', 'living_with_relatives', 'other', 'unknown')),
  bedrooms smallint CHECK (bedrooms BETWEEN 0 AND 20),
  status text NOT NULL DEFAULT 'identified'
    CHECK (status IN ('identified', 'attached', 'closed', 'archived')),
  notes text CHECK (length(notes) <= 10000),
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  CONSTRAINT families_archived_consistent CHECK ((status = 'archived') = (archived_at IS NOT NULL))
);
-- List filters: each is an index; the list is ordered by id (UUIDv7, time-ordered) descending.
CREATE INDEX families_postcode_idx ON families (postcode, id DESC);
CREATE INDEX families_status_idx ON families (status, id DESC);
CREATE INDEX families_reference_trgm_idx ON families USING gin (reference gin_trgm_ops);

CREATE TABLE members (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  member_role text NOT NULL CHECK (member_role IN ('adult', 'child')),
  relationship text NOT NULL CHECK (relationship IN (
    'parent', 'step_parent', 'partner', 'child', 'step_child', 'foster_child', 'grandparent',
    'grandchild', 'sibling', 'other_relative', 'other')),
  given_name text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
  family_name text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
  full_name text GENERATED ALWAYS AS (given_name || ' ' || family_name) STORED,
  date_of_birth date NOT NULL CHECK (date_of_birth >= DATE '1900-01-01'),
  gender text NOT NULL CHECK (gender IN ('female', 'male', 'other', 'not_stated')),
  upn text CHECK (ffc_upn_is_valid(upn)),
  nhs_number text CHECK (ffc_nhs_number_is_valid(nhs_number)),
  ni_number text CHECK (ffc_ni_number_is_valid(ni_number)),
  school_name text CHECK (length(school_name) BETWEEN 1 AND 200),
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
  CONSTRAINT members_school_only_for_children CHECK (school_name IS NULL OR member_role = 'child')
);
CREATE INDEX members_family_idx ON members (family_id, date_of_birth);
CREATE INDEX members_full_name_trgm_idx ON members USING gin (full_name gin_trgm_ops);

-- Relatives outside the household are relationships, not members (docs/rules.md).
CREATE TABLE relatives (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  related_member_id uuid REFERENCES members (id),
  relationship text NOT NULL CHECK (relationship IN (
    'son', 'daughter', 'mother', 'father', 'brother', 'sister', 'grandparent', 'grandchild',
    'aunt_or_uncle', 'former_partner', 'other')),
  given_name text NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
  family_name text NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
  date_of_birth date CHECK (date_of_birth >= DATE '1900-01-01'),
  notes text CHECK (length(notes) <= 2000),
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX relatives_family_idx ON relatives (family_id);

-- Audit trail: append-only. created_at is when the event happened; rows never change, so there is
-- no updated_at.
CREATE TABLE audit_events (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  actor_roles text[] NOT NULL,
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_ids uuid[] NOT NULL,
  request_id text NOT NULL,
  purpose text
);
CREATE INDEX audit_events_resource_ids_idx ON audit_events USING gin (resource_ids);
CREATE INDEX audit_events_actor_idx ON audit_events (actor, id DESC);
CREATE INDEX audit_events_type_idx ON audit_events (resource_type, id DESC);
CREATE INDEX audit_events_created_idx ON audit_events (created_at);

CREATE FUNCTION ffc_audit_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION ffc_audit_is_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION ffc_audit_is_append_only();

-- Idempotency keys are per caller and written in the same transaction as the work they guard.
CREATE TABLE idempotency_keys (
  caller text NOT NULL,
  idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  request_hash text NOT NULL,
  response_status smallint NOT NULL,
  response_body jsonb NOT NULL,
  response_headers jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, idempotency_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- The service's role: no DELETE on case records (deletion archives), and on the audit trail only
-- INSERT and SELECT, so the running service cannot rewrite history.
GRANT USAGE ON SCHEMA public TO ffc_service;
GRANT SELECT, INSERT, UPDATE ON families, members, relatives TO ffc_service;
GRANT USAGE ON SEQUENCE family_reference_seq TO ffc_service;
GRANT SELECT, INSERT ON audit_events TO ffc_service;
GRANT SELECT, INSERT, DELETE ON idempotency_keys TO ffc_service;

-- Bulk imports of partner data (schools' term records, police ASB and offences).
CREATE TABLE imports (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('school_terms', 'police')),
  file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
  rows_total integer NOT NULL CHECK (rows_total >= 0),
  imported integer NOT NULL CHECK (imported >= 0),
  duplicates integer NOT NULL CHECK (duplicates >= 0),
  for_review integer NOT NULL CHECK (for_review >= 0),
  uploaded_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT imports_rows_add_up CHECK (imported + duplicates + for_review = rows_total)
);

-- Rows that did not validate or did not match exactly one person: kept, never dropped.
CREATE TABLE import_review_rows (
  import_id uuid NOT NULL REFERENCES imports (id),
  line integer NOT NULL CHECK (line >= 2),
  problem text NOT NULL CHECK (problem IN ('invalid', 'unmatched', 'ambiguous')),
  detail text NOT NULL,
  fields jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (import_id, line)
);

-- An imported record's identity (source row content and the person matched): a re-uploaded
-- file adds nothing.
ALTER TABLE evidence ADD COLUMN import_key text CHECK (import_key ~ '^[0-9a-f]{64}$');
CREATE UNIQUE INDEX evidence_import_key_idx ON evidence (import_key) WHERE import_key IS NOT NULL;

-- Matching police rows to people: by NI number, or by exact name and date of birth.
CREATE INDEX members_ni_number_idx ON members (ni_number) WHERE ni_number IS NOT NULL;
CREATE INDEX members_upn_idx ON members (upn) WHERE upn IS NOT NULL;
CREATE INDEX members_name_dob_idx ON members (lower(family_name), lower(given_name), date_of_birth);

CREATE TRIGGER imports_immutable BEFORE UPDATE OR DELETE ON imports
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();

GRANT SELECT, INSERT ON imports, import_review_rows TO ffc_service;

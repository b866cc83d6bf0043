-- Case notes on a family: who wrote what, when. A note is never edited; a sensitive note is seen
-- only by the family's allocated worker and managers.
CREATE TABLE case_notes (
  id uuid PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES families (id),
  author text NOT NULL,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  sensitive boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_notes_family_idx ON case_notes (family_id, id DESC);
CREATE TRIGGER case_notes_immutable BEFORE UPDATE OR DELETE ON case_notes
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();
GRANT SELECT, INSERT ON case_notes TO ffc_service;

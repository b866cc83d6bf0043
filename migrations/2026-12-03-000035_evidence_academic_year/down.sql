ALTER TABLE evidence DROP CONSTRAINT evidence_within_academic_year;

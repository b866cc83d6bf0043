ALTER TABLE families ALTER COLUMN reference SET DEFAULT ('FFC-' || lpad(nextval('family_reference_seq')::text, 6, '0'));
DROP FUNCTION ffc_next_family_reference();

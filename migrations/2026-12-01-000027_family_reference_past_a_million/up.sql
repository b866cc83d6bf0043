-- lpad cuts a longer string down to the width: the millionth family's reference came out as
-- FFC-100000, the same as the hundred-thousandth (found by seeding 1,000,000 families). At least
-- six digits, more when the number needs them.
CREATE FUNCTION ffc_next_family_reference() RETURNS text
LANGUAGE sql VOLATILE AS $$
  SELECT 'FFC-' || lpad(n::text, greatest(6, length(n::text)), '0')
    FROM nextval('family_reference_seq') AS n
$$;
ALTER TABLE families ALTER COLUMN reference SET DEFAULT ffc_next_family_reference();

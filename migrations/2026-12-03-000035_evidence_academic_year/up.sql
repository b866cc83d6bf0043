-- A school term's record dated outside its own academic year (1 September to 31 August)
-- contradicts itself; the service refuses one with 422 naming the date, and this keeps any
-- other writer from storing one. NOT VALID: evidence is never rewritten, so rows already held
-- stay as they were recorded (a correction supersedes them); every new row is checked.
ALTER TABLE evidence ADD CONSTRAINT evidence_within_academic_year CHECK (
  academic_year IS NULL OR (
    occurred_on BETWEEN make_date(academic_year, 9, 1) AND make_date(academic_year + 1, 8, 31)
    AND (ends_on IS NULL
         OR ends_on BETWEEN make_date(academic_year, 9, 1) AND make_date(academic_year + 1, 8, 31))
  )
) NOT VALID;

CREATE INDEX evidence_family_idx ON evidence (family_id, occurred_on);
DROP INDEX evidence_family_rules_idx;

CREATE INDEX evidence_family_rules_idx ON evidence (family_id, occurred_on)
  INCLUDE (id, member_id, kind, ends_on, academic_year, term, possible_sessions,
           sessions_attended, unauthorised_absences, fixed_term_exclusions, filter, indicator,
           retracts);
DROP INDEX evidence_family_in_force_idx;
DROP TRIGGER evidence_correction_same_family ON evidence;
DROP FUNCTION ffc_evidence_correction_same_family();

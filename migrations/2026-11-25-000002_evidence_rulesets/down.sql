DROP TABLE ruleset_revisions;
DROP TABLE rulesets;
DROP TABLE evidence;
DROP FUNCTION ffc_refuse_change();

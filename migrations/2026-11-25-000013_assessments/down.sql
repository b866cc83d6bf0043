DROP TABLE care_episodes;
DROP TABLE taf_members;
DROP TABLE assessment_findings;
DROP TABLE assessments;
DROP FUNCTION ffc_changes_only();
DROP FUNCTION ffc_assessment_closed();

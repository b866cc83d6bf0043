DROP TABLE action_progress;
DROP TABLE plan_actions;
DROP FUNCTION ffc_action_rules();
DROP TABLE taf_meetings;
DROP FUNCTION ffc_meeting_rules();

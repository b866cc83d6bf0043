DROP TRIGGER taf_members_leave_once ON taf_members;
DROP TRIGGER care_episodes_end_once ON care_episodes;
DROP FUNCTION ffc_ends_once();

-- An episode ends, and a seat on the Team Around the Family is given up, once: the end date, once
-- set, is history and is not rewritten.
CREATE FUNCTION ffc_ends_once() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF to_jsonb(OLD) ->> TG_ARGV[0] IS NOT NULL THEN
    RAISE EXCEPTION '% rows end once: % is already set', TG_TABLE_NAME, TG_ARGV[0]
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER care_episodes_end_once BEFORE UPDATE ON care_episodes
  FOR EACH ROW EXECUTE FUNCTION ffc_ends_once('ended_on');
CREATE TRIGGER taf_members_leave_once BEFORE UPDATE ON taf_members
  FOR EACH ROW EXECUTE FUNCTION ffc_ends_once('left_on');

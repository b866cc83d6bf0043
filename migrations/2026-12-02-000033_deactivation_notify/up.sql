-- Every instance keeps the set of deactivated token subjects in memory, so that a request no
-- longer asks the database whether its caller is still active. A change to a member of staff's
-- active flag (or subject) is announced on this channel when it commits: '0' or '1' (deactivated
-- or active), then the subject. Instances LISTEN on a session connection of their own.
CREATE FUNCTION ffc_notify_staff_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.subject <> NEW.subject THEN
    PERFORM pg_notify('ffc_staff_active', '1' || OLD.subject);
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('ffc_staff_active', '1' || OLD.subject);
    RETURN OLD;
  END IF;
  PERFORM pg_notify('ffc_staff_active', CASE WHEN NEW.active THEN '1' ELSE '0' END || NEW.subject);
  RETURN NEW;
END $$;

CREATE TRIGGER staff_active_notify
  AFTER INSERT OR DELETE OR UPDATE OF active, subject ON staff
  FOR EACH ROW EXECUTE FUNCTION ffc_notify_staff_active();

-- Every instance keeps the set of deactivated token subjects in memory, so that a request no
-- longer asks the database whether its caller is still active. A change to a member of staff's
-- active flag (or subject) announces the subject on this channel when it commits; a listening
-- instance then reads that subject's state again. The payload is only the subject: PostgreSQL
-- folds a transaction's identical notifications into one, so a state in the payload could be
-- lost (deactivated, reactivated, deactivated again in one transaction), a subject cannot.
CREATE FUNCTION ffc_notify_staff_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pg_notify('ffc_staff_active', OLD.subject);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    PERFORM pg_notify('ffc_staff_active', NEW.subject);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER staff_active_notify
  AFTER INSERT OR DELETE OR UPDATE OF active, subject ON staff
  FOR EACH ROW EXECUTE FUNCTION ffc_notify_staff_active();

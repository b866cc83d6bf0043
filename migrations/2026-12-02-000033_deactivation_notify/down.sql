DROP TRIGGER staff_active_notify ON staff;
DROP FUNCTION ffc_notify_staff_active();

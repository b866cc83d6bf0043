-- Reads' audit events are now written by one writer per instance, many to a commit. With
-- fastupdate, GIN queues new entries in a pending list and whichever insert finds it full
-- (4 MB) merges it, which stalled that writer, and every read waiting on it: the family read's
-- p99 went from 25-34 ms to 102 ms under load (bench/http.sh, 100,000 families). Entries now go
-- straight into the index, at a steady cost per insert.
ALTER INDEX audit_events_resource_ids_idx SET (fastupdate = off);

ALTER INDEX audit_events_resource_ids_idx RESET (fastupdate);

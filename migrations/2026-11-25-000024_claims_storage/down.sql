DROP INDEX webhook_deliveries_dead_idx;
CREATE INDEX claim_items_family_idx ON claim_items (family_id);
CREATE INDEX claim_items_window_result_idx ON claim_items (window_id, result, id);
CREATE INDEX claim_items_window_status_idx ON claim_items (window_id, status, id);
ALTER TABLE claim_items ALTER COLUMN snapshot SET COMPRESSION pglz;

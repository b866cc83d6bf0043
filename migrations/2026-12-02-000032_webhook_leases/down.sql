ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_lease,
  DROP COLUMN lease_token, DROP COLUMN heartbeat_at;

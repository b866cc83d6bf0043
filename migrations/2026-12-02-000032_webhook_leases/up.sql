-- Webhook deliveries lease like jobs: a token names the holder (only it records the outcome), a
-- heartbeat keeps the lease while it sends, and a delivery whose holder is silent for 60 s is
-- taken over. Until now the lease was a next attempt pushed 120 s ahead and `attempts` the token.
ALTER TABLE webhook_deliveries ADD COLUMN lease_token uuid, ADD COLUMN heartbeat_at timestamptz,
  ADD CONSTRAINT webhook_deliveries_lease CHECK (lease_token IS NULL OR status = 'pending');

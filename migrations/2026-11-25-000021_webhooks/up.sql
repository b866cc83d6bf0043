-- Notifications out to providers' systems: subscriptions per organisation, an outbox written in
-- the same transaction as the change, and one delivery per event and subscription, retried with
-- back-off until delivered or dead.
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY,
  organisation text NOT NULL REFERENCES organisations (code),
  url text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
  -- Standard Webhooks secret: 'whsec_' and base64 of the key bytes.
  secret text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX webhook_subscriptions_organisation_idx ON webhook_subscriptions (organisation) WHERE active;

CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  event_type text NOT NULL,
  organisation text NOT NULL REFERENCES organisations (code),
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER outbox_immutable BEFORE UPDATE OR DELETE ON outbox
  FOR EACH ROW EXECUTE FUNCTION ffc_refuse_change();

-- The delivery's id is the webhook-id: the same on every attempt, so receivers drop duplicates.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  outbox_id uuid NOT NULL REFERENCES outbox (id),
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_once UNIQUE (outbox_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, id);

GRANT SELECT, INSERT, UPDATE ON webhook_subscriptions, webhook_deliveries TO ffc_service;
GRANT SELECT, INSERT ON outbox TO ffc_service;

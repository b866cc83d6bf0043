DROP TABLE webhook_deliveries;
DROP TABLE outbox;
DROP TABLE webhook_subscriptions;

-- The housekeeping job deletes what nobody needs any more, a batch at a time, oldest first:
-- sessions that ended, webhook event ids old enough that no gateway redelivers them, and
-- outbox messages delivered a while ago. These indexes let it find them without a scan.
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX webhook_events_by_age ON webhook_events (received_at);
CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;

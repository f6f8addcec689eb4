-- The sweeper looks for bookings whose hold ran out among those still waiting to be paid for
-- (`status IN ('held', 'payment_pending')`); the index it had covered `held` only, so it could
-- not serve that query.
DROP INDEX bookings_held_by_expiry;
CREATE INDEX bookings_live_by_expiry ON bookings (expires_at)
    WHERE status IN ('held', 'payment_pending');

-- Cancelling a paid booking, whole or some of its seats, and the refund each cancellation
-- owes (issue 20). A cancelled seat keeps its row in booking_seats (what was bought) with the
-- time it was cancelled; its showtime seat is free again and its ticket void.
ALTER TABLE booking_seats ADD COLUMN cancelled_at INTEGER;

-- One row per cancellation. `refund_status`: not_owed (nothing goes back), due (asked of the
-- gateway with the Idempotency-Key `marquee-cancellation-{id}`, or to be asked again at
-- `retry_at`), succeeded (the gateway reported the money gone back).
CREATE TABLE cancellations (
    id             INTEGER PRIMARY KEY,
    booking_id     INTEGER NOT NULL REFERENCES bookings (id),
    -- Seat labels in the booking's order, separated by commas.
    seats          TEXT NOT NULL,
    refund_minor   INTEGER NOT NULL CHECK (refund_minor >= 0),
    currency       TEXT NOT NULL,
    refund_status  TEXT NOT NULL CHECK (refund_status IN ('not_owed', 'due', 'succeeded')),
    why            TEXT NOT NULL,
    -- The member of staff who cancelled regardless of the policy; NULL for the customer.
    staff_id       INTEGER REFERENCES users (id),
    created_at     INTEGER NOT NULL,
    refunded_at    INTEGER,
    gateway_ref    TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    retry_at       INTEGER
);
CREATE INDEX cancellations_by_booking ON cancellations (booking_id, id);
CREATE INDEX cancellations_refund_due ON cancellations (retry_at) WHERE refund_status = 'due';

-- A venue's refund policy; a venue without one refunds in full until 2 hours before.
-- `tiers`: `minutes_before:percent` pairs separated by commas, e.g. `1440:100,120:50`.
CREATE TABLE venue_refund_policies (
    venue_id              INTEGER PRIMARY KEY REFERENCES venues (id),
    tiers                 TEXT NOT NULL,
    fee_per_ticket_minor  INTEGER NOT NULL
);

-- The sandbox gateway refunds in parts, as Stripe does: each refund once per Idempotency-Key.
ALTER TABLE sandbox_payments ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0;
CREATE TABLE sandbox_refunds (
    idempotency_key  TEXT PRIMARY KEY,
    id               TEXT NOT NULL,
    payment_id       TEXT NOT NULL REFERENCES sandbox_payments (id),
    amount_minor     INTEGER NOT NULL,
    created_at       INTEGER NOT NULL
);

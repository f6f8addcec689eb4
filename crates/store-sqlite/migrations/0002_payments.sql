-- Payments, tickets, processed webhook events and the notification outbox (issue 4).
-- Times are INTEGER milliseconds since the Unix epoch; money is INTEGER minor units.

-- One payment per booking, created at checkout. `payment_ref` is the gateway's own id
-- (a PaymentIntent's `pi_...`); a webhook names the payment by it.
CREATE TABLE payments (
    booking_id     INTEGER PRIMARY KEY REFERENCES bookings (id),
    provider       TEXT NOT NULL,
    payment_ref    TEXT NOT NULL,
    client_secret  TEXT,
    checkout_url   TEXT,
    amount_minor   INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    status         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (provider, payment_ref)
);
-- What the reconciliation job looks for: payments whose outcome is still open (a failed one
-- may still succeed at the gateway until it is canceled there).
CREATE INDEX payments_unsettled ON payments (updated_at) WHERE status IN ('pending', 'failed', 'refund_due');

CREATE TABLE tickets (
    code        TEXT PRIMARY KEY,
    booking_id  INTEGER NOT NULL REFERENCES bookings (id),
    seat        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    -- Set when the sale is undone (refunded after it was confirmed): the ticket admits no one.
    voided_at   INTEGER,
    UNIQUE (booking_id, seat)
);

-- Each gateway event is processed at most once: its id is written in the transaction that
-- applies it.
CREATE TABLE webhook_events (
    provider     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- Messages to customers, written in the transaction whose outcome they tell; a worker
-- delivers them later (the notifications issue).
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    booking_id    INTEGER REFERENCES bookings (id),
    payload       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    delivered_at  INTEGER
);
CREATE INDEX outbox_undelivered ON outbox (id) WHERE delivered_at IS NULL;

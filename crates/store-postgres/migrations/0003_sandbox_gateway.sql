-- The built-in sandbox payment gateway's own records: it stands in for an outside provider,
-- so it keeps its payments apart from Marquee's.
CREATE TABLE sandbox_payments (
    id            TEXT PRIMARY KEY,
    booking_id    BIGINT NOT NULL UNIQUE,
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- Settings a node generates once and every node shares (the sandbox's webhook secret).
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

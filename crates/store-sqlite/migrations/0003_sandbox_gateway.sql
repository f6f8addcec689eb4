-- The built-in sandbox payment gateway's own records: it stands in for an outside provider,
-- so it keeps its payments apart from Marquee's. Times are INTEGER milliseconds.
CREATE TABLE sandbox_payments (
    id            TEXT PRIMARY KEY,
    booking_id    INTEGER NOT NULL UNIQUE,
    amount_minor  INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- Settings a node generates once and every node shares (the sandbox's webhook secret).
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

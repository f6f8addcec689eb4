-- Marquee's booking core on SQLite. Times are INTEGER milliseconds since the Unix epoch (UTC),
-- always bound from the application's clock. Money is INTEGER minor units.

CREATE TABLE cities (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    timezone  TEXT NOT NULL
);

CREATE TABLE venues (
    id       INTEGER PRIMARY KEY,
    city_id  INTEGER NOT NULL REFERENCES cities (id),
    name     TEXT NOT NULL,
    address  TEXT NOT NULL
);
CREATE INDEX venues_by_city ON venues (city_id);

CREATE TABLE auditoriums (
    id                 INTEGER PRIMARY KEY,
    venue_id           INTEGER NOT NULL REFERENCES venues (id),
    name               TEXT NOT NULL,
    current_layout_id  INTEGER
);

-- Layouts are versioned: a showtime keeps the version it was scheduled with.
CREATE TABLE auditorium_layouts (
    id             INTEGER PRIMARY KEY,
    auditorium_id  INTEGER NOT NULL REFERENCES auditoriums (id),
    version        INTEGER NOT NULL,
    layout         TEXT NOT NULL,
    row_count      INTEGER NOT NULL,
    column_count   INTEGER NOT NULL,
    capacity       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (auditorium_id, version)
);

CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL,
    synopsis         TEXT NOT NULL,
    cast_members     TEXT NOT NULL,
    genres           TEXT NOT NULL,
    language         TEXT NOT NULL,
    runtime_minutes  INTEGER NOT NULL,
    certificate      TEXT NOT NULL,
    poster_url       TEXT,
    trailer_url      TEXT,
    release_date     TEXT
);

-- One price column per seat category: a showtime is read in one row, with no join.
CREATE TABLE showtimes (
    id                   INTEGER PRIMARY KEY,
    event_id             INTEGER NOT NULL REFERENCES events (id),
    auditorium_id        INTEGER NOT NULL REFERENCES auditoriums (id),
    layout_id            INTEGER NOT NULL REFERENCES auditorium_layouts (id),
    starts_at            INTEGER NOT NULL,
    ends_at              INTEGER NOT NULL,
    format               TEXT NOT NULL,
    audio_language       TEXT NOT NULL,
    subtitles            TEXT,
    currency             TEXT NOT NULL,
    price_standard       INTEGER,
    price_premium        INTEGER,
    price_accessible     INTEGER,
    price_companion      INTEGER,
    booking_fee_minor    INTEGER NOT NULL,
    sales_open_at        INTEGER NOT NULL,
    sales_close_minutes  INTEGER NOT NULL
);
CREATE INDEX showtimes_by_start ON showtimes (starts_at);
CREATE INDEX showtimes_by_event ON showtimes (event_id, starts_at);
CREATE INDEX showtimes_by_auditorium ON showtimes (auditorium_id, starts_at);

-- The seat inventory. Its primary key is the unique index of invariant 1: one row per seat of
-- a showtime, so a seat has at most one booking_id. A hold takes a row with a conditional
-- UPDATE (available, or held with held_until <= now) inside the hold's transaction.
CREATE TABLE showtime_seats (
    showtime_id   INTEGER NOT NULL REFERENCES showtimes (id),
    label         TEXT NOT NULL,
    row_label     TEXT NOT NULL,
    row_index     INTEGER NOT NULL,
    column_index  INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    category      TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'available'
                  CHECK (status IN ('available', 'held', 'sold', 'blocked')),
    booking_id    INTEGER,
    held_until    INTEGER,
    -- A held seat always says by whom and until when.
    CONSTRAINT held_seats_have_a_holder
        CHECK (status <> 'held' OR (booking_id IS NOT NULL AND held_until IS NOT NULL)),
    PRIMARY KEY (showtime_id, label)
) WITHOUT ROWID;
CREATE INDEX showtime_seats_by_booking ON showtime_seats (booking_id) WHERE booking_id IS NOT NULL;

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    roles          TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE bookings (
    id              INTEGER PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    showtime_id     INTEGER NOT NULL REFERENCES showtimes (id),
    status          TEXT NOT NULL,
    expires_at      INTEGER NOT NULL,
    subtotal_minor  INTEGER NOT NULL,
    fees_minor      INTEGER NOT NULL,
    total_minor     INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX bookings_by_user ON bookings (user_id, id);
CREATE INDEX bookings_held_by_expiry ON bookings (expires_at) WHERE status = 'held';

CREATE TABLE booking_seats (
    booking_id   INTEGER NOT NULL REFERENCES bookings (id),
    position     INTEGER NOT NULL,
    label        TEXT NOT NULL,
    category     TEXT NOT NULL,
    price_minor  INTEGER NOT NULL,
    PRIMARY KEY (booking_id, position)
);

CREATE TABLE booking_transitions (
    id           INTEGER PRIMARY KEY,
    booking_id   INTEGER NOT NULL REFERENCES bookings (id),
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX booking_transitions_by_booking ON booking_transitions (booking_id, at);

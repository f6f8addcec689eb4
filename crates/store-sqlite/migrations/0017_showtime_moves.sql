-- A showtime the cinema moved while it had sales (issue 20): where it was and where it went,
-- and for each booking it had then, the seats it had and what its customer answered
-- (`kept`, `exchanged`, `cancelled`; none yet). An exchange is a new booking at another
-- showtime of the film; when it is paid, the booking it replaces is refunded in full.
CREATE TABLE showtime_moves (
    id                  INTEGER PRIMARY KEY,
    showtime_id         INTEGER NOT NULL REFERENCES showtimes (id),
    from_starts_at      INTEGER NOT NULL,
    from_auditorium_id  INTEGER NOT NULL REFERENCES auditoriums (id),
    to_starts_at        INTEGER NOT NULL,
    to_auditorium_id    INTEGER NOT NULL REFERENCES auditoriums (id),
    reason              TEXT NOT NULL,
    moved_by            INTEGER REFERENCES users (id),
    moved_at            INTEGER NOT NULL
);
CREATE INDEX showtime_moves_by_showtime ON showtime_moves (showtime_id, id);

CREATE TABLE move_notices (
    booking_id    INTEGER NOT NULL REFERENCES bookings (id),
    move_id       INTEGER NOT NULL REFERENCES showtime_moves (id),
    seats_before  TEXT NOT NULL,
    answer        TEXT CHECK (answer IN ('kept', 'exchanged', 'cancelled')),
    answered_at   INTEGER,
    PRIMARY KEY (booking_id, move_id)
);
CREATE INDEX move_notices_by_move ON move_notices (move_id);

CREATE TABLE exchanges (
    booking_id   INTEGER PRIMARY KEY REFERENCES bookings (id),
    replaces     INTEGER NOT NULL REFERENCES bookings (id),
    created_at   INTEGER NOT NULL
);
CREATE INDEX exchanges_by_replaced ON exchanges (replaces);

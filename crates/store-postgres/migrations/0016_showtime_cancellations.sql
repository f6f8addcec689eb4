-- A showtime the cinema cancelled (issue 20): no more sales, every booking refunded in full.
-- Its own table, so a showtime's row and every read of it stay as they were; the hold path's
-- sale terms and the customer listings look here.
CREATE TABLE showtime_cancellations (
    showtime_id   BIGINT PRIMARY KEY REFERENCES showtimes (id),
    reason        TEXT NOT NULL,
    cancelled_by  BIGINT REFERENCES users (id),
    cancelled_at  timestamptz NOT NULL
);

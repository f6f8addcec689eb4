-- Reminders before the show (issue 20): how many hours before its showtimes a venue reminds
-- its customers (3 unless set; 0: none), and at most one reminder per booking, however many
-- nodes queue them at once.
CREATE TABLE venue_reminders (
    venue_id      INTEGER PRIMARY KEY REFERENCES venues (id),
    hours_before  INTEGER NOT NULL
);
CREATE UNIQUE INDEX outbox_one_reminder ON outbox (booking_id) WHERE kind = 'showtime_reminder';

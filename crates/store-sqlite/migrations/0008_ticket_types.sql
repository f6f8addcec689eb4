-- Ticket types (Adult, Child...) and a venue's price plan.
--
-- A showtime keeps the prices it was scheduled with. The price_* columns stay the default
-- ticket type's prices; `ticket_prices` holds the whole frozen table (every type and seat
-- category, as JSON; see marquee_store::price_codec) so that a hold still reads one row.
-- NULL: a showtime priced before ticket types, with one type (adult) at the price_* columns.
ALTER TABLE showtimes ADD COLUMN ticket_prices TEXT;

-- The ticket type each seat of a booking was sold as. Bookings before ticket types bought
-- the one type their showtime had.
ALTER TABLE booking_seats ADD COLUMN ticket_type TEXT NOT NULL DEFAULT 'adult';

-- A venue's price plan, one document edited whole (JSON; see marquee_store::price_codec).
-- Scheduling a showtime resolves it; changing it changes no showtime already scheduled.
CREATE TABLE venue_price_plans (
    venue_id    INTEGER PRIMARY KEY REFERENCES venues (id),
    plan        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

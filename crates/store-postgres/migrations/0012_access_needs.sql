-- What a customer tells the cinema about their access needs (a wheelchair, a guide dog, a
-- hearing loop), kept with their booking for the staff who welcome them.
CREATE TABLE booking_access_needs (
    booking_id  BIGINT PRIMARY KEY REFERENCES bookings (id),
    needs       TEXT NOT NULL
);

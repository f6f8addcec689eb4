-- A ticket is admitted at the door once: when, and by which member of staff.
ALTER TABLE tickets ADD COLUMN admitted_at timestamptz;
ALTER TABLE tickets ADD COLUMN admitted_by BIGINT REFERENCES users (id);

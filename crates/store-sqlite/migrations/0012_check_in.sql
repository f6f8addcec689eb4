-- A ticket is admitted at the door once: when, and by which member of staff.
ALTER TABLE tickets ADD COLUMN admitted_at INTEGER;
ALTER TABLE tickets ADD COLUMN admitted_by INTEGER REFERENCES users (id);

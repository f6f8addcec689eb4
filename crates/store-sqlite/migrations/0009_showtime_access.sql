-- A showtime's access and experience tags (subtitled, captioned, audio_described, relaxed,
-- parent_and_baby), set at scheduling: newline-joined like an event's genres, so that a filter
-- matches one whole tag with `instr` on both backends; '' for none.
ALTER TABLE showtimes ADD COLUMN access TEXT NOT NULL DEFAULT '';

-- What search will find a film by besides its title (issue 21): the title it was released
-- under in its own language, and who directed it. Empty when there is none to tell.
ALTER TABLE events ADD COLUMN original_title TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN director TEXT NOT NULL DEFAULT '';

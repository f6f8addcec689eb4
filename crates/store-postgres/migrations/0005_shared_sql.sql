-- Functions that let the store's shared SQL (marquee_store::sql) read the same on PostgreSQL
-- and on SQLite, which reads ts(...) and day(...) as plain parentheses and has instr().

-- ts(ms): Unix milliseconds as a time, the inverse of ms(t). Every time is bound as
-- milliseconds; SQLite stores them as they are, PostgreSQL through ts().
CREATE FUNCTION ts(ms bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 'epoch'::timestamptz + ms * interval '1 millisecond' $$;

-- day(d): a date as YYYY-MM-DD, as SQLite stores it.
CREATE FUNCTION day(d date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(d, 'YYYY-MM-DD') $$;

-- instr(haystack, needle): SQLite's name for strpos.
CREATE FUNCTION instr(haystack text, needle text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT strpos(haystack, needle) $$;

-- Functions that let the store's shared SQL (marquee_store::sql) read the same on PostgreSQL
-- and on SQLite, which reads ts(...) and day(...) as plain parentheses and has instr().

-- ts(ms): Unix milliseconds as a time, the inverse of ms(t). Every time is bound as
-- milliseconds; SQLite stores them as they are, PostgreSQL through ts(). Its body is immutable
-- (timestamptz + interval is not), so the planner inlines it and computes `col >= ts($1)` once
-- per query rather than once per row; exact to the millisecond until the year 2242.
CREATE FUNCTION ts(ms bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_timestamp(ms::float8 / 1000) $$;

-- day(d): a date as YYYY-MM-DD, as SQLite stores it.
CREATE FUNCTION day(d date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(d, 'YYYY-MM-DD') $$;

-- instr(haystack, needle): SQLite's name for strpos.
CREATE FUNCTION instr(haystack text, needle text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT strpos(haystack, needle) $$;

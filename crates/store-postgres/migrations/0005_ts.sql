-- ts(ms): Unix milliseconds as a time, the inverse of ms(t). The store's shared SQL binds every
-- time as milliseconds, which SQLite stores as they are and PostgreSQL stores through ts().
CREATE FUNCTION ts(ms bigint) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT 'epoch'::timestamptz + ms * interval '1 millisecond' $$;

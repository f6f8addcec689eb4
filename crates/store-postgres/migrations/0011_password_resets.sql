-- A forgotten password is reset through a link holding a random token whose SHA-256 is kept
-- here (never the token): used once, before it expires; using one ends the account's other
-- links too. The link goes to the account's owner through the outbox (kind `password_reset`,
-- no booking).
CREATE TABLE password_resets (
    token_hash  BYTEA PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX password_resets_by_user ON password_resets (user_id) WHERE used_at IS NULL;

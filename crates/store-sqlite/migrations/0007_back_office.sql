-- The back office: staff and what they may reach, their second factor, invitations to join,
-- the audit log of every staff write, each venue's turnover times and the films' posters.

-- A showtime occupies its hall for the adverts before the film and the cleaning after it.
ALTER TABLE venues ADD COLUMN ads_minutes INTEGER NOT NULL DEFAULT 20;
ALTER TABLE venues ADD COLUMN cleaning_minutes INTEGER NOT NULL DEFAULT 15;

-- A member of staff is an account with a role; all but owners work at given venues.
-- totp_secret is set when enrolment starts and the factor counts once totp_enabled_at is;
-- totp_last_step is the time step of the last code taken, so no code is taken twice.
CREATE TABLE staff (
    user_id          INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'box_office', 'usher')),
    totp_secret      TEXT,
    totp_enabled_at  INTEGER,
    totp_last_step   INTEGER,
    created_at       INTEGER NOT NULL
);

CREATE TABLE staff_venues (
    user_id   INTEGER NOT NULL REFERENCES staff (user_id) ON DELETE CASCADE,
    venue_id  INTEGER NOT NULL REFERENCES venues (id),
    PRIMARY KEY (user_id, venue_id)
) WITHOUT ROWID;

-- Single-use codes for a lost authenticator, kept as SHA-256 hashes.
CREATE TABLE staff_recovery_codes (
    user_id    INTEGER NOT NULL REFERENCES staff (user_id) ON DELETE CASCADE,
    code_hash  BLOB NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (user_id, code_hash)
) WITHOUT ROWID;

-- An invitation is taken up once, before it expires, through a link holding a token whose
-- SHA-256 is kept here.
CREATE TABLE staff_invitations (
    token_hash   BLOB PRIMARY KEY,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    venue_ids    TEXT NOT NULL,
    invited_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER
);

-- Every staff write: who, what, when, and the values before and after (JSON).
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER REFERENCES users (id),
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    INTEGER,
    venue_id     INTEGER,
    before_json  TEXT,
    after_json   TEXT
);
CREATE INDEX audit_log_by_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_by_venue ON audit_log (venue_id, id);
CREATE INDEX audit_log_by_time ON audit_log (at);

-- Posters uploaded through the back office; events.poster_url points at them.
CREATE TABLE event_posters (
    event_id      INTEGER PRIMARY KEY REFERENCES events (id),
    content_type  TEXT NOT NULL,
    image         BLOB NOT NULL,
    digest        TEXT NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- The admin role of before the staff model becomes an owner.
INSERT INTO staff (user_id, role, created_at)
    SELECT id, 'owner', created_at FROM users WHERE ',' || roles || ',' LIKE '%,admin,%';
UPDATE users SET roles = 'customer' WHERE ',' || roles || ',' LIKE '%,admin,%';

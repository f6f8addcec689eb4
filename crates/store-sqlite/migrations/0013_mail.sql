-- Delivering the outbox (issue 20). A message is pending (neither delivered_at nor failed_at),
-- sent (delivered_at: to an SMTP server that accepted it, or to the mailbox table), or a dead
-- letter (failed_at: refused for good, or too many attempts). A node claims a message for a
-- while (claimed_by, claimed_until) before it sends it, so that no two nodes send one; each
-- claim counts an attempt, and a failed one waits until next_attempt_at.
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
ALTER TABLE outbox ADD COLUMN claimed_by INTEGER;
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_dead ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- Without SMTP, mail is delivered here; staff read it in the back office and
-- `marquee mail list` prints it.
CREATE TABLE mailbox (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER NOT NULL UNIQUE,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Reconciliation asks the gateway about a page of open payments at a time. A payment whose
-- settling failed (the gateway was down, say) waits longer before each new try: it is not
-- asked about again before `retry_at`.
ALTER TABLE payments ADD COLUMN reconcile_attempts INT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN retry_at timestamptz;

-- Jobs that one node at a time runs: the node holding a job's turn (its node id) until
-- `lease_until`; it renews the turn each time it runs, and another node takes it only after
-- the lease has run out.
CREATE TABLE job_turns (
    job          TEXT PRIMARY KEY,
    holder       BIGINT NOT NULL,
    lease_until  timestamptz NOT NULL
);

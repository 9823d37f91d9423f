-- The delivery outbox: one row per (alert, subscription), written in the same transaction as
-- the alert. A row stays 'queued' until the push service answers for good.

ALTER TABLE subscriptions ADD COLUMN warned_at INTEGER;

-- The push service's origin (scheme://host[:port]), so that deliveries can be claimed per
-- push service. Filled from the endpoint for rows that predate it.
ALTER TABLE subscriptions ADD COLUMN origin TEXT NOT NULL DEFAULT '';
UPDATE subscriptions SET origin = substr(
    endpoint, 1,
    instr(substr(endpoint, instr(endpoint, '://') + 3), '/') + instr(endpoint, '://') + 1
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    -- NULL once the subscriber is gone; the delivery then ends as 'gone'.
    subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE SET NULL,
    origin          TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'delivered', 'failed', 'gone')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    -- Set while a sender holds the row; cleared at start-up, so a crash re-sends only these.
    leased_at       INTEGER,
    -- 1 after a push service said the message was too large: send the short form.
    shortened       INTEGER NOT NULL DEFAULT 0 CHECK (shortened IN (0, 1)),
    last_status     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id)
    WHERE state = 'queued' AND leased_at IS NULL;
CREATE INDEX deliveries_by_alert ON deliveries (alert_id, state);
CREATE INDEX deliveries_by_subscription ON deliveries (subscription_id);
CREATE INDEX subscriptions_by_refresh ON subscriptions (refreshed_at);

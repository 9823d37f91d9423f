-- WebSub (W3C) bookkeeping beyond the hub columns of 0003.

-- When we last asked the hub (Unix ms) and how many requests in a row failed: the retry backoff.
ALTER TABLE sources ADD COLUMN hub_attempt_at INTEGER;
ALTER TABLE sources ADD COLUMN hub_failures INTEGER NOT NULL DEFAULT 0;

-- Subscriptions we no longer want: the source was deleted, its URL changed, or its feed moved to
-- another hub or topic. Each is sent one unsubscribe request; the hub's verification of that
-- request is confirmed only while the row exists. No foreign key: the source may be gone.
CREATE TABLE websub_unsubscribes (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL,
    hub_url      TEXT    NOT NULL,
    topic        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    -- Unix ms of the unsubscribe request; NULL until it is sent.
    requested_at INTEGER,
    UNIQUE (source_id, hub_url, topic)
) STRICT;

-- Retiring happens in the same statement that drops the subscription, whoever issues it.
CREATE TRIGGER sources_hub_deleted AFTER DELETE ON sources
WHEN old.hub_state IN ('pending', 'active') AND old.hub_url IS NOT NULL AND old.hub_topic IS NOT NULL
BEGIN
    INSERT INTO websub_unsubscribes (source_id, hub_url, topic, created_at)
    VALUES (old.id, old.hub_url, old.hub_topic, CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sources_hub_moved AFTER UPDATE OF url, hub_url, hub_topic ON sources
WHEN old.hub_state IN ('pending', 'active') AND old.hub_url IS NOT NULL AND old.hub_topic IS NOT NULL
    AND (new.url IS NOT old.url OR new.hub_url IS NOT old.hub_url OR new.hub_topic IS NOT old.hub_topic)
BEGIN
    INSERT INTO websub_unsubscribes (source_id, hub_url, topic, created_at)
    VALUES (old.id, old.hub_url, old.hub_topic, CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT DO NOTHING;
END;

-- Sources Herald watches, their fetch state, and the documents they yielded.

CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT    NOT NULL,
    url                  TEXT    NOT NULL,
    kind                 TEXT    NOT NULL CHECK (kind IN ('feed', 'page', 'json')),
    schedule             TEXT    NOT NULL,
    selector             TEXT,
    json_fields          TEXT,
    paused               INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    -- Conditional GET validators from the last 200.
    etag                 TEXT,
    last_modified        TEXT,
    last_fetch_at        INTEGER,
    last_status          INTEGER,
    last_error           TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_run_at          INTEGER,
    -- WebSub (W3C): the hub the feed advertises and our subscription to it.
    hub_url              TEXT,
    hub_topic            TEXT,
    hub_secret           TEXT,
    hub_state            TEXT CHECK (hub_state IN ('pending', 'active', 'failed')),
    hub_lease_until      INTEGER
) STRICT;

CREATE UNIQUE INDEX sources_by_url ON sources (url, kind);

-- Every version of every document a source yielded (bounded by retention), newest last.
-- `item_key` is the feed item's guid or link, or the page URL; `content_hash` detects change.
CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    item_key     TEXT    NOT NULL,
    url          TEXT    NOT NULL,
    title        TEXT,
    published_at INTEGER,
    fetched_at   INTEGER NOT NULL,
    content_hash TEXT    NOT NULL,
    text         TEXT    NOT NULL,
    -- 0 until the diff engine has decided on it: its work queue, safe across restarts.
    processed    INTEGER NOT NULL DEFAULT 0 CHECK (processed IN (0, 1))
) STRICT;

CREATE INDEX documents_by_item ON documents (source_id, item_key, id);
CREATE INDEX documents_unprocessed ON documents (id) WHERE processed = 0;

-- Stories the diff engine follows, what each one knows, and every decision it made.

CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    -- The story as the admin API takes it (JSON): keywords, topic, threshold overrides.
    definition  TEXT    NOT NULL,
    -- The engine's memory (JSON): known facts, seen sentences. NULL: nothing yet.
    knowledge   TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE decisions (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    document_id INTEGER REFERENCES documents (id) ON DELETE SET NULL,
    alert_id    INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
    alert       INTEGER NOT NULL CHECK (alert IN (0, 1)),
    score       REAL    NOT NULL,
    -- The decision as the engine explained it (JSON): facts before and after, reasons.
    detail      TEXT    NOT NULL,
    decided_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX decisions_by_story ON decisions (story_id, id);

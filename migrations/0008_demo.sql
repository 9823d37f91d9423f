-- The demo (`herald serve --demo`) creates a story and a source of its own. They are marked, so
-- that they, their documents and their decisions are removed when the demo ends, at shutdown,
-- or at the next start after a crash, and so that demo documents reach only demo stories.
ALTER TABLE stories ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));
ALTER TABLE sources ADD COLUMN demo INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1));


-- Alerts held back by a story's quiet hours: recorded at once, pushed when the hours end.
ALTER TABLE alerts ADD COLUMN held_until INTEGER;

CREATE INDEX alerts_held ON alerts (held_until) WHERE held_until IS NOT NULL;

-- Participants' evaluations of the events they attended (DOMAIN.md 7; issue 8).
-- Until when answers may be given or changed; NULL: 30 days after the event's end.
ALTER TABLE events ADD COLUMN evaluation_closes_at INTEGER;

-- One answer per registration. Only the event, organisation type, home region and gender travel with it (copied from
-- the registration when it is given or changed). registration_id lets the private link show and change the answer;
-- erasure sets it to NULL, so the answer stays in the figures with no link back to the person.
CREATE TABLE evaluations (
  id                INTEGER PRIMARY KEY,
  event_id          INTEGER NOT NULL REFERENCES events(id),
  registration_id   INTEGER UNIQUE REFERENCES registrations(id),
  organisation_type TEXT NOT NULL,
  home_region       INTEGER NOT NULL,
  gender            TEXT NOT NULL,
  usefulness        INTEGER NOT NULL CHECK (usefulness BETWEEN 1 AND 5),
  knowledge_before  INTEGER NOT NULL CHECK (knowledge_before BETWEEN 1 AND 5),
  knowledge_after   INTEGER NOT NULL CHECK (knowledge_after BETWEEN 1 AND 5),
  plans_tn          TEXT NOT NULL CHECK (plans_tn IN ('yes', 'no', 'maybe')),
  comment           TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
);
CREATE INDEX evaluations_event ON evaluations(event_id);

-- Partner search at the partner-search forums (issue 10): participants' profiles, the forum's meeting slots and
-- tables, and meeting requests, which become meetings with a slot and a table when accepted.
CREATE TABLE partner_profiles (
  id                 INTEGER PRIMARY KEY,
  registration_id    INTEGER NOT NULL UNIQUE REFERENCES registrations(id),
  event_id           INTEGER NOT NULL REFERENCES events(id),
  organisation       TEXT NOT NULL,
  summary            TEXT NOT NULL,
  country            TEXT NOT NULL,
  focus_areas        TEXT NOT NULL,  -- comma-separated words, as the other lists
  offers             TEXT NOT NULL,
  seeks              TEXT NOT NULL,
  languages          TEXT NOT NULL,
  partner_countries  TEXT NOT NULL,
  public             INTEGER NOT NULL DEFAULT 0,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX partner_profiles_event ON partner_profiles(event_id);
CREATE INDEX partner_profiles_public ON partner_profiles(id) WHERE public = 1;

ALTER TABLE events ADD COLUMN meeting_tables INTEGER NOT NULL DEFAULT 0;

CREATE TABLE meeting_slots (
  id         INTEGER PRIMARY KEY,
  event_id   INTEGER NOT NULL REFERENCES events(id),
  starts_at  INTEGER NOT NULL,
  ends_at    INTEGER NOT NULL CHECK (ends_at > starts_at),
  UNIQUE (event_id, starts_at)
);

CREATE TABLE meeting_requests (
  id                 INTEGER PRIMARY KEY,
  event_id           INTEGER NOT NULL REFERENCES events(id),
  from_registration  INTEGER NOT NULL REFERENCES registrations(id),
  to_registration    INTEGER NOT NULL REFERENCES registrations(id),
  message            TEXT,
  state              TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'declined', 'cancelled')),
  slot_id            INTEGER REFERENCES meeting_slots(id),
  table_no           INTEGER,
  created_at         INTEGER NOT NULL,
  decided_at         INTEGER,
  CHECK (from_registration <> to_registration),
  CHECK ((state = 'accepted') = (slot_id IS NOT NULL AND table_no IS NOT NULL))
);
CREATE INDEX meeting_requests_event ON meeting_requests(event_id, id);
CREATE INDEX meeting_requests_from ON meeting_requests(from_registration);
CREATE INDEX meeting_requests_to ON meeting_requests(to_registration);
-- The backstops of the scheduler's rules: one open request or meeting per pair, whoever asked; one meeting per
-- table and slot; one meeting per person and slot (meeting_seats holds both persons of each accepted meeting).
CREATE UNIQUE INDEX meeting_requests_open_pair ON meeting_requests(event_id, min(from_registration, to_registration),
  max(from_registration, to_registration)) WHERE state IN ('pending', 'accepted');
CREATE UNIQUE INDEX meeting_requests_table ON meeting_requests(slot_id, table_no) WHERE state = 'accepted';
CREATE TABLE meeting_seats (
  slot_id          INTEGER NOT NULL REFERENCES meeting_slots(id),
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  request_id       INTEGER NOT NULL REFERENCES meeting_requests(id),
  PRIMARY KEY (slot_id, registration_id)
) WITHOUT ROWID;
CREATE INDEX meeting_seats_request ON meeting_seats(request_id);
CREATE INDEX meeting_seats_registration ON meeting_seats(registration_id, slot_id);

-- A message about a meeting (a request, its answer, an organiser's move) names it; composed from it as it then is.
ALTER TABLE mail_outbox ADD COLUMN meeting_id INTEGER REFERENCES meeting_requests(id);

-- eventd's first schema: users and sessions, events, persons and registrations, check-ins, counselling.
-- Times are integer seconds since the Unix epoch (UTC).

-- Server-wide secrets and settings made at first start (e.g. the key that turns registration ids into ticket codes).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE,          -- normalised: trimmed, lower-case
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'organiser', 'steering')),
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,               -- SHA-256 of the bearer token; the token itself is never stored
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);

CREATE TABLE events (
  id                     INTEGER PRIMARY KEY,
  kind                   TEXT NOT NULL,
  title                  TEXT NOT NULL,
  description            TEXT NOT NULL DEFAULT '',
  starts_at              INTEGER NOT NULL,
  ends_at                INTEGER NOT NULL,
  utc_offset_minutes     INTEGER NOT NULL DEFAULT 0,
  capacity               INTEGER,             -- NULL = unlimited
  focus_area             TEXT,
  topic                  TEXT,
  network                TEXT,
  organised_by_project   INTEGER NOT NULL DEFAULT 1,
  registration_closes_at INTEGER,
  language               TEXT NOT NULL DEFAULT 'sv',
  status                 TEXT NOT NULL CHECK (status IN ('draft', 'published', 'cancelled')),
  venue_name             TEXT,
  venue_address          TEXT,
  venue_accessibility    TEXT NOT NULL DEFAULT '',   -- comma-separated needs the venue offers
  created_at             INTEGER NOT NULL,
  updated_at             INTEGER NOT NULL
);
CREATE INDEX events_starts ON events(starts_at);

-- One person = one e-mail address. Erasure clears the address; the id stays so statistics keep counting them once.
CREATE TABLE persons (
  id    INTEGER PRIMARY KEY,
  email TEXT UNIQUE
);

CREATE TABLE registrations (
  id                  INTEGER PRIMARY KEY,   -- arrival order: the writer assigns ids in commit order
  event_id            INTEGER NOT NULL REFERENCES events(id),
  person_id           INTEGER NOT NULL REFERENCES persons(id),
  status              TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
  ticket_code         TEXT NOT NULL,        -- derived from id by a keyed permutation (auth::ticket_cipher); shown, never looked up
  manage_token_hash   TEXT NOT NULL,        -- SHA-256 of the token's secret; the token names its row ("<id>-<secret>")
  name                TEXT,
  email               TEXT,                 -- as given; NULL once erased
  organisation        TEXT,
  organisation_type   TEXT NOT NULL,
  municipality        TEXT,
  country             TEXT,
  home_region         INTEGER NOT NULL,
  gender              TEXT NOT NULL DEFAULT 'undisclosed',
  accessibility_needs TEXT NOT NULL DEFAULT '',  -- comma-separated
  accessibility_note  TEXT,
  dietary             TEXT,
  language            TEXT NOT NULL DEFAULT 'sv',
  walk_in             INTEGER NOT NULL DEFAULT 0,
  erased              INTEGER NOT NULL DEFAULT 0,
  created_at          INTEGER NOT NULL,
  cancelled_at        INTEGER
);
CREATE INDEX registrations_event_status ON registrations(event_id, status, id);
-- The same person cannot hold two active registrations for one event.
CREATE UNIQUE INDEX registrations_active_person ON registrations(event_id, person_id) WHERE status <> 'cancelled';

CREATE TABLE checkins (
  registration_id INTEGER PRIMARY KEY REFERENCES registrations(id),
  event_id        INTEGER NOT NULL REFERENCES events(id),
  attended_at     INTEGER NOT NULL,          -- when the person came (scan time, or the date recorded afterwards)
  received_at     INTEGER NOT NULL,          -- when the server learnt of it
  user_id         INTEGER REFERENCES users(id),
  device          TEXT,
  forced          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX checkins_event ON checkins(event_id);

-- Every scan_id seen, with the answer given, so a repeated scan returns the first answer and changes nothing.
CREATE TABLE scans (
  scan_id    TEXT PRIMARY KEY,
  status     INTEGER NOT NULL,
  response   TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE support_sessions (
  id                INTEGER PRIMARY KEY,
  date              TEXT NOT NULL,
  organisation      TEXT NOT NULL,
  organisation_type TEXT,
  municipality      TEXT,
  project_idea      TEXT NOT NULL,
  project_idea_key  TEXT NOT NULL,           -- trimmed, lower-case: the same idea however it is typed
  hours             REAL NOT NULL,
  note              TEXT,
  created_at        INTEGER NOT NULL
);
CREATE TABLE support_session_persons (
  session_id INTEGER NOT NULL REFERENCES support_sessions(id) ON DELETE CASCADE,
  person_id  INTEGER NOT NULL REFERENCES persons(id),
  name       TEXT,
  PRIMARY KEY (session_id, person_id)
);

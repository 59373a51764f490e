-- The transactional outbox (issue 9): a message to send is a row written in the same transaction as the change that
-- causes it, and a sender delivers it afterwards. The row holds what the message is made from, not the message: the
-- recipient, name and event are read from their rows when it is composed, so an erasure or an edit reaches it. The
-- one secret it may hold is the fresh private link it carries (only hashes are kept elsewhere); it goes once the
-- message has been delivered or can never be. Its Message-ID is not stored: it is derived from the row (its id and
-- creation time, hashed with the installation's secret, @ the public host), the same on every attempt and unique
-- across installations, and costs the registration's transaction no random index insert.
CREATE TABLE mail_outbox (
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL,         -- confirmation, promotion, link
  registration_id  INTEGER REFERENCES registrations(id),
  event_id         INTEGER REFERENCES events(id),
  secret           TEXT,                  -- the private link's token the message carries, while it is pending
  state            TEXT NOT NULL DEFAULT 'pending',  -- pending, sent, failed, dropped (its person was erased)
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  created_at       INTEGER NOT NULL,
  sent_at          INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX mail_outbox_registration ON mail_outbox(registration_id);
-- No index by event: every message names its registration, so an event's messages are found through its
-- registrations (one index fewer to keep on the registration's transaction).

-- Messages that carry a fresh private link while the registration's first one keeps working (a promotion, a
-- reminder, an evaluation invitation, a confirmation sent again): only hashes are kept, so the first link cannot be
-- sent again. "Send me my link again" removes them all and replaces the first one.
CREATE TABLE registration_links (
  registration_id  INTEGER NOT NULL REFERENCES registrations(id),
  token_hash       TEXT NOT NULL,  -- SHA-256 of the link's secret
  created_at       INTEGER NOT NULL
);
CREATE INDEX registration_links_registration ON registration_links(registration_id);

-- An organiser's message to attendees: its subject and text, until it has been delivered.
ALTER TABLE mail_outbox ADD COLUMN subject TEXT;
ALTER TABLE mail_outbox ADD COLUMN body TEXT;

-- The notice that a person's data were erased goes to an address no row holds any more: it is kept here, with the
-- language to write in, only until the notice has been delivered or can never be (then both are blanked).
ALTER TABLE mail_outbox ADD COLUMN to_address TEXT;
ALTER TABLE mail_outbox ADD COLUMN language TEXT;

-- Reminders before the start and evaluation invitations after the end are queued once per event, when due.
ALTER TABLE events ADD COLUMN reminders_queued_at INTEGER;
ALTER TABLE events ADD COLUMN evaluations_queued_at INTEGER;

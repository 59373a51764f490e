-- The transactional outbox (issue 9): a message to send is a row written in the same transaction as the change that
-- causes it, and a sender delivers it afterwards. The row holds what the message is made from, not the message: the
-- recipient, name and event are read from their rows when it is composed, so an erasure or an edit reaches it. The
-- one secret it may hold is the fresh private link it carries (only hashes are kept elsewhere); it goes once the
-- message has been delivered or can never be.
CREATE TABLE mail_outbox (
  id               INTEGER PRIMARY KEY,
  message_id       TEXT NOT NULL UNIQUE,  -- the Message-ID, the same on every attempt ("<...@host>" without brackets)
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
CREATE INDEX mail_outbox_event ON mail_outbox(event_id, id);

-- A promotion mails a fresh private link (only hashes are kept, so the first one cannot be sent again) while the
-- link from the waitlist mail keeps working: a registration may hold a second link. "Send me my link again" replaces
-- both with one new link.
ALTER TABLE registrations ADD COLUMN second_token_hash TEXT;

-- Accounts managed from the admin pages (issue 12): a user can be deactivated (no sign-in, no session) and can be
-- waiting for a new password (an admin forced a reset, or the account was created by invitation: no password works
-- until the mailed link has been used). Only the SHA-256 of a link's secret is kept, with its expiry; using a link
-- removes every link of that user.
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN password_reset_pending INTEGER NOT NULL DEFAULT 0;

CREATE TABLE password_resets (
  token_hash  TEXT PRIMARY KEY,
  user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL
);
CREATE INDEX password_resets_user ON password_resets(user_id);

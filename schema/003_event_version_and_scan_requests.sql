-- Events get a version, the ETag of PATCH /api/v1/events/{id}: every change adds one, so an edit based on an
-- older read is refused (412) instead of overwriting someone else's change.
ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- What each scan_id was used for, so the key reused for another event or ticket is refused instead of
-- answering the first scan's answer. NULL in rows kept before this migration (they answer as before).
ALTER TABLE scans ADD COLUMN event_id INTEGER;
ALTER TABLE scans ADD COLUMN subject TEXT;

-- A forced check-in of a cancelled registration used to leave it cancelled though checked in: make those confirmed
-- (as such a check-in now does), one per person and event, never beside another active registration of theirs.
UPDATE registrations SET status = 'confirmed', cancelled_at = NULL
WHERE status = 'cancelled' AND erased = 0
  AND id = (SELECT max(r2.id) FROM registrations r2 JOIN checkins k ON k.registration_id = r2.id
            WHERE r2.event_id = registrations.event_id AND r2.person_id = registrations.person_id
              AND r2.status = 'cancelled' AND r2.erased = 0 AND k.forced = 1)
  AND NOT EXISTS (SELECT 1 FROM registrations o WHERE o.event_id = registrations.event_id
                  AND o.person_id = registrations.person_id AND o.status <> 'cancelled');

-- Erasure reaches the stored answers of scans: each answer names its registration (and the result it gave), so the
-- answer can be blanked when that registration's personal data is erased and rendered again, without it, on a repeat.
ALTER TABLE scans ADD COLUMN registration_id INTEGER;
ALTER TABLE scans ADD COLUMN result TEXT;
CREATE INDEX scans_registration ON scans(registration_id) WHERE registration_id IS NOT NULL;

-- Answers stored before this migration: read both from the JSON the server wrote.
UPDATE scans SET registration_id = json_extract(response, '$.registration.id'), result = json_extract(response, '$.result')
WHERE json_valid(response);
-- Answers about registrations erased before this migration lose their personal data now.
UPDATE scans SET response = ''
WHERE registration_id IN (SELECT id FROM registrations WHERE erased = 1);

-- Addresses nothing uses any more (left behind by e-mail changes before this migration) go.
UPDATE persons SET email = NULL
WHERE email IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.person_id = persons.id AND r.erased = 0)
  AND NOT EXISTS (SELECT 1 FROM support_session_persons s WHERE s.person_id = persons.id);

-- Erasure and address release ask whether a person still holds an unerased registration (erase_personal_data,
-- release_person): without this index each asks by reading every registration, and the retention sweep over a
-- programme's worth of registrations (tens of thousands) held the write lock for minutes.
CREATE INDEX registrations_person ON registrations(person_id, erased);

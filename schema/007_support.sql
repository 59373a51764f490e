-- The counselling log (issue 8): periods list sessions by date, and erasure (by a person's link, or by the retention
-- rule) finds a person's counselling rows by person, not by reading every row.
CREATE INDEX support_sessions_date ON support_sessions(date, id);
CREATE INDEX support_session_persons_person ON support_session_persons(person_id);

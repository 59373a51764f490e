-- Nothing changes in SQLite's schema: PostgreSQL's migration 013 makes ticket codes inside its registrations'
-- statement (schema/postgresql/013_ticket_codes_in_sql.sql). The number is kept so that both engines stand at one level.
SELECT 1;

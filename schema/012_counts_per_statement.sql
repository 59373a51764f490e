-- Nothing changes in SQLite's schema: PostgreSQL's migration 012 counts a batch's registrations per statement
-- (schema/postgresql/012_counts_per_statement.sql). The number is kept so that both engines stand at one level.
SELECT 1;

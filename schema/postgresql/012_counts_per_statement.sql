-- PostgreSQL only (issue 11): a node's batch of registrations goes into the table in one INSERT, and the events'
-- counters follow it once per event and statement instead of once per row. Each row-level UPDATE of an event row
-- left a version behind that the next one had to step over: with thousands of registrations a second on twenty
-- events, finding an event row by its id became the largest cost of a registration. Changes of status and
-- deletions stay counted per row (they come one at a time).
DROP TRIGGER registrations_count_insert ON registrations;
CREATE FUNCTION registrations_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE events e SET
    confirmed_count  = e.confirmed_count  + n.confirmed,
    waitlisted_count = e.waitlisted_count + n.waitlisted,
    walk_in_count    = e.walk_in_count    + n.walk_ins
  FROM (SELECT event_id,
               count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
               count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted,
               count(*) FILTER (WHERE walk_in = 1 AND status <> 'cancelled') AS walk_ins
          FROM inserted GROUP BY event_id) n
  WHERE e.id = n.event_id;
  RETURN NULL;
END $$;
CREATE TRIGGER registrations_count_insert AFTER INSERT ON registrations REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION registrations_count_inserted();

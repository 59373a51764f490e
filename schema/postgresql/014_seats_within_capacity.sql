-- The backstop of the seat decision (issue 11): whatever decides a seat (the registrations' statement, the C++ rule,
-- a promotion), the seats given by the rule never exceed the capacity, and the database refuses a change that would
-- make them. Seats given at the door go beyond capacity by design (DOMAIN.md: a walk-in, or a waitlisted or
-- cancelled registration admitted by force), so they are counted apart and left out of the check:
--   confirmed_count - door_seat_count <= capacity
-- This holds by the rules: a seat is given by rule only while confirmed < capacity, and the capacity can only be set
-- at or above the confirmed count. It only catches a mistake.
ALTER TABLE registrations ADD COLUMN seat_forced INTEGER NOT NULL DEFAULT 0;
-- A forced check-in only ever confirms a registration that was not confirmed (domain::decide_admission).
UPDATE registrations r SET seat_forced = 1 FROM checkins c WHERE c.registration_id = r.id AND c.forced = 1;

ALTER TABLE events ADD COLUMN door_seat_count BIGINT NOT NULL DEFAULT 0;
UPDATE events e SET door_seat_count = (
  SELECT count(*) FROM registrations r
   WHERE r.event_id = e.id AND r.status = 'confirmed' AND (r.walk_in = 1 OR r.seat_forced = 1));

CREATE OR REPLACE FUNCTION registrations_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE events SET
      confirmed_count  = confirmed_count  - (OLD.status = 'confirmed')::int,
      waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted')::int,
      walk_in_count    = walk_in_count    - (OLD.walk_in = 1 AND OLD.status <> 'cancelled')::int,
      door_seat_count  = door_seat_count  - (OLD.status = 'confirmed' AND (OLD.walk_in = 1 OR OLD.seat_forced = 1))::int
    WHERE id = OLD.event_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE events SET
      confirmed_count  = confirmed_count  + (NEW.status = 'confirmed')::int,
      waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted')::int,
      walk_in_count    = walk_in_count    + (NEW.walk_in = 1 AND NEW.status <> 'cancelled')::int,
      door_seat_count  = door_seat_count  + (NEW.status = 'confirmed' AND (NEW.walk_in = 1 OR NEW.seat_forced = 1))::int
    WHERE id = NEW.event_id;
  END IF;
  RETURN NULL;
END $$;
DROP TRIGGER registrations_count_update ON registrations;
CREATE TRIGGER registrations_count_update AFTER UPDATE OF status, walk_in, event_id, seat_forced ON registrations
  FOR EACH ROW EXECUTE FUNCTION registrations_count();

CREATE OR REPLACE FUNCTION registrations_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE events e SET
    confirmed_count  = e.confirmed_count  + n.confirmed,
    waitlisted_count = e.waitlisted_count + n.waitlisted,
    walk_in_count    = e.walk_in_count    + n.walk_ins,
    door_seat_count  = e.door_seat_count  + n.door_seats
  FROM (SELECT event_id,
               count(*) FILTER (WHERE status = 'confirmed') AS confirmed,
               count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted,
               count(*) FILTER (WHERE walk_in = 1 AND status <> 'cancelled') AS walk_ins,
               count(*) FILTER (WHERE status = 'confirmed' AND (walk_in = 1 OR seat_forced = 1)) AS door_seats
          FROM inserted GROUP BY event_id) n
  WHERE e.id = n.event_id;
  RETURN NULL;
END $$;

ALTER TABLE events ADD CONSTRAINT events_seats_within_capacity
  CHECK (capacity IS NULL OR confirmed_count - door_seat_count <= capacity);

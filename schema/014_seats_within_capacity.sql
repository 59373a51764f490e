-- The backstop of the seat decision, as PostgreSQL's CHECK of the same number (schema/postgresql/014): the seats
-- given by rule never exceed the capacity; those given at the door (walk-ins, forced admissions) may, and are
-- counted apart. SQLite cannot add a CHECK to a table, so a trigger refuses the change instead.
ALTER TABLE registrations ADD COLUMN seat_forced INTEGER NOT NULL DEFAULT 0;
UPDATE registrations SET seat_forced = 1 WHERE id IN (SELECT registration_id FROM checkins WHERE forced = 1);

ALTER TABLE events ADD COLUMN door_seat_count INTEGER NOT NULL DEFAULT 0;
UPDATE events SET door_seat_count = (
  SELECT count(*) FROM registrations r
   WHERE r.event_id = events.id AND r.status = 'confirmed' AND (r.walk_in = 1 OR r.seat_forced = 1));

DROP TRIGGER registrations_count_insert;
DROP TRIGGER registrations_count_update;
DROP TRIGGER registrations_count_delete;

CREATE TRIGGER registrations_count_insert AFTER INSERT ON registrations BEGIN
  UPDATE events SET
    confirmed_count  = confirmed_count  + (NEW.status = 'confirmed'),
    waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted'),
    walk_in_count    = walk_in_count    + (NEW.walk_in = 1 AND NEW.status <> 'cancelled'),
    door_seat_count  = door_seat_count  + (NEW.status = 'confirmed' AND (NEW.walk_in = 1 OR NEW.seat_forced = 1))
  WHERE id = NEW.event_id;
END;

CREATE TRIGGER registrations_count_update AFTER UPDATE OF status, walk_in, event_id, seat_forced ON registrations BEGIN
  UPDATE events SET
    confirmed_count  = confirmed_count  - (OLD.status = 'confirmed'),
    waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted'),
    walk_in_count    = walk_in_count    - (OLD.walk_in = 1 AND OLD.status <> 'cancelled'),
    door_seat_count  = door_seat_count  - (OLD.status = 'confirmed' AND (OLD.walk_in = 1 OR OLD.seat_forced = 1))
  WHERE id = OLD.event_id;
  UPDATE events SET
    confirmed_count  = confirmed_count  + (NEW.status = 'confirmed'),
    waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted'),
    walk_in_count    = walk_in_count    + (NEW.walk_in = 1 AND NEW.status <> 'cancelled'),
    door_seat_count  = door_seat_count  + (NEW.status = 'confirmed' AND (NEW.walk_in = 1 OR NEW.seat_forced = 1))
  WHERE id = NEW.event_id;
END;

CREATE TRIGGER registrations_count_delete AFTER DELETE ON registrations BEGIN
  UPDATE events SET
    confirmed_count  = confirmed_count  - (OLD.status = 'confirmed'),
    waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted'),
    walk_in_count    = walk_in_count    - (OLD.walk_in = 1 AND OLD.status <> 'cancelled'),
    door_seat_count  = door_seat_count  - (OLD.status = 'confirmed' AND (OLD.walk_in = 1 OR OLD.seat_forced = 1))
  WHERE id = OLD.event_id;
END;

CREATE TRIGGER events_seats_within_capacity BEFORE UPDATE OF confirmed_count, door_seat_count, capacity ON events
  WHEN NEW.capacity IS NOT NULL AND NEW.confirmed_count - NEW.door_seat_count > NEW.capacity
BEGIN
  SELECT RAISE(ABORT, 'events_seats_within_capacity: more seats given by rule than the capacity');
END;

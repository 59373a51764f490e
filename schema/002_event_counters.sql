-- Each event's counts kept on its row by triggers, so reading them costs the same with 10 or 100 000 registrations,
-- and no code path can forget to update them.
ALTER TABLE events ADD COLUMN confirmed_count  INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN waitlisted_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN walk_in_count    INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN checked_in_count INTEGER NOT NULL DEFAULT 0;

UPDATE events SET
  confirmed_count  = (SELECT count(*) FROM registrations r WHERE r.event_id = events.id AND r.status = 'confirmed'),
  waitlisted_count = (SELECT count(*) FROM registrations r WHERE r.event_id = events.id AND r.status = 'waitlisted'),
  walk_in_count    = (SELECT count(*) FROM registrations r WHERE r.event_id = events.id AND r.walk_in = 1 AND r.status <> 'cancelled'),
  checked_in_count = (SELECT count(*) FROM checkins c WHERE c.event_id = events.id);

CREATE TRIGGER registrations_count_insert AFTER INSERT ON registrations BEGIN
  UPDATE events SET
    confirmed_count  = confirmed_count  + (NEW.status = 'confirmed'),
    waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted'),
    walk_in_count    = walk_in_count    + (NEW.walk_in = 1 AND NEW.status <> 'cancelled')
  WHERE id = NEW.event_id;
END;

CREATE TRIGGER registrations_count_update AFTER UPDATE OF status, walk_in, event_id ON registrations BEGIN
  UPDATE events SET
    confirmed_count  = confirmed_count  - (OLD.status = 'confirmed'),
    waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted'),
    walk_in_count    = walk_in_count    - (OLD.walk_in = 1 AND OLD.status <> 'cancelled')
  WHERE id = OLD.event_id;
  UPDATE events SET
    confirmed_count  = confirmed_count  + (NEW.status = 'confirmed'),
    waitlisted_count = waitlisted_count + (NEW.status = 'waitlisted'),
    walk_in_count    = walk_in_count    + (NEW.walk_in = 1 AND NEW.status <> 'cancelled')
  WHERE id = NEW.event_id;
END;

CREATE TRIGGER registrations_count_delete AFTER DELETE ON registrations BEGIN
  UPDATE events SET
    confirmed_count  = confirmed_count  - (OLD.status = 'confirmed'),
    waitlisted_count = waitlisted_count - (OLD.status = 'waitlisted'),
    walk_in_count    = walk_in_count    - (OLD.walk_in = 1 AND OLD.status <> 'cancelled')
  WHERE id = OLD.event_id;
END;

CREATE TRIGGER checkins_count_insert AFTER INSERT ON checkins BEGIN
  UPDATE events SET checked_in_count = checked_in_count + 1 WHERE id = NEW.event_id;
END;

CREATE TRIGGER checkins_count_delete AFTER DELETE ON checkins BEGIN
  UPDATE events SET checked_in_count = checked_in_count - 1 WHERE id = OLD.event_id;
END;

// The participants' mail as other software reads it: each .eml file the real server writes is parsed by Python's
// standard e-mail package and its calendar part by Debian's python3-icalendar, neither of which shares code with
// the server's GMime. A confirmed place carries the event's calendar, a waitlist notice none, and a promotion one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';
import { until } from '../support/smtp.mjs';

// Debian's interpreter, where python3-icalendar is installed (another python3 may come first on PATH).
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// Reads the message on stdin; prints what a mail reader would show of it, and the calendar's event as icalendar
// parsed it (None when there is no text/calendar part).
const reader = `
import email, email.policy, json, sys
import icalendar
message = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
out = {
    "subject": str(message["Subject"]),
    "language": str(message["Content-Language"]),
    "types": [part.get_content_type() for part in message.walk()],
    "defects": [str(d) for part in message.walk() for d in part.defects],
    "calendar": None,
}
for part in message.walk():
    if part.get_content_type() != "text/calendar":
        continue
    calendar = icalendar.Calendar.from_ical(part.get_content())
    events = calendar.walk("VEVENT")
    event = events[0]
    out["calendar"] = {
        "events": len(events),
        "method_param": part.get_param("method"),
        "filename": part.get_filename(),
        "disposition": part.get_content_disposition(),
        "method": str(calendar.get("METHOD")),
        "uid": str(event.get("UID")),
        "dtstart": event.decoded("DTSTART").isoformat(),
        "summary": str(event.get("SUMMARY")),
        "location": str(event.get("LOCATION")),
        "sequence": int(event.get("SEQUENCE")),
        "errors": [str(e) for c in calendar.walk() for e in c.errors],
    }
print(json.dumps(out))
`;

function read(text) {
  return JSON.parse(execFileSync(python, ['-c', reader], { input: text }).toString('utf8'));
}

function mailTo(dir, address, subject) {
  const folder = join(dir, 'outbox');
  if (!existsSync(folder)) return undefined;
  for (const f of readdirSync(folder).filter((x) => x.endsWith('.eml'))) {
    const text = readFileSync(join(folder, f));
    if (!new RegExp(`^To: ${address.replace(/\./g, '\\.')}\\r$`, 'm').test(text.toString('utf8'))) continue;
    const parsed = read(text);
    if (subject.test(parsed.subject)) return parsed;
  }
  return undefined;
}

test('a confirmed place carries the event as a calendar a standard parser reads; a waitlist notice carries none', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const title = 'Möte om TN-samarbete i Göteborg; budget, partner och tid';
    const event = await createEvent(api, token, { title, capacity: 1, language: 'sv' });
    const ada = registrationBody({ email: 'ada@mime-test.example.org', language: 'sv', name: 'Ada <script>alert(1)</script>' });
    const bo = registrationBody({ email: 'bo@mime-test.example.org', language: 'en' });
    const answers = [];
    for (const body of [ada, bo]) {
      const r = await api('POST', `/api/v1/events/${event.id}/registrations`, body);
      assert.equal(r.status, 201, r.text);
      answers.push(r.body);
    }

    let confirmed;
    let waitlisted;
    assert.ok(await until(() => {
      confirmed ??= mailTo(server.dir, ada.email, /^Din plats: /);
      waitlisted ??= mailTo(server.dir, bo.email, /^You are on the waitlist: /);
      return confirmed && waitlisted;
    }), 'both messages were written');

    assert.equal(confirmed.subject, `Din plats: ${title}`, 'the subject decodes to the Swedish text');
    assert.equal(confirmed.language, 'sv');
    assert.deepEqual(confirmed.types, ['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/html', 'text/calendar']);
    assert.deepEqual(confirmed.defects, [], 'a well-formed MIME message');
    const cal = confirmed.calendar;
    assert.ok(cal, 'a text/calendar part');
    assert.deepEqual(cal.errors, [], 'icalendar found nothing to complain about');
    assert.equal(cal.events, 1);
    assert.equal(cal.method, 'PUBLISH');
    assert.equal(cal.method_param, 'PUBLISH', 'the part names the calendar\'s METHOD');
    assert.equal(cal.disposition, 'attachment');
    assert.equal(cal.filename, 'event.ics');
    assert.match(cal.uid, /^event-\d+@127\.0\.0\.1$/, 'the UID names the public URL\'s host');
    assert.equal(cal.uid, `event-${event.id}@127.0.0.1`);
    assert.equal(cal.summary, title);
    assert.equal(new Date(cal.dtstart).getTime(), new Date(event.starts_at).getTime());
    assert.equal(cal.location, `${event.venue.name}, ${event.venue.address}`);

    assert.equal(waitlisted.language, 'en');
    assert.deepEqual(waitlisted.types, ['multipart/alternative', 'text/plain', 'text/html']);
    assert.equal(waitlisted.calendar, null, 'no calendar for a place not had');

    // Ada cancels: Bo moves up and is told so, now with the calendar, the same entry as Ada's (one UID per event).
    const cancel = await api('DELETE', `/api/v1/my/registrations/${answers[0].manage_token}`);
    assert.equal(cancel.status, 200, cancel.text);
    let promoted;
    assert.ok(await until(() => (promoted ??= mailTo(server.dir, bo.email, /^A place has opened for you: /))), 'the promotion was written');
    assert.deepEqual(promoted.types, ['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/html', 'text/calendar']);
    assert.equal(promoted.calendar.uid, cal.uid);
    assert.equal(promoted.calendar.summary, title);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('the .ics download is the same entry: its UID names the public URL\'s host, and a change raises SEQUENCE', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, { title: 'Kalender för Örebro' });
    const first = await api('GET', `/api/v1/events/${event.id}.ics`);
    assert.equal(first.status, 200);
    const asMail = (ics) => `MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=utf-8\r\n\r\n${ics}`;
    const before = read(asMail(first.text)).calendar;
    assert.deepEqual(before.errors, []);
    assert.equal(before.uid, `event-${event.id}@127.0.0.1`);
    assert.equal(before.summary, 'Kalender för Örebro');
    const changed = await api('PATCH', `/api/v1/events/${event.id}`, { title: 'Kalender för Örebro (ny tid)' }, { token });
    assert.equal(changed.status, 200, changed.text);
    const after = read(asMail((await api('GET', `/api/v1/events/${event.id}.ics`)).text)).calendar;
    assert.equal(after.uid, before.uid);
    assert.ok(after.sequence > before.sequence, `SEQUENCE ${before.sequence} then ${after.sequence}`);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

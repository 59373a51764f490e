// The participants' mail as other software reads it: each .eml file the real server writes is parsed by Python's
// standard e-mail package, its calendar part by Debian's python3-icalendar and its QR code's PNG by Python's zlib,
// then read as a QR code by the jsQR the door app vendors; none of them shares code with the server's GMime or its
// PNG writer. A confirmed place carries the ticket's QR code and the event's calendar, a waitlist notice neither,
// and a promotion both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { startServer, client, signIn } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';
import { until } from '../support/smtp.mjs';

// Debian's interpreter, where python3-icalendar is installed (another python3 may come first on PATH).
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// Reads the message on stdin; prints what a mail reader would show of it, the calendar's event as icalendar
// parsed it (None when there is no text/calendar part), and the image parts, each PNG's chunks checked (CRC-32) and
// its pixels inflated by zlib (which checks the Adler-32), given back in base64.
const reader = `
import base64, email, email.policy, json, sys, zlib
import icalendar
message = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
out = {
    "subject": str(message["Subject"]),
    "language": str(message["Content-Language"]),
    "types": [part.get_content_type() for part in message.walk()],
    "defects": [str(d) for part in message.walk() for d in part.defects],
    "html": next((p.get_content() for p in message.walk() if p.get_content_type() == "text/html"), None),
    "images": [],
    "calendar": None,
}
for part in message.walk():
    if part.get_content_maintype() != "image":
        continue
    data = part.get_content()
    image = {
        "type": part.get_content_type(),
        "content_id": part["Content-ID"],
        "disposition": part.get_content_disposition(),
        "filename": part.get_filename(),
        "signature": data[:8] == b"\\x89PNG\\r\\n\\x1a\\n",
        "chunks": [],
        "bad_crcs": [],
    }
    at, idat = 8, b""
    while at + 12 <= len(data):
        length = int.from_bytes(data[at:at + 4], "big")
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        if int.from_bytes(data[at + 8 + length:at + 12 + length], "big") != zlib.crc32(kind + body):
            image["bad_crcs"].append(kind.decode("latin-1"))
        image["chunks"].append(kind.decode("latin-1"))
        if kind == b"IHDR":
            image["width"], image["height"] = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            image["depth"], image["colour"] = body[8], body[9]
        if kind == b"IDAT":
            idat += body
        at += 12 + length
    image["trailing"] = len(data) - at
    image["pixels"] = base64.b64encode(zlib.decompress(idat)).decode("ascii")
    out["images"].append(image)
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

// The door app's own QR decoder (web/checkin/vendor/jsQR.js, a UMD bundle) loaded without a browser.
const jsQR = (() => {
  const file = join(dirname(fileURLToPath(import.meta.url)), '../../web/checkin/vendor/jsQR.js');
  const module = { exports: {} };
  vm.runInNewContext(readFileSync(file, 'utf8'), { module, exports: module.exports });
  return module.exports.default ?? module.exports;
})();

// A one-bit greyscale image's pixels (its rows as inflated, a filter byte first): whether each is dark, row by row.
function darkPixels(image) {
  const { width, height } = image;
  const rows = Buffer.from(image.pixels, 'base64');
  const stride = 1 + Math.ceil(width / 8);
  const dark = [];
  for (let y = 0; y < height; y++) {
    assert.equal(rows[y * stride], 0, 'no filter');
    dark.push(Array.from({ length: width }, (_, x) => !((rows[y * stride + 1 + (x >> 3)] >> (7 - (x & 7))) & 1)));
  }
  return dark;
}

// What the pixels read as a QR code; null when nothing.
function qrText(dark) {
  const height = dark.length;
  const width = dark[0].length;
  const rgba = new Uint8ClampedArray(width * height * 4);
  dark.forEach((row, y) => row.forEach((d, x) => rgba.set(d ? [0, 0, 0, 255] : [255, 255, 255, 255], (y * width + x) * 4)));
  return jsQR(rgba, width, height)?.data ?? null;
}

// The ticket's QR code as a mail reader gets it: one PNG part, inline, named by a Content-ID the HTML shows, whose
// pixels read as the ticket code.
function assertTicketImage(mail, ticketCode, alt) {
  assert.equal(mail.images.length, 1, 'one image');
  const [image] = mail.images;
  assert.equal(image.type, 'image/png');
  assert.equal(image.disposition, 'inline');
  assert.equal(image.filename, 'ticket-qr.png');
  assert.ok(image.signature, 'the PNG signature');
  assert.deepEqual(image.chunks, ['IHDR', 'IDAT', 'IEND']);
  assert.deepEqual(image.bad_crcs, [], 'every chunk\'s CRC checks');
  assert.equal(image.trailing, 0, 'nothing after IEND');
  assert.equal(image.depth, 1);
  assert.equal(image.colour, 0, 'greyscale');
  assert.equal(image.width, image.height);
  assert.equal(image.width % 6, 0, 'whole modules of 6 pixels');
  assert.equal(Buffer.from(image.pixels, 'base64').length, (1 + Math.ceil(image.width / 8)) * image.height,
    'zlib inflates the rows of the size IHDR gives');
  const id = image.content_id?.match(/^<([^<>@\s]+@[^<>@\s]+)>$/)?.[1];
  assert.ok(id, `a Content-ID: ${image.content_id}`);
  const img = mail.html.match(/<img src="cid:([^"]+)" alt="([^"]*)" width="(\d+)" height="(\d+)">/);
  assert.ok(img, 'the HTML shows an image');
  assert.equal(decodeURIComponent(img[1]), id, 'the HTML shows this part');
  assert.equal(img[2], alt, 'the alternative text names the ticket, in the message\'s language');
  assert.equal(Number(img[3]), image.width);
  const code = mail.html.indexOf(ticketCode);
  assert.ok(code >= 0 && code < mail.html.indexOf('<img'), 'below the ticket code');
  const dark = darkPixels(image);
  const quiet = 4 * 6;
  const inQuietZone = (x, y) => x < quiet || y < quiet || x >= image.width - quiet || y >= image.height - quiet;
  assert.ok(dark.every((row, y) => row.every((d, x) => !d || !inQuietZone(x, y))), 'a white quiet zone of 4 modules');
  assert.ok(dark[quiet][quiet] && dark[quiet + 3 * 6 + 3][quiet + 3 * 6 + 3], 'the top-left finder pattern right inside it');
  assert.equal(qrText(dark), ticketCode, 'a QR code of the ticket code');
  return id;
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
    assert.deepEqual(confirmed.types, ['multipart/mixed', 'multipart/related', 'multipart/alternative', 'text/plain',
      'text/html', 'image/png', 'text/calendar']);
    assert.deepEqual(confirmed.defects, [], 'a well-formed MIME message');
    const adaCode = answers[0].ticket_code;
    assert.match(adaCode, /^[2-9A-Z]{8}$/);
    const confirmedId = assertTicketImage(confirmed, adaCode, `QR-kod för biljett ${adaCode}`);
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
    assert.deepEqual(waitlisted.images, [], 'no QR code: a place on the waitlist is no ticket');
    assert.doesNotMatch(waitlisted.html, /<img/);

    // Ada cancels: Bo moves up and is told so, now with the calendar, the same entry as Ada's (one UID per event).
    const cancel = await api('DELETE', `/api/v1/my/registrations/${answers[0].manage_token}`);
    assert.equal(cancel.status, 200, cancel.text);
    let promoted;
    assert.ok(await until(() => (promoted ??= mailTo(server.dir, bo.email, /^A place has opened for you: /))), 'the promotion was written');
    assert.deepEqual(promoted.types, ['multipart/mixed', 'multipart/related', 'multipart/alternative', 'text/plain',
      'text/html', 'image/png', 'text/calendar']);
    assert.deepEqual(promoted.defects, []);
    const promotedId = assertTicketImage(promoted, answers[1].ticket_code, `QR code of ticket ${answers[1].ticket_code}`);
    assert.notEqual(promotedId, confirmedId, 'each message names its image uniquely');
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

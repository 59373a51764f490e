// The transactional outbox (issue 9), against a real SMTP server on loopback started by the test: a mail server that
// is down while people register gets every message once it returns; a kill -9 between the commit and the delivery
// loses nothing and doubles nothing; an erased person's pending message never goes; "send me my link again" answers
// the same for a stranger, and its mail carries a fresh link that replaces the old one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn } from '../support/server.mjs';
import { createEvent, registrationBody, assertProblem, register, hoursFromNow, ongoingEventBody } from '../support/fixtures.mjs';
import { smtpSink, freePort, until } from '../support/smtp.mjs';

// Tries again after 1 s, then 2 s at most: a test waits seconds, not the minutes of doubling.
const fast = { mail_retry_seconds: 1, mail_retry_max_seconds: 2 };

function emlFiles(dir) {
  const folder = join(dir, 'outbox');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(folder, f), 'utf8'));
}
const headerOf = (text, name) => text.match(new RegExp(`^${name}: (.*)\\r?$`, 'mi'))?.[1];
const linkIn = (text) => text.match(/manage\.html#token=([A-Za-z0-9_-]+)/)?.[1];

test('a mail server down while people register gets every message once it is back, each once', async () => {
  const port = await freePort();
  const server = await startServer({ config: fast, env: { EVENTD_SMTP_URL: `smtp://127.0.0.1:${port}` } });
  let sink;
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, { capacity: 3 });
    const bodies = Array.from({ length: 6 }, (_, i) => registrationBody({ email: `down${i}@outbox-test.example.org`, language: i % 2 ? 'sv' : 'en' }));
    for (const b of bodies) {
      const r = await api('POST', `/api/v1/events/${event.id}/registrations`, b);
      assert.equal(r.status, 201, r.text);
    }
    assert.ok(await until(() => /smtp delivery failed/.test(server.stderr)), 'the sender tried while the server was down');
    assert.ok(!server.stderr.includes('outbox-test.example.org'), 'the log carries no address');

    sink = await smtpSink({ port });
    assert.ok(await until(() => sink.messages.length >= 6, 20000), `arrived: ${sink.messages.length}`);
    await new Promise((r) => setTimeout(r, 1500));  // a doubled message would arrive in this time
    const to = sink.messages.map((m) => m.to[0]).sort();
    assert.deepEqual(to, bodies.map((b) => `RCPT TO:<${b.email}>`).sort(), 'each person once');
    const ids = new Set(sink.messages.map((m) => sink.header(m, 'Message-ID')));
    assert.equal(ids.size, 6, 'six distinct Message-IDs');
    for (const id of ids) assert.match(id, /^<[^<>@\s]+@127\.0\.0\.1>$/, 'the Message-ID names the public URL\'s host');
    // Three places, three waitlisted: each told what they have, in their language.
    const subjects = sink.messages.map((m) => sink.header(m, 'Subject'));
    assert.equal(subjects.filter((s) => /^(Your place|Din plats):/.test(s)).length, 3, subjects.join('\n'));
  } finally {
    await server.stop();
    server.cleanup();
    if (sink) await sink.close();
  }
});

test('kill -9 right after the commits: after the restart each message arrives exactly once', async () => {
  const port = await freePort();
  const env = { EVENTD_SMTP_URL: `smtp://127.0.0.1:${port}` };
  const first = await startServer({ config: fast, env });
  let second;
  let sink;
  try {
    const api = client(first.url);
    const token = await signIn(first.url);
    const event = await createEvent(api, token, { capacity: 100 });
    const bodies = Array.from({ length: 20 }, (_, i) => registrationBody({ email: `crash${i}@outbox-test.example.org` }));
    const answers = await Promise.all(bodies.map((b) => api('POST', `/api/v1/events/${event.id}/registrations`, b)));
    for (const a of answers) assert.equal(a.status, 201, a.text);
    await first.kill();  // acknowledged, not delivered: the mail server was down

    sink = await smtpSink({ port });
    second = await startServer({ config: fast, env, dir: first.dir });
    assert.ok(await until(() => sink.messages.length >= 20, 20000), `arrived: ${sink.messages.length}`);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(sink.messages.map((m) => m.to[0]).sort(), bodies.map((b) => `RCPT TO:<${b.email}>`).sort());
    // Each carries the private link its registration's answer gave.
    for (const a of answers) {
      const m = sink.messages.find((x) => x.to[0] === `RCPT TO:<${a.body.email}>`);
      assert.ok(m.data.includes(a.body.manage_token), 'the link of the acknowledged registration');
    }
  } finally {
    if (second) { await second.stop(); }
    first.cleanup();
    if (sink) await sink.close();
  }
});

test('kill -9 while the outbox folder is being written: after the restart one file per registration', async () => {
  const first = await startServer({ config: fast });
  let second;
  try {
    const api = client(first.url);
    const token = await signIn(first.url);
    const event = await createEvent(api, token, { capacity: 500 });
    const bodies = Array.from({ length: 60 }, (_, i) => registrationBody({ email: `files${i}@outbox-test.example.org` }));
    const answers = await Promise.all(bodies.map((b) => api('POST', `/api/v1/events/${event.id}/registrations`, b)));
    for (const a of answers) assert.equal(a.status, 201, a.text);
    await first.kill();
    second = await startServer({ config: fast, dir: first.dir });
    assert.ok(await until(() => emlFiles(first.dir).length >= 60, 15000), `files: ${emlFiles(first.dir).length}`);
    await second.stop();
    const to = emlFiles(first.dir).map((t) => headerOf(t, 'To')).sort();
    assert.deepEqual(to, bodies.map((b) => b.email).sort(), 'one message per acknowledged registration, no more');
  } finally {
    if (second) await second.stop();
    first.cleanup();
  }
});

test('an erased person\'s pending message is never sent', async () => {
  const port = await freePort();
  const server = await startServer({ config: fast, env: { EVENTD_SMTP_URL: `smtp://127.0.0.1:${port}` } });
  let sink;
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, { capacity: 10 });
    const kept = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email: 'kept@outbox-test.example.org' }));
    const gone = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email: 'gone@outbox-test.example.org' }));
    assert.equal(gone.status, 201, gone.text);
    assert.ok(await until(() => /smtp delivery failed/.test(server.stderr)));
    const erase = await api('POST', `/api/v1/my/registrations/${gone.body.manage_token}/erase`, {});
    assert.equal(erase.status, 200, erase.text);
    // A round already under way may have composed the message before the erasure: wait until one has begun since.
    const tries = () => (server.stderr.match(/smtp delivery failed/g) || []).length;
    const seen = tries();
    assert.ok(await until(() => tries() >= seen + 2, 20000));
    sink = await smtpSink({ port });
    assert.ok(await until(() => sink.messages.length >= 2, 20000));
    await new Promise((r) => setTimeout(r, 2500));
    // The confirmation to the kept person, and to the erased one only the notice of the erasure.
    const confirmation = /^(Your place|Din plats):/;
    const told = (who) => sink.messages.filter((m) => m.to[0] === `RCPT TO:<${who}>`).map((m) => sink.header(m, 'Subject'));
    assert.equal(told(kept.body.email).length, 1);
    assert.match(told(kept.body.email)[0], confirmation);
    assert.equal(told(gone.body.email).length, 1);
    assert.match(told(gone.body.email)[0], /=\?UTF-8\?|^Your data/, 'the notice (its Swedish subject is encoded), not the confirmation');
    assert.doesNotMatch(told(gone.body.email)[0], confirmation);
    // The link it would have carried is gone from the database too.
    await server.stop();
    const bytes = readFileSync(server.db);
    // The secret is everything after the id's dash (it may hold dashes itself: a piece of it could match by chance).
    const secret = gone.body.manage_token.slice(gone.body.manage_token.indexOf('-') + 1);
    assert.ok(!bytes.includes(Buffer.from(secret)), 'the erased link is not in the database file');
  } finally {
    await server.stop();
    server.cleanup();
    if (sink) await sink.close();
  }
});

test('who erases their data is told so through the mail server, and the address then leaves every file', async () => {
  const sink = await smtpSink();
  const server = await startServer({ config: fast, env: { EVENTD_SMTP_URL: `smtp://127.0.0.1:${sink.port}` } });
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, {});
    const email = 'erase.me@outbox-test.example.org';
    const r = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email, language: 'sv' }));
    assert.equal(r.status, 201, r.text);
    assert.ok(await until(() => sink.messages.length === 1));
    assert.equal((await api('POST', `/api/v1/my/registrations/${r.body.manage_token}/erase`, {})).status, 200);
    assert.ok(await until(() => sink.messages.length === 2));
    const notice = sink.messages[1];
    assert.equal(notice.to[0], `RCPT TO:<${email}>`);
    assert.ok(notice.data.includes('personuppgifter'), 'in the participant\'s language');
    assert.ok(!notice.data.includes(r.body.name), 'the notice names nobody');
    await new Promise((done) => setTimeout(done, 500));  // the delivery is recorded after it
    await server.stop();
    for (const file of [server.db, `${server.db}-wal`]) {
      if (!existsSync(file)) continue;
      assert.ok(!readFileSync(file).includes(Buffer.from(email)), `the address is not in ${file}`);
    }
  } finally {
    await server.stop();
    server.cleanup();
    await sink.close();
  }
});

test('a recipient the mail server refuses for good is not tried again', async () => {
  const sink = await smtpSink({ refuse: true });
  const server = await startServer({ config: fast, env: { EVENTD_SMTP_URL: `smtp://127.0.0.1:${sink.port}` } });
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, {});
    const r = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email: 'nobody@outbox-test.example.org' }));
    assert.equal(r.status, 201, r.text);
    assert.ok(await until(() => /mail failed for good/.test(server.stderr)), server.stderr);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(server.stderr.match(/mail failed for good/g).length, 1, 'one attempt, no retries');
  } finally {
    await server.stop();
    server.cleanup();
    await sink.close();
  }
});

test('"send me my link again": the same answer for anyone; the mail\'s fresh link replaces the old one', async () => {
  const server = await startServer({ config: fast });
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, {});
    const body = registrationBody({ email: 'Lost.Link@outbox-test.example.org', language: 'sv' });
    const reg = await api('POST', `/api/v1/events/${event.id}/registrations`, body);
    assert.equal(reg.status, 201, reg.text);
    assert.ok(await until(() => emlFiles(server.dir).length === 1));

    const mine = await api('POST', '/api/v1/registrations/recover', { event_id: event.id, email: ' lost.link@OUTBOX-test.example.org ' });
    const stranger = await api('POST', '/api/v1/registrations/recover', { event_id: event.id, email: 'stranger@outbox-test.example.org' });
    const otherEvent = await api('POST', '/api/v1/registrations/recover', { event_id: 999999, email: body.email });
    for (const r of [mine, stranger, otherEvent]) {
      assert.equal(r.status, 202, r.text);
      assert.equal(r.text, mine.text, 'the same answer whether or not the address is registered');
    }
    assert.ok(await until(() => emlFiles(server.dir).length === 2), 'one more message: for the registered address only');
    const first = emlFiles(server.dir).find((t) => t.includes(reg.body.manage_token));
    assert.ok(first.includes('Tillgänglighet: Hörslinga, Tillgängligt utan trappsteg'), 'the confirmation names the venue\'s access, in Swedish');
    const mail = emlFiles(server.dir).find((t) => !t.includes(reg.body.manage_token));
    assert.equal(headerOf(mail, 'To'), 'lost.link@outbox-test.example.org');
    assert.ok(mail.includes('Länkar i tidigare mejl fungerar inte längre'), 'in the participant\'s language');
    const fresh = linkIn(mail);
    assert.ok(fresh && fresh !== reg.body.manage_token);
    assert.equal((await api('GET', `/api/v1/my/registrations/${fresh}`)).status, 200, 'the new link works');
    assert.equal((await api('GET', `/api/v1/my/registrations/${reg.body.manage_token}`)).status, 404, 'the old one no longer');

    // At most three fresh links an hour for one registration; the answer stays the same.
    for (let i = 0; i < 4; i++) {
      const again = await api('POST', '/api/v1/registrations/recover', { event_id: event.id, email: body.email });
      assert.equal(again.status, 202);
    }
    assert.ok(await until(() => emlFiles(server.dir).length >= 4));
    await new Promise((r) => setTimeout(r, 1500));  // a fourth link would arrive in this time
    assert.equal(emlFiles(server.dir).length, 4, 'the first message and three links');

    assertProblem(await api('POST', '/api/v1/registrations/recover', { event_id: event.id, email: 'not an address' }), 422, ['email']);
    assertProblem(await api('POST', '/api/v1/registrations/recover', { event_id: null, email: body.email }), 422, ['event_id']);
    assertProblem(await api('POST', '/api/v1/registrations/recover', { email: body.email }), 422, ['event_id']);
    assertProblem(await api('POST', '/api/v1/registrations/recover', '[1,2]'), 400);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a promotion mails a working fresh link, and the waitlist mail\'s link keeps working', async () => {
  const server = await startServer({ config: fast });
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, { capacity: 1 });
    const first = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody());
    const waiting = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email: 'waiting@outbox-test.example.org', language: 'en' }));
    assert.equal(waiting.body.status, 'waitlisted');
    assert.equal((await api('DELETE', `/api/v1/my/registrations/${first.body.manage_token}`)).status, 200);
    assert.ok(await until(() => emlFiles(server.dir).filter((t) => /A place has opened/.test(t)).length === 1));
    const promotion = emlFiles(server.dir).find((t) => /A place has opened/.test(t));
    assert.equal(headerOf(promotion, 'To'), 'waiting@outbox-test.example.org');
    assert.ok(promotion.includes('Venue: Sensus, Rosenlundsgatan, Rosenlundsgatan 1, Stockholm'), 'the venue');
    assert.ok(promotion.includes('Accessibility: Hearing loop, Step-free access'), 'and what it offers for access');
    const fresh = linkIn(promotion);
    assert.ok(fresh && fresh !== waiting.body.manage_token);
    const viaFresh = await api('GET', `/api/v1/my/registrations/${fresh}`);
    assert.equal(viaFresh.status, 200);
    assert.equal(viaFresh.body.status, 'confirmed');
    assert.equal((await api('GET', `/api/v1/my/registrations/${waiting.body.manage_token}`)).status, 200, 'the old link still works');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

describe('what participants are told, and what organisers see', { timeout: 120000 }, () => {
  let server, api, token;
  const mails = () => emlFiles(server.dir);
  const to = (addr) => mails().filter((t) => headerOf(t, 'To') === addr);
  const subjectsTo = (addr) => to(addr).map((t) => headerOf(t, 'Subject'));

  before(async () => {
    server = await startServer({ config: { ...fast, mail_schedule_seconds: 1, mail_reminder_hours: 24 } });
    api = client(server.url);
    token = await signIn(server.url);
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test('a reminder goes once to each confirmed participant within a day of the start, with a working link', async () => {
    const soon = await createEvent(api, token, { capacity: 1, starts_at: hoursFromNow(5), ends_at: hoursFromNow(7) });
    const later = await createEvent(api, token, { starts_at: hoursFromNow(72), ends_at: hoursFromNow(74) });
    const a = await register(api, soon.id, { email: 'remind.a@outbox-test.example.org', language: 'en' });
    const b = await register(api, soon.id, { email: 'remind.b@outbox-test.example.org', language: 'en' });
    const c = await register(api, later.id, { email: 'remind.c@outbox-test.example.org', language: 'en' });
    assert.equal(b.status, 'waitlisted');
    assert.ok(await until(() => subjectsTo('remind.a@outbox-test.example.org').some((s) => /^Reminder:/.test(s))));
    await new Promise((r) => setTimeout(r, 2500));  // several schedule rounds: no second reminder
    assert.equal(subjectsTo('remind.a@outbox-test.example.org').filter((s) => /^Reminder:/.test(s)).length, 1);
    assert.ok(!subjectsTo('remind.b@outbox-test.example.org').some((s) => /^Reminder:/.test(s)), 'the waitlisted have no place to be reminded of');
    assert.ok(!subjectsTo('remind.c@outbox-test.example.org').some((s) => /^Reminder:/.test(s)), 'three days ahead: not yet');
    const reminder = to('remind.a@outbox-test.example.org').find((t) => /^Subject: Reminder:/m.test(t));
    const link = linkIn(reminder);
    assert.ok(link && link !== a.manage_token);
    assert.equal((await api('GET', `/api/v1/my/registrations/${link}`)).status, 200);
    assert.equal((await api('GET', `/api/v1/my/registrations/${a.manage_token}`)).status, 200, 'the first link keeps working');
    assert.ok(c.manage_token);
  });

  test('a new time tells everyone registered; a cancellation too; a draft tells nobody', async () => {
    const ev = await createEvent(api, token, { capacity: 1 });
    const a = await register(api, ev.id, { email: 'change.a@outbox-test.example.org', language: 'sv' });
    await register(api, ev.id, { email: 'change.b@outbox-test.example.org', language: 'en' });
    const gone = await register(api, ev.id, { email: 'change.c@outbox-test.example.org', language: 'en' });
    assert.equal((await api('DELETE', `/api/v1/my/registrations/${gone.manage_token}`)).status, 200);
    const moved = await api('PATCH', `/api/v1/events/${ev.id}`, { starts_at: hoursFromNow(200), ends_at: hoursFromNow(202) }, { token });
    assert.equal(moved.status, 200, moved.text);
    assert.ok(await until(() => subjectsTo('change.b@outbox-test.example.org').some((s) => /^New time or place:/.test(s))));
    assert.ok(await until(() => to('change.a@outbox-test.example.org').some((t) => /ny tid eller plats/.test(t))), 'in Swedish for a Swedish speaker');
    const renamed = await api('PATCH', `/api/v1/events/${ev.id}`, { title: 'Only the title changed' }, { token });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await api('POST', `/api/v1/events/${ev.id}/cancel`, {}, { token })).status, 200);
    assert.ok(await until(() => subjectsTo('change.b@outbox-test.example.org').some((s) => /^Cancelled:/.test(s))));
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(subjectsTo('change.b@outbox-test.example.org').map((s) => s.split(':')[0]).sort(),
      ['Cancelled', 'New time or place', 'You are on the waitlist'], 'a title change alone sends nothing');
    assert.ok(!subjectsTo('change.c@outbox-test.example.org').some((s) => /^(New time or place|Cancelled):/.test(s)),
      'who cancelled hears nothing more');
    assert.ok(a.ticket_code);

    const draft = await createEvent(api, token, { status: 'draft' });
    assert.equal((await api('PATCH', `/api/v1/events/${draft.id}`, { starts_at: hoursFromNow(300), ends_at: hoursFromNow(301) }, { token })).status, 200);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(mails().filter((t) => t.includes(draft.title)).length, 0);
  });

  test('after the event each attendee is invited to evaluate it once, through a link that opens the evaluation', async () => {
    const ev = await createEvent(api, token, ongoingEventBody());
    const came = await register(api, ev.id, { email: 'eval.came@outbox-test.example.org', language: 'en' });
    await register(api, ev.id, { email: 'eval.away@outbox-test.example.org', language: 'en' });
    const checkin = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: came.ticket_code }, { token });
    assert.equal(checkin.status, 201, checkin.text);
    const past = await api('PATCH', `/api/v1/events/${ev.id}`, {
      starts_at: hoursFromNow(-5), ends_at: hoursFromNow(-3), registration_closes_at: hoursFromNow(-6) }, { token });
    assert.equal(past.status, 200, past.text);
    const invited = () => subjectsTo('eval.came@outbox-test.example.org').filter((s) => /^What did you think/.test(s));
    assert.ok(await until(() => invited().length === 1));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(invited().length, 1, 'once');
    assert.ok(!subjectsTo('eval.away@outbox-test.example.org').some((s) => /^What did you think/.test(s)), 'only those who came');
    const link = linkIn(to('eval.came@outbox-test.example.org').find((t) => /What did you think/.test(t)));
    const answer = await api('PUT', `/api/v1/my/registrations/${link}/evaluation`,
      { usefulness: 5, knowledge_before: 2, knowledge_after: 4, plans_tn: 'yes' });
    assert.ok([200, 201].includes(answer.status), answer.text);
  });

  test('organisers write to attendees with a preview, resend a confirmation, and see the mail log', async () => {
    const ev = await createEvent(api, token, { capacity: 2 });
    const people = [];
    for (const [i, language] of [[0, 'sv'], [1, 'en'], [2, 'en']].values())
      people.push(await register(api, ev.id, { email: `msg${i}@outbox-test.example.org`, language }));
    const path = `/api/v1/events/${ev.id}/messages`;
    const text = 'Bring your own cup, please.\n\nSee you there.';
    const preview = await api('POST', path, { audience: 'confirmed', subject: 'Practical details', text, preview: true }, { token });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.recipients, 2);
    assert.equal(preview.body.sample.to, 'msg0@outbox-test.example.org');
    assert.match(preview.body.sample.text, /^Hej /, 'the first recipient speaks Swedish');
    assert.ok(preview.body.sample.text.includes(text));
    assert.equal(mails().filter((t) => /Practical details/.test(t)).length, 0, 'a preview sends nothing');

    const sent = await api('POST', path, { audience: 'waitlisted', subject: 'Still waiting', text: 'A place may open.' }, { token });
    assert.equal(sent.status, 202, sent.text);
    assert.equal(sent.body.queued, 1);
    assert.ok(await until(() => subjectsTo('msg2@outbox-test.example.org').includes('Still waiting')));
    assert.ok(!subjectsTo('msg1@outbox-test.example.org').includes('Still waiting'));

    for (const [body, field] of [[{ audience: 'everyone', subject: 'x', text: 'y' }, 'audience'],
      [{ audience: 'all', subject: '', text: 'y' }, 'subject'], [{ audience: 'all', subject: 'x', text: '' }, 'text'],
      [{ audience: 'all', subject: 'x'.repeat(201), text: 'y' }, 'subject'], [{ audience: 'all', subject: 'a\nb', text: 'y' }, 'subject']])
      assertProblem(await api('POST', path, body, { token }), 422, [field]);
    assert.equal((await api('POST', path, { audience: 'all', subject: 'x', text: 'y' })).status, 401);

    const resend = await api('POST', `/api/v1/events/${ev.id}/registrations/${people[1].id}/resend`, {}, { token });
    assert.equal(resend.status, 202, resend.text);
    assert.ok(await until(() => subjectsTo('msg1@outbox-test.example.org').filter((s) => /^Your place:/.test(s)).length === 2));
    assert.equal((await api('GET', `/api/v1/my/registrations/${people[1].manage_token}`)).status, 200, 'the first link keeps working');
    assert.equal((await api('POST', `/api/v1/events/${ev.id}/registrations/999999/resend`, {}, { token })).status, 404);
    assert.equal((await api('DELETE', `/api/v1/my/registrations/${people[0].manage_token}`)).status, 200);
    assert.equal((await api('POST', `/api/v1/events/${ev.id}/registrations/${people[0].id}/resend`, {}, { token })).status, 409);

    const log = await api('GET', `/api/v1/events/${ev.id}/mail`, undefined, { token });
    assert.equal(log.status, 200, log.text);
    assert.ok(await until(() => true));
    const kinds = log.body.items.map((m) => m.kind);
    assert.ok(kinds.includes('message') && kinds.includes('confirmation') && kinds.includes('waitlisted'), kinds.join());
    const message = log.body.items.find((m) => m.kind === 'message');
    assert.equal(message.email, 'msg2@outbox-test.example.org');
    assert.equal(message.subject, 'Still waiting');
    assert.equal(log.body.counts.sent + log.body.counts.pending + log.body.counts.failed + log.body.counts.dropped, log.body.items.length);
    assert.equal((await api('GET', `/api/v1/events/${ev.id}/mail`)).status, 401);
  });
});

test('with mail off, "send me my link again" leaves the old link working and the outbox empty', async () => {
  const server = await startServer({ args: ['--mail', 'off'] });
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, {});
    const reg = await register(api, event.id, { email: 'mail.off@outbox-test.example.org' });
    const again = await api('POST', '/api/v1/registrations/recover', { event_id: event.id, email: reg.email });
    assert.equal(again.status, 202, again.text);
    assert.equal((await api('GET', `/api/v1/my/registrations/${reg.manage_token}`)).status, 200);
    const resend = await api('POST', `/api/v1/events/${event.id}/registrations/${reg.id}/resend`, {}, { token });
    assert.equal(resend.status, 409, resend.text);
    assert.equal((await api('GET', `/api/v1/events/${event.id}/mail`, undefined, { token })).body.items.length, 0);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

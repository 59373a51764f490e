// The transactional outbox (issue 9), against a real SMTP server on loopback started by the test: a mail server that
// is down while people register gets every message once it returns; a kill -9 between the commit and the delivery
// loses nothing and doubles nothing; an erased person's pending message never goes; "send me my link again" answers
// the same for a stranger, and its mail carries a fresh link that replaces the old one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn } from '../support/server.mjs';
import { createEvent, registrationBody, assertProblem } from '../support/fixtures.mjs';
import { smtpSink, freePort, until } from '../support/smtp.mjs';

const fast = { mail_retry_seconds: 1 };

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
    sink = await smtpSink({ port });
    assert.ok(await until(() => sink.messages.length >= 1, 20000));
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(sink.messages.map((m) => m.to[0]), [`RCPT TO:<${kept.body.email}>`]);
    // The link it would have carried is gone from the database too.
    await server.stop();
    const bytes = readFileSync(server.db);
    assert.ok(!bytes.includes(Buffer.from(gone.body.manage_token.split('-')[1])), 'the erased link is not in the database file');
  } finally {
    await server.stop();
    server.cleanup();
    if (sink) await sink.close();
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
    await new Promise((r) => setTimeout(r, 1500));
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

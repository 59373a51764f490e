// Start-up configuration: a bad value stops eventd with a message naming the key; the file's values are used, the
// environment overrides the file and flags override both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, projectRoot, startServer } from '../support/server.mjs';
import { smtpSink, until } from '../support/smtp.mjs';
import { decodedHeader } from '../support/mime.mjs';

function run(args, env = {}) {
  return spawnSync(binaryPath(), args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20000 });
}

test('a bad setting in the config file stops start-up, naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventd-config-'));
  try {
    const base = JSON.parse(readFileSync(join(projectRoot, 'config', 'eventd.json'), 'utf8'));
    const cases = [
      [{ ...base, threads: 'four' }, 'threads'],
      [{ ...base, goals: { ...base.goals, representation: 1.5 } }, 'goals.representation'],
      [{ ...base, listen: 'localhost' }, 'listen'],
      [{ ...base, commit_mode: 'sometimes' }, 'commit_mode'],
      [{ ...base, no_such_setting: 1 }, 'no_such_setting'],
    ];
    for (const [doc, key] of cases) {
      const file = join(dir, 'bad.json');
      writeFileSync(file, JSON.stringify(doc));
      const r = run(['--config', file, '--db', join(dir, 'x.db'), '--listen', '127.0.0.1:0']);
      assert.equal(r.status, 2, `${key}: exit ${r.status}, ${r.stderr}`);
      assert.match(r.stderr, new RegExp(key.replace('.', '\\.')), `${key} is named: ${r.stderr}`);
    }
    writeFileSync(join(dir, 'broken.json'), '{ "threads": ');
    const broken = run(['--config', join(dir, 'broken.json')]);
    assert.equal(broken.status, 2);
    assert.match(broken.stderr, /broken\.json/);
    const flag = run(['--threads', 'x']);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /--threads/);
    const env = run(['--db', join(dir, 'y.db'), '--listen', '127.0.0.1:0'], { EVENTD_COMMIT_MODE: 'never' });
    assert.equal(env.status, 2);
    assert.match(env.stderr, /commit_mode/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the listening address comes from the file, then the environment, then the flag', async () => {
  // Each level names its own loopback address (all of 127/8 is local on Linux), so the printed URL tells which won.
  const cases = [
    { want: '127.0.0.2', env: { EVENTD_LISTEN: '' }, listen: null },
    { want: '127.0.0.3', env: { EVENTD_LISTEN: '127.0.0.3:0' }, listen: null },
    { want: '127.0.0.4', env: { EVENTD_LISTEN: '127.0.0.3:0' }, listen: '127.0.0.4:0' },
  ];
  for (const c of cases) {
    const server = await startServer({ config: { listen: '127.0.0.2:0' }, env: c.env, listen: c.listen });
    try {
      assert.equal(new URL(server.url).hostname, c.want, `env ${JSON.stringify(c.env)}, flag ${c.listen}: ${server.url}`);
      assert.equal((await fetch(server.url + '/healthz')).status, 200, 'and it is served there');
    } finally {
      await server.stop();
      server.cleanup();
    }
  }
});

test('a database newer than the binary is refused with a clear message', async () => {
  const server = await startServer();
  await server.stop();
  const r0 = spawnSync('sqlite3', [server.db, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'from_the_future', 0)"]);
  assert.equal(r0.status, 0, String(r0.stderr));
  const r = run(['--db', server.db, '--listen', '127.0.0.1:0']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /newer/);
  server.cleanup();
});

test('a registration mail lands in outbox/ beside the database, with the private link', async () => {
  const server = await startServer();
  try {
    const token = (await (await fetch(server.url + '/api/v1/session', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.org', password: 'correct horse battery staple' }),
    })).json()).token;
    const ev = await (await fetch(server.url + '/api/v1/events', {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ kind: 'seminar', title: 'Budget för TN-samarbete', starts_at: '2030-03-01T09:00:00+01:00', ends_at: '2030-03-01T12:00:00+01:00' }),
    })).json();
    const reg = await (await fetch(`${server.url}/api/v1/events/${ev.id}/registrations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Eva Exempel', email: 'eva@example.org', organisation: 'Exempel', organisation_type: 'public', municipality: 'Nacka', consent: true, language: 'en' }),
    })).json();
    const { readdirSync } = await import('node:fs');
    let files = [];
    for (let i = 0; i < 50 && files.length === 0; i++) {
      files = readdirSync(join(server.dir, 'outbox')).filter((f) => f.endsWith('.eml'));
      if (!files.length) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(files.length, 1);
    const mail = readFileSync(join(server.dir, 'outbox', files[0]), 'utf8');
    assert.match(mail, /^To: eva@example\.org\r$/m);
    // The subject has Swedish letters, so it travels as RFC 2047 encoded words, the header itself in ASCII.
    assert.match(mail.match(/^Subject: .*(?:\r\n[ \t].*)*/m)[0], /^[\x20-\x7e\r\n\t]*$/);
    assert.equal(decodedHeader(mail, 'Subject'), 'Your place: Budget för TN-samarbete');
    assert.ok(mail.includes(reg.ticket_code), 'the ticket code is in the mail');
    assert.ok(mail.includes(`/manage.html#token=${reg.manage_token}`), 'the private link is in the mail');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a participant moved up from the waitlist is told by mail', async () => {
  const server = await startServer();
  try {
    const post = async (path, body, token) => (await fetch(server.url + path, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })).json();
    const token = (await post('/api/v1/session', { email: 'admin@example.org', password: 'correct horse battery staple' })).token;
    const ev = await post('/api/v1/events', { kind: 'seminar', title: 'Small room', capacity: 1, starts_at: '2030-03-01T09:00:00+01:00', ends_at: '2030-03-01T12:00:00+01:00' }, token);
    const person = (name, email) => ({ name, email, organisation: 'Exempel', organisation_type: 'public', municipality: 'Nacka', consent: true, language: 'en' });
    const first = await post(`/api/v1/events/${ev.id}/registrations`, person('Ada Exempel', 'ada@example.org'));
    const second = await post(`/api/v1/events/${ev.id}/registrations`, person('Bo Exempel', 'bo@example.org'));
    assert.equal(second.status, 'waitlisted');
    const cancelled = await fetch(`${server.url}/api/v1/my/registrations/${first.manage_token}`, { method: 'DELETE' });
    assert.equal(cancelled.status, 200);
    const { readdirSync } = await import('node:fs');
    let promoted;
    for (let i = 0; i < 50 && !promoted; i++) {
      for (const f of readdirSync(join(server.dir, 'outbox')).filter((x) => x.endsWith('.eml'))) {
        const text = readFileSync(join(server.dir, 'outbox', f), 'utf8');
        if (/^To: bo@example\.org\r$/m.test(text) && /Subject: A place has opened for you: Small room/.test(text)) promoted = text;
      }
      if (!promoted) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(promoted, 'Bo got a mail saying a place opened');
    assert.ok(promoted.includes(second.ticket_code));
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('with EVENTD_SMTP_URL mail goes to the SMTP server, and nothing is written to outbox/', async () => {
  const sink = await smtpSink();
  const up = await startServer({ env: { EVENTD_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, EVENTD_MAIL_FROM: 'Programme <events@example.org>' } });
  try {
    const post = async (path, body, token) => (await fetch(up.url + path, {
      method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    })).json();
    const token = (await post('/api/v1/session', { email: 'admin@example.org', password: 'correct horse battery staple' })).token;
    const ev = await post('/api/v1/events', { kind: 'seminar', title: 'Mail test', starts_at: '2030-03-01T09:00:00+01:00', ends_at: '2030-03-01T12:00:00+01:00' }, token);
    const reg = await post(`/api/v1/events/${ev.id}/registrations`, { name: 'Cai Exempel', email: 'cai@example.org', organisation: 'Exempel', organisation_type: 'public', municipality: 'Nacka', consent: true, language: 'sv' });
    assert.ok(reg.ticket_code, JSON.stringify(reg));
    const { readdirSync, existsSync } = await import('node:fs');
    await until(() => sink.messages.length > 0, 10000);
    assert.equal(sink.messages.length, 1, 'the SMTP server received the confirmation');
    const m = sink.messages[0];
    assert.match(m.from, /<events@example\.org>/);
    assert.match(m.to[0], /<cai@example\.org>/);
    assert.ok(m.data.includes(reg.ticket_code), 'the ticket code is in the message');
    const upOutbox = join(up.dir, 'outbox');
    assert.equal(existsSync(upOutbox) ? readdirSync(upOutbox).filter((f) => f.endsWith('.eml')).length : 0, 0, 'nothing left in the outbox');
  } finally {
    await up.stop(); up.cleanup();
    await sink.close();
  }
});

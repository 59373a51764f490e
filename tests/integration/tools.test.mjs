// The command-line tools for whoever runs the server (issue 12): eventd --version, eventd check, eventd backup.
// The backup is taken while registrations pour in, and must hold every one acknowledged before it began.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, client, signIn, binaryPath, runTool } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';

const tool = runTool;

test('eventd --version names the version and the schema level', async () => {
  const r = await tool('--version');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^eventd \d+\.\d+\.\d+ \(schema \d+, PostgreSQL schema \d+\)\n$/);
});

test('a backup taken during a burst of registrations holds every one acknowledged before it began, and checks ok', async () => {
  const server = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'eventd-backup-'));
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const ev = await createEvent(api, token, { capacity: 100000 });
    const acked = [];
    let stop = false;
    const burst = Promise.all(Array.from({ length: 8 }, async () => {
      while (!stop) {
        const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
        assert.equal(r.status, 201, r.text);
        acked.push(r.body.id);
      }
    }));
    while (acked.length < 1000) await new Promise((r) => setTimeout(r, 5));
    const before = [...acked];  // acknowledged before the backup began
    const file = join(dir, 'copy.db');
    const b = await tool('backup', '--db', server.db, '--to', file);
    const during = acked.length - before.length;
    stop = true;
    await burst;
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /checked/);
    assert.ok(during > 0 || acked.length > before.length, 'no registration was made while the backup ran');
    const ids = new Set(execFileSync('sqlite3', [file, `SELECT id FROM registrations WHERE event_id = ${ev.id}`], { encoding: 'utf8' })
      .trim().split('\n').map(Number));
    const missing = before.filter((id) => !ids.has(id));
    assert.deepEqual(missing, [], 'registrations acknowledged before the backup are missing from it');
    assert.equal(execFileSync('sqlite3', [file, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
    const c = await tool('check', '--db', file);
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /integrity: ok/);

    // Never over an existing file; a restored copy serves: start a server on it and read a registration.
    const again = await tool('backup', '--db', server.db, '--to', file);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists already/);
    await server.stop();
    const restoredDir = mkdtempSync(join(tmpdir(), 'eventd-restored-'));
    copyFileSync(file, join(restoredDir, 'eventd.db'));
    const restored = await startServer({ dir: restoredDir });
    try {
      const r = await client(restored.url)('GET', `/api/v1/events/${ev.id}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.counts.confirmed, ids.size, 'the restored server counts what the copy holds');
    } finally {
      await restored.stop();
      restored.cleanup();
    }
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('eventd check fails on a file that is not a database, a damaged one and one newer than the binary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eventd-check-'));
  try {
    writeFileSync(join(dir, 'garbage.db'), 'this is not a database at all, just some text long enough to be a header');
    const g = await tool('check', '--db', join(dir, 'garbage.db'));
    assert.equal(g.code, 1);
    assert.match(g.stdout + g.stderr, /not a database/);
    assert.equal((await tool('check', '--db', join(dir, 'missing.db'))).code, 1);
    assert.equal((await tool('check')).code, 2, 'no --db: usage');
    assert.equal((await tool('backup', '--db', 'postgresql://nobody@127.0.0.1:1/x', '--to', join(dir, 'x.db'))).code, 2);

    // A real database, then one from a future version of eventd.
    const server = await startServer();
    const path = server.db;
    await server.stop();
    const ok = await tool('check', '--db', path);
    assert.equal(ok.code, 0, ok.stdout);
    const future = join(dir, 'future.db');
    copyFileSync(path, future);
    execFileSync('sqlite3', [future, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (999, 'from_the_future', 0)"]);
    const f = await tool('check', '--db', future);
    assert.equal(f.code, 1);
    assert.match(f.stdout, /newer than this eventd/);
    // A damaged page: the middle of the file overwritten.
    const damaged = join(dir, 'damaged.db');
    copyFileSync(path, damaged);
    execFileSync('dd', ['if=/dev/urandom', `of=${damaged}`, 'bs=4096', 'seek=3', 'count=4', 'conv=notrunc'], { stdio: 'ignore' });
    const d = await tool('check', '--db', damaged);
    assert.equal(d.code, 1, d.stdout);
    server.cleanup();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// {code, stdout, stderr} of an eventd tool fed `input` on standard input (a pipe, as a script would).
function toolWithInput(input, ...args) {
  return new Promise((resolve) => {
    const child = execFile(binaryPath(), args, { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('eventd user: add an organiser and reset a forgotten admin password while the server runs', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const adminToken = await signIn(server.url);
    // An organiser from the command line can sign in.
    const add = await toolWithInput('a long enough password\n', 'user', 'add', 'New.Organiser@example.org', '--role', 'organiser', '--name', 'Nova Organiser', '--db', server.db);
    assert.equal(add.code, 0, add.stderr);
    const orgToken = await signIn(server.url, 'new.organiser@example.org', 'a long enough password');
    const me = await api('GET', '/api/v1/events', undefined, { token: orgToken });
    assert.equal(me.status, 200, me.text);
    // The admin's password, forgotten: a new one from standard input; the old sessions end, the new password works.
    const passwd = await toolWithInput('another long password\n', 'user', 'passwd', 'admin@example.org', '--db', server.db);
    assert.equal(passwd.code, 0, passwd.stderr);
    const old = await api('GET', '/api/v1/session', undefined, { token: adminToken });
    assert.equal(old.status, 401, `the old session still works: ${old.status}`);
    const fresh = await api('POST', '/api/v1/session', { email: 'admin@example.org', password: 'another long password' });
    assert.equal(fresh.status, 200, fresh.text);
    const wrong = await api('POST', '/api/v1/session', { email: 'admin@example.org', password: (await import('../support/server.mjs')).ADMIN_PASSWORD });
    assert.equal(wrong.status, 401, 'the old password still works');
    const list = await tool('user', 'list', '--db', server.db);
    assert.equal(list.code, 0);
    assert.match(list.stdout, /^admin@example\.org\tadmin\t/m);
    assert.match(list.stdout, /^new\.organiser@example\.org\torganiser\tNova Organiser$/m);
    // Refusals change nothing and say why.
    const short = await toolWithInput('short\n', 'user', 'passwd', 'admin@example.org', '--db', server.db);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /10 to 1024 characters/);
    const nobody = await toolWithInput('a long enough password\n', 'user', 'passwd', 'nobody@example.org', '--db', server.db);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no user/);
    const twice = await toolWithInput('a long enough password\n', 'user', 'add', 'new.organiser@example.org', '--role', 'organiser', '--db', server.db);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /exists/);
    assert.equal((await tool('user', 'add', 'x@example.org', '--db', server.db)).code, 2, 'no --role: usage');
    assert.equal((await toolWithInput('a long enough password\n', 'user', 'add', 'x@example.org', '--role', 'king', '--db', server.db)).code, 2);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

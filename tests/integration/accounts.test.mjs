// Accounts without curl (issue 12): an admin invites, changes, deactivates and resets staff accounts; staff choose
// and reset their own passwords by a mailed link. Through the real server and its outbox folder (.eml files).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, client, signIn, dbDump, binaryPath, ADMIN_EMAIL } from '../support/server.mjs';
import { assertProblem } from '../support/fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The staff messages (no registration: r0-*.eml) addressed to `to`, oldest first. */
function mailTo(server, to) {
  const folder = join(server.dir, 'outbox');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.startsWith('r0-') && f.endsWith('.eml')).sort()
    .map((f) => readFileSync(join(folder, f), 'utf8'))
    .filter((text) => new RegExp(`^To: .*${to.replace(/[.+]/g, '\\$&')}`, 'mi').test(text));
}

/** Waits for the `n`th message to `to` and answers the password link's secret in it. */
async function linkFor(server, to, n = 1) {
  for (let i = 0; i < 100; i++) {
    const mails = mailTo(server, to);
    if (mails.length >= n) {
      const m = mails[n - 1].match(/\/admin\/password\.html#token=([A-Za-z0-9_-]+)/);
      assert.ok(m, `the message holds a password link:\n${mails[n - 1]}`);
      return m[1];
    }
    await sleep(100);
  }
  assert.fail(`no message number ${n} to ${to} in the outbox`);
}

describe('accounts', { timeout: 120000 }, () => {
  let server, api, admin, adminId;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    adminId = (await api('GET', '/api/v1/session', undefined, { token: admin })).body.user.id;
  });

  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
  });

  const signInAs = (email, password) => api('POST', '/api/v1/session', { email, password });
  const invite = async (email, role = 'organiser', name = 'Test Person') => {
    const r = await api('POST', '/api/v1/users', { email, name, role }, { token: admin });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  const choose = (token, password) => api('POST', '/api/v1/password-reset/complete', { token, password });

  test('an invited organiser has no working password until they use the mailed link, which works once', async () => {
    const u = await invite('invited@accounts-test.example.org');
    assert.equal(u.active, true);
    assert.equal(u.password_reset_pending, true);
    assertProblem(await signInAs(u.email, '!'), 401);
    const token = await linkFor(server, u.email);
    const mail = mailTo(server, u.email)[0];
    assert.match(mail, /Choose your\s+password/i, 'the English text');
    assert.match(mail, /Välj ditt lösenord/, 'the Swedish text');
    assertProblem(await choose(token, 'short'), 422, ['password']);
    assert.equal((await choose(token, 'a fine long password')).status, 204, 'the link still works after a refused password');
    const s = await signInAs(u.email, 'a fine long password');
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.user.role, 'organiser');
    assert.equal(s.body.user.password_reset_pending, false);
    assertProblem(await choose(token, 'another long password'), 422, ['token']);
    assert.equal((await signInAs(u.email, 'a fine long password')).status, 200, 'a used link changed nothing');
  });

  test('the database keeps no link secret: only its hash, and the outbox row forgets it once the mail is out', async () => {
    const u = await invite('secret@accounts-test.example.org');
    const token = await linkFor(server, u.email);
    let dump = '';
    for (let i = 0; i < 50; i++) {  // the sender records the delivery just after writing the file
      dump = dbDump(server);
      if (!dump.includes(token)) break;
      await sleep(100);
    }
    assert.ok(!dump.includes(token), 'the secret is nowhere in the database');
  });

  test('forgot password: the same answer for any address, a link only for an account, and the old sessions end', async () => {
    const u = await invite('forgetful@accounts-test.example.org');
    assert.equal((await choose(await linkFor(server, u.email), 'first long password')).status, 204);
    const session = (await signInAs(u.email, 'first long password')).body.token;

    const unknown = await api('POST', '/api/v1/password-reset', { email: 'nobody@accounts-test.example.org' });
    const known = await api('POST', '/api/v1/password-reset', { email: ' Forgetful@Accounts-Test.example.org ' });
    assert.equal(unknown.status, 202, unknown.text);
    assert.equal(known.status, 202, known.text);
    assert.deepEqual(unknown.body, known.body, 'nothing tells an account from a stranger');
    const token = await linkFor(server, u.email, 2);
    await sleep(300);
    assert.equal(mailTo(server, 'nobody@accounts-test.example.org').length, 0, 'no mail to an address without an account');

    assert.equal((await api('GET', '/api/v1/session', undefined, { token: session })).status, 200, 'asking alone ends nothing');
    assert.equal((await signInAs(u.email, 'first long password')).status, 200, 'nor does it stop the password');
    assert.equal((await choose(token, 'second long password')).status, 204);
    assertProblem(await api('GET', '/api/v1/session', undefined, { token: session }), 401);
    assertProblem(await signInAs(u.email, 'first long password'), 401);
    assert.equal((await signInAs(u.email, 'second long password')).status, 200);
  });

  test('a newer link replaces an older one', async () => {
    const u = await invite('twice@accounts-test.example.org');
    const first = await linkFor(server, u.email, 1);
    assert.equal((await api('POST', '/api/v1/password-reset', { email: u.email })).status, 202);
    const second = await linkFor(server, u.email, 2);
    assert.notEqual(first, second);
    assertProblem(await choose(first, 'a long enough password'), 422, ['token']);
    assert.equal((await choose(second, 'a long enough password')).status, 204);
  });

  test('an admin changes a role, and the signed-in user has the new one at once', async () => {
    const u = await invite('promoted@accounts-test.example.org');
    await choose(await linkFor(server, u.email), 'organiser password');
    const token = (await signInAs(u.email, 'organiser password')).body.token;
    assertProblem(await api('GET', '/api/v1/users', undefined, { token }), 403);
    const changed = await api('PATCH', `/api/v1/users/${u.id}`, { role: 'steering', name: '  Renamed Person ' }, { token: admin });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.role, 'steering');
    assert.equal(changed.body.name, 'Renamed Person');
    const me = await api('GET', '/api/v1/session', undefined, { token });
    assert.equal(me.body.user.role, 'steering', 'no stale role from a cache');
    const list = await api('GET', '/api/v1/users', undefined, { token: admin });
    const row = list.body.items.find((x) => x.id === u.id);
    assert.equal(row.role, 'steering');
    assert.match(row.created_at, /^\d{4}-\d\d-\d\dT/);
  });

  test('a deactivated user is signed out at once and cannot sign in until reactivated', async () => {
    const u = await invite('leaver@accounts-test.example.org');
    await choose(await linkFor(server, u.email), 'leaver password');
    const token = (await signInAs(u.email, 'leaver password')).body.token;
    assert.equal((await api('GET', '/api/v1/events', undefined, { token })).status, 200);
    const off = await api('PATCH', `/api/v1/users/${u.id}`, { active: false }, { token: admin });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.active, false);
    assertProblem(await api('GET', '/api/v1/session', undefined, { token }), 401);
    assertProblem(await signInAs(u.email, 'leaver password'), 401);
    // A deactivated user's "forgot password" mails nothing.
    const before = mailTo(server, u.email).length;
    assert.equal((await api('POST', '/api/v1/password-reset', { email: u.email })).status, 202);
    await sleep(300);
    assert.equal(mailTo(server, u.email).length, before);
    assert.equal((await api('PATCH', `/api/v1/users/${u.id}`, { active: true }, { token: admin })).status, 200);
    assert.equal((await signInAs(u.email, 'leaver password')).status, 200);
    assertProblem(await api('GET', '/api/v1/session', undefined, { token }), 401, []);
  });

  test("an admin's forced reset stops the password and the sessions, and mails a link", async () => {
    const u = await invite('reset@accounts-test.example.org');
    await choose(await linkFor(server, u.email), 'before the reset');
    const token = (await signInAs(u.email, 'before the reset')).body.token;
    const r = await api('POST', `/api/v1/users/${u.id}/password-reset`, undefined, { token: admin });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.password_reset_pending, true);
    assertProblem(await api('GET', '/api/v1/session', undefined, { token }), 401);
    assertProblem(await signInAs(u.email, 'before the reset'), 401);
    assert.equal((await choose(await linkFor(server, u.email, 2), 'after the reset')).status, 204);
    assert.equal((await signInAs(u.email, 'after the reset')).status, 200);
  });

  test('an admin cannot lock themselves out, and two admins demoting each other at once leave one admin', async () => {
    const self = await api('PATCH', `/api/v1/users/${adminId}`, { role: 'organiser' }, { token: admin });
    assertProblem(self, 409);
    assert.equal(self.body.reason, 'self', 'a reason the page can translate');
    assertProblem(await api('PATCH', `/api/v1/users/${adminId}`, { active: false }, { token: admin }), 409);
    assertProblem(await api('POST', `/api/v1/users/${adminId}/password-reset`, undefined, { token: admin }), 409);
    assert.equal((await api('PATCH', `/api/v1/users/${adminId}`, { name: 'The Admin' }, { token: admin })).status, 200,
      'a harmless change to oneself is fine');

    const other = await api('POST', '/api/v1/users', { email: 'admin2@accounts-test.example.org', name: 'Second Admin', role: 'admin', password: 'second admin password' }, { token: admin });
    assert.equal(other.status, 201, other.text);
    const second = (await signInAs('admin2@accounts-test.example.org', 'second admin password')).body.token;
    const [a, b] = await Promise.all([
      api('PATCH', `/api/v1/users/${other.body.id}`, { role: 'organiser' }, { token: admin }),
      api('PATCH', `/api/v1/users/${adminId}`, { role: 'organiser' }, { token: second }),
    ]);
    // One wins; the other is refused, by the role check when the winner's commit came first (403) or inside the
    // transaction, which finds it would leave no admin (409).
    const statuses = [a.status, b.status].sort();
    assert.equal(statuses[0], 200, `${a.text} / ${b.text}`);
    assert.ok([403, 409].includes(statuses[1]), `${a.text} / ${b.text}`);
    const refused = a.status === 200 ? b : a;
    if (refused.status === 409) assert.equal(refused.body.reason, 'last_admin', refused.text);
    const admins = (await api('GET', '/api/v1/users', undefined, { token: a.status === 200 ? admin : second })).body.items
      .filter((x) => x.role === 'admin' && x.active);
    assert.equal(admins.length, 1, 'exactly one active admin is left');
    if (b.status === 200) {  // the first admin was demoted: put things back for the tests after this one
      const restore = await api('PATCH', `/api/v1/users/${adminId}`, { role: 'admin' }, { token: second });
      assert.equal(restore.status, 200, restore.text);
    }
  });

  test('bad input gets a clear problem, never a 500', async () => {
    const organiser = await invite('plain@accounts-test.example.org');
    assertProblem(await api('PATCH', `/api/v1/users/${organiser.id}`, { role: 'root', active: 'yes', name: '' }, { token: admin }), 422, ['role', 'active', 'name']);
    assertProblem(await api('PATCH', `/api/v1/users/${organiser.id}`, '{"role":', { token: admin }), 400);
    for (const id of ['0', '-1', '99999999', '1e9', 'abc', '9223372036854775808'])
      assertProblem(await api('PATCH', `/api/v1/users/${id}`, { name: 'x' }, { token: admin }), 404);
    assertProblem(await api('PATCH', '/api/v1/users/1%00', { name: 'x' }, { token: admin }), 400);
    assertProblem(await api('POST', '/api/v1/users/424242/password-reset', undefined, { token: admin }), 404);
    const taken = await api('POST', '/api/v1/users', { email: 'plain@accounts-test.example.org', name: 'Again', role: 'steering' }, { token: admin });
    assertProblem(taken, 409);
    assert.equal(taken.body.reason, 'email_taken');
    assertProblem(await api('POST', '/api/v1/password-reset', { email: 'not an address' }), 422, ['email']);
    assertProblem(await api('POST', '/api/v1/password-reset', [1, 2]), 400);
    assertProblem(await api('POST', '/api/v1/password-reset/complete', { token: 'x'.repeat(5000), password: 'long enough password' }), 422, ['token']);
    assertProblem(await api('POST', '/api/v1/password-reset/complete', { token: 'no-such-link', password: 'long enough password' }), 422, ['token']);
    assertProblem(await api('POST', '/api/v1/password-reset/complete', { token: 42, password: 'long enough password' }), 422, ['token']);
    assertProblem(await api('PATCH', `/api/v1/users/${organiser.id}`, { active: false }), 401);
    assertProblem(await api('POST', `/api/v1/users/${organiser.id}/password-reset`), 401);
  });

  test('the host lists accounts with their state on the command line (eventd user list)', () => {
    const out = execFileSync(binaryPath(), ['user', 'list', '--db', server.db], { encoding: 'utf8' });
    const line = (email) => out.split('\n').find((l) => l.startsWith(email + '\t')) || '';
    assert.match(line(ADMIN_EMAIL), /\tadmin\t/);
    assert.doesNotMatch(line(ADMIN_EMAIL), /deactivated|waiting/);
    assert.match(line('plain@accounts-test.example.org'), /\(waiting for a new password\)/);
    assert.match(line('admin2@accounts-test.example.org'), /\t(admin|organiser)\t/);
  });
});

describe('accounts: "forgot password" is rate limited per client', { timeout: 60000 }, () => {
  test('past the public write allowance the answer is 429 with Retry-After', async () => {
    const server = await startServer({ config: { public_write_burst: 3, public_write_refill_seconds: 600 } });
    try {
      const api = client(server.url);
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await api('POST', '/api/v1/password-reset', { email: `x${i}@accounts-test.example.org` }));
      assert.deepEqual(answers.map((a) => a.status), [202, 202, 202, 429, 429]);
      assert.ok(Number(answers[3].headers.get('retry-after')) > 0);
      assertProblem(answers[3], 429);
    } finally {
      await server.stop();
      server.cleanup();
    }
  });
});

// Sign-in, sessions, the CSRF rule, users and roles, and sign-in throttling.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import { assertProblem, eventBody, makeUser } from '../support/fixtures.mjs';

describe('auth', { timeout: 120000 }, () => {
  let server, api, admin;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
  });

  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('sign-in returns token, csrf_token and the admin user, and sets an HttpOnly SameSite=Strict cookie', async () => {
    const r = await api('POST', '/api/v1/session', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(r.status, 200, r.text);
    assert.equal(typeof r.body.token, 'string');
    assert.ok(r.body.token.length >= 16, 'token is long enough to be unguessable');
    assert.equal(typeof r.body.csrf_token, 'string');
    assert.ok(r.body.csrf_token.length > 0);
    assert.equal(r.body.user.role, 'admin');
    assert.equal(r.body.user.email, ADMIN_EMAIL);
    assert.ok(Number.isInteger(r.body.user.id));
    assert.ok(!('password' in r.body.user) && !('password_hash' in r.body.user), 'no password in the user');
    const cookies = r.headers.getSetCookie();
    assert.ok(cookies.length > 0, 'a Set-Cookie header');
    const session = cookies.find((c) => /httponly/i.test(c)) || cookies[0];
    assert.match(session, /;\s*HttpOnly/i);
    assert.match(session, /;\s*SameSite=Strict/i);
  });

  test('a wrong password is a 401 problem', async () => {
    assertProblem(await api('POST', '/api/v1/session', { email: ADMIN_EMAIL, password: 'not the password' }), 401);
    assertProblem(await api('POST', '/api/v1/session', { email: 'nobody@example.org', password: 'whatever it is' }), 401);
  });

  test('a cookie-authenticated write needs X-CSRF-Token', async () => {
    const s = await api('POST', '/api/v1/session', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(s.status, 200);
    const cookie = s.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    // Reading with the cookie alone works.
    const me = await api('GET', '/api/v1/session', undefined, { headers: { cookie } });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.role, 'admin');

    const before = (await api('GET', '/api/v1/events', undefined, { token: admin })).body.items.length;
    const without = await api('POST', '/api/v1/events', eventBody(), { headers: { cookie } });
    assertProblem(without, 403);
    const wrong = await api('POST', '/api/v1/events', eventBody(), { headers: { cookie, 'x-csrf-token': 'forged' } });
    assertProblem(wrong, 403);
    const list = await api('GET', '/api/v1/events', undefined, { token: admin });
    assert.equal(list.body.items.length, before, 'the refused writes created nothing');

    const withToken = await api('POST', '/api/v1/events', eventBody(), { headers: { cookie, 'x-csrf-token': s.body.csrf_token } });
    assert.equal(withToken.status, 201, withToken.text);
  });

  test('after DELETE /api/v1/session the token is refused', async () => {
    const token = await signIn(server.url);
    assert.equal((await api('GET', '/api/v1/users', undefined, { token })).status, 200);
    const out = await api('DELETE', '/api/v1/session', undefined, { token });
    assert.ok([200, 204].includes(out.status), `sign-out: ${out.status} ${out.text}`);
    assertProblem(await api('GET', '/api/v1/users', undefined, { token }), 401);
    assertProblem(await api('POST', '/api/v1/events', eventBody(), { token }), 401);
    // Other sessions are untouched.
    assert.equal((await api('GET', '/api/v1/users', undefined, { token: admin })).status, 200);
  });

  test('an admin creates organiser and steering users; duplicates 409, bad role 422', async () => {
    const org = await api('POST', '/api/v1/users', { email: 'olga@example.org', name: 'Olga Organiser', role: 'organiser', password: 'olga has a long password' }, { token: admin });
    assert.equal(org.status, 201, org.text);
    const orgUser = org.body.user || org.body;
    assert.equal(orgUser.role, 'organiser');
    assert.equal(orgUser.email, 'olga@example.org');
    assert.ok(!('password' in orgUser) && !('password_hash' in orgUser));

    const st = await api('POST', '/api/v1/users', { email: 'sten@example.org', name: 'Sten Steering', role: 'steering', password: 'sten has a long password' }, { token: admin });
    assert.equal(st.status, 201, st.text);
    assert.equal((st.body.user || st.body).role, 'steering');

    assertProblem(await api('POST', '/api/v1/users', { email: ' OLGA@example.org ', name: 'Olga again', role: 'organiser', password: 'another long password' }, { token: admin }), 409);
    assertProblem(await api('POST', '/api/v1/users', { email: 'king@example.org', name: 'King', role: 'king', password: 'a long enough password' }, { token: admin }), 422, ['role']);

    const users = await api('GET', '/api/v1/users', undefined, { token: admin });
    assert.equal(users.status, 200);
    const emails = users.body.items.map((u) => u.email);
    assert.ok(emails.includes('olga@example.org') && emails.includes('sten@example.org'));
    assert.ok(!emails.includes('king@example.org'));

    // The new users can sign in with their roles.
    const s = await api('POST', '/api/v1/session', { email: 'olga@example.org', password: 'olga has a long password' });
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.user.role, 'organiser');
  });

  test('an organiser may not create users', async () => {
    const organiser = await makeUser(server.url, admin, 'organiser');
    assertProblem(await api('POST', '/api/v1/users', { email: 'sneaky@example.org', name: 'Sneaky', role: 'admin', password: 'a long enough password' }, { token: organiser.token }), 403);
    assertProblem(await api('GET', '/api/v1/users', undefined, { token: organiser.token }), 403);
    // but may create events
    assert.equal((await api('POST', '/api/v1/events', eventBody(), { token: organiser.token })).status, 201);
  });

  test('a steering user may not create events', async () => {
    const steering = await makeUser(server.url, admin, 'steering');
    assertProblem(await api('POST', '/api/v1/events', eventBody(), { token: steering.token }), 403);
    // but may read the goals
    assert.equal((await api('GET', '/api/v1/goals', undefined, { token: steering.token })).status, 200);
  });

  test('organiser routes without sign-in are 401', async () => {
    assertProblem(await api('POST', '/api/v1/events', eventBody()), 401);
    assertProblem(await api('GET', '/api/v1/users'), 401);
    assertProblem(await api('GET', '/api/v1/goals'), 401);
    assertProblem(await api('POST', '/api/v1/events', eventBody(), { token: 'not-a-real-token' }), 401);
  });

  test('repeated wrong passwords for one address are throttled with 429 and Retry-After', async () => {
    const victim = await makeUser(server.url, admin, 'organiser');
    let throttled = null;
    for (let i = 0; i < 10; i++) {
      const r = await api('POST', '/api/v1/session', { email: victim.email, password: `wrong guess ${i}` });
      if (r.status === 429) { throttled = r; break; }
      assertProblem(r, 401);
    }
    assert.ok(throttled, 'no 429 within 10 wrong passwords');
    assertProblem(throttled, 429);
    const retry = throttled.headers.get('retry-after');
    assert.ok(retry, 'Retry-After header');
    assert.ok(/^\d+$/.test(retry) ? Number(retry) > 0 : !Number.isNaN(Date.parse(retry)), `Retry-After "${retry}"`);
    // Even the right password is refused while throttled.
    const right = await api('POST', '/api/v1/session', { email: victim.email, password: victim.password });
    assertProblem(right, 429);
    assert.ok(right.headers.get('retry-after'));
    // Sessions that already exist keep working.
    assert.equal((await api('GET', '/api/v1/events', undefined, { token: victim.token })).status, 200);
  });
});

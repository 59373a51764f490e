// Hostile input at the edges: repeated JSON keys, look-alike e-mail addresses, sign-in guessing, cookie flags.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, client, signIn, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import { assertProblem, createEvent, makeUser, registrationBody } from '../support/fixtures.mjs';

describe('request bodies', () => {
  let server;
  let api;
  let admin;
  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test('a body that repeats a key is refused with 400 and registers nobody', async () => {
    const event = await createEvent(api, admin);
    const body = registrationBody({ consent: false });
    // JSON.stringify cannot repeat a key: append the second "consent" by hand.
    const text = JSON.stringify(body).replace(/}$/, ',"consent":true}');
    assert.match(text, /"consent":false.*"consent":true/);
    assertProblem(await api('POST', `/api/v1/events/${event.id}/registrations`, text), 400);
    // At any depth, too.
    const nested = JSON.stringify({ ...registrationBody(), accessibility_needs: [] })
      .replace(/}$/, ',"venue":{"name":"a","name":"b"}}');
    assertProblem(await api('POST', `/api/v1/events/${event.id}/registrations`, nested), 400);
    const list = await api('GET', `/api/v1/events/${event.id}/registrations`, undefined, { token: admin });
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 0, JSON.stringify(list.body.items));
    // The same body without the repeat is an ordinary missing consent.
    assertProblem(await api('POST', `/api/v1/events/${event.id}/registrations`, body), 422, ['consent']);
  });
});

describe('look-alike e-mail addresses', () => {
  let server;
  let api;
  let admin;
  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test('a look-alike of a registered address is a duplicate (409) or refused (422), never a second registration', async () => {
    const event = await createEvent(api, admin);
    const first = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email: 'karl@example.org' }));
    assert.equal(first.status, 201, first.text);
    const duplicates = {
      'trailing no-break space': 'karl@example.org\u00A0',
      'fullwidth letters': '\uFF4B\uFF41\uFF52\uFF4C@example.org',
      'the Kelvin sign': '\u212Aarl@example.org',
      'upper case': 'KARL@EXAMPLE.ORG',
    };
    for (const [what, email] of Object.entries(duplicates)) {
      const r = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email }));
      assertProblem(r, 409);
      assert.equal(r.body.reason, 'duplicate', `${what}: ${r.text}`);
    }
    const refused = {
      'zero-width space': 'ka\u200Brl@example.org',
      'right-to-left override': '\u202Ekarl@example.org',
      'byte order mark': 'karl@example.org\uFEFF',
      'soft hyphen': 'ka\u00ADrl@example.org',
    };
    for (const [what, email] of Object.entries(refused)) {
      const r = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email }));
      assertProblem(r, 422, ['email']);
      assert.equal(r.body.errors.find((e) => e.field === 'email').message,
        'must not contain invisible, bidirectional or control characters', what);
    }
    // Names too.
    const name = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ name: 'Karl \u202Eevil' }));
    assertProblem(name, 422, ['name']);
    const list = await api('GET', `/api/v1/events/${event.id}/registrations`, undefined, { token: admin });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((r) => r.email), ['karl@example.org']);
  });

  test('an international domain is stored in its ASCII form', async () => {
    const event = await createEvent(api, admin);
    const r = await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email: 'anna@BÜCHER.example' }));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.email, 'anna@xn--bcher-kva.example');
    assertProblem(await api('POST', `/api/v1/events/${event.id}/registrations`, registrationBody({ email: 'anna@bu\u0308cher.example' })), 409);
  });
});

describe('the session cookie', () => {
  async function cookiesWith(env) {
    const server = await startServer({ env });
    try {
      const api = client(server.url);
      const r = await api('POST', '/api/v1/session', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      assert.equal(r.status, 200, r.text);
      const out = await api('DELETE', '/api/v1/session', undefined, { token: r.body.token });
      assert.equal(out.status, 204, out.text);
      return [r.headers.get('set-cookie'), out.headers.get('set-cookie')];
    } finally {
      await server.stop();
      server.cleanup();
    }
  }

  test('is Secure when public_url is https, on sign-in and sign-out', async () => {
    for (const cookie of await cookiesWith({ EVENTD_PUBLIC_URL: 'https://events.example.org' })) {
      assert.match(cookie, /^eventd_session=/);
      assert.match(cookie, /;\s*Secure(;|$)/i, cookie);
      assert.match(cookie, /;\s*HttpOnly(;|$)/i, cookie);
      assert.match(cookie, /;\s*SameSite=Strict(;|$)/i, cookie);
    }
  });

  test('is not Secure when public_url is plain http (a browser would drop it)', async () => {
    for (const cookie of await cookiesWith({ EVENTD_PUBLIC_URL: 'http://127.0.0.1:8080' })) {
      assert.match(cookie, /^eventd_session=/);
      assert.doesNotMatch(cookie, /Secure/i, cookie);
      assert.match(cookie, /;\s*HttpOnly(;|$)/i, cookie);
    }
  });
});

/** POST /api/v1/session from a chosen loopback source address (all of 127/8 is loopback on Linux). */
function signInFrom(base, localAddress, email, password) {
  const u = new URL(base);
  const body = JSON.stringify({ email, password });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, method: 'POST', path: '/api/v1/session', localAddress, agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: new Headers(res.headers), body: json, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('sign-in guessing', () => {
  let server;
  let admin;
  before(async () => {
    server = await startServer();
    admin = await signIn(server.url);
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test('a concurrent burst of wrong passwords gets no more guesses than the limit, and the owner elsewhere still signs in', async () => {
    const victim = await makeUser(server.url, admin, 'organiser');
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      signInFrom(server.url, '127.0.0.1', victim.email, `wrong guess ${i}`)));
    const wrong = burst.filter((r) => r.status === 401);
    const throttled = burst.filter((r) => r.status === 429);
    assert.equal(wrong.length + throttled.length, 20, burst.map((r) => r.status).join(','));
    // config/eventd.json: signin_max_failures 5 per window.
    assert.ok(wrong.length <= 5, `${wrong.length} guesses were checked: ${burst.map((r) => r.status).join(',')}`);
    for (const r of wrong) assertProblem(r, 401);
    for (const r of throttled) {
      assertProblem(r, 429);
      assert.match(r.headers.get('retry-after') || '', /^[1-9]\d*$/);
    }
    // The guesser's address stays refused, even with the right password ...
    assertProblem(await signInFrom(server.url, '127.0.0.1', victim.email, victim.password), 429);
    // ... but the account's owner at another address is not locked out.
    const owner = await signInFrom(server.url, '127.0.0.2', victim.email, victim.password);
    assert.equal(owner.status, 200, owner.text);
    assert.ok(owner.body.token);
  });

  test('an unknown address is answered like a wrong password, and counts the same', async () => {
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await signInFrom(server.url, '127.0.0.3', 'nobody@example.org', 'whatever it is')).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
  });
});

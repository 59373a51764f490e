// Hostile input at the edges: repeated JSON keys, look-alike e-mail addresses, sign-in guessing, cookie flags.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import { assertProblem, createEvent, registrationBody } from '../support/fixtures.mjs';

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

// Hostile input at the edges: repeated JSON keys, look-alike e-mail addresses, sign-in guessing, cookie flags.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
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

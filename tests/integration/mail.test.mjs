// Mail starts from the writer's commit hook: one message per acknowledged registration made by the form, none for a
// walk-in or a refused registration, and every message of the last commits written before a SIGTERM ends the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn } from '../support/server.mjs';
import { createEvent, ongoingEventBody, registrationBody } from '../support/fixtures.mjs';

// Recipient of each .eml file in the outbox, as a list (a doubled message shows as the same address twice).
function recipients(dir) {
  const folder = join(dir, 'outbox');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.endsWith('.eml'))
    .map((f) => readFileSync(join(folder, f), 'utf8').match(/^To: (.*)\r$/m)?.[1]);
}

test('each registration acknowledged just before SIGTERM has exactly one confirmation; walk-ins and refusals none', async () => {
  const server = await startServer();
  let stopped = false;
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const event = await createEvent(api, token, { capacity: 5 });
    const ongoing = await api('POST', '/api/v1/events', ongoingEventBody(), { token });
    assert.equal(ongoing.status, 201, ongoing.text);

    const walkIn = await api('POST', `/api/v1/events/${ongoing.body.id}/walk-ins`,
      registrationBody({ email: 'walk.in@mail-test.example.org' }), { token });
    assert.equal(walkIn.status, 201, walkIn.text);

    // 40 at once: 5 confirmed, 35 waitlisted, each told by mail; then one duplicate, refused and unmailed.
    const bodies = Array.from({ length: 40 }, (_, i) => registrationBody({ email: `person${i}@mail-test.example.org` }));
    const answers = await Promise.all(bodies.map((b) => api('POST', `/api/v1/events/${event.id}/registrations`, b)));
    for (const a of answers) assert.equal(a.status, 201, a.text);
    const dup = await api('POST', `/api/v1/events/${event.id}/registrations`, bodies[0]);
    assert.equal(dup.status, 409, dup.text);

    // Stop at once: the mail of the last commits is composed and written on the way out, not lost.
    const { code } = await server.stop();
    stopped = true;
    assert.equal(code, 0, server.stderr);

    const to = recipients(server.dir).sort();
    assert.deepEqual(to, bodies.map((b) => b.email).sort(), 'one message per acknowledged registration, no more');
    assert.ok(!server.stderr.includes('mail dropped'), server.stderr);
  } finally {
    if (!stopped) await server.stop();
    server.cleanup();
  }
});

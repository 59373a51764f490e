// Ids of one event used through another event's organiser routes: every such call answers 404 and changes nothing
// in either event (a registration is reached only through its own event's path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { assertProblem, createEvent, register, ongoingEventBody } from '../support/fixtures.mjs';

test("another event's registration cannot be cancelled, checked in or un-checked-in through this event", async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const a = await createEvent(api, token, ongoingEventBody({ capacity: 5 }));
    const b = await createEvent(api, token, ongoingEventBody({ capacity: 2 }));
    await register(api, a.id);
    const inside = await register(api, b.id); // confirmed and checked in at B's door
    const seated = await register(api, b.id, { email: `seated-${process.pid}@example.org` }); // confirmed, not checked in
    const waiting = await register(api, b.id); // would be promoted if `seated` were cancelled
    assert.equal(waiting.status, 'waitlisted');
    const scan = await api('POST', `/api/v1/events/${b.id}/checkins`, { registration_id: inside.id }, { token });
    assert.equal(scan.status, 201, scan.text);

    // Everything an organiser can see of both events, to compare afterwards.
    const state = async () => {
      const out = {};
      for (const ev of [a, b]) {
        const e = await api('GET', `/api/v1/events/${ev.id}`, undefined, { token });
        const regs = await api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token });
        assert.equal(e.status, 200, e.text);
        assert.equal(regs.status, 200, regs.text);
        out[ev.id] = { counts: e.body.counts, registrations: regs.body.items };
      }
      return out;
    };
    const before = await state();

    const viaA = `/api/v1/events/${a.id}`;
    assertProblem(await api('POST', `${viaA}/registrations/${seated.id}/cancel`, undefined, { token }), 404);
    assertProblem(await api('DELETE', `${viaA}/checkins/${inside.id}`, undefined, { token }), 404);
    assertProblem(await api('POST', `${viaA}/checkins`, { registration_id: seated.id }, { token }), 404);
    assertProblem(await api('POST', `${viaA}/checkins`, { registration_id: waiting.id, force: true }, { token }), 404);
    assertProblem(await api('POST', `${viaA}/checkins`, { ticket_code: seated.ticket_code, force: true }, { token }), 404);
    // An offline device's batch naming event A with B's tickets: each item answered 404, none checked in.
    const batch = await api('POST', '/api/v1/checkins/batch', { items: [
      { event_id: a.id, ticket_code: seated.ticket_code, scan_id: `x-${seated.id}` },
      { event_id: a.id, ticket_code: waiting.ticket_code, scan_id: `x-${waiting.id}` },
    ] }, { token });
    assert.equal(batch.status, 200, batch.text);
    assert.deepEqual(batch.body.results.map((r) => r.status), [404, 404], batch.text);
    // A's list does not show B's people either.
    const search = await api('GET', `${viaA}/registrations?q=${encodeURIComponent(`seated-${process.pid}@example.org`)}`, undefined, { token });
    assert.equal(search.status, 200);
    assert.deepEqual(search.body.items, [], search.text);

    assert.deepEqual(await state(), before, 'nothing changed in either event');
    // And the same calls through B's own path do work, so the 404s above were about the event, not the ids.
    const own = await api('POST', `/api/v1/events/${b.id}/registrations/${seated.id}/cancel`, undefined, { token });
    assert.equal(own.status, 200, own.text);
    assert.equal((await api('DELETE', `/api/v1/events/${b.id}/checkins/${inside.id}`, undefined, { token })).status, 200);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

// Events: creating every kind, validation, listing and filters, drafts, changes, cancellation, calendar, needs.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import {
  assertProblem, eventBody, makeUser, createEvent, register, registrationBody, countsOf, ongoingEventBody,
} from '../support/fixtures.mjs';

describe('events', { timeout: 30000 }, () => {
  let server, api, admin, organiser;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    organiser = (await makeUser(server.url, admin, 'organiser')).token;
  });

  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('an organiser creates every kind of event (201, zero counts)', async () => {
    const kinds = [
      { kind: 'seminar', topic: 'culture' },
      { kind: 'network_meeting', focus_area: 'roma', topic: undefined },
      { kind: 'partner_search_forum', organised_by_project: true, topic: undefined },
      { kind: 'network_event', network: 'euroma', topic: undefined },
      { kind: 'study_visit', topic: undefined },
    ];
    for (const k of kinds) {
      const body = eventBody({ ...k, capacity: 25 });
      const r = await api('POST', '/api/v1/events', body, { token: organiser });
      assert.equal(r.status, 201, `${k.kind}: ${r.text}`);
      const ev = r.body;
      assert.ok(Number.isInteger(ev.id));
      assert.equal(ev.kind, k.kind);
      assert.equal(ev.title, body.title);
      assert.equal(ev.status, 'published');
      assert.equal(ev.capacity, 25);
      assert.equal(Date.parse(ev.starts_at), Date.parse(body.starts_at));
      assert.equal(Date.parse(ev.ends_at), Date.parse(body.ends_at));
      if (k.topic) assert.equal(ev.topic, k.topic);
      if (k.focus_area) assert.equal(ev.focus_area, k.focus_area);
      if (k.network) assert.equal(ev.network, k.network);
      assert.deepEqual(ev.counts, { confirmed: 0, waitlisted: 0, checked_in: 0, walk_ins: 0, capacity: 25, available: 25 });
      // The same event is readable by anyone.
      const got = await api('GET', `/api/v1/events/${ev.id}`);
      assert.equal(got.status, 200);
      assert.equal(got.body.kind, k.kind);
      assert.deepEqual(got.body.counts, ev.counts);
    }
  });

  test('unlimited capacity gives null capacity and available', async () => {
    const ev = await createEvent(api, organiser, { capacity: null });
    assert.equal(ev.capacity, null);
    assert.equal(ev.counts.capacity, null);
    assert.equal(ev.counts.available, null);
    await register(api, ev.id);
    const counts = await countsOf(api, ev.id);
    assert.equal(counts.confirmed, 1);
    assert.equal(counts.capacity, null);
    assert.equal(counts.available, null);
  });

  test('a 422 lists every bad field at once', async () => {
    const before = (await api('GET', '/api/v1/events', undefined, { token: organiser })).body.items.length;
    const body = eventBody({
      kind: 'party',
      starts_at: '2030-03-12T12:00:00+01:00',
      ends_at: '2030-03-12T09:00:00+01:00',
      topic: 'astrology',
      capacity: -5,
    });
    delete body.title;
    const r = await api('POST', '/api/v1/events', body, { token: organiser });
    assertProblem(r, 422, ['kind', ['ends_at', 'starts_at'], 'topic', 'capacity', 'title']);
    const after = (await api('GET', '/api/v1/events', undefined, { token: organiser })).body.items.length;
    assert.equal(after, before, 'nothing was created');
  });

  test('the list filters by kind, from and to', async () => {
    const a = await createEvent(api, organiser, { kind: 'seminar', topic: 'eu_knowledge', starts_at: '2031-03-10T09:00:00+01:00', ends_at: '2031-03-10T11:00:00+01:00' });
    const b = await createEvent(api, organiser, { kind: 'seminar', topic: 'eu_knowledge', starts_at: '2031-06-10T09:00:00+02:00', ends_at: '2031-06-10T11:00:00+02:00' });
    const c = await createEvent(api, organiser, { kind: 'seminar', topic: 'eu_knowledge', starts_at: '2031-09-10T09:00:00+02:00', ends_at: '2031-09-10T11:00:00+02:00' });
    const m = await createEvent(api, organiser, { kind: 'network_meeting', focus_area: 'employment_mobility', topic: undefined, starts_at: '2031-06-11T09:00:00+02:00', ends_at: '2031-06-11T11:00:00+02:00' });

    const all = await api('GET', '/api/v1/events');
    assert.equal(all.status, 200);
    const allIds = all.body.items.map((e) => e.id);
    for (const e of [a, b, c, m]) assert.ok(allIds.includes(e.id), `list has ${e.id}`);

    const seminars = await api('GET', '/api/v1/events?kind=seminar');
    assert.equal(seminars.status, 200);
    assert.ok(seminars.body.items.length >= 3);
    assert.ok(seminars.body.items.every((e) => e.kind === 'seminar'), 'only seminars');
    assert.ok(!seminars.body.items.some((e) => e.id === m.id));

    const from = '2031-05-01T00:00:00Z', to = '2031-07-01T00:00:00Z';
    const window = await api('GET', `/api/v1/events?${new URLSearchParams({ from, to })}`);
    assert.equal(window.status, 200, window.text);
    const windowIds = window.body.items.map((e) => e.id).sort((x, y) => x - y);
    assert.deepEqual(windowIds, [b.id, m.id].sort((x, y) => x - y));

    const both = await api('GET', `/api/v1/events?${new URLSearchParams({ kind: 'network_meeting', from, to })}`);
    assert.deepEqual(both.body.items.map((e) => e.id), [m.id]);

    const onlyFrom = await api('GET', `/api/v1/events?${new URLSearchParams({ kind: 'seminar', from: '2031-08-01T00:00:00Z' })}`);
    assert.deepEqual(onlyFrom.body.items.map((e) => e.id), [c.id]);

    assertProblem(await api('GET', '/api/v1/events?from=yesterday'), 400);
  });

  test('drafts are invisible to the public but visible to organisers', async () => {
    const draft = await createEvent(api, organiser, { status: 'draft', title: 'Secret draft seminar' });
    assert.equal(draft.status, 'draft');

    assertProblem(await api('GET', `/api/v1/events/${draft.id}`), 404);
    const pub = await api('GET', '/api/v1/events');
    assert.ok(!pub.body.items.some((e) => e.id === draft.id), 'absent from the public list');
    assert.ok(!pub.body.items.some((e) => e.status === 'draft'), 'no drafts in the public list');

    const asOrganiser = await api('GET', `/api/v1/events/${draft.id}`, undefined, { token: organiser });
    assert.equal(asOrganiser.status, 200);
    assert.equal(asOrganiser.body.status, 'draft');
    const orgList = await api('GET', '/api/v1/events', undefined, { token: organiser });
    assert.ok(orgList.body.items.some((e) => e.id === draft.id), 'in the organiser list');

    // Publishing makes it public.
    const pubd = await api('PATCH', `/api/v1/events/${draft.id}`, { status: 'published' }, { token: organiser });
    assert.equal(pubd.status, 200, pubd.text);
    assert.equal(pubd.body.status, 'published');
    assert.equal((await api('GET', `/api/v1/events/${draft.id}`)).status, 200);
  });

  test('PATCH changes title and capacity', async () => {
    const ev = await createEvent(api, organiser, { capacity: 10 });
    await register(api, ev.id);
    const r = await api('PATCH', `/api/v1/events/${ev.id}`, { title: 'Project management across borders', capacity: 60 }, { token: organiser });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.title, 'Project management across borders');
    assert.equal(r.body.capacity, 60);
    assert.equal(r.body.counts.capacity, 60);
    assert.equal(r.body.counts.available, 59);
    const got = await api('GET', `/api/v1/events/${ev.id}`);
    assert.equal(got.body.title, 'Project management across borders');
    assert.equal(got.body.capacity, 60);
    assert.equal(got.body.topic, ev.topic, 'untouched fields stay');
    // The public may not change it.
    assertProblem(await api('PATCH', `/api/v1/events/${ev.id}`, { title: 'Hacked' }), 401);
    assertProblem(await api('PATCH', `/api/v1/events/${ev.id}`, { capacity: -1 }, { token: organiser }), 422, ['capacity']);
  });

  test('raising the capacity promotes waitlisted registrations in order', async () => {
    const ev = await createEvent(api, organiser, { capacity: 1 });
    const r1 = await register(api, ev.id);
    const r2 = await register(api, ev.id);
    const r3 = await register(api, ev.id);
    assert.equal(r1.status, 'confirmed');
    assert.equal(r2.status, 'waitlisted');
    assert.equal(r3.status, 'waitlisted');

    const p = await api('PATCH', `/api/v1/events/${ev.id}`, { capacity: 2 }, { token: organiser });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.counts.confirmed, 2);
    assert.equal(p.body.counts.waitlisted, 1);
    assert.equal(p.body.counts.available, 0);
    const g2 = await api('GET', `/api/v1/my/registrations/${r2.manage_token}`);
    assert.equal(g2.body.status, 'confirmed');
    assert.equal(g2.body.waitlist_position ?? null, null);
    const g3 = await api('GET', `/api/v1/my/registrations/${r3.manage_token}`);
    assert.equal(g3.body.status, 'waitlisted');
    assert.equal(g3.body.waitlist_position, 1);

    const u = await api('PATCH', `/api/v1/events/${ev.id}`, { capacity: null }, { token: organiser });
    assert.equal(u.status, 200, u.text);
    assert.equal(u.body.counts.confirmed, 3);
    assert.equal(u.body.counts.waitlisted, 0);
    assert.equal(u.body.counts.available, null);
    assert.equal((await api('GET', `/api/v1/my/registrations/${r3.manage_token}`)).body.status, 'confirmed');
  });

  test('a cancelled event shows cancelled and refuses registrations with 409', async () => {
    const ev = await createEvent(api, organiser);
    await register(api, ev.id);
    const c = await api('POST', `/api/v1/events/${ev.id}/cancel`, undefined, { token: organiser });
    assert.ok([200, 204].includes(c.status), c.text);
    const got = await api('GET', `/api/v1/events/${ev.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.status, 'cancelled');
    assert.equal(got.body.registration_open, false);
    assertProblem(await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ name: 'Late Comer' })), 409);
    assertProblem(await api('POST', `/api/v1/events/${ev.id}/cancel`), 401);
  });

  test('GET /api/v1/events/{id}.ics is a calendar entry', async () => {
    const ev = await createEvent(api, organiser, { title: 'Culture in TN cooperation', topic: 'culture' });
    const r = await api('GET', `/api/v1/events/${ev.id}.ics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^text\/calendar/);
    assert.match(r.text, /^BEGIN:VCALENDAR\r\n/);
    assert.match(r.text, /\r\nBEGIN:VEVENT\r\n/);
    assert.match(r.text, /\r\nSUMMARY[^:\r\n]*:Culture in TN cooperation\r\n/);
    assert.match(r.text, /\r\nDTSTART[^:\r\n]*:\d{8}T\d{6}Z?\r\n/);
    assert.match(r.text, /\r\nUID[^:\r\n]*:\S+\r\n/);
    assert.ok(r.text.includes(`\r\nUID:event-${ev.id}@127.0.0.1\r\n`), 'unique across installations: the public URL\'s host');
    assert.match(r.text, /\r\nEND:VEVENT\r\n/);
    assertProblem(await api('GET', '/api/v1/events/999999.ics'), 404);
  });

  test('GET /api/v1/events/{id}/needs shows a requested need the venue does not offer', async () => {
    const ev = await createEvent(api, organiser, {
      venue: { name: 'Stadshuset', address: 'Hantverkargatan 1, Stockholm', accessibility: ['hearing_loop', 'step_free_access'] },
    });
    await register(api, ev.id, { accessibility_needs: ['hearing_loop', 'sign_language_interpreter'] });
    await register(api, ev.id, { accessibility_needs: ['hearing_loop'] });
    const r = await api('GET', `/api/v1/events/${ev.id}/needs`, undefined, { token: organiser });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([...r.body.offered].sort(), ['hearing_loop', 'step_free_access']);
    assert.equal(r.body.requested.hearing_loop, 2);
    assert.equal(r.body.requested.sign_language_interpreter, 1);
    assert.deepEqual(r.body.uncovered, ['sign_language_interpreter']);
    assertProblem(await api('GET', `/api/v1/events/${ev.id}/needs`), 401);
  });
  test('GET, POST and PATCH carry an ETag; PATCH with a stale If-Match is 412 and writes nothing', async () => {
    const created = await api('POST', '/api/v1/events', eventBody({ capacity: 10 }), { token: organiser });
    assert.equal(created.status, 201, created.text);
    const etag0 = created.headers.get('etag');
    assert.match(etag0 ?? '', /^"\d+"$/, `ETag of the created event: ${etag0}`);
    const id = created.body.id;
    const got = await api('GET', `/api/v1/events/${id}`);
    assert.equal(got.headers.get('etag'), etag0);

    // Two organisers read the same version; the first saves.
    const first = await api('PATCH', `/api/v1/events/${id}`, { title: 'First organiser' }, { token: organiser, headers: { 'if-match': etag0 } });
    assert.equal(first.status, 200, first.text);
    const etag1 = first.headers.get('etag');
    assert.ok(etag1 && etag1 !== etag0, `a change gives a new ETag (${etag0} -> ${etag1})`);
    // The second, based on the old read, is refused and changes nothing.
    const second = await api('PATCH', `/api/v1/events/${id}`, { title: 'Second organiser', capacity: 20 }, { token: organiser, headers: { 'if-match': etag0 } });
    assertProblem(second, 412);
    const now = await api('GET', `/api/v1/events/${id}`);
    assert.equal(now.body.title, 'First organiser');
    assert.equal(now.body.capacity, 10);
    assert.equal(now.headers.get('etag'), etag1);
    // A weak or malformed tag never matches; "*" and no If-Match at all are allowed.
    assertProblem(await api('PATCH', `/api/v1/events/${id}`, { title: 'Weak' }, { token: organiser, headers: { 'if-match': `W/${etag1}` } }), 412);
    assert.equal((await api('PATCH', `/api/v1/events/${id}`, { title: 'Any' }, { token: organiser, headers: { 'if-match': '*' } })).status, 200);
    assert.equal((await api('PATCH', `/api/v1/events/${id}`, { title: 'Unconditional' }, { token: organiser })).status, 200);
    assert.equal((await api('GET', `/api/v1/events/${id}`)).body.title, 'Unconditional');
  });

  test('a cancelled event is not published again by an edit read before the cancellation', async () => {
    const ev = await createEvent(api, organiser);
    const read = await api('GET', `/api/v1/events/${ev.id}`);
    const c = await api('POST', `/api/v1/events/${ev.id}/cancel`, undefined, { token: organiser });
    assert.equal(c.status, 200, c.text);
    assert.notEqual(c.headers.get('etag'), read.headers.get('etag'), 'cancelling changes the version');
    // The edit form still holds the old version: refused as stale.
    assertProblem(await api('PATCH', `/api/v1/events/${ev.id}`, { ...read.body, status: 'published', title: 'Back again' },
      { token: organiser, headers: { 'if-match': read.headers.get('etag') } }), 412);
    // Without If-Match, or with the current one, still refused: cancelled stays cancelled.
    assertProblem(await api('PATCH', `/api/v1/events/${ev.id}`, { status: 'published' }, { token: organiser }), 409);
    assertProblem(await api('PATCH', `/api/v1/events/${ev.id}`, { title: 'Renamed' }, { token: organiser, headers: { 'if-match': c.headers.get('etag') } }), 409);
    // Edits racing the cancellation: whatever order the writer takes them in, the event ends cancelled.
    const racers = [];
    for (let i = 0; i < 8; i++) racers.push(await createEvent(api, organiser));
    await Promise.all(racers.flatMap((e) => [
      api('PATCH', `/api/v1/events/${e.id}`, { status: 'published', title: `Raced ${e.id}` }, { token: organiser }),
      api('POST', `/api/v1/events/${e.id}/cancel`, undefined, { token: organiser }),
    ]));
    for (const e of racers) assert.equal((await api('GET', `/api/v1/events/${e.id}`)).body.status, 'cancelled');
    const got = await api('GET', `/api/v1/events/${ev.id}`);
    assert.equal(got.body.status, 'cancelled');
    assert.equal(got.body.title, ev.title);
  });

  test('capacity cannot be PATCHed below the confirmed registrations (409, how many are confirmed)', async () => {
    const ev = await createEvent(api, organiser, { capacity: 5 });
    for (let i = 0; i < 3; i++) await register(api, ev.id);
    const r = await api('PATCH', `/api/v1/events/${ev.id}`, { capacity: 2 }, { token: organiser });
    assertProblem(r, 409, ['capacity']);
    assert.equal(r.body.confirmed, 3);
    assert.equal(r.body.reason, 'capacity_below_confirmed');
    const got = await api('GET', `/api/v1/events/${ev.id}`);
    assert.equal(got.body.capacity, 5);
    assert.equal(got.body.counts.confirmed, 3);
    const ok = await api('PATCH', `/api/v1/events/${ev.id}`, { capacity: 3 }, { token: organiser });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.counts.available, 0);
  });

  test('once the event has started, a cancellation promotes nobody from the waitlist', async () => {
    const ev = await createEvent(api, organiser, ongoingEventBody({ capacity: 1 }));
    const a = await register(api, ev.id);
    const b = await register(api, ev.id);
    assert.equal(b.status, 'waitlisted');
    const d = await api('DELETE', `/api/v1/my/registrations/${a.manage_token}`);
    assert.equal(d.status, 200, d.text);
    assert.equal((await api('GET', `/api/v1/my/registrations/${b.manage_token}`)).body.status, 'waitlisted');
    const counts = await countsOf(api, ev.id);
    assert.equal(counts.confirmed, 0);
    assert.equal(counts.waitlisted, 1);
    // Nor does a newcomer take the freed seat ahead of the one waiting.
    assert.equal((await register(api, ev.id)).status, 'waitlisted');
  });
});

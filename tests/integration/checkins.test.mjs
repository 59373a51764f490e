// Check-in at the door: scans, idempotent replays, concurrent scans, undo, walk-ins, offline batches, roles.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import {
  assertProblem, makeUser, createEvent, register, countsOf, ongoingEventBody, registrationBody, hoursFromNow,
} from '../support/fixtures.mjs';

describe('check-in', { timeout: 30000 }, () => {
  let server, api, admin, organiser, steering, ev;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    organiser = (await makeUser(server.url, admin, 'organiser')).token;
    steering = (await makeUser(server.url, admin, 'steering')).token;
    // The event is under way: doors are open and registration still is.
    ev = await createEvent(api, organiser, ongoingEventBody({ capacity: 200 }));
  });

  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
  });

  const checkin = (eventId, body, token = organiser) => api('POST', `/api/v1/events/${eventId}/checkins`, body, { token });
  const tickets = async (eventId) => {
    const r = await api('GET', `/api/v1/events/${eventId}/tickets`, undefined, { token: organiser });
    assert.equal(r.status, 200, r.text);
    return r.body;
  };
  const ticketOf = async (eventId, registrationId) => (await tickets(eventId)).items.find((t) => t.registration_id === registrationId);

  test('a ticket code checks in once (201), then answers already_checked_in (200)', async () => {
    const reg = await register(api, ev.id);
    const before = await countsOf(api, ev.id);
    const first = await checkin(ev.id, { ticket_code: reg.ticket_code });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.result, 'checked_in');
    const again = await checkin(ev.id, { ticket_code: reg.ticket_code });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.result, 'already_checked_in');
    assert.ok(!Number.isNaN(Date.parse(again.body.checked_in_at)), `checked_in_at ${again.body.checked_in_at}`);
    if (first.body.checked_in_at) assert.equal(Date.parse(again.body.checked_in_at), Date.parse(first.body.checked_in_at));
    const after = await countsOf(api, ev.id);
    assert.equal(after.checked_in, before.checked_in + 1);
    assert.ok((await ticketOf(ev.id, reg.id)).checked_in_at, 'the door list shows the check-in');
    // By registration id as well.
    const other = await register(api, ev.id);
    const byId = await checkin(ev.id, { registration_id: other.id });
    assert.equal(byId.status, 201, byId.text);
    assert.equal(byId.body.result, 'checked_in');
  });

  test('codes typed in lower case with a hyphen or spaces are found', async () => {
    const a = await register(api, ev.id);
    const code = a.ticket_code;
    const typed = `${code.slice(0, 4)}-${code.slice(4)}`.toLowerCase();
    const r = await checkin(ev.id, { ticket_code: typed });
    assert.equal(r.status, 201, `${typed}: ${r.text}`);
    assert.equal(r.body.result, 'checked_in');
    const b = await register(api, ev.id);
    const spaced = ` ${b.ticket_code.slice(0, 4)} ${b.ticket_code.slice(4)} `.toLowerCase();
    assert.equal((await checkin(ev.id, { ticket_code: spaced })).status, 201);
  });

  test('an unknown code is a 404; a code of another event is not found here', async () => {
    assertProblem(await checkin(ev.id, { ticket_code: 'ZZZZZZZZ' }), 404);
    const otherEvent = await createEvent(api, organiser, ongoingEventBody());
    const reg = await register(api, otherEvent.id);
    assertProblem(await checkin(ev.id, { ticket_code: reg.ticket_code }), 404);
    assertProblem(await checkin(999999, { ticket_code: reg.ticket_code }), 404);
  });

  test('a waitlisted registration is refused with 409 unless forced', async () => {
    const small = await createEvent(api, organiser, ongoingEventBody({ capacity: 1 }));
    await register(api, small.id);
    const w = await register(api, small.id);
    assert.equal(w.status, 'waitlisted');
    assertProblem(await checkin(small.id, { ticket_code: w.ticket_code }), 409);
    assert.equal((await countsOf(api, small.id)).checked_in, 0);
    const forced = await checkin(small.id, { ticket_code: w.ticket_code, force: true });
    assert.equal(forced.status, 201, forced.text);
    assert.equal(forced.body.result, 'checked_in');
    assert.equal((await countsOf(api, small.id)).checked_in, 1);
    // A cancelled one likewise.
    const c = await register(api, small.id);
    await api('DELETE', `/api/v1/my/registrations/${c.manage_token}`);
    assertProblem(await checkin(small.id, { ticket_code: c.ticket_code }), 409);
  });

  test('a repeated scan_id returns the first answer and changes nothing', async () => {
    const reg = await register(api, ev.id);
    const scan = `scan-${Date.now()}-a`;
    const first = await checkin(ev.id, { ticket_code: reg.ticket_code, scan_id: scan });
    assert.equal(first.status, 201, first.text);
    const c1 = await countsOf(api, ev.id);
    const second = await checkin(ev.id, { ticket_code: reg.ticket_code, scan_id: scan });
    assert.equal(second.status, first.status);
    assert.deepEqual(second.body, first.body);
    assert.deepEqual(await countsOf(api, ev.id), c1);

    // After an undo, replaying the old scan still changes nothing.
    const undo = await api('DELETE', `/api/v1/events/${ev.id}/checkins/${reg.id}`, undefined, { token: organiser });
    assert.ok([200, 204].includes(undo.status), undo.text);
    const c2 = await countsOf(api, ev.id);
    assert.equal(c2.checked_in, c1.checked_in - 1);
    const third = await checkin(ev.id, { ticket_code: reg.ticket_code, scan_id: scan });
    assert.equal(third.status, first.status);
    assert.deepEqual(third.body, first.body);
    assert.deepEqual(await countsOf(api, ev.id), c2);
    assert.equal((await ticketOf(ev.id, reg.id)).checked_in_at ?? null, null);
  });

  test('16 simultaneous scans of one ticket check it in exactly once', async () => {
    const reg = await register(api, ev.id);
    const before = await countsOf(api, ev.id);
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      checkin(ev.id, { ticket_code: reg.ticket_code, scan_id: `burst-${reg.id}-${i}` })));
    const created = results.filter((r) => r.status === 201 && r.body.result === 'checked_in');
    const already = results.filter((r) => r.status === 200 && r.body.result === 'already_checked_in');
    assert.equal(created.length, 1, results.map((r) => `${r.status} ${r.body?.result}`).join(', '));
    assert.equal(already.length, 15);
    assert.equal((await countsOf(api, ev.id)).checked_in, before.checked_in + 1);
  });

  test('undoing a check-in lets the ticket check in again', async () => {
    const reg = await register(api, ev.id);
    assert.equal((await checkin(ev.id, { ticket_code: reg.ticket_code })).status, 201);
    const before = await countsOf(api, ev.id);
    const undo = await api('DELETE', `/api/v1/events/${ev.id}/checkins/${reg.id}`, undefined, { token: organiser });
    assert.ok([200, 204].includes(undo.status), undo.text);
    assert.equal((await countsOf(api, ev.id)).checked_in, before.checked_in - 1);
    assert.equal((await ticketOf(ev.id, reg.id)).checked_in_at ?? null, null);
    const again = await checkin(ev.id, { ticket_code: reg.ticket_code });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.body.result, 'checked_in');
    assert.equal((await countsOf(api, ev.id)).checked_in, before.checked_in);
  });

  test('a walk-in beyond capacity is confirmed and checked in, and counted as a walk-in', async () => {
    const full = await createEvent(api, organiser, ongoingEventBody({ capacity: 1 }));
    await register(api, full.id);
    const before = await countsOf(api, full.id);
    assert.equal(before.available, 0);
    const r = await api('POST', `/api/v1/events/${full.id}/walk-ins`, registrationBody({ name: 'Walter Walkin' }), { token: organiser });
    assert.equal(r.status, 201, r.text);
    const reg = r.body.registration ?? r.body;
    assert.equal(reg.status, 'confirmed');
    const after = await countsOf(api, full.id);
    assert.equal(after.walk_ins, before.walk_ins + 1);
    assert.equal(after.confirmed, before.confirmed + 1);
    assert.equal(after.checked_in, before.checked_in + 1);
    const t = await ticketOf(full.id, reg.id);
    assert.ok(t, 'the walk-in is on the door list');
    assert.equal(t.walk_in, true);
    assert.ok(t.checked_in_at, 'checked in');
    assert.equal(t.name, 'Walter Walkin');
    assertProblem(await api('POST', `/api/v1/events/${full.id}/walk-ins`, registrationBody()), 401);
  });

  test('a batch answers in order and replaying it changes nothing', async () => {
    const a = await register(api, ev.id);
    const b = await register(api, ev.id);
    const at = hoursFromNow(-0.25);
    const items = [
      { event_id: ev.id, ticket_code: a.ticket_code, scan_id: `batch-${a.id}`, attended_at: at },
      { event_id: ev.id, ticket_code: 'ZZZZZZZZ', scan_id: `batch-unknown-${a.id}`, attended_at: at },
      { event_id: ev.id, ticket_code: b.ticket_code, scan_id: `batch-${b.id}`, attended_at: at },
    ];
    const before = await countsOf(api, ev.id);
    const r = await api('POST', '/api/v1/checkins/batch', { items }, { token: organiser });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.results.length, 3);
    const [ra, rx, rb] = r.body.results;
    const resultOf = (x) => x.result ?? x.body?.result;
    assert.equal(resultOf(ra), 'checked_in', JSON.stringify(ra));
    assert.equal(resultOf(rb), 'checked_in', JSON.stringify(rb));
    assert.notEqual(resultOf(rx), 'checked_in');
    assert.ok(rx.status === 404 || rx.body?.status === 404 || /not_found|unknown/.test(String(resultOf(rx) ?? rx.code ?? rx.error)),
      `the unknown code answers as not found: ${JSON.stringify(rx)}`);
    const mid = await countsOf(api, ev.id);
    assert.equal(mid.checked_in, before.checked_in + 2);
    assert.equal(Date.parse((await ticketOf(ev.id, a.id)).checked_in_at), Date.parse(at), 'attended_at kept');

    const replay = await api('POST', '/api/v1/checkins/batch', { items }, { token: organiser });
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.body.results, r.body.results);
    assert.deepEqual(await countsOf(api, ev.id), mid);
  });

  test('a steering user may not check in; the public neither', async () => {
    const reg = await register(api, ev.id);
    assertProblem(await checkin(ev.id, { ticket_code: reg.ticket_code }, steering), 403);
    assertProblem(await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.ticket_code }), 401);
    assertProblem(await api('POST', '/api/v1/checkins/batch', { items: [{ event_id: ev.id, ticket_code: reg.ticket_code, scan_id: 'x1', attended_at: hoursFromNow(0) }] }, { token: steering }), 403);
    assertProblem(await api('DELETE', `/api/v1/events/${ev.id}/checkins/${reg.id}`, undefined, { token: steering }), 403);
    assert.equal((await ticketOf(ev.id, reg.id)).checked_in_at ?? null, null);
  });

  test('an attended_at in the past is kept', async () => {
    const reg = await register(api, ev.id);
    const at = hoursFromNow(-0.5);
    const r = await checkin(ev.id, { ticket_code: reg.ticket_code, attended_at: at });
    assert.equal(r.status, 201, r.text);
    const t = await ticketOf(ev.id, reg.id);
    assert.equal(Date.parse(t.checked_in_at), Date.parse(at), `door list shows ${t.checked_in_at}, sent ${at}`);
    const list = await api('GET', `/api/v1/events/${ev.id}/registrations?q=${encodeURIComponent(reg.ticket_code)}`, undefined, { token: organiser });
    const item = list.body.items.find((x) => x.id === reg.id);
    if (item) assert.equal(Date.parse(item.checked_in_at), Date.parse(at));
    const fresh = await register(api, ev.id);
    assertProblem(await checkin(ev.id, { ticket_code: fresh.ticket_code, attended_at: 'yesterday-ish' }), 422, ['attended_at']);
  });
  test('attendance recorded afterwards by date: today is accepted, a future date is not, walk-ins alike', async () => {
    const stockholmDay = (offsetDays) => new Date(Date.now() + offsetDays * 86400000)
      .toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
    const today = stockholmDay(0);
    const reg = await register(api, ev.id);
    const r = await checkin(ev.id, { registration_id: reg.id, attended_at: today });
    assert.equal(r.status, 201, r.text);
    const t = await ticketOf(ev.id, reg.id);
    assert.equal(new Date(t.checked_in_at).toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' }), today,
      `recorded ${t.checked_in_at} for ${today}`);
    const other = await register(api, ev.id);
    assertProblem(await checkin(ev.id, { registration_id: other.id, attended_at: stockholmDay(2) }), 422, ['attended_at']);
    const walkIn = registrationBody({ attended_at: stockholmDay(2) });
    assertProblem(await api('POST', `/api/v1/events/${ev.id}/walk-ins`, walkIn, { token: organiser }), 422, ['attended_at']);
    const pastWalkIn = await api('POST', `/api/v1/events/${ev.id}/walk-ins`, registrationBody({ attended_at: stockholmDay(-3) }), { token: organiser });
    assert.equal(pastWalkIn.status, 201, pastWalkIn.text);
    assert.equal(new Date(pastWalkIn.body.checked_in_at).toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' }), stockholmDay(-3));
  });
  test('each check-in records who, from which device, the scan time and when it reached the server', async () => {
    const me = await api('GET', '/api/v1/session', undefined, { token: organiser });
    const reg = await register(api, ev.id);
    const scannedAt = hoursFromNow(-0.25);
    const r = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.ticket_code, attended_at: scannedAt, scan_id: `audit-${reg.id}` },
      { token: organiser, headers: { 'x-device-id': 'door-2 phone' } });
    assert.equal(r.status, 201, r.text);
    const list = await api('GET', `/api/v1/events/${ev.id}/registrations?q=${encodeURIComponent(reg.ticket_code)}`, undefined, { token: organiser });
    const item = list.body.items.find((x) => x.id === reg.id);
    assert.equal(item.checkin_user_id, me.body.user.id);
    assert.equal(item.checkin_device, 'door-2 phone');
    assert.equal(Date.parse(item.checked_in_at), Date.parse(scannedAt));
    assert.ok(Date.parse(item.checkin_received_at) > Date.parse(scannedAt), 'received after it was scanned (queued offline)');
    // The participant's own view carries none of this.
    const own = await api('GET', `/api/v1/my/registrations/${reg.manage_token}`);
    assert.equal(own.body.checkin_device, undefined);
  });
  test('the check-in answer carries names with quotes, backslashes and any script intact', async () => {
    const name = 'Zoë "Zizi" Ångström \\ Ölander 李 😀';
    const reg = await register(api, ev.id, { name, organisation: 'Föreningen "Nya\\Vägar"' });
    const r = await checkin(ev.id, { ticket_code: reg.ticket_code });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.registration.name, name);
    assert.equal(r.body.registration.organisation, 'Föreningen "Nya\\Vägar"');
    const again = await checkin(ev.id, { ticket_code: reg.ticket_code });
    assert.equal(again.body.registration.name, name);
  });
  test('a scan_id reused for another event or ticket is refused (409 scan_id_reused), alone and in a batch', async () => {
    const a = await register(api, ev.id);
    const otherEvent = await createEvent(api, organiser, ongoingEventBody());
    const b = await register(api, otherEvent.id);
    const scan = `reuse-${a.id}`;
    const first = await checkin(ev.id, { ticket_code: a.ticket_code, scan_id: scan });
    assert.equal(first.status, 201, first.text);
    const before = await countsOf(api, otherEvent.id);
    const reused = await checkin(otherEvent.id, { ticket_code: b.ticket_code, scan_id: scan });
    assertProblem(reused, 409);
    assert.equal(reused.body.reason, 'scan_id_reused');
    assert.deepEqual(await countsOf(api, otherEvent.id), before);
    assert.equal((await ticketOf(otherEvent.id, b.id)).checked_in_at ?? null, null);
    // Another ticket of the same event likewise.
    const c = await register(api, ev.id);
    assertProblem(await checkin(ev.id, { ticket_code: c.ticket_code, scan_id: scan }), 409);
    assert.equal((await ticketOf(ev.id, c.id)).checked_in_at ?? null, null);
    // A true repeat, even by registration id, still gets the first answer unchanged.
    const again = await checkin(ev.id, { registration_id: a.id, scan_id: scan });
    assert.equal(again.status, first.status);
    assert.deepEqual(again.body, first.body);

    const batch = await api('POST', '/api/v1/checkins/batch', { items: [
      { event_id: otherEvent.id, ticket_code: b.ticket_code, scan_id: scan },
      { event_id: ev.id, ticket_code: a.ticket_code, scan_id: scan },
    ] }, { token: organiser });
    assert.equal(batch.status, 200, batch.text);
    assert.equal(batch.body.results[0].status, 409);
    assert.equal(batch.body.results[0].reason, 'scan_id_reused');
    assert.deepEqual({ ...batch.body.results[1], status: undefined }, { ...first.body, status: undefined });
    assert.deepEqual(await countsOf(api, otherEvent.id), before);
  });

  test('a forced check-in of a cancelled registration makes it confirmed, and the counts say so', async () => {
    const small = await createEvent(api, organiser, ongoingEventBody({ capacity: 5 }));
    const reg = await register(api, small.id);
    assert.equal((await api('DELETE', `/api/v1/my/registrations/${reg.manage_token}`)).status, 200);
    const before = await countsOf(api, small.id);
    const forced = await checkin(small.id, { ticket_code: reg.ticket_code, force: true });
    assert.equal(forced.status, 201, forced.text);
    assert.equal(forced.body.registration.status, 'confirmed');
    assert.equal(forced.body.forced, true);
    const mine = await api('GET', `/api/v1/my/registrations/${reg.manage_token}`);
    assert.equal(mine.body.status, 'confirmed');
    const after = await countsOf(api, small.id);
    assert.equal(after.confirmed, before.confirmed + 1);
    assert.equal(after.checked_in, before.checked_in + 1);
    assert.equal((await ticketOf(small.id, reg.id)).status, 'confirmed');
  });
});

// Registrations: the participant's side (register, see, change, cancel, erase) and the organiser's lists.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, dbQuery } from '../support/server.mjs';
import {
  assertProblem, TICKET_RE, makeUser, createEvent, register, registrationBody, countsOf, ongoingEventBody, hoursFromNow,
} from '../support/fixtures.mjs';

describe('registrations', { timeout: 30000 }, () => {
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

  const my = (token) => api('GET', `/api/v1/my/registrations/${encodeURIComponent(token)}`);

  test('registering answers 201 with a ticket code and a manage token', async () => {
    const ev = await createEvent(api, organiser);
    const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
    assert.equal(r.status, 201, r.text);
    assert.ok(Number.isInteger(r.body.id));
    assert.equal(r.body.event_id, ev.id);
    assert.equal(r.body.status, 'confirmed');
    assert.match(r.body.ticket_code, TICKET_RE);
    assert.equal(typeof r.body.manage_token, 'string');
    assert.ok(r.body.manage_token.length >= 16, 'manage token is unguessable');
    assert.equal((await countsOf(api, ev.id)).confirmed, 1);
  });

  test('the same e-mail differing only in case and spaces is a 409', async () => {
    const ev = await createEvent(api, organiser);
    await register(api, ev.id, { email: 'anna.andersson@example.org' });
    const dup = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: '  Anna.Andersson@EXAMPLE.org ' }));
    assertProblem(dup, 409);
    assert.equal((await countsOf(api, ev.id)).confirmed, 1);
    // Another event takes the same person.
    const other = await createEvent(api, organiser);
    await register(api, other.id, { email: 'anna.andersson@example.org' });
  });

  test('a 422 lists every bad field at once', async () => {
    const ev = await createEvent(api, organiser);
    const body = registrationBody({
      email: 'not-an-email',
      organisation_type: 'government',
      name: 'N'.repeat(201),
      gender: 'alien',
      accessibility_needs: ['hearing_loop', 'teleportation'],
    });
    delete body.consent;
    const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, body);
    assertProblem(r, 422, ['email', 'organisation_type', 'consent', 'name', 'gender', 'accessibility_needs']);
    assertProblem(await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ consent: false })), 422, ['consent']);
    assert.equal((await countsOf(api, ev.id)).confirmed, 0);
  });

  test('beyond capacity registrations are waitlisted in order; a cancellation promotes the first', async () => {
    const ev = await createEvent(api, organiser, { capacity: 2 });
    const r1 = await register(api, ev.id);
    const r2 = await register(api, ev.id);
    const r3 = await register(api, ev.id);
    const r4 = await register(api, ev.id);
    assert.equal(r1.status, 'confirmed');
    assert.equal(r2.status, 'confirmed');
    assert.equal(r3.status, 'waitlisted');
    assert.equal(r3.waitlist_position, 1);
    assert.equal(r4.status, 'waitlisted');
    assert.equal(r4.waitlist_position, 2);
    assert.deepEqual(await countsOf(api, ev.id), { confirmed: 2, waitlisted: 2, checked_in: 0, walk_ins: 0, capacity: 2, available: 0 });

    const del = await api('DELETE', `/api/v1/my/registrations/${r1.manage_token}`);
    assert.ok([200, 204].includes(del.status), `cancel: ${del.status} ${del.text}`);
    const g1 = await my(r1.manage_token);
    assert.equal(g1.status, 200);
    assert.equal(g1.body.status, 'cancelled');
    assert.ok(g1.body.cancelled_at, 'cancelled_at is set');
    const g3 = await my(r3.manage_token);
    assert.equal(g3.body.status, 'confirmed');
    assert.equal(g3.body.waitlist_position ?? null, null);
    const g4 = await my(r4.manage_token);
    assert.equal(g4.body.status, 'waitlisted');
    assert.equal(g4.body.waitlist_position, 1);
    assert.deepEqual(await countsOf(api, ev.id), { confirmed: 2, waitlisted: 1, checked_in: 0, walk_ins: 0, capacity: 2, available: 0 });

    // Cancelling twice changes nothing.
    const again = await api('DELETE', `/api/v1/my/registrations/${r1.manage_token}`);
    assert.ok([200, 204, 409].includes(again.status), `second cancel: ${again.status}`);
    assert.equal((await my(r4.manage_token)).body.status, 'waitlisted');
    // The cancelled person may register again (at the end of the queue).
    const back = await register(api, ev.id, { email: g1.body.email });
    assert.equal(back.status, 'waitlisted');
    assert.equal(back.waitlist_position, 2);
  });

  // On PostgreSQL a batch's rows travel as array literals (quotes, backslashes, commas, braces and the word NULL
  // inside them): registered at once, so that they share batches, each text comes back exactly as it was sent.
  test('texts with quotes, backslashes, commas, braces and NULL come back exactly, registered at once', async () => {
    const ev = await createEvent(api, organiser, { capacity: 100 });
    const reruns = async () => Number((await (await fetch(`${server.url}/metrics`)).text())
      .match(/^eventd_write_pipeline_reruns_total (\d+)$/m)?.[1] ?? 0);
    const rerunsBefore = await reruns();
    const texts = ['Anna "Nisse" Berg', 'C:\\temp\\ \\"x\\"', 'a,b,{c},"d"', 'NULL', '{}', '"', '\\', "O'Brien; DROP TABLE persons",
      'Åsa Östlund ❤ 日本', '  inner  spaces  ', 'sista\\'];
    const bodies = texts.map((t, i) => registrationBody({ name: `${t} ${i}`, organisation: t.trim() || 'x', dietary: t, accessibility_note: `${t}!` }));
    const results = await Promise.all(bodies.map((b) => api('POST', `/api/v1/events/${ev.id}/registrations`, b)));
    for (const [i, r] of results.entries()) {
      assert.equal(r.status, 201, `${texts[i]}: ${r.text}`);
      const g = await my(r.body.manage_token);
      assert.equal(g.status, 200);
      assert.equal(g.body.name, bodies[i].name.trim(), `name ${i}`);
      assert.equal(g.body.organisation, bodies[i].organisation.trim(), `organisation ${i}`);
      assert.equal(g.body.dietary, bodies[i].dietary, `dietary ${i}`);
      assert.equal(g.body.accessibility_note, bodies[i].accessibility_note, `note ${i}`);
    }
    assert.equal((await countsOf(api, ev.id)).confirmed, texts.length);
    // A literal PostgreSQL could not read would have made the batch run again, row by row: right, but not this path.
    assert.equal(await reruns(), rerunsBefore, 'no batch ran again');
  });

  test('the manage token shows the registration with its event; PATCH changes the organisation', async () => {
    const ev = await createEvent(api, organiser, { title: 'EU knowledge for project owners', topic: 'eu_knowledge' });
    const body = registrationBody({ name: 'Björn Öberg', municipality: 'Upplands Väsby', accessibility_needs: ['large_print'] });
    const r = await register(api, ev.id, body);
    const g = await my(r.manage_token);
    assert.equal(g.status, 200);
    assert.equal(g.body.id, r.id);
    assert.equal(g.body.event_id, ev.id);
    assert.equal(g.body.name, 'Björn Öberg');
    assert.equal(g.body.email, body.email);
    assert.equal(g.body.organisation, body.organisation);
    assert.equal(g.body.municipality, 'Upplands Väsby');
    assert.deepEqual(g.body.accessibility_needs, ['large_print']);
    assert.equal(g.body.ticket_code, r.ticket_code);
    assert.equal(g.body.status, 'confirmed');
    assert.equal(g.body.erased, false);
    assert.equal(g.body.event.id, ev.id);
    assert.equal(g.body.event.title, 'EU knowledge for project owners');

    const p = await api('PATCH', `/api/v1/my/registrations/${r.manage_token}`, { organisation: 'Sundbybergs stad' });
    assert.equal(p.status, 200, p.text);
    const g2 = await my(r.manage_token);
    assert.equal(g2.body.organisation, 'Sundbybergs stad');
    assert.equal(g2.body.name, 'Björn Öberg', 'other fields stay');
    assert.equal(g2.body.ticket_code, r.ticket_code);
    assertProblem(await api('PATCH', `/api/v1/my/registrations/${r.manage_token}`, { organisation_type: 'government' }), 422, ['organisation_type']);
  });

  test('an unknown manage token is a 404', async () => {
    assertProblem(await my('no-such-token-0123456789abcdef'), 404);
    assertProblem(await api('DELETE', '/api/v1/my/registrations/no-such-token-0123456789abcdef'), 404);
    assertProblem(await api('POST', '/api/v1/my/registrations/no-such-token-0123456789abcdef/erase'), 404);
  });

  test('erasure removes personal data but keeps the participation figures', async () => {
    const ev = await createEvent(api, organiser, ongoingEventBody({ kind: 'seminar', topic: 'project_management' }));
    const goals0 = await api('GET', '/api/v1/goals', undefined, { token: admin });
    assert.equal(goals0.status, 200, goals0.text);
    const r = await register(api, ev.id, {
      name: 'Erika Eraseme', email: 'erika.eraseme@example.org', organisation: 'Romska kulturföreningen',
      organisation_type: 'user_organisation', municipality: 'Botkyrka', gender: 'woman',
    });
    const ci = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: r.ticket_code }, { token: organiser });
    assert.equal(ci.status, 201, ci.text);
    const goals1 = await api('GET', '/api/v1/goals', undefined, { token: admin });
    const p0 = goals0.body.participation, p1 = goals1.body.participation;
    assert.equal(p1.unique_persons, p0.unique_persons + 1, 'the attended registration counts');
    assert.equal(p1.by_gender.woman, (p0.by_gender.woman ?? 0) + 1);
    assert.equal(p1.by_organisation_type.user_organisation, (p0.by_organisation_type.user_organisation ?? 0) + 1);
    assert.equal(p1.home_region, p0.home_region + 1);

    const e = await api('POST', `/api/v1/my/registrations/${r.manage_token}/erase`);
    assert.ok([200, 204].includes(e.status), `erase: ${e.status} ${e.text}`);
    const g = await my(r.manage_token);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.body.erased, true);
    for (const f of ['name', 'email', 'organisation', 'accessibility_note', 'dietary']) {
      assert.ok(g.body[f] === null || g.body[f] === '' || g.body[f] === undefined, `${f} is gone: ${JSON.stringify(g.body[f])}`);
    }
    assert.doesNotMatch(JSON.stringify(g.body), /Erika|Eraseme|erika\.eraseme/i);
    const list = await api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: organiser });
    assert.doesNotMatch(list.text, /Erika|Eraseme|erika\.eraseme/i, 'the organiser list shows no personal data either');

    const goals2 = await api('GET', '/api/v1/goals', undefined, { token: admin });
    assert.deepEqual(goals2.body.participation, goals1.body.participation, 'participation figures unchanged');
    assert.deepEqual(goals2.body.user_organisations, goals1.body.user_organisations);
  });

  test('registration for a draft, a cancelled or a closed event is a 409', async () => {
    const draft = await createEvent(api, organiser, { status: 'draft' });
    assertProblem(await api('POST', `/api/v1/events/${draft.id}/registrations`, registrationBody()), 409);

    const cancelled = await createEvent(api, organiser);
    const c = await api('POST', `/api/v1/events/${cancelled.id}/cancel`, undefined, { token: organiser });
    assert.ok([200, 204].includes(c.status), c.text);
    assertProblem(await api('POST', `/api/v1/events/${cancelled.id}/registrations`, registrationBody()), 409);

    const closed = await createEvent(api, organiser, { registration_closes_at: hoursFromNow(-1), starts_at: hoursFromNow(48), ends_at: hoursFromNow(50) });
    assert.equal(closed.registration_open, false);
    assertProblem(await api('POST', `/api/v1/events/${closed.id}/registrations`, registrationBody()), 409);

    const past = await createEvent(api, organiser, { starts_at: hoursFromNow(-50), ends_at: hoursFromNow(-48) });
    assertProblem(await api('POST', `/api/v1/events/${past.id}/registrations`, registrationBody()), 409);

    // A refused registration keeps no address, even sent at once with accepted ones (PostgreSQL reads a batch's
    // persons before deciding).
    const open = await createEvent(api, organiser);
    const refused = Array.from({ length: 6 }, () => registrationBody());
    const accepted = Array.from({ length: 6 }, () => registrationBody());
    const answers = await Promise.all([
      ...refused.map((b, i) => api('POST', `/api/v1/events/${[draft, cancelled, closed][i % 3].id}/registrations`, b)),
      ...accepted.map((b) => api('POST', `/api/v1/events/${open.id}/registrations`, b)),
    ]);
    assert.deepEqual(answers.map((a) => a.status), [...refused.map(() => 409), ...accepted.map(() => 201)]);
    const stored = (emails) => dbQuery(server, `SELECT count(*) FROM persons WHERE email IN (${emails.map((b) => `'${b.email}'`).join(',')})`);
    assert.equal(stored(refused), '0', 'no address of a refused registration is kept');
    assert.equal(stored(accepted), String(accepted.length));

    for (const ev of [cancelled, closed, past]) assert.equal((await countsOf(api, ev.id, organiser)).confirmed, 0);
    assertProblem(await api('POST', '/api/v1/events/999999/registrations', registrationBody()), 404);
  });

  test('organisers search and filter registrations; the public may not list them', async () => {
    const ev = await createEvent(api, organiser, { capacity: 1 });
    const a = await register(api, ev.id, { name: 'Zlatan Quirkström', organisation: 'Malmö FF' });
    const b = await register(api, ev.id, { name: 'Greta Waitinglist' });
    const c = await register(api, ev.id, { name: 'Olof Waitinglist' });
    const path = `/api/v1/events/${ev.id}/registrations`;

    const all = await api('GET', path, undefined, { token: organiser });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body.items.map((x) => x.id).sort((x, y) => x - y), [a.id, b.id, c.id].sort((x, y) => x - y));

    const q = await api('GET', `${path}?q=${encodeURIComponent('quirkstr')}`, undefined, { token: organiser });
    assert.equal(q.status, 200, q.text);
    assert.deepEqual(q.body.items.map((x) => x.id), [a.id]);
    assert.equal(q.body.items[0].name, 'Zlatan Quirkström');
    assert.equal(q.body.items[0].ticket_code, a.ticket_code);

    const w = await api('GET', `${path}?status=waitlisted`, undefined, { token: organiser });
    assert.equal(w.status, 200, w.text);
    assert.deepEqual(w.body.items.map((x) => x.id).sort((x, y) => x - y), [b.id, c.id].sort((x, y) => x - y));
    assert.ok(w.body.items.every((x) => x.status === 'waitlisted'));

    assertProblem(await api('GET', path), 401);
    const steering = await makeUser(server.url, admin, 'steering');
    assertProblem(await api('GET', path, undefined, { token: steering.token }), 403);
  });

  test('an organiser cancels a registration and the first waitlisted is promoted', async () => {
    const ev = await createEvent(api, organiser, { capacity: 1 });
    const a = await register(api, ev.id);
    const b = await register(api, ev.id);
    const c = await register(api, ev.id);
    assert.equal(b.waitlist_position, 1);
    const r = await api('POST', `/api/v1/events/${ev.id}/registrations/${a.id}/cancel`, undefined, { token: organiser });
    assert.ok([200, 204].includes(r.status), `${r.status} ${r.text}`);
    assert.equal((await my(a.manage_token)).body.status, 'cancelled');
    assert.equal((await my(b.manage_token)).body.status, 'confirmed');
    const gc = await my(c.manage_token);
    assert.equal(gc.body.status, 'waitlisted');
    assert.equal(gc.body.waitlist_position, 1);
    const cancelled = await api('GET', `/api/v1/events/${ev.id}/registrations?status=cancelled`, undefined, { token: organiser });
    assert.deepEqual(cancelled.body.items.map((x) => x.id), [a.id]);
    assertProblem(await api('POST', `/api/v1/events/${ev.id}/registrations/${b.id}/cancel`), 401);
  });
});

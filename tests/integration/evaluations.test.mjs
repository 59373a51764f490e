// Evaluations (DOMAIN.md 7; API.md "Evaluations"): a participant's answer by their private link (every 409, 422 and
// 404 case, a changed answer, closed answers), an event's results for organisers, the `evaluations` of /goals (with
// a period) computed by hand, the live goals topic following an answer, and erasure (by link and by the retention
// rule) leaving the figures as they were and no link from an answer back to its registration.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, client, signIn, dbQuery } from '../support/server.mjs';
import { connect } from '../support/ws.mjs';
import {
  assertProblem, makeUser, createEvent, register, ongoingEventBody, registrationBody, hoursFromNow, rawRequest,
} from '../support/fixtures.mjs';

/** The Stockholm date (YYYY-MM-DD) of an RFC 3339 time. */
const stockholmDay = (t) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(t));

describe('evaluations', { timeout: 120000 }, () => {
  let server, api, admin, organiser, steering;
  // Seminar A: three attended (p1, p2, p6), p3 registered but never came. Ended two days ago.
  let evA, p1, p2, p3, p6;
  const path = (r) => `/api/v1/my/registrations/${r.manage_token}/evaluation`;
  const answer = (overrides = {}) => ({ usefulness: 4, knowledge_before: 2, knowledge_after: 5, plans_tn: 'yes', ...overrides });
  const checkIn = async (ev, r) => {
    const res = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: r.ticket_code }, { token: organiser });
    assert.equal(res.status, 201, res.text);
  };
  const moveToPast = async (ev, startHoursAgo, extra = {}) => {
    const res = await api('PATCH', `/api/v1/events/${ev.id}`, {
      starts_at: hoursFromNow(-startHoursAgo), ends_at: hoursFromNow(-startHoursAgo + 2),
      registration_closes_at: hoursFromNow(-startHoursAgo - 1), ...extra,
    }, { token: organiser });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const results = async (ev, token = organiser) => api('GET', `/api/v1/events/${ev.id}/evaluations`, undefined, { token });
  const goals = async (query = '') => (await api('GET', `/api/v1/goals${query}`, undefined, { token: steering })).body.evaluations;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    organiser = (await makeUser(server.url, admin, 'organiser')).token;
    steering = (await makeUser(server.url, admin, 'steering')).token;
    evA = await createEvent(api, organiser, ongoingEventBody());
    p1 = await register(api, evA.id, { name: 'Evelina Svarsdottir', email: 'evelina.svar@example.org', gender: 'woman' });
    p2 = await register(api, evA.id, { organisation_type: 'user_organisation' });
    p3 = await register(api, evA.id);
    p6 = await register(api, evA.id);
    for (const r of [p1, p2, p6]) await checkIn(evA, r);
  });

  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('409 while the event runs, 409 for who did not attend, 404 for an unknown link', async () => {
    const running = await api('PUT', path(p1), answer());
    assertProblem(running, 409);
    assert.equal(running.body.reason, 'not_ended');
    evA = await moveToPast(evA, 48);
    const absent = await api('PUT', path(p3), answer());
    assertProblem(absent, 409);
    assert.equal(absent.body.reason, 'not_attended');
    for (const token of ['999999-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `${p1.id}-${'B'.repeat(43)}`, 'x']) {
      assertProblem(await api('PUT', `/api/v1/my/registrations/${token}/evaluation`, answer()), 404);
      assertProblem(await api('GET', `/api/v1/my/registrations/${token}/evaluation`), 404);
    }
    // Nothing was saved by any of them.
    assertProblem(await api('GET', path(p1)), 404);
    assert.equal((await results(evA)).body.responses, 0);
  });

  test('an answer is saved, shown by the link, and changed until closing; one per registration', async () => {
    const first = await api('PUT', path(p1), answer({ usefulness: 5, comment: '  Bra dag, tack!  ' }));
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.usefulness, 5);
    assert.equal(first.body.comment, 'Bra dag, tack!');
    assert.equal(Date.parse(first.body.closes_at), Date.parse(evA.ends_at) + 30 * 86400000, 'open 30 days after the end by default');
    assert.equal(first.headers.get('cache-control'), 'no-store');
    const shown = await api('GET', path(p1));
    assert.equal(shown.status, 200, shown.text);
    assert.deepEqual(shown.body, first.body);
    const changed = await api('PUT', path(p1), answer({ comment: 'Bra dag' }));
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.usefulness, 4);
    assert.equal(changed.body.comment, 'Bra dag');
    assert.equal(changed.body.created_at, first.body.created_at);
    assert.deepEqual((await api('GET', path(p1))).body, changed.body);
    const second = await api('PUT', path(p2), { usefulness: 3, knowledge_before: 3, knowledge_after: 3, plans_tn: 'maybe' });
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.comment, null);
    assertProblem(await api('GET', path(p6)), 404);  // attended, never answered
    assert.equal((await results(evA)).body.responses, 2, 'the changed answer is still one answer');
  });

  test('422 lists every bad field: out of range, wrong types, missing, hostile text', async () => {
    const bad = await api('PUT', path(p6), { usefulness: 0, knowledge_before: '3', knowledge_after: 6.5, plans_tn: 'perhaps', comment: 5 });
    assertProblem(bad, 422, ['usefulness', 'knowledge_before', 'knowledge_after', 'plans_tn', 'comment']);
    assert.equal(bad.body.errors.length, 5, JSON.stringify(bad.body.errors));
    assertProblem(await api('PUT', path(p6), {}), 422, ['usefulness', 'knowledge_before', 'knowledge_after', 'plans_tn']);
    const hostile = [
      { usefulness: 6 }, { usefulness: -1 }, { usefulness: true }, { usefulness: null }, { usefulness: 1e3 + 0.5 },
      { usefulness: 9007199254740993 }, { knowledge_after: [5] }, { plans_tn: 'YES' }, { plans_tn: { yes: true } },
      { comment: 'a'.repeat(2001) }, { comment: 'nul \u0000 byte' },
    ];
    for (const h of hostile) {
      const res = await api('PUT', path(p6), answer(h));
      assertProblem(res, 422, [Object.keys(h)[0]]);
    }
    assertProblem(await api('PUT', path(p6), '{"usefulness":'), 400);
    assertProblem(await api('PUT', path(p6), '[1,2]'), 400);
    const notJson = await api('PUT', path(p6), 'usefulness=5', { headers: { 'content-type': 'text/plain' } });
    assert.ok([400, 415].includes(notJson.status), notJson.text);
    const raw = await rawRequest(server.url, { method: 'PUT', path: `/api/v1/my/registrations/../${p6.manage_token}/evaluation` });
    assert.ok([400, 404].includes(raw.status), `dot segments: ${raw.status}`);
    // Markup is kept as text and given back as JSON text, never run.
    const markup = await api('PUT', path(p6), answer({ usefulness: 2, knowledge_before: 4, knowledge_after: 3, plans_tn: 'no', comment: '<script>alert(1)</script>' }));
    assert.equal(markup.status, 200, markup.text);
    assert.equal(markup.body.comment, '<script>alert(1)</script>');
    assert.match(markup.headers.get('content-type'), /^application\/json/);
  });

  test('organisers see the event\'s results without names; others do not', async () => {
    // p1 (4, 2 -> 5, yes, "Bra dag"), p2 (3, 3 -> 3, maybe), p6 (2, 4 -> 3, no, markup); 3 attended.
    const r = await results(evA);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.responses, 3);
    assert.equal(r.body.attended, 3);
    assert.equal(r.body.response_rate, 1);
    assert.equal(r.body.mean_usefulness, 3);              // (4 + 3 + 2) / 3
    assert.equal(r.body.mean_knowledge_change, 0.67);     // (3 + 0 - 1) / 3
    assert.equal(r.body.plans_tn_share, 0.33);            // 1 / 3
    assert.deepEqual(r.body.distribution, {
      usefulness: { 1: 0, 2: 1, 3: 1, 4: 1, 5: 0 },
      knowledge_before: { 1: 0, 2: 1, 3: 1, 4: 1, 5: 0 },
      knowledge_after: { 1: 0, 2: 0, 3: 2, 4: 0, 5: 1 },
      plans_tn: { yes: 1, no: 1, maybe: 1 },
    });
    assert.deepEqual(r.body.comments, ['Bra dag', '<script>alert(1)</script>']);
    for (const secret of ['Evelina', 'evelina.svar', p1.manage_token, p1.ticket_code, '"registration_id"'])
      assert.ok(!r.text.includes(secret), `results carry ${secret}`);
    assertProblem(await results(evA, steering), 403);
    assertProblem(await api('GET', `/api/v1/events/${evA.id}/evaluations`), 401);
    assertProblem(await results({ id: 987654 }), 404);
  });

  test('a cancelled event and closed answers refuse with 409; closing is an event field organisers set', async () => {
    // B: attended, moved to the past, then cancelled.
    let evB = await createEvent(api, organiser, ongoingEventBody());
    const b = await register(api, evB.id);
    await checkIn(evB, b);
    evB = await moveToPast(evB, 72);
    assert.equal((await api('POST', `/api/v1/events/${evB.id}/cancel`, undefined, { token: organiser })).status, 200);
    const cancelled = await api('PUT', path(b), answer());
    assertProblem(cancelled, 409);
    assert.equal(cancelled.body.reason, 'event_cancelled');

    // C: the organisers closed the answers an hour ago.
    let evC = await createEvent(api, organiser, ongoingEventBody());
    const c = await register(api, evC.id);
    await checkIn(evC, c);
    evC = await moveToPast(evC, 96);
    assert.equal(Date.parse(evC.evaluation_closes_at), Date.parse(evC.ends_at) + 30 * 86400000);
    const open = await api('PUT', path(c), answer({ usefulness: 1 }));
    assert.equal(open.status, 200, open.text);
    const before = await api('PATCH', `/api/v1/events/${evC.id}`, { evaluation_closes_at: hoursFromNow(-95) }, { token: organiser });
    assertProblem(before, 422, ['evaluation_closes_at']);  // not before the end
    // One timestamp for both: computed twice, the two could fall either side of a second (seen under ASan).
    const closesAt = hoursFromNow(-1);
    const closing = await api('PATCH', `/api/v1/events/${evC.id}`, { evaluation_closes_at: closesAt }, { token: organiser });
    assert.equal(closing.status, 200, closing.text);
    assert.equal(Date.parse(closing.body.evaluation_closes_at), Date.parse(closesAt));
    const closed = await api('PUT', path(c), answer({ usefulness: 5 }));
    assertProblem(closed, 409);
    assert.equal(closed.body.reason, 'evaluation_closed');
    const kept = await api('GET', path(c));
    assert.equal(kept.status, 200, 'the answer is still shown after closing');
    assert.equal(kept.body.usefulness, 1, 'and was not changed');
    // Closing removed: 30 days after the end again, so open.
    const reopened = await api('PATCH', `/api/v1/events/${evC.id}`, { evaluation_closes_at: null }, { token: organiser });
    assert.equal(Date.parse(reopened.body.evaluation_closes_at), Date.parse(evC.ends_at) + 30 * 86400000);

    // D: attendance recorded afterwards (a walk-in) at an event that ended 40 days ago: closed by default.
    const evD = await createEvent(api, organiser, {
      starts_at: hoursFromNow(-40 * 24), ends_at: hoursFromNow(-40 * 24 + 2), registration_closes_at: hoursFromNow(-40 * 24 - 1),
    });
    const walk = await api('POST', `/api/v1/events/${evD.id}/walk-ins`, registrationBody({ attended_at: hoursFromNow(-40 * 24 + 1) }), { token: organiser });
    assert.equal(walk.status, 201, walk.text);
    const late = await api('PUT', `/api/v1/my/registrations/${walk.body.manage_token}/evaluation`, answer());
    assertProblem(late, 409);
    assert.equal(late.body.reason, 'evaluation_closed');
  });

  test('a check-in undone takes its answer with it: who did not attend has not evaluated', async () => {
    let evE = await createEvent(api, organiser, ongoingEventBody());
    const e = await register(api, evE.id);
    await checkIn(evE, e);
    evE = await moveToPast(evE, 120);
    assert.equal((await api('PUT', path(e), answer())).status, 200);
    assert.equal((await results(evE)).body.responses, 1);
    const undo = await api('DELETE', `/api/v1/events/${evE.id}/checkins/${e.id}`, undefined, { token: organiser });
    assert.ok([200, 204].includes(undo.status), undo.text);
    assertProblem(await api('GET', path(e)), 404);
    const after = (await results(evE)).body;
    assert.equal(after.responses, 0);
    assert.equal(after.attended, 0);
    assert.equal(after.response_rate, null);
    const again = await api('PUT', path(e), answer());
    assertProblem(again, 409);
    assert.equal(again.body.reason, 'not_attended');
  });

  test('/goals carries the evaluations over the events in scope, and over a period', async () => {
    // Ended and not cancelled: A (3 attended, answers 4/3/2), C (1 attended, answer 1, 1 -> ... see below), D (1
    // attended, none). B is cancelled. C's answer: usefulness 1, 2 -> 5, yes.
    // responses 4; attended 5; rate 0.8; usefulness (4+3+2+1)/4 = 2.5; change (3+0-1+3)/4 = 1.25; yes 2/4 = 0.5.
    assert.deepEqual(await goals(), {
      responses: 4, attended: 5, response_rate: 0.8, mean_usefulness: 2.5, mean_knowledge_change: 1.25, plans_tn_share: 0.5,
    });
    // Only A's day.
    const day = stockholmDay(evA.starts_at);
    assert.deepEqual(await goals(`?from=${day}&to=${day}`), {
      responses: 3, attended: 3, response_rate: 1, mean_usefulness: 3, mean_knowledge_change: 0.67, plans_tn_share: 0.33,
    });
    // Read your writes: an answer changed just now is in the very next /goals (4 + 1 + 2 + 1) / 4 = 2, and back.
    const p2answer = { knowledge_before: 3, knowledge_after: 3, plans_tn: 'maybe' };
    assert.equal((await api('PUT', path(p2), { usefulness: 1, ...p2answer })).status, 200);
    assert.equal((await goals()).mean_usefulness, 2);
    assert.equal((await api('PUT', path(p2), { usefulness: 3, ...p2answer })).status, 200);
    assert.equal((await goals()).mean_usefulness, 2.5);
    // A period with no event: nothing to average.
    assert.deepEqual(await goals('?from=2001-01-01&to=2001-12-31'), {
      responses: 0, attended: 0, response_rate: null, mean_usefulness: null, mean_knowledge_change: null, plans_tn_share: null,
    });
  });

  test('the live goals topic follows an answer and equals GET /goals', async () => {
    const c = await connect(server.url);
    assert.equal(c.status, 101);
    try {
      c.send({ type: 'auth', token: steering });
      await c.next((m) => m.type === 'auth');
      c.send({ type: 'subscribe', topics: ['goals'] });
      const snap = await c.next((m) => m.topic === 'goals' && m.type === 'snapshot');
      assert.equal(snap.data.evaluations.responses, 4);
      // p6 changes their answer: usefulness 2 -> 5 moves the mean from 2.5 to 3.25.
      assert.equal((await api('PUT', path(p6), answer({ usefulness: 5, knowledge_before: 4, knowledge_after: 3, plans_tn: 'no' }))).status, 200);
      const up = await c.next((m) => m.topic === 'goals' && m.type === 'update' && m.data.evaluations.mean_usefulness === 3.25, 5000);
      assert.deepEqual(up.data, (await api('GET', '/api/v1/goals', undefined, { token: steering })).body);
    } finally {
      c.destroy();
    }
  });

  test('erasure by link keeps the answer in the figures, detached: no link back', async () => {
    const figures = await goals();
    const event = (await results(evA)).body;
    const erased = await api('POST', `/api/v1/my/registrations/${p1.manage_token}/erase`);
    assert.equal(erased.status, 200, erased.text);
    assert.deepEqual(await goals(), figures, 'the /goals figures do not change');
    assert.deepEqual((await results(evA)).body, event, 'nor do the event\'s results, comment included');
    assertProblem(await api('GET', path(p1)), 404);  // the link no longer reaches the answer
    const again = await api('PUT', path(p1), answer());
    assertProblem(again, 409);
    assert.equal(again.body.reason, 'erased');
    // In the database: the answer has no registration any more, and nothing of the person is in its row.
    assert.equal(dbQuery(server, `SELECT count(*) FROM evaluations WHERE registration_id = ${p1.id}`), '0');
    assert.equal(dbQuery(server, `SELECT count(*) FROM evaluations WHERE event_id = ${evA.id} AND registration_id IS NULL`), '1');
    const row = dbQuery(server, `SELECT * FROM evaluations WHERE event_id = ${evA.id} AND registration_id IS NULL`);
    assert.ok(!/Evelina|evelina|example\.org/.test(row), row);
  });

  test('the retention rule detaches answers too, and the figures stay', async () => {
    const figures = await goals();
    const event = (await results(evA)).body;
    // Restart with the shortest retention: A ended two days ago, so p2's and p6's data are erased at start.
    await server.stop();
    server = await startServer({ dir: server.dir, config: { retention_days: 1 } });
    api = client(server.url);
    let swept;
    for (let i = 0; i < 100; i++) {
      swept = await api('GET', `/api/v1/my/registrations/${p2.manage_token}`);
      if (swept.body?.erased) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(swept.body?.erased, true, swept.text);
    assert.deepEqual(await goals(), figures);
    assert.deepEqual((await results(evA)).body, event);
    assertProblem(await api('GET', path(p2)), 404);
    assert.equal(dbQuery(server, `SELECT count(*) FROM evaluations WHERE event_id = ${evA.id} AND registration_id IS NOT NULL`), '0');
  });
});

test('the evaluation PUT shares the participant writes\' limit per address: 429 with Retry-After', async () => {
  const server = await startServer({ config: { public_write_burst: 3, public_write_refill_seconds: 60 } });
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const ev = await createEvent(api, admin, ongoingEventBody());
    const r = await register(api, ev.id);  // the first of the three writes
    const path = `/api/v1/my/registrations/${r.manage_token}/evaluation`;
    const body = { usefulness: 3, knowledge_before: 3, knowledge_after: 3, plans_tn: 'no' };
    assertProblem(await api('PUT', path, body), 409);  // the event is running: refused, but a write all the same
    assertProblem(await api('PUT', path, body), 409);
    const limited = await api('PUT', path, body);
    assertProblem(limited, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0, 'Retry-After in seconds');
    assert.equal((await api('GET', path)).status, 404, 'reading is not limited');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

// The counselling log (../shared/API.md, Counselling): every route as organisers use it, the roles and the CSRF rule,
// hostile input, the period filter, the goals' support figures against hand-computed values, and the live `goals`
// topic following counselling writes.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import { connect } from '../support/ws.mjs';
import { parseCsv } from '../support/csv.mjs';
import { readXlsx, records } from '../support/xlsx.mjs';
import { assertProblem, makeUser, createEvent, register, ongoingEventBody, rawRequest } from '../support/fixtures.mjs';

const PATH = '/api/v1/support-sessions';

function sessionBody(overrides = {}) {
  return {
    date: '2026-03-02',
    organisation: 'Föreningen Exempel',
    organisation_type: 'non_profit',
    municipality: 'Botkyrka',
    project_idea: 'Baltic bridges for young adults',
    hours: 2.5,
    persons: [{ name: 'Åsa Exempelsson', email: 'asa.exempelsson@example.org' }],
    note: 'First meeting; a partner in Tallinn is interested.',
    ...overrides,
  };
}

describe('counselling sessions', { timeout: 60000 }, () => {
  let server, api, admin, organiser, steering;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    organiser = (await makeUser(server.url, admin, 'organiser')).token;
    steering = (await makeUser(server.url, admin, 'steering')).token;
  });
  after(async () => { if (server) { await server.stop(); server.cleanup(); } });

  test('create, read, list, change and delete a session', async () => {
    const created = await api('POST', PATH, sessionBody({
      project_idea: '  Baltic Bridges ', persons: [{ name: ' Åsa Exempelsson ', email: ' Asa.Exempelsson@EXAMPLE.org ' },
        { name: 'Bo Exempel', email: 'bo.exempel@example.org' }],
    }), { token: organiser });
    assert.equal(created.status, 201, created.text);
    const s = created.body;
    assert.equal(created.headers.get('location'), `${PATH}/${s.id}`);
    assert.ok(Number.isInteger(s.id) && s.id > 0);
    assert.equal(s.date, '2026-03-02');
    assert.equal(s.organisation, 'Föreningen Exempel');
    assert.equal(s.organisation_type, 'non_profit');
    assert.equal(s.municipality, 'Botkyrka');
    assert.equal(s.project_idea, 'Baltic Bridges');
    assert.equal(s.project_idea_key, 'baltic bridges');
    assert.equal(s.hours, 2.5);
    assert.equal(s.note, 'First meeting; a partner in Tallinn is interested.');
    assert.match(s.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    assert.deepEqual(s.persons.map((p) => [p.name, p.email]),
      [['Åsa Exempelsson', 'asa.exempelsson@example.org'], ['Bo Exempel', 'bo.exempel@example.org']]);
    assert.ok(s.persons.every((p) => Number.isInteger(p.id)));

    const read = await api('GET', `${PATH}/${s.id}`, undefined, { token: organiser });
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body, s);

    const listed = await api('GET', PATH, undefined, { token: admin });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.items.find((x) => x.id === s.id), s);

    // A partial change keeps what it does not name; null clears an optional field.
    const changed = await api('PATCH', `${PATH}/${s.id}`, { hours: 3, note: null, municipality: 'Huddinge' }, { token: organiser });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(changed.body, { ...s, hours: 3, note: null, municipality: 'Huddinge' });
    // persons replaces the whole list.
    const replaced = await api('PATCH', `${PATH}/${s.id}`, { persons: [{ name: 'Cy Exempel', email: 'cy.exempel@example.org' }] },
      { token: organiser });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(replaced.body.persons.map((p) => p.email), ['cy.exempel@example.org']);
    assert.equal(replaced.body.hours, 3);

    const gone = await api('DELETE', `${PATH}/${s.id}`, undefined, { token: organiser });
    assert.equal(gone.status, 204, gone.text);
    assert.equal(gone.text, '');
    assertProblem(await api('GET', `${PATH}/${s.id}`, undefined, { token: organiser }), 404);
    assertProblem(await api('DELETE', `${PATH}/${s.id}`, undefined, { token: organiser }), 404);
    assertProblem(await api('PATCH', `${PATH}/${s.id}`, { hours: 1 }, { token: organiser }), 404);
    assert.ok(!(await api('GET', PATH, undefined, { token: admin })).body.items.some((x) => x.id === s.id));
  });

  test('the list is by date and takes a period, inclusive, parsed as GET /api/v1/goals does', async () => {
    const dates = ['2031-05-31', '2031-05-01', '2031-04-30', '2031-05-15'];
    const ids = {};
    for (const date of dates) {
      const r = await api('POST', PATH, sessionBody({ date }), { token: organiser });
      assert.equal(r.status, 201, r.text);
      ids[date] = r.body.id;
    }
    const may = await api('GET', `${PATH}?from=2031-05-01&to=2031-05-31`, undefined, { token: organiser });
    assert.equal(may.status, 200, may.text);
    assert.deepEqual(may.body.items.map((x) => x.date), ['2031-05-01', '2031-05-15', '2031-05-31']);
    assert.deepEqual(may.body.period, { from: '2031-05-01', to: '2031-05-31' });
    const from = await api('GET', `${PATH}?from=2031-05-15`, undefined, { token: organiser });
    assert.deepEqual(from.body.items.map((x) => x.date), ['2031-05-15', '2031-05-31']);
    const to = await api('GET', `${PATH}?to=2031-04-30`, undefined, { token: organiser });
    assert.ok(to.body.items.every((x) => x.date <= '2031-04-30'));
    assert.ok(to.body.items.some((x) => x.id === ids['2031-04-30']));
    for (const [query, field] of [['from=2031-02-30', 'from'], ['to=31-05-2031', 'to'], ['from=2031-5-1', 'from'],
      ['from=2031-05-31&to=2031-05-01', 'to'], ['from=%00', 'from'], [`to=${'9'.repeat(5000)}`, 'to']]) {
      const bad = await api('GET', `${PATH}?${query}`, undefined, { token: organiser });
      assertProblem(bad, 400, [field]);
      const goals = await api('GET', `/api/v1/goals?${query}`, undefined, { token: organiser });
      assert.deepEqual(bad.body.errors, goals.body.errors, `the same problem as /goals for ${query}`);
    }
    for (const id of Object.values(ids)) assert.equal((await api('DELETE', `${PATH}/${id}`, undefined, { token: organiser })).status, 204);
  });

  test('signed out: 401; the steering group: 403; a cookie write without X-CSRF-Token: 403', async () => {
    const mine = (await api('POST', PATH, sessionBody(), { token: organiser })).body;
    const routes = [['POST', PATH, sessionBody()], ['GET', PATH], ['GET', `${PATH}/${mine.id}`],
      ['PATCH', `${PATH}/${mine.id}`, { hours: 9 }], ['DELETE', `${PATH}/${mine.id}`]];
    for (const [method, path, body] of routes) {
      assertProblem(await api(method, path, body), 401);
      assertProblem(await api(method, path, body, { token: 'not-a-token' }), 401);
      assertProblem(await api(method, path, body, { token: steering }), 403);
    }
    const s = await api('POST', '/api/v1/session', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    const cookie = s.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    assert.equal((await api('GET', `${PATH}/${mine.id}`, undefined, { headers: { cookie } })).status, 200, 'reading with the cookie');
    for (const [method, path, body] of routes.filter(([m]) => m !== 'GET')) {
      assertProblem(await api(method, path, body, { headers: { cookie } }), 403);
      assertProblem(await api(method, path, body, { headers: { cookie, 'x-csrf-token': 'forged' } }), 403);
    }
    const still = await api('GET', `${PATH}/${mine.id}`, undefined, { token: organiser });
    assert.equal(still.body.hours, 2.5, 'the refused writes changed nothing');
    const withToken = await api('PATCH', `${PATH}/${mine.id}`, { hours: 4 }, { headers: { cookie, 'x-csrf-token': s.body.csrf_token } });
    assert.equal(withToken.status, 200, withToken.text);
    assert.equal((await api('DELETE', `${PATH}/${mine.id}`, undefined, { token: admin })).status, 204);
  });

  test('every bad field is listed at once; nothing is stored', async () => {
    const before = (await api('GET', PATH, undefined, { token: organiser })).body.items.length;
    const bad = await api('POST', PATH, {
      date: '2026-02-30', organisation: '   ', organisation_type: 'company', municipality: 'x'.repeat(101),
      project_idea: 'p'.repeat(301), hours: 0, note: 'n'.repeat(2001),
      persons: [{ name: '', email: 'not an address' }, { name: 'Bo', email: 'bo@example.org' }, { name: 'Bo again', email: ' BO@Example.ORG' }],
    }, { token: organiser });
    assertProblem(bad, 422, ['date', 'organisation', 'organisation_type', 'municipality', 'project_idea', 'hours', 'note',
      'persons[0].name', 'persons[0].email', 'persons[2].email']);
    assert.deepEqual(bad.body.errors.find((e) => e.field === 'persons[2].email'),
      { field: 'persons[2].email', message: 'is the same person as persons[1]' });
    assertProblem(await api('POST', PATH, {}, { token: organiser }), 422, ['date', 'organisation', 'project_idea', 'hours', 'persons']);
    assertProblem(await api('POST', PATH, sessionBody({ persons: [] }), { token: organiser }), 422, ['persons']);
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `P ${i}`, email: `p${i}@example.org` }));
    assertProblem(await api('POST', PATH, sessionBody({ persons: many }), { token: organiser }), 422, ['persons']);
    for (const hours of [-1, 1000.01, 1e300]) assertProblem(await api('POST', PATH, sessionBody({ hours }), { token: organiser }), 422, ['hours']);
    assertProblem(await api('POST', PATH, sessionBody({ persons: [{ name: 'Zero\u200bWidth', email: 'zw@example.org' }] }),
      { token: organiser }), 422, ['persons[0].name']);
    assertProblem(await api('POST', PATH, sessionBody({ persons: [{ name: 'Hidden', email: 'hid\u202eden@example.org' }] }),
      { token: organiser }), 422, ['persons[0].email']);
    assert.equal((await api('GET', PATH, undefined, { token: organiser })).body.items.length, before);
  });

  test('hostile input: wrong types, huge and broken bodies, unknown ids; never a 500', async () => {
    const typed = await api('POST', PATH, { date: 20260302, organisation: ['x'], organisation_type: 5, municipality: {},
      project_idea: true, hours: '2', persons: { name: 'x' }, note: 7 }, { token: organiser });
    assertProblem(typed, 422, ['date', 'organisation', 'organisation_type', 'municipality', 'project_idea', 'hours', 'persons', 'note']);
    // A wrong type is not also "required".
    assert.equal(typed.body.errors.filter((e) => e.field === 'hours').length, 1);
    const items = await api('POST', PATH, sessionBody({ persons: [3, null, 'x', { name: 5, email: ['a'] }, {}] }), { token: organiser });
    assertProblem(items, 422, ['persons[0]', 'persons[1]', 'persons[2]', 'persons[3].name', 'persons[3].email', 'persons[4].name', 'persons[4].email']);
    assertProblem(await api('PATCH', `${PATH}/1`, { date: '2026-13-01', hours: null, persons: 'x' }, { token: organiser }), 422, ['date', 'persons']);
    assertProblem(await api('POST', PATH, '{"date": "2026-03-02",', { token: organiser }), 400);
    assertProblem(await api('POST', PATH, '[1,2]', { token: organiser }), 400);
    assertProblem(await api('POST', PATH, 'date=2026-03-02', { token: organiser, headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    assertProblem(await api('POST', PATH, '{"hours": 1e999}', { token: organiser }), 400);
    const huge = await api('POST', PATH, sessionBody({ note: 'x'.repeat(2 * 1024 * 1024) }), { token: organiser });
    assertProblem(huge, 413);
    const long = await api('POST', PATH, sessionBody({ organisation: 'O'.repeat(200000), project_idea: 'P'.repeat(200000) }), { token: organiser });
    assertProblem(long, 422, ['organisation', 'project_idea']);
    for (const id of ['999999', '0', '-1', 'abc', '1.5', '99999999999999999999999']) {
      for (const [method, body] of [['GET'], ['PATCH', { hours: 1 }], ['DELETE']]) {
        const r = await api(method, `${PATH}/${id}`, body, { token: organiser });
        assertProblem(r, 404);
      }
    }
    const encoded = await rawRequest(server.url, { path: `${PATH}/%2e%2e`, headers: { authorization: `Bearer ${organiser}` } });
    assert.ok(encoded.status >= 400 && encoded.status < 500, `${encoded.status}`);
    assertProblem(await api('PUT', `${PATH}/1`, sessionBody(), { token: organiser }), 405);
  });
});

describe('counselling in the goal figures', { timeout: 60000 }, () => {
  let server, api, admin;
  const open = [];
  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
  });
  after(async () => {
    for (const c of open) c.destroy();
    if (server) { await server.stop(); server.cleanup(); }
  });
  const support = async (query = '') => {
    const r = await api('GET', `/api/v1/goals${query}`, undefined, { token: admin });
    assert.equal(r.status, 200, r.text);
    return r.body;
  };

  test('ideas by trimmed, case-folded text; a counselled attendee once; hours per idea', async () => {
    assert.deepEqual((await support()).support, { project_ideas: 0, persons: 0, average_hours_per_project: 0 });
    // Two attendees of a held seminar: Kim (also counselled, with the address typed differently) and Lo.
    const ev = await createEvent(api, admin, ongoingEventBody({ capacity: 10 }));
    for (const who of [{ name: 'Kim Exempel', email: 'Kim.Exempel@Example.org' }, { name: 'Lo Exempel', email: 'lo.exempel@example.org' }]) {
      const reg = await register(api, ev.id, who);
      const c = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.ticket_code }, { token: admin });
      assert.equal(c.status, 201, c.text);
    }
    const post = async (body) => {
      const r = await api('POST', PATH, sessionBody(body), { token: admin });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    // "Östra Ängar" typed two ways (2 + 3 hours), "Roma mentors" (1.5 hours), all in March 2025.
    await post({ date: '2025-03-03', project_idea: 'Östra Ängar', hours: 2,
      persons: [{ name: 'Kim Exempel', email: ' kim.exempel@EXAMPLE.ORG ' }, { name: 'Mo Exempel', email: 'mo.exempel@example.org' }] });
    await post({ date: '2025-03-10', project_idea: '  ÖSTRA ängar ', hours: 3, persons: [{ name: 'Mo Exempel', email: 'mo.exempel@example.org' }] });
    const roma = await post({ date: '2025-03-20', project_idea: 'Roma mentors', hours: 1.5,
      persons: [{ name: 'Nils Exempel', email: 'nils.exempel@example.org' }] });
    // Persons: Kim and Lo attended; Mo and Nils were counselled only: 4, not 5. Ideas: 2. Hours per idea: (5 + 1.5) / 2.
    let g = await support();
    assert.equal(g.participation.unique_persons, 2);
    assert.deepEqual(g.support, { project_ideas: 2, persons: 4, average_hours_per_project: 3.25 });
    // March 2025 alone: no event started in it, so Kim counts as counselled: Kim, Mo, Nils.
    assert.deepEqual((await support('?from=2025-03-01&to=2025-03-31')).support,
      { project_ideas: 2, persons: 3, average_hours_per_project: 3.25 });
    // Up to the 10th: only the idea typed two ways (2 + 3 hours) and Kim and Mo.
    assert.deepEqual((await support('?from=2025-03-01&to=2025-03-10')).support,
      { project_ideas: 1, persons: 2, average_hours_per_project: 5 });

    // Editing the idea into the first one's merges them; deleting takes the hours away.
    const merged = await api('PATCH', `${PATH}/${roma.id}`, { project_idea: 'östra ÄNGAR' }, { token: admin });
    assert.equal(merged.status, 200, merged.text);
    g = await support();
    assert.deepEqual(g.support, { project_ideas: 1, persons: 4, average_hours_per_project: 6.5 });
    assert.equal((await api('DELETE', `${PATH}/${roma.id}`, undefined, { token: admin })).status, 204);
    assert.deepEqual((await support()).support, { project_ideas: 1, persons: 3, average_hours_per_project: 5 });
  });

  test('the live goals topic follows every counselling write with the figures GET gives', async () => {
    const c = await connect(server.url);
    assert.equal(c.status, 101);
    open.push(c);
    c.send({ type: 'auth', token: admin });
    await c.next((m) => m.type === 'auth');
    c.send({ type: 'subscribe', topics: ['goals'] });
    let last = await c.next((m) => m.topic === 'goals' && m.type === 'snapshot');
    assert.deepEqual(last.data, await support());
    const follows = async (what, want) => {
      const now = await support();
      assert.deepEqual(now.support, want, what);
      const up = await c.next((m) => m.topic === 'goals' && m.type === 'update' && m.seq > last.seq &&
        JSON.stringify(m.data) === JSON.stringify(now), 5000).catch((e) => { throw new Error(`${what}: ${e.message}`); });
      last = up;
    };
    const before = last.data.support;
    const made = await api('POST', PATH, sessionBody({ project_idea: 'Live idea', hours: 4,
      persons: [{ name: 'Pia Exempel', email: 'pia.exempel@example.org' }] }), { token: admin });
    assert.equal(made.status, 201, made.text);
    const ideas = before.project_ideas + 1;
    const total = before.average_hours_per_project * before.project_ideas;
    await follows('a new session', { project_ideas: ideas, persons: before.persons + 1, average_hours_per_project: (total + 4) / ideas });
    const edited = await api('PATCH', `${PATH}/${made.body.id}`, { hours: 8 }, { token: admin });
    assert.equal(edited.status, 200, edited.text);
    await follows('a change of hours', { project_ideas: ideas, persons: before.persons + 1, average_hours_per_project: (total + 8) / ideas });
    assert.equal((await api('DELETE', `${PATH}/${made.body.id}`, undefined, { token: admin })).status, 204);
    await follows('a deletion', before);
  });
});

test('the counselling log downloads as CSV and .xlsx for a period: Swedish letters kept, no formula anywhere', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const organiser = (await makeUser(server.url, admin, 'organiser')).token;
    const steering = (await makeUser(server.url, admin, 'steering')).token;
    const made = [];
    for (const body of [
      sessionBody({ date: '2026-02-10', organisation: 'Ålands Bro; =1+1', project_idea: 'Öresund =HYPERLINK("x")', hours: 1.5,
        persons: [{ name: 'Örjan Exempel', email: 'orjan@example.org' }, { name: 'Åsa Prov', email: 'asa.prov@example.org' }] }),
      sessionBody({ date: '2026-04-01', note: null }),
    ]) {
      const r = await api('POST', PATH, body, { token: organiser });
      assert.equal(r.status, 201, r.text);
      made.push(r.body);
    }
    const get = async (path, token) => {
      const res = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, disposition: res.headers.get('content-disposition'), body: Buffer.from(await res.arrayBuffer()) };
    };
    const csv = await get('/api/v1/reports/support-sessions.csv?from=2026-01-01&to=2026-03-31', organiser);
    assert.equal(csv.status, 200);
    assert.match(csv.disposition, /filename="support-sessions.csv"/);
    assert.deepEqual([...csv.body.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark');
    const rows = parseCsv(csv.body.subarray(3).toString('utf8'));
    assert.deepEqual(rows[0], ['id', 'date', 'organisation', 'organisation_type', 'municipality', 'project_idea', 'hours',
      'persons_count', 'persons', 'note']);
    assert.equal(rows.length, 2, 'only the session dated in the period');
    const [row] = rows.slice(1);
    assert.equal(row[0], String(made[0].id));
    assert.equal(row[2], "Ålands Bro;' =1+1", 'defused after the separator');
    assert.equal(row[5], 'Öresund =HYPERLINK("x")', 'a = inside a cell starts no formula: left as it is');
    assert.equal(row[7], '2');
    assert.equal(row[8], 'Örjan Exempel <orjan@example.org>; Åsa Prov <asa.prov@example.org>');
    for (const field of row) for (const piece of field.split(/[,;]/)) assert.doesNotMatch(piece, /^\s*[=+\-@\t\r]/, `${field}`);

    const book = await get('/api/v1/reports/support-sessions.xlsx', organiser);
    assert.equal(book.status, 200);
    const [sheet] = readXlsx(book.body);
    assert.equal(sheet.name, 'counselling');
    assert.equal(sheet.formulas, 0);
    const recs = records(sheet);
    assert.deepEqual(recs.map((r) => r.id), made.map((m) => m.id), 'every session, numbers as numbers');
    assert.equal(recs[0].organisation, 'Ålands Bro; =1+1', 'text stays text in a workbook');
    assert.equal(recs[0].hours, 1.5);

    assert.equal((await get('/api/v1/reports/support-sessions.csv', steering)).status, 403, 'it names people: organisers only');
    assertProblem(await api('GET', '/api/v1/reports/support-sessions.xlsx?from=2026-02-30', undefined, { token: organiser }), 400, ['from']);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

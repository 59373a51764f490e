// The steering group's report (issue 8): participation per activity kind, the whole report as one workbook whose
// cells equal the /goals figures, the participants as .xlsx, CSV that no spreadsheet runs as a formula, hostile
// periods and the role checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { parseCsv } from '../support/csv.mjs';
import { makeUser, ongoingEventBody, assertProblem, rfc3339, walkIn as walkInAs } from '../support/fixtures.mjs';
import { readXlsx, records } from '../support/xlsx.mjs';

const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date());
// An hour ago, or Stockholm's midnight when that was later: the scenario's events are under way and started today
// in Stockholm, also in the first hour after midnight (the "today only" report counts them).
const startedToday = () => {
  const day = today();
  let at = Math.floor(Date.now() / 60000) * 60000 - 3600e3;
  const stockholmDay = (ms) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(ms));
  while (stockholmDay(at) !== day && at < Date.now()) at += 60000;
  return rfc3339(Math.min(at, Math.floor(Date.now() / 1000) * 1000));
};
const tomorrow = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(Date.now() + 86400e3));

async function bytes(url, token) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'),
    body: Buffer.from(await res.arrayBuffer()) };
}

/**
 * Events that started an hour ago (or at Stockholm's midnight, if later), attended by walk-ins:
 *   seminar S: Åsa (woman, public, Solna), Börje (man, user organisation, Stockholm), Cilla (non-binary, private, Finland)
 *   network event N1 (euroma): Åsa again (same e-mail);  network event N2 (baltic_sea): nobody
 *   network meeting M (roma): Börje;  partner-search forum F: Dörte (woman, non-profit, Nacka, organisation "a;=1+1")
 *   seminar X: Edvin (man), then X is cancelled (his attendance counts nowhere)
 */
async function scenario(api, admin) {
  const event = async (body) => {
    const r = await api('POST', '/api/v1/events', ongoingEventBody({ topic: null, starts_at: startedToday(), ...body }), { token: admin });
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  const walkIn = (ev, body) => walkInAs(api, admin, ev.id, body);
  const asa = { name: 'Åsa Ärlig-Öberg', email: 'asa@example.org', gender: 'woman', organisation_type: 'public', organisation: 'Solna stad', municipality: 'Solna' };
  const borje = { name: 'Börje ÅÄÖ', email: 'borje@example.org', gender: 'man', organisation_type: 'user_organisation', organisation: 'Romska rådet', municipality: 'Stockholm' };
  const s = await event({ kind: 'seminar', title: 'Seminarium om budget', topic: 'budgeting' });
  await walkIn(s, asa);
  await walkIn(s, borje);
  await walkIn(s, { name: 'Cilla Virtanen', email: 'cilla@example.org', gender: 'non_binary', organisation_type: 'private', organisation: 'Oy Ab', municipality: null, country: 'FI' });
  const n1 = await event({ kind: 'network_event', title: 'EURoma plenary', network: 'euroma' });
  await walkIn(n1, asa);
  const n2 = await event({ kind: 'network_event', title: 'BSN forum, Riga', network: 'baltic_sea' });
  const m = await event({ kind: 'network_meeting', title: 'Romska nätverket', focus_area: 'roma' });
  await walkIn(m, borje);
  const f = await event({ kind: 'partner_search_forum', title: '=HYPERLINK("http://x") forum' });
  await walkIn(f, { name: 'Dörte Ödmark', email: 'dorte@example.org', gender: 'woman', organisation_type: 'non_profit', organisation: 'a;=1+1', municipality: 'Nacka' });
  const x = await event({ kind: 'seminar', title: 'Inställt seminarium', topic: 'culture' });
  await walkIn(x, { name: 'Edvin Lund', email: 'edvin@example.org', gender: 'man' });
  assert.equal((await api('POST', `/api/v1/events/${x.id}/cancel`, {}, { token: admin })).status, 200);
  return { s, n1, n2, m, f, x };
}

test('participation per activity kind, the report workbook and the downloads, as hand-computed', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const steering = (await makeUser(server.url, admin, 'steering')).token;
    const organiser = (await makeUser(server.url, admin, 'organiser')).token;
    const ev = await scenario(api, admin);

    // ---- participation per kind
    const part = await api('GET', '/api/v1/reports/participation', undefined, { token: steering });
    assert.equal(part.status, 200, part.text);
    assert.deepEqual(part.body.period, { from: null, to: null });
    const zeroGender = { woman: 0, man: 0, non_binary: 0, undisclosed: 0 };
    const zeroOrg = { public: 0, private: 0, non_profit: 0, user_organisation: 0 };
    const kind = (events_held, attendances, unique_persons, g, o, home_region, other) => ({ events_held, attendances, unique_persons,
      by_gender: { ...zeroGender, ...g }, by_organisation_type: { ...zeroOrg, ...o }, home_region, other });
    const want = {
      seminar: kind(1, 3, 3, { woman: 1, man: 1, non_binary: 1 }, { public: 1, user_organisation: 1, private: 1 }, 2, 1),
      network_event: kind(2, 1, 1, { woman: 1 }, { public: 1 }, 1, 0),
      network_meeting: kind(1, 1, 1, { man: 1 }, { user_organisation: 1 }, 1, 0),
      partner_search_forum: kind(1, 1, 1, { woman: 1 }, { non_profit: 1 }, 1, 0),
      study_visit: kind(0, 0, 0, {}, {}, 0, 0),
    };
    assert.deepEqual(part.body.kinds, want);
    const todayOnly = await api('GET', `/api/v1/reports/participation?from=${today()}&to=${today()}`, undefined, { token: steering });
    assert.deepEqual(todayOnly.body.kinds, want, 'every event starts today');
    assert.deepEqual(todayOnly.body.period, { from: today(), to: today() });
    const later = await api('GET', `/api/v1/reports/participation?from=${tomorrow()}`, undefined, { token: steering });
    assert.deepEqual(later.body.kinds.seminar, kind(0, 0, 0, {}, {}, 0, 0), 'nothing starts from tomorrow on');

    // ---- the report workbook equals /goals
    const goals = (await api('GET', '/api/v1/goals', undefined, { token: steering })).body;
    assert.equal(goals.participation.unique_persons, 4, 'Åsa, Börje, Cilla, Dörte (Edvin only at the cancelled seminar)');
    const book = await bytes(`${server.url}/api/v1/reports/report.xlsx`, steering);
    assert.equal(book.status, 200);
    assert.equal(book.type, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(book.disposition, /attachment; filename="report.xlsx"/);
    const sheets = readXlsx(book.body);
    assert.deepEqual(sheets.map((x) => x.name), ['period', 'goals', 'participation', 'seminar_topics', 'support', 'evaluations',
      'unrepresented_events', 'meetings', 'forums']);
    for (const sh of sheets) assert.equal(sh.formulas, 0, `no formula in ${sh.name}`);
    const sheet = (name) => records(sheets.find((x) => x.name === name));
    const goalRow = (goal, scope) => sheet('goals').find((r) => r.goal === goal && r.scope === scope);
    for (const key of ['representation', 'user_organisations']) {
      const f = goals[key];
      assert.deepEqual(goalRow(key, 'all'), { goal: key, scope: 'all', target: f.goal, value: f.share,
        gap: Math.max(0, Math.round((f.goal - f.share) * 1e9) / 1e9), met: f.met ? 'yes' : 'no',
        represented_events: f.represented_events, held_events: f.held_events, scheduled: null });
      for (const [net, x] of Object.entries(f.by_network)) {
        assert.equal(goalRow(key, net).value, x.share);
        assert.equal(goalRow(key, net).held_events, x.held_events);
      }
    }
    assert.equal(goals.representation.share, 0.5, 'N1 represented, N2 not');
    assert.equal(goalRow('representation', 'all').gap, 0.3);
    for (const [area, x] of Object.entries(goals.network_meetings.by_focus_area)) {
      assert.deepEqual([goalRow('network_meetings', area).value, goalRow('network_meetings', area).scheduled], [x.held, x.scheduled]);
    }
    assert.equal(goalRow('network_meetings', 'roma').gap, 1);
    assert.equal(goalRow('network_meetings', 'all').value, goals.network_meetings.held);
    const forums = sheet('goals').find((r) => r.goal === 'partner_search_forums');
    assert.deepEqual([forums.target, forums.value, forums.met], [goals.partner_search_forums.goal, goals.partner_search_forums.held,
      goals.partner_search_forums.met ? 'yes' : 'no']);

    const partRows = Object.fromEntries(sheet('participation').map((r) => [r.kind, r]));
    for (const [k, x] of Object.entries(want)) {
      assert.equal(partRows[k].unique_persons, x.unique_persons, k);
      assert.equal(partRows[k].events_held, x.events_held, k);
      assert.equal(partRows[k].attendances, x.attendances, k);
      for (const [g, n] of Object.entries(x.by_gender)) assert.equal(partRows[k][`gender_${g}`], n, `${k} ${g}`);
      for (const [o, n] of Object.entries(x.by_organisation_type)) assert.equal(partRows[k][`organisation_type_${o}`], n, `${k} ${o}`);
      assert.deepEqual([partRows[k].home_region, partRows[k].other], [x.home_region, x.other], k);
    }
    assert.equal(partRows.all.unique_persons, goals.participation.unique_persons);
    for (const [g, n] of Object.entries(goals.participation.by_gender)) assert.equal(partRows.all[`gender_${g}`], n);
    assert.deepEqual([partRows.all.home_region, partRows.all.other], [goals.participation.home_region, goals.participation.other]);

    const support = Object.fromEntries(sheet('support').map((r) => [r.figure, r.value]));
    for (const [k, v] of Object.entries(goals.support)) if (typeof v === 'number') assert.equal(support[k], v, k);
    const evaluations = sheet('evaluations');
    if (goals.evaluations) {
      for (const [k, v] of Object.entries(goals.evaluations)) assert.equal(evaluations.find((r) => r.figure === k).value, v, k);
    } else {
      assert.deepEqual(evaluations, [{ figure: 'no data', value: null }]);
    }
    assert.deepEqual(sheet('unrepresented_events').map((r) => [r.event_id, r.title, r.network]), [[ev.n2.id, 'BSN forum, Riga', 'baltic_sea']]);
    assert.deepEqual(sheet('meetings').find((r) => r.focus_area === 'roma'), { focus_area: 'roma', held: 1, scheduled: 0, goal: 2 });
    assert.deepEqual(sheet('forums').map((r) => [r.event_id, r.title, r.state]), [[ev.f.id, '=HYPERLINK("http://x") forum', 'held']],
      'a title that looks like a formula stays text');
    assert.deepEqual(sheet('period'), [{ from: null, to: null, generated_at: sheet('period')[0].generated_at }]);

    // The period reaches the workbook too.
    const emptyBook = readXlsx((await bytes(`${server.url}/api/v1/reports/report.xlsx?from=${tomorrow()}`, steering)).body);
    assert.deepEqual(records(emptyBook.find((x) => x.name === 'period'))[0].from, tomorrow());
    assert.equal(records(emptyBook.find((x) => x.name === 'goals')).find((r) => r.goal === 'representation').held_events, 0);
    assert.deepEqual(records(emptyBook.find((x) => x.name === 'forums')), []);

    // ---- participants: CSV (RFC 4180, BOM, Swedish letters, no formula after any separator) and xlsx
    const csvBytes = await bytes(`${server.url}/api/v1/reports/participants.csv`, organiser);
    assert.deepEqual([...csvBytes.body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const csv = parseCsv(csvBytes.body.subarray(3).toString('utf8'));
    const header = csv[0];
    const people = csv.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
    assert.ok(csv.slice(1).every((r) => r.length === header.length));
    assert.ok(people.some((p) => p.name === 'Åsa Ärlig-Öberg'), 'åäöÅÄÖ come back as they went in');
    assert.ok(people.some((p) => p.name === 'Börje ÅÄÖ'));
    const dorte = people.find((p) => p.name === 'Dörte Ödmark');
    assert.equal(dorte.organisation, "a;'=1+1", 'defused after the ; too');
    assert.equal(dorte.event_title, `'=HYPERLINK("http://x") forum`);
    for (const p of people) {
      for (const v of Object.values(p)) {
        for (const piece of v.split(/[,;]/)) assert.doesNotMatch(piece, /^ *[=+\-@\t\r]/, `a formula in ${JSON.stringify(v)}`);
      }
    }
    const px = await bytes(`${server.url}/api/v1/reports/participants.xlsx`, organiser);
    assert.equal(px.status, 200);
    const pSheets = readXlsx(px.body);
    assert.deepEqual(pSheets.map((x) => x.name), ['participants']);
    assert.equal(pSheets[0].formulas, 0);
    const xrows = records(pSheets[0]);
    assert.deepEqual(pSheets[0].rows[0], header, 'the same columns as the CSV');
    assert.equal(xrows.length, people.length);
    const xdorte = xrows.find((r) => r.name === 'Dörte Ödmark');
    assert.equal(xdorte.organisation, 'a;=1+1', 'in the workbook text stays as it is: a text cell is never a formula');
    assert.equal(typeof xdorte.registration_id, 'number');
    assert.equal(xdorte.registration_id, Number(dorte.registration_id));
    assert.equal(xdorte.event_id, ev.f.id);
    assert.ok(xrows.some((r) => r.name === 'Åsa Ärlig-Öberg'));
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('the report routes refuse hostile periods with 400 problems and check the role', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const steering = (await makeUser(server.url, admin, 'steering')).token;
    for (const path of ['/api/v1/reports/participation', '/api/v1/reports/report.xlsx']) {
      for (const [query, field] of [['?from=2026-13-01', 'from'], ['?to=yesterday', 'to'], ['?from=2026-02-30', 'from'],
        ['?from=2026-05-14&to=2026-05-13', 'to'], ['?from=%00%00', 'from'], ['?to=2026-05-14%0D%0Ax', 'to'],
        [`?from=${'9'.repeat(5000)}`, 'from'], ['?from==1%2B1', 'from'], ['?from=2026-01-01T00:00:00Z', 'from']]) {
        assertProblem(await api('GET', `${path}${query}`, undefined, { token: steering }), 400, [field]);
      }
      assert.equal((await api('GET', path)).status, 401);
    }
    assert.equal((await api('GET', '/api/v1/reports/participants.xlsx')).status, 401);
    assertProblem(await api('GET', '/api/v1/reports/participants.xlsx', undefined, { token: steering }), 403);
    assertProblem(await api('GET', '/api/v1/reports/participants.csv', undefined, { token: steering }), 403);
    assert.equal((await api('GET', '/api/v1/reports/report.xlsx', undefined, { token: steering })).status, 200);
    assert.equal((await api('GET', '/api/v1/reports/participation', undefined, { token: steering })).status, 200);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

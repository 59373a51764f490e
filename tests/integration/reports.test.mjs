// CSV exports: an event's attendance and every participant, as a spreadsheet user would open them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { makeUser, ongoingEventBody, registrationBody, hoursFromNow, assertProblem } from '../support/fixtures.mjs';

// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF rows.
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  return rows;
}

test('attendance.csv and participants.csv list registrations safely for spreadsheets', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const steering = (await makeUser(server.url, admin, 'steering')).token;
    const ev = (await api('POST', '/api/v1/events', { kind: 'seminar', title: 'Budget, "TN" och mer', starts_at: '2030-03-01T09:00:00+01:00', ends_at: '2030-03-01T12:00:00+01:00' }, { token: admin })).body;
    const person = (name, email, organisation) => ({ name, email, organisation, organisation_type: 'public', municipality: 'Solna', consent: true });
    const a = (await api('POST', `/api/v1/events/${ev.id}/registrations`, person('Åsa "Acke" Berg', 'asa@example.org', 'Kommun, Väst'))).body;
    const b = (await api('POST', `/api/v1/events/${ev.id}/registrations`, person('Bo Lind', 'bo@example.org', '=HYPERLINK("http://x")'))).body;
    assert.equal((await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: a.ticket_code }, { token: admin })).status, 201);
    const r = await api('GET', `/api/v1/events/${ev.id}/attendance.csv`, undefined, { token: admin });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), /attachment/);
    // fetch's text() drops a byte-order mark, so look at the bytes.
    const raw = new Uint8Array(await (await fetch(`${server.url}/api/v1/events/${ev.id}/attendance.csv`, { headers: { authorization: `Bearer ${admin}` } })).arrayBuffer());
    assert.deepEqual([...raw.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a byte-order mark');
    const rows = parseCsv(r.text);
    assert.deepEqual(rows[0].slice(0, 4), ['registration_id', 'ticket_code', 'status', 'name']);
    const header = rows[0];
    const byId = Object.fromEntries(rows.slice(1).map((x) => [x[0], Object.fromEntries(header.map((h, i) => [h, x[i]]))]));
    assert.equal(byId[a.id].name, 'Åsa "Acke" Berg');
    assert.equal(byId[a.id].organisation, 'Kommun, Väst');
    assert.equal(byId[a.id].attended, 'yes');
    assert.equal(byId[b.id].attended, 'no');
    assert.equal(byId[b.id].organisation, `'=HYPERLINK("http://x")`, 'a formula is defused');
    const all = await api('GET', '/api/v1/reports/participants.csv', undefined, { token: admin });
    assert.equal(all.status, 200);
    const allRows = parseCsv(all.text);
    assert.equal(allRows[0][0], 'event_id');
    assert.equal(allRows.length, 3);
    assert.equal(allRows[1][1], 'Budget, "TN" och mer');
    // Erased people leave their anonymous row but no name.
    assert.equal((await api('POST', `/api/v1/my/registrations/${b.manage_token}/erase`)).status, 200);
    const after = parseCsv((await api('GET', `/api/v1/events/${ev.id}/attendance.csv`, undefined, { token: admin })).text);
    const erased = after.find((x) => x[0] === String(b.id));
    assert.equal(erased[header.indexOf('name')], '');
    assert.equal(erased[header.indexOf('email')], '');
    assert.equal((await api('GET', `/api/v1/events/${ev.id}/attendance.csv`, undefined, { token: steering })).status, 403);
    assert.equal((await api('GET', '/api/v1/reports/participants.csv')).status, 401);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('the goals name the held network events still without a home-region attendee', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const steering = (await makeUser(server.url, admin, 'steering')).token;
    const create = async (body) => {
      const r = await api('POST', '/api/v1/events', ongoingEventBody({ kind: 'network_event', topic: null, ...body }), { token: admin });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    const riga = await create({ title: 'BSN annual forum, Riga', network: 'baltic_sea' });
    const brussels = await create({ title: 'EURoma plenary, Brussels', network: 'euroma', starts_at: hoursFromNow(-2) });
    await create({ title: 'EURoma next year', network: 'euroma', starts_at: hoursFromNow(24 * 30), ends_at: hoursFromNow(24 * 31) });
    const goals = async () => {
      const r = await api('GET', '/api/v1/goals', undefined, { token: steering });
      assert.equal(r.status, 200, r.text);
      return r.body.representation;
    };
    let rep = await goals();
    assert.equal(rep.held_events, 2);
    assert.deepEqual(rep.unrepresented_events, [
      { id: brussels.id, title: 'EURoma plenary, Brussels', starts_at: brussels.starts_at, network: 'euroma' },
      { id: riga.id, title: 'BSN annual forum, Riga', starts_at: riga.starts_at, network: 'baltic_sea' },
    ], 'earliest first, the future one left out');

    // Someone from abroad does not represent the region; someone from Solna does.
    const abroad = await api('POST', `/api/v1/events/${riga.id}/walk-ins`, registrationBody({ municipality: null, country: 'LV' }), { token: admin });
    assert.equal(abroad.status, 201, abroad.text);
    assert.equal((await goals()).unrepresented_events.length, 2);
    const solna = await api('POST', `/api/v1/events/${riga.id}/walk-ins`, registrationBody({ municipality: 'Solna' }), { token: admin });
    assert.equal(solna.status, 201, solna.text);
    rep = await goals();
    assert.deepEqual(rep.unrepresented_events.map((e) => e.id), [brussels.id]);
    assert.equal(rep.unrepresented_events.length, rep.held_events - rep.represented_events);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('the goals over a period (?from=&to=, Stockholm days, inclusive) count only the events that start in it', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const steering = (await makeUser(server.url, admin, 'steering')).token;
    const day = (hours) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(Date.now() + hours * 3600e3));
    const create = async (body) => {
      const r = await api('POST', '/api/v1/events', ongoingEventBody({ kind: 'network_event', topic: null, network: 'euroma',
        registration_closes_at: null, ...body }), { token: admin });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    const old = await create({ title: 'Forty days ago', starts_at: hoursFromNow(-24 * 40), ends_at: hoursFromNow(-24 * 40 + 2) });
    const recent = await create({ title: 'Ten days ago', starts_at: hoursFromNow(-24 * 10), ends_at: hoursFromNow(-24 * 10 + 2) });
    await create({ title: 'A meeting five days ago', kind: 'network_meeting', network: null, focus_area: 'roma', starts_at: hoursFromNow(-24 * 5), ends_at: hoursFromNow(-24 * 5 + 2) });
    const goals = async (query) => {
      const r = await api('GET', `/api/v1/goals${query}`, undefined, { token: steering });
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    const all = await goals('');
    assert.equal(all.representation.held_events, 2);
    assert.equal(all.network_meetings.by_focus_area.roma.held, 1);
    assert.deepEqual(all.period, { from: null, to: null });

    const lately = await goals(`?from=${day(-24 * 15)}&to=${day(0)}`);
    assert.deepEqual(lately.period, { from: day(-24 * 15), to: day(0) });
    assert.equal(lately.representation.held_events, 1);
    assert.deepEqual(lately.representation.unrepresented_events.map((e) => e.id), [recent.id]);
    assert.equal(lately.network_meetings.by_focus_area.roma.held, 1);

    // Both ends inclusive: a period of the one day the old event starts on holds it, and nothing else.
    const thatDay = await goals(`?from=${day(-24 * 40)}&to=${day(-24 * 40)}`);
    assert.deepEqual(thatDay.representation.unrepresented_events.map((e) => e.id), [old.id]);
    assert.equal(thatDay.network_meetings.by_focus_area.roma.held, 0);
    // Open at one end.
    assert.equal((await goals(`?to=${day(-24 * 20)}`)).representation.held_events, 1);
    assert.equal((await goals(`?from=${day(-24 * 20)}`)).representation.held_events, 1);

    for (const [query, field] of [['?from=2026-13-01', 'from'], ['?to=yesterday', 'to'], ['?from=2026-1-01', 'from'],
      ['?from=2026-02-30', 'from'], [`?from=${day(0)}&to=${day(-48)}`, 'to'], ['?from=2026-01-01T00:00:00Z', 'from']]) {
      assertProblem(await api('GET', `/api/v1/goals${query}`, undefined, { token: steering }), 400, [field]);
    }
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('the goals follow each check-in at once, with no period and with a period that holds every event', async () => {
  // Both are answered from the live tally when it is current; a check-in the client saw acknowledged must show.
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const steering = (await makeUser(server.url, admin, 'steering')).token;
    const ev = (await api('POST', '/api/v1/events', ongoingEventBody({ kind: 'seminar' }), { token: admin })).body;
    const a = (await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody())).body;
    const b = (await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody())).body;
    const year = new Date().getUTCFullYear();
    const persons = async () => {
      const all = await api('GET', '/api/v1/goals', undefined, { token: steering });
      const wide = await api('GET', `/api/v1/goals?from=${year - 1}-01-01&to=${year + 1}-12-31`, undefined, { token: steering });
      assert.equal(all.status, 200, all.text);
      assert.deepEqual({ ...wide.body, period: null }, { ...all.body, period: null }, 'a period holding every event changes nothing');
      return all.body.participation.unique_persons;
    };
    assert.equal(await persons(), 0);
    const checkIn = async (r) => assert.equal((await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: r.ticket_code }, { token: admin })).status, 201);
    await checkIn(a);
    assert.equal(await persons(), 1);
    await checkIn(b);
    assert.equal(await persons(), 2);
    assert.equal((await api('DELETE', `/api/v1/events/${ev.id}/checkins/${a.id}`, undefined, { token: admin })).status, 200);
    assert.equal(await persons(), 1);
    assert.equal((await api('POST', `/api/v1/events/${ev.id}/cancel`, {}, { token: admin })).status, 200);
    assert.equal(await persons(), 0, 'a cancelled event counts for nothing');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

// Partner search (issue 10; API.md "Partner search") through the real server: profiles and their validation, who may
// see a forum's profiles, the public partner database, ranked matches, meeting requests (only the addressee answers;
// an accepted one gets a slot and a table at once; concurrent acceptances never double-book; a full forum answers
// 409), the agenda and its .ics, the private live topic, the messages by mail, organisers' slots and moves, and
// erasure taking the profile and the messages with it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn, dbQuery, dbDump } from '../support/server.mjs';
import { connect } from '../support/ws.mjs';
import { until } from '../support/smtp.mjs';
import { assertProblem, makeUser, createEvent, register } from '../support/fixtures.mjs';


const forumBody = (overrides = {}) => ({
  kind: 'partner_search_forum',
  topic: undefined,
  title: 'Partner-search forum Baltic Sea',
  starts_at: '2030-05-20T09:00:00+02:00',
  ends_at: '2030-05-20T16:00:00+02:00',
  capacity: 300,
  ...overrides,
});

const profileBody = (overrides = {}) => ({
  summary: 'A municipality looking for partners in youth employment.',
  country: 'SE',
  focus_areas: ['employment_mobility'],
  offers: ['target_groups'],
  seeks: ['lead_partner'],
  languages: ['en', 'sv'],
  partner_countries: [],
  ...overrides,
});

describe('partner search', { timeout: 180000 }, () => {
  let server, api, admin, organiser, forum, seminar;
  const my = (r, rest = '') => `/api/v1/my/registrations/${r.manage_token}${rest}`;
  const putProfile = async (r, overrides = {}) => {
    const res = await api('PUT', my(r, '/profile'), profileBody(overrides));
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const ask = (from, profileId, message) => api('POST', my(from, '/meeting-requests'), { profile_id: profileId, message });
  const act = (r, id, what) => api('POST', my(r, `/meeting-requests/${id}/${what}`));
  const setSlots = (ev, slots, tables) => api('PUT', `/api/v1/events/${ev.id}/meeting-slots`, { slots, tables }, { token: organiser });
  const slot = (h, m = 0, minutes = 20) => {
    const start = new Date(Date.UTC(2030, 4, 20, h - 2, m));
    return { starts_at: start.toISOString().replace('.000Z', 'Z'), ends_at: new Date(start.getTime() + minutes * 60000).toISOString().replace('.000Z', 'Z') };
  };

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    organiser = (await makeUser(server.url, admin, 'organiser')).token;
    forum = await createEvent(api, organiser, forumBody());
    seminar = await createEvent(api, organiser);
  });

  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('a profile by the private link: saved, read back, validated field by field, refused outside a forum', async () => {
    const r = await register(api, forum.id, { organisation: 'Botkyrka kommun' });
    const saved = await putProfile(r, { languages: ['EN', 'sv', 'en'], country: 'se', public: true });
    assert.equal(saved.organisation, 'Botkyrka kommun', 'the registration\'s organisation unless the profile names another');
    assert.equal(saved.country, 'SE');
    assert.deepEqual(saved.languages, ['en', 'sv']);
    assert.equal(saved.public, true);
    const back = await api('GET', my(r, '/profile'));
    assert.equal(back.status, 200);
    assert.equal(back.body.id, saved.id);
    assert.equal(back.body.summary, profileBody().summary);

    const bad = await api('PUT', my(r, '/profile'), profileBody({
      focus_areas: ['astrology'], country: 'XX', languages: [], offers: ['money'], summary: '',
    }));
    assertProblem(bad, 422, ['focus_areas', 'country', 'languages', 'offers', 'summary']);
    assert.equal((await api('GET', my(r, '/profile'))).body.summary, profileBody().summary, 'nothing changed');
    assertProblem(await api('PUT', '/api/v1/my/registrations/not-a-real-token-at-all-000000000000/profile', profileBody()), 404);

    const s = await register(api, seminar.id);
    const wrongKind = await api('PUT', my(s, '/profile'), profileBody());
    assertProblem(wrongKind, 409);
    assert.equal(wrongKind.body.reason, 'not_a_forum');
    assertProblem(await api('GET', my(s, '/profile')), 404);
  });

  test('the forum\'s profiles: for its participants and organisers only, filtered, never with an e-mail address', async () => {
    const a = await register(api, forum.id, { email: 'anna.filter@example.org', organisation: 'Stadt Köln' });
    await putProfile(a, { country: 'DE', summary: 'Housing first for Roma families', focus_areas: ['roma'] });
    const b = await register(api, forum.id, { email: 'bo.filter@example.org', organisation: 'Tallinn City' });
    await putProfile(b, { country: 'EE', focus_areas: ['social_innovation_entrepreneurship'] });
    const list = (query = '', opts = { headers: { 'x-manage-token': b.manage_token } }) =>
      api('GET', `/api/v1/events/${forum.id}/profiles${query}`, undefined, opts);

    const all = await list();
    assert.equal(all.status, 200, all.text);
    const orgs = all.body.items.map((p) => p.organisation);
    assert.ok(orgs.includes('Stadt Köln') && orgs.includes('Tallinn City'));
    assert.ok(!all.text.includes('@example.org'), 'no address in the list');
    assert.ok(all.body.items.every((p) => !('email' in p)));
    assert.deepEqual((await list('?q=k%C3%B6ln')).body.items.map((p) => p.organisation), ['Stadt Köln']);
    assert.deepEqual((await list('?q=ROMA')).body.items.map((p) => p.organisation), ['Stadt Köln']);
    assert.deepEqual((await list('?country=ee')).body.items.map((p) => p.organisation), ['Tallinn City']);
    assert.ok((await list('?focus_area=roma')).body.items.every((p) => p.focus_areas.includes('roma')));
    assertProblem(await list('?focus_area=astrology'), 400, ['focus_area']);
    assertProblem(await list('?country=Germany'), 400, ['country']);

    // A participant of another event, a made-up link, nobody at all; organisers see the same list.
    const other = await register(api, seminar.id);
    assertProblem(await list('', { headers: { 'x-manage-token': other.manage_token } }), 403);
    assertProblem(await list('', { headers: { 'x-manage-token': 'x'.repeat(43) } }), 403);
    assertProblem(await list('', {}), 401);
    const byOrganiser = await list('', { token: organiser });
    assert.equal(byOrganiser.status, 200);
    assert.equal(byOrganiser.body.items.length, all.body.items.length);
  });

  test('the public partner database lists only profiles their owners chose to publish, without names', async () => {
    const shown = await register(api, forum.id, { name: 'Pia Publik', organisation: 'Riga Social Services' });
    await putProfile(shown, { public: true, country: 'LV', summary: 'Social services looking for pilot sites' });
    const hidden = await register(api, forum.id, { organisation: 'Hidden Org Oy' });
    await putProfile(hidden, { public: false, country: 'FI' });
    const res = await api('GET', '/api/v1/partners');
    assert.equal(res.status, 200);
    const orgs = res.body.items.map((p) => p.organisation);
    assert.ok(orgs.includes('Riga Social Services'));
    assert.ok(!orgs.includes('Hidden Org Oy'));
    assert.ok(!res.text.includes('Pia Publik') && !res.text.includes('@'), 'neither name nor address');
    assert.deepEqual((await api('GET', '/api/v1/partners?country=LV&q=pilot')).body.items.map((p) => p.organisation), ['Riga Social Services']);
    assert.equal((await api('GET', '/api/v1/partners?country=FI')).body.items.length, 0);
  });

  test('matches are ranked best first with their reasons; no profile, no matches', async () => {
    const ev = await createEvent(api, organiser, forumBody({ title: 'Matching forum' }));
    const me = await register(api, ev.id);
    assertProblem(await api('GET', my(me, '/matches')), 409);
    await putProfile(me, { focus_areas: ['roma', 'employment_mobility'], offers: ['target_groups'], seeks: ['lead_partner'],
      languages: ['sv', 'en'], partner_countries: ['DE'] });
    const best = await register(api, ev.id, { organisation: 'Best match GmbH' });
    await putProfile(best, { country: 'DE', focus_areas: ['roma'], offers: ['lead_partner'], seeks: ['target_groups'], languages: ['de', 'en'] });
    const good = await register(api, ev.id, { organisation: 'Two focus areas' });
    await putProfile(good, { country: 'PL', focus_areas: ['roma', 'employment_mobility'], offers: [], seeks: [], languages: ['en'] });
    const mute = await register(api, ev.id, { organisation: 'No common language' });
    await putProfile(mute, { country: 'DE', focus_areas: ['roma'], offers: ['lead_partner'], seeks: [], languages: ['de'] });
    const none = await register(api, ev.id, { organisation: 'Nothing shared' });
    await putProfile(none, { country: 'DK', focus_areas: ['poverty_social_exclusion'], offers: ['methods'], seeks: ['co_financing'], languages: ['en'] });

    const res = await api('GET', my(me, '/matches'));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.items.map((m) => m.organisation), ['Best match GmbH', 'Two focus areas']);
    const [first, second] = res.body.items;
    assert.ok(first.score > second.score);
    const kinds = Object.fromEntries(first.reasons.map((r) => [r.kind, r.values]));
    assert.deepEqual(kinds.focus_areas, ['roma']);
    assert.deepEqual(kinds.offers_what_you_seek, ['lead_partner']);
    assert.deepEqual(kinds.seeks_what_you_offer, ['target_groups']);
    assert.deepEqual(kinds.wanted_country, ['DE']);
    assert.ok(!res.text.includes('@'), 'no address among the matches');

    // Ranked from a copy of the forum's profiles kept in memory: a new profile, a changed one and a cancelled
    // registration show in the very next answer.
    const late = await register(api, ev.id, { organisation: 'Late but perfect' });
    await putProfile(late, { country: 'DE', focus_areas: ['roma', 'employment_mobility'], offers: ['lead_partner'], seeks: ['target_groups'], languages: ['en'] });
    assert.equal((await api('GET', my(me, '/matches'))).body.items[0].organisation, 'Late but perfect');
    await putProfile(good, { country: 'PL', focus_areas: ['poverty_social_exclusion'], offers: [], seeks: [], languages: ['en'] });
    assert.deepEqual((await api('GET', my(me, '/matches'))).body.items.map((m) => m.organisation), ['Late but perfect', 'Best match GmbH']);
    assert.equal((await api('DELETE', my(late))).status, 200);
    assert.deepEqual((await api('GET', my(me, '/matches'))).body.items.map((m) => m.organisation), ['Best match GmbH']);
  });

  test('a meeting request: only the addressee answers; accepted, it gets the first common free slot and a table', async () => {
    const ev = await createEvent(api, organiser, forumBody({ title: 'Meeting forum' }));
    assert.equal((await setSlots(ev, [slot(10), slot(11), slot(12)], 2)).status, 200);
    const a = await register(api, ev.id, { name: 'Alva Asker', organisation: 'Asker Org' });
    const b = await register(api, ev.id, { name: 'Bruno Bitter', organisation: 'Bitter Org' });
    const c = await register(api, ev.id, { name: 'Cilla Cort', organisation: 'Cort Org' });
    const [pa, pb, pc] = [await putProfile(a), await putProfile(b), await putProfile(c)];

    // Without a profile of one's own, no request.
    const d = await register(api, ev.id);
    const noProfile = await ask(d, pa.id);
    assertProblem(noProfile, 409);
    assert.equal(noProfile.body.reason, 'no_profile');
    assertProblem(await ask(a, pa.id), 409);
    assertProblem(await ask(a, 999999), 404);
    assertProblem(await api('POST', my(a, '/meeting-requests'), { profile_id: 'two' }), 422, ['profile_id']);

    const req = await ask(a, pb.id, 'Shall we talk about youth employment?');
    assert.equal(req.status, 201, req.text);
    assert.equal(req.body.state, 'pending');
    assert.equal(req.body.direction, 'outgoing');
    assert.equal(req.body.counterpart.organisation, 'Bitter Org');
    const again = await ask(a, pb.id);
    assertProblem(again, 409);
    assert.equal(again.body.reason, 'already_requested');
    assert.equal((await ask(b, pa.id)).body.reason, 'already_requested', 'the other way round too');

    // The one who asked cannot accept; a stranger's link does not even see it.
    const self = await act(a, req.body.id, 'accept');
    assertProblem(self, 409);
    assert.equal(self.body.reason, 'not_addressee');
    assertProblem(await act(c, req.body.id, 'accept'), 404);
    const incoming = await api('GET', my(b, '/meeting-requests'));
    assert.equal(incoming.body.items[0].direction, 'incoming');
    assert.equal(incoming.body.items[0].message, 'Shall we talk about youth employment?');
    assert.ok(!incoming.text.includes('@'), 'no address in the requests');

    const ok = await act(b, req.body.id, 'accept');
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.state, 'accepted');
    assert.equal(ok.body.slot.starts_at, '2030-05-20T10:00:00+02:00');
    assert.equal(ok.body.table, 1);
    assertProblem(await act(b, req.body.id, 'accept'), 409);

    // c and a: a is busy at 10:00, so 11:00; c and b decline instead.
    const ca = await ask(c, pa.id);
    assert.equal((await act(a, ca.body.id, 'accept')).body.slot.starts_at, '2030-05-20T11:00:00+02:00');
    const cb = await ask(c, pb.id);
    const no = await act(b, cb.body.id, 'decline');
    assert.equal(no.body.state, 'declined');
    assert.equal(no.body.slot, null);

    const agenda = await api('GET', my(a, '/agenda'));
    assert.equal(agenda.status, 200);
    assert.deepEqual(agenda.body.items.map((m) => [m.slot.starts_at.slice(11, 16), m.table, m.counterpart.name]),
      [['10:00', 1, 'Bruno Bitter'], ['11:00', 1, 'Cilla Cort']]);
    assert.deepEqual((await api('GET', my(b, '/agenda'))).body.items.map((m) => m.counterpart.organisation), ['Asker Org']);
    const ics = await api('GET', my(a, '/agenda.ics'));
    assert.equal(ics.status, 200);
    assert.match(ics.headers.get('content-type'), /^text\/calendar/);
    assert.equal((ics.text.match(/BEGIN:VEVENT/g) || []).length, 2);
    assert.match(ics.text, new RegExp(`UID:meeting-${req.body.id}@`));
    assert.match(ics.text, /DTSTART:20300520T080000Z/);
    assert.ok(!ics.text.includes('@example.org'));

    // Either may cancel a meeting: the slot is free again.
    const cancelled = await act(b, req.body.id, 'cancel');
    assert.equal(cancelled.body.state, 'cancelled');
    assert.equal((await api('GET', my(a, '/agenda'))).body.items.length, 1);
    void pc;
  });

  test('concurrent acceptances never book a person or a table twice; a full forum answers 409 and keeps the request', async () => {
    const ev = await createEvent(api, organiser, forumBody({ title: 'Crowded forum' }));
    assert.equal((await setSlots(ev, [slot(10), slot(11)], 3)).status, 200);
    // One popular participant asked by 8 others (she can meet 2), and 8 pairs among the others (6 tables in all).
    const star = await register(api, ev.id);
    const starProfile = await putProfile(star);
    const others = [];
    for (let i = 0; i < 16; i++) {
      const r = await register(api, ev.id);
      others.push({ r, p: await putProfile(r) });
    }
    const toStar = [];
    for (const o of others.slice(0, 8)) toStar.push((await ask(o.r, starProfile.id)).body.id);
    const pairs = [];
    for (let i = 8; i < 16; i += 2) pairs.push({ id: (await ask(others[i].r, others[i + 1].p.id)).body.id, by: others[i + 1].r });
    for (let i = 0; i < 8; i += 2) pairs.push({ id: (await ask(others[i].r, others[i + 1].p.id)).body.id, by: others[i + 1].r });

    const answers = await Promise.all([
      ...toStar.map((id) => act(star, id, 'accept')),
      ...pairs.map(({ id, by }) => act(by, id, 'accept')),
    ]);
    const accepted = answers.filter((x) => x.status === 200);
    const refused = answers.filter((x) => x.status === 409);
    assert.equal(accepted.length + refused.length, answers.length, answers.map((x) => x.status).join());
    assert.equal(accepted.length, 6, 'two slots of three tables');
    assert.ok(refused.every((x) => x.body.reason === 'no_common_slot'));
    const seats = new Set();
    const tables = new Set();
    for (const x of accepted) {
      const key = `${x.body.slot.id}/${x.body.table}`;
      assert.ok(!tables.has(key), `table ${key} booked twice`);
      tables.add(key);
    }
    const rows = dbQuery(server, `SELECT slot_id, from_registration, to_registration FROM meeting_requests WHERE event_id = ${ev.id} AND state = 'accepted'`).split('\n');
    for (const row of rows) {
      const [s, f, t] = row.split('|');
      for (const who of [f, t]) {
        assert.ok(!seats.has(`${s}/${who}`), `person ${who} booked twice in slot ${s}`);
        seats.add(`${s}/${who}`);
      }
    }
    assert.equal(rows.length, 6);
    const refusedId = toStar.find((id) => !accepted.some((x) => x.body.id === id));
    const kept = (await api('GET', my(star, '/meeting-requests'))).body.items.find((m) => m.id === refusedId);
    assert.equal(kept.state, 'pending', 'a refused acceptance leaves the request pending');

    // Organisers: figures, slots that hold meetings cannot go, a move onto a taken table is refused, a free one works.
    const all = await api('GET', `/api/v1/events/${ev.id}/meetings`, undefined, { token: organiser });
    assert.equal(all.status, 200);
    assert.equal(all.body.figures.accepted, 6);
    assert.equal(all.body.figures.requests, 16);
    assert.equal(all.body.figures.profiles, 17);
    assert.ok(!all.text.includes('@example.org'));
    assertProblem(await setSlots(ev, [slot(10)], 3), 409);
    assertProblem(await setSlots(ev, [slot(10), slot(11)], 2), 409);
    assert.equal((await setSlots(ev, [slot(10), slot(11), slot(12)], 3)).status, 200, 'adding a slot keeps the others');
    const slots = (await api('GET', `/api/v1/events/${ev.id}/meeting-slots`)).body.slots;
    assert.equal(slots.length, 3);
    // A meeting to move that involves neither side of the refused request (which meetings won the race above
    // varies), so that the new slot then has room for it.
    const refusedRequest = all.body.items.find((m) => m.id === refusedId);
    const sides = new Set([refusedRequest.from.registration_id, refusedRequest.to.registration_id]);
    const one = all.body.items.find((m) => m.state === 'accepted' && !sides.has(m.from.registration_id) && !sides.has(m.to.registration_id));
    const taken = all.body.items.find((m) => m.state === 'accepted' && m.slot.id === one.slot.id && m.id !== one.id);
    assertProblem(await api('PATCH', `/api/v1/events/${ev.id}/meetings/${one.id}`, { slot_id: one.slot.id, table: taken.table }, { token: organiser }), 409);
    const moved = await api('PATCH', `/api/v1/events/${ev.id}/meetings/${one.id}`, { slot_id: slots[2].id, table: 3 }, { token: organiser });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.table, 3);
    assert.equal(moved.body.slot.id, slots[2].id);
    // Now the refused request fits in the new slot.
    assert.equal((await act(star, refusedId, 'accept')).status, 200);
    const off = await api('POST', `/api/v1/events/${ev.id}/meetings/${one.id}/cancel`, undefined, { token: organiser });
    assert.equal(off.body.state, 'cancelled');
    assertProblem(await api('PUT', `/api/v1/events/${ev.id}/meeting-slots`, { slots: [slot(10), slot(10, 10)], tables: 3 }, { token: organiser }), 422, ['slots']);
    assertProblem(await api('PUT', `/api/v1/events/${ev.id}/meeting-slots`, { slots: [slot(10)], tables: 0 }, { token: organiser }), 422, ['tables']);
    assertProblem(await api('PUT', `/api/v1/events/${ev.id}/meeting-slots`, { slots: [slot(10)], tables: 3 }), 401);
  });

  test('requests reach the addressee live on their private topic, and by mail without anyone\'s address', async () => {
    const ev = await createEvent(api, organiser, forumBody({ title: 'Live forum' }));
    await setSlots(ev, [slot(10)], 5);
    const a = await register(api, ev.id, { email: 'live.asker@example.org', organisation: 'Asker Live' });
    const b = await register(api, ev.id, { email: 'live.bidder@example.org' });
    await putProfile(a);
    const pb = await putProfile(b);
    const bId = b.id;

    const c = await connect(server.url);
    assert.equal(c.status, 101);
    c.send({ type: 'subscribe', topics: [`partner:${bId}`] });
    const refused = await c.next((m) => m.type === 'error');
    assert.equal(refused.code, 'forbidden');
    c.send({ type: 'auth', manage_token: 'nonsense' });
    assert.equal((await c.next((m) => m.type === 'error')).code, 'unauthorized');
    c.send({ type: 'auth', manage_token: b.manage_token });
    assert.equal((await c.next((m) => m.type === 'auth')).registration_id, bId);
    c.send({ type: 'subscribe', topics: [`partner:${bId}`, `partner:${a.id}`] });
    const snap = await c.next((m) => m.type === 'snapshot' && m.topic === `partner:${bId}`);
    assert.deepEqual(snap.data.requests, []);
    assert.equal((await c.next((m) => m.type === 'error' && m.topic === `partner:${a.id}`)).code, 'forbidden');

    const folder = join(server.dir, 'outbox');
    const mails = () => (existsSync(folder) ? readdirSync(folder).map((f) => readFileSync(join(folder, f), 'utf8')) : []);
    const req = await ask(a, pb.id, 'Hello from Asker');
    const update = await c.next((m) => m.type === 'update' && m.topic === `partner:${bId}` && m.data.requests.length === 1);
    assert.equal(update.data.requests[0].message, 'Hello from Asker');
    assert.equal(update.data.requests[0].counterpart.organisation, 'Asker Live');
    // The request by mail (a request answered before its message went out is not sent: wait for it first).
    await until(() => mails().some((m) => /Hello from Asker/.test(m)));
    await act(b, req.body.id, 'accept');
    const booked = await c.next((m) => m.type === 'update' && m.data.agenda.length === 1);
    assert.equal(booked.data.agenda[0].table, 1);
    c.close();

    // The .eml files of the outbox: the request to b, the acceptance to a; neither carries the other's address.
    await until(() => mails().some((m) => /Meeting booked|Mötet är bokat/.test(m)));
    const toB = mails().find((m) => /Hello from Asker/.test(m));
    assert.match(toB, /To: .*live\.bidder@example\.org/);
    assert.ok(!toB.includes('live.asker@example.org'), 'the asker\'s address is not in the message to the addressee');
    const toA = mails().find((m) => /Meeting booked|Mötet är bokat/.test(m));
    assert.ok(!toA.includes('live.bidder@example.org'));
    assert.match(toA, /partners\.html#token=/);
  });

  test('erasure takes the profile, the messages and the open meetings; the counterpart is told', async () => {
    const ev = await createEvent(api, organiser, forumBody({ title: 'Erasure forum' }));
    await setSlots(ev, [slot(10), slot(11)], 5);
    const a = await register(api, ev.id, { organisation: 'Erased Org' });
    const b = await register(api, ev.id);
    const pa = await putProfile(a, { public: true, summary: 'A summary that must vanish' });
    const pb = await putProfile(b);
    const m1 = await ask(a, pb.id, 'A message that must vanish');
    await act(b, m1.body.id, 'accept');
    const c = await register(api, ev.id);
    await putProfile(c);
    await ask(c, pa.id, 'Another message that must vanish');

    const erased = await api('POST', my(a, '/erase'));
    assert.equal(erased.status, 200, erased.text);
    assert.equal(dbQuery(server, `SELECT count(*) FROM partner_profiles WHERE id = ${pa.id}`), '0');
    assert.equal(dbQuery(server, `SELECT count(*) FROM meeting_requests WHERE message LIKE '%must vanish%'`), '0');
    assert.equal(dbQuery(server, `SELECT state FROM meeting_requests WHERE from_registration = ${a.id} OR to_registration = ${a.id} ORDER BY id`), 'cancelled\ncancelled');
    assert.ok(!(await api('GET', '/api/v1/partners')).text.includes('Erased Org'));
    assert.equal((await api('GET', my(b, '/agenda'))).body.items.length, 0);
    const dump = dbDump(server);
    assert.ok(!dump.includes('A summary that must vanish') && !dump.includes('must vanish'), 'no copy left in the database');
  });
});

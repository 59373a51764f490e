// Live updates over GET /ws (../shared/API.md, Live updates): snapshots then updates with a growing seq after every
// kind of change, the same goals as GET /api/v1/goals, roles and origins, hostile messages, and shutdown.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { connect, frame } from '../support/ws.mjs';
import {
  assertProblem, makeUser, createEvent, register, countsOf, ongoingEventBody, rawRequest, registrationBody,
} from '../support/fixtures.mjs';

const isFor = (topic, type) => (m) => m.topic === topic && (type === undefined || m.type === type);

describe('live updates', { timeout: 60000 }, () => {
  let server, api, admin, organiser, steering, ev;
  const open = [];

  const ws = async (opts) => {
    const c = await connect(server.url, opts);
    assert.equal(c.status, 101, `upgrade refused: ${c.status} ${c.text}`);
    open.push(c);
    return c;
  };
  /** Subscribes and returns the topic's snapshot. */
  const subscribe = async (c, topic) => {
    c.send({ type: 'subscribe', topics: [topic] });
    return c.next(isFor(topic, 'snapshot'));
  };
  /** The first update of `topic` whose data satisfies `pred` (earlier, coalesced states are skipped). */
  /** Only updates after `afterSeq` count: an earlier state that happens to match is no answer. */
  const updateWhere = (c, topic, pred, afterSeq = 0, ms = 5000) =>
    c.next((m) => m.topic === topic && m.type === 'update' && m.seq > afterSeq && pred(m.data), ms);

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    organiser = (await makeUser(server.url, admin, 'organiser')).token;
    steering = (await makeUser(server.url, admin, 'steering')).token;
    ev = await createEvent(api, organiser, ongoingEventBody({ capacity: 3 }));
  });

  after(async () => {
    for (const c of open) c.destroy();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('a public event topic: the snapshot is GET\'s counts, each registration an update with a higher seq', async () => {
    const c = await ws();
    const snap = await subscribe(c, `event:${ev.id}`);
    assert.deepEqual(snap.data, await countsOf(api, ev.id));
    const reg = await register(api, ev.id);
    const up = await updateWhere(c, `event:${ev.id}`, (d) => d.confirmed === snap.data.confirmed + 1);
    assert.ok(up.seq > snap.seq, `seq grows: ${snap.seq} -> ${up.seq}`);
    assert.deepEqual(up.data, await countsOf(api, ev.id));
    // A cancellation moves it back.
    const del = await api('DELETE', `/api/v1/my/registrations/${reg.manage_token}`);
    assert.ok([200, 204].includes(del.status), del.text);
    const back = await updateWhere(c, `event:${ev.id}`, (d) => d.confirmed === snap.data.confirmed, up.seq);
    assert.doesNotMatch(JSON.stringify([snap, up, back]), /Participant|@example/, 'public topics carry no personal data');
  });

  test('the events topic lists every published event with GET /events\' counts, and follows a new one', async () => {
    const c = await ws();
    const snap = await subscribe(c, 'events');
    const listed = (await api('GET', '/api/v1/events')).body.items;
    assert.deepEqual(snap.data.map((e) => e.id).sort(), listed.map((e) => e.id).sort());
    for (const e of listed) assert.deepEqual(snap.data.find((x) => x.id === e.id).counts, e.counts);
    const draft = await createEvent(api, organiser, ongoingEventBody({ status: 'draft' }));
    const fresh = await createEvent(api, organiser, ongoingEventBody());
    const up = await updateWhere(c, 'events', (d) => d.some((x) => x.id === fresh.id));
    assert.ok(!up.data.some((x) => x.id === draft.id), 'drafts are not public');
    // A draft's own topic is unknown to the public, as GET /events/{id} is.
    c.send({ type: 'subscribe', topics: [`event:${draft.id}`, 'event:999999'] });
    await c.next((m) => m.type === 'error' && m.topic === `event:${draft.id}` && m.code === 'unknown_topic');
    await c.next((m) => m.type === 'error' && m.topic === 'event:999999' && m.code === 'unknown_topic');
  });

  test('private topics are forbidden without a session, open to the right roles by token or by cookie', async () => {
    const anon = await ws();
    anon.send({ type: 'subscribe', topics: ['goals', `checkins:${ev.id}`] });
    await anon.next((m) => m.type === 'error' && m.topic === 'goals' && m.code === 'forbidden');
    await anon.next((m) => m.type === 'error' && m.topic === `checkins:${ev.id}` && m.code === 'forbidden');
    anon.send({ type: 'auth', token: 'not-a-session-token' });
    await anon.next((m) => m.type === 'error' && m.code === 'unauthorized');
    // Still open: a public topic works afterwards.
    await subscribe(anon, `event:${ev.id}`);

    const st = await ws();
    st.send({ type: 'auth', token: steering });
    assert.equal((await st.next((m) => m.type === 'auth')).role, 'steering');
    const goals = await subscribe(st, 'goals');
    assert.deepEqual(goals.data, (await api('GET', '/api/v1/goals', undefined, { token: steering })).body);
    st.send({ type: 'subscribe', topics: [`checkins:${ev.id}`] });
    await st.next((m) => m.type === 'error' && m.topic === `checkins:${ev.id}` && m.code === 'forbidden');

    const byCookie = await ws({ headers: { cookie: `eventd_session=${organiser}` } });
    const feed = await subscribe(byCookie, `checkins:${ev.id}`);
    assert.ok(Array.isArray(feed.data.recent));
    assert.deepEqual(feed.data.counts, await countsOf(api, ev.id, organiser));

    // A signed-out session's cookie opens nothing private.
    const gone = await makeUser(server.url, admin, 'organiser');
    const out = await api('DELETE', '/api/v1/session', undefined, { token: gone.token });
    assert.ok([200, 204].includes(out.status), out.text);
    const stale = await ws({ headers: { cookie: `eventd_session=${gone.token}` } });
    stale.send({ type: 'subscribe', topics: [`checkins:${ev.id}`] });
    await stale.next((m) => m.type === 'error' && m.code === 'forbidden');
  });

  test('the check-in feed follows a check-in, its undo and a walk-in, newest first, names included', async () => {
    const c = await ws({ headers: { cookie: `eventd_session=${organiser}` } });
    const topic = `checkins:${ev.id}`;
    const snap = await subscribe(c, topic);
    const reg = await register(api, ev.id, { name: 'Door Person', organisation: 'Sundbyberg stad' });
    const scan = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.ticket_code }, { token: organiser });
    assert.equal(scan.status, 201, scan.text);
    const inn = await updateWhere(c, topic, (d) => d.recent[0]?.registration_id === reg.id);
    assert.equal(inn.data.recent[0].name, 'Door Person');
    assert.equal(inn.data.recent[0].organisation, 'Sundbyberg stad');
    assert.equal(inn.data.counts.checked_in, snap.data.counts.checked_in + 1);
    const undo = await api('DELETE', `/api/v1/events/${ev.id}/checkins/${reg.id}`, undefined, { token: organiser });
    assert.ok([200, 204].includes(undo.status), undo.text);
    const undone = await updateWhere(c, topic, (d) => !d.recent.some((r) => r.registration_id === reg.id), inn.seq);
    assert.equal(undone.data.counts.checked_in, snap.data.counts.checked_in);
    const walk = await api('POST', `/api/v1/events/${ev.id}/walk-ins`, registrationBody({ name: 'Walter Walkin' }), { token: organiser });
    assert.equal(walk.status, 201, walk.text);
    const walked = await updateWhere(c, topic, (d) => d.recent[0]?.name === 'Walter Walkin', undone.seq);
    assert.equal(walked.data.recent[0].walk_in, true);
    assert.equal(walked.data.counts.walk_ins, undone.data.counts.walk_ins + 1);
  });

  test('goals equal GET /api/v1/goals after a check-in, an undo, cancellations, an erasure and a new meeting', async () => {
    const c = await ws();
    c.send({ type: 'auth', token: admin });
    await c.next((m) => m.type === 'auth');
    let last = await subscribe(c, 'goals');
    const goalsNow = async () => (await api('GET', '/api/v1/goals', undefined, { token: admin })).body;
    // Waits for the update that brings the figures GET gives now (earlier, coalesced states are skipped).
    const follows = async (what) => {
      const want = await goalsNow();
      assert.notDeepEqual(want, last.data, `${what} changes the goals`);
      const up = await c.next((m) => m.topic === 'goals' && m.type === 'update' && m.seq > last.seq &&
        JSON.stringify(m.data) === JSON.stringify(want), 5000).catch((e) => { throw new Error(`${what}: ${e.message}`); });
      assert.deepEqual(up.data, await goalsNow(), what);
      last = up;
    };
    const seminar = await createEvent(api, organiser, ongoingEventBody({ kind: 'seminar', capacity: 50 }));
    const reg = await register(api, seminar.id, { organisation_type: 'user_organisation', municipality: 'Botkyrka' });
    const scan = async (r) => {
      const res = await api('POST', `/api/v1/events/${seminar.id}/checkins`, { ticket_code: r.ticket_code }, { token: organiser });
      assert.equal(res.status, 201, res.text);
    };
    await scan(reg);
    await follows('a check-in');
    const undo = await api('DELETE', `/api/v1/events/${seminar.id}/checkins/${reg.id}`, undefined, { token: organiser });
    assert.ok([200, 204].includes(undo.status), undo.text);
    await follows('an undo');
    await scan(reg);
    await follows('the check-in again');
    const other = await register(api, seminar.id, { gender: 'woman' });
    await scan(other);
    await follows('a second check-in');
    // A cancellation after the check-in and an erasure keep the figures (the attendance stays counted, without the
    // person's data): the goals stay equal to GET.
    const staysEqual = async (what) => {
      await new Promise((r) => setTimeout(r, 300));
      const latest = [last, ...c.messages.filter((m) => m.topic === 'goals' && m.seq > last.seq)].at(-1);
      assert.deepEqual(latest.data, await goalsNow(), what);
      last = latest;
      c.messages.length = 0;
    };
    const cancel = await api('POST', `/api/v1/events/${seminar.id}/registrations/${other.id}/cancel`, undefined, { token: organiser });
    assert.ok([200, 204].includes(cancel.status), cancel.text);
    await staysEqual('after a cancellation by the organiser');
    const erase = await api('POST', `/api/v1/my/registrations/${reg.manage_token}/erase`);
    assert.ok([200, 204].includes(erase.status), erase.text);
    await staysEqual('after an erasure');
    const meeting = await createEvent(api, organiser, { kind: 'network_meeting', focus_area: 'roma', topic: undefined });
    await follows('a new network meeting');
    const off = await api('POST', `/api/v1/events/${meeting.id}/cancel`, undefined, { token: organiser });
    assert.ok([200, 204].includes(off.status), off.text);
    await follows('the meeting cancelled');
  });

  test('hostile messages get errors and leave the connection open; too many or too fast are refused', async () => {
    const c = await ws();
    for (const bad of ['not json', '[]', '{"type":7}', '{"type":"subscribe","topics":"events"}',
      '{"type":"subscribe","topics":[1]}', '{"type":"dance"}', '{"type":"auth"}']) {
      c.send(bad);
      await c.next((m) => m.type === 'error' && m.code === 'bad_message');
    }
    c.sendFrame(frame(2, Buffer.from([1, 2, 3])));
    await c.next((m) => m.type === 'error' && m.code === 'bad_message');
    c.send({ type: 'subscribe', topics: ['event:0', 'event:01', 'event:-1', 'event:1x', 'checkins:', 'x'.repeat(300)] });
    for (let i = 0; i < 6; i += 1) await c.next((m) => m.type === 'error' && m.code === 'unknown_topic');
    const many = Array.from({ length: 65 }, (_, i) => `event:${i + 1}`);
    c.send({ type: 'subscribe', topics: many });
    await c.next((m) => m.type === 'error' && m.code === 'bad_message');
    await subscribe(c, `event:${ev.id}`);

    const fast = await ws();
    for (let i = 0; i < 60; i += 1) fast.send({ type: 'unsubscribe', topics: ['events'] });
    await fast.next((m) => m.type === 'error' && m.code === 'rate_limited');
  });

  test('a message over 4096 bytes closes with 1009; other clients carry on', async () => {
    const c = await ws();
    const other = await ws();
    const snap = await subscribe(other, `event:${ev.id}`);
    c.send({ type: 'subscribe', topics: ['x'.repeat(5000)] });
    assert.equal((await c.closed).code, 1009);
    await register(api, ev.id);
    await updateWhere(other, `event:${ev.id}`, (d) => d.confirmed + d.waitlisted > snap.data.confirmed + snap.data.waitlisted);
  });

  test('a client that stops reading does not hold back the others', async () => {
    const topic = `event:${ev.id}`;
    const stuck = [];
    for (let i = 0; i < 20; i += 1) {
      const s = await ws();
      await subscribe(s, topic);
      s.pause();
      stuck.push(s);
    }
    const reader = await ws();
    let last = await subscribe(reader, topic);
    for (let i = 0; i < 10; i += 1) {
      await register(api, ev.id);
      const total = last.data.confirmed + last.data.waitlisted;
      last = await updateWhere(reader, topic, (d) => d.confirmed + d.waitlisted === total + 1);
    }
    for (const s of stuck) s.destroy();
  });

  test('the upgrade is refused with problem+json: a foreign Origin 403, a plain GET 426', async () => {
    const foreign = await connect(server.url, { headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.status, 403);
    assert.match(foreign.headers['content-type'], /application\/problem\+json/);
    assert.equal(foreign.body.status, 403);
    const own = await ws({ headers: { origin: server.url } });
    await subscribe(own, 'events');
    const plain = await api('GET', '/ws');
    assertProblem(plain, 426);
    assert.match(plain.headers.get('upgrade') || '', /websocket/i);
    const post = await rawRequest(server.url, { method: 'POST', path: '/ws', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.ok([405, 426].includes(post.status), `POST /ws: ${post.status}`);
  });
});

describe('live sessions that end while connected', { timeout: 30000 }, () => {
  test('signing out, by cookie or by auth token, ends the private topics within live_recheck_seconds', async () => {
    const server = await startServer({ config: { live_recheck_seconds: 1 } });
    const conns = [];
    try {
      const admin = await signIn(server.url);
      const api = client(server.url);
      const ev = await createEvent(api, admin, ongoingEventBody({ capacity: 3 }));
      const byCookie = await makeUser(server.url, admin, 'organiser');
      const byAuth = await makeUser(server.url, admin, 'steering');
      const stays = await makeUser(server.url, admin, 'steering');

      const a = await connect(server.url, { headers: { cookie: `eventd_session=${byCookie.token}` } });
      conns.push(a);
      a.send({ type: 'subscribe', topics: [`checkins:${ev.id}`, `event:${ev.id}`] });
      await a.next(isFor(`checkins:${ev.id}`, 'snapshot'));
      await a.next(isFor(`event:${ev.id}`, 'snapshot'));
      const b = await connect(server.url);
      conns.push(b);
      b.send({ type: 'auth', token: byAuth.token });
      await b.next((m) => m.type === 'auth' && m.role === 'steering');
      b.send({ type: 'subscribe', topics: ['goals'] });
      await b.next(isFor('goals', 'snapshot'));
      const c = await connect(server.url);
      conns.push(c);
      c.send({ type: 'auth', token: stays.token });
      await c.next((m) => m.type === 'auth');
      c.send({ type: 'subscribe', topics: ['goals'] });
      await c.next(isFor('goals', 'snapshot'));

      for (const t of [byCookie.token, byAuth.token]) {
        const out = await api('DELETE', '/api/v1/session', undefined, { token: t });
        assert.ok([200, 204].includes(out.status), out.text);
      }
      const endA = await a.next((m) => m.type === 'error', 5000);
      assert.deepEqual(endA, { type: 'error', code: 'forbidden', topic: `checkins:${ev.id}` });
      const endB = await b.next((m) => m.type === 'error', 5000);
      assert.deepEqual(endB, { type: 'error', code: 'forbidden', topic: 'goals' });

      // Nothing private reaches them any more; the public topic and the session still signed in go on.
      await register(api, ev.id);
      await a.next((m) => m.topic === `event:${ev.id}` && m.type === 'update');
      const walk = await api('POST', `/api/v1/events/${ev.id}/walk-ins`, registrationBody(), { token: admin });
      assert.equal(walk.status, 201, walk.text);
      await c.next((m) => m.topic === 'goals' && m.type === 'update', 5000);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!a.messages.some((m) => m.topic === `checkins:${ev.id}` && m.type === 'update'),
        'the ended session got no more of the door feed');
      assert.ok(!b.messages.some((m) => m.topic === 'goals' && m.type === 'update'), 'nor of the goals');
    } finally {
      for (const c of conns) c.destroy();
      await server.stop();
      server.cleanup();
    }
  });
});

describe('live updates at shutdown', { timeout: 30000 }, () => {
  test('SIGTERM closes every live connection with 1001 and the server exits cleanly', async () => {
    const server = await startServer();
    try {
      const conns = [];
      for (let i = 0; i < 5; i += 1) {
        const c = await connect(server.url);
        c.send({ type: 'subscribe', topics: ['events'] });
        await c.next((m) => m.type === 'snapshot');
        conns.push(c);
      }
      const exited = server.stop();
      for (const c of conns) assert.equal((await c.closed).code, 1001);
      const { code } = await exited;
      assert.equal(code, 0, server.stderr);
    } finally {
      server.cleanup();
    }
  });
});

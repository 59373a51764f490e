// Heavy reads (issue 6, defect 9 and item 12): the organisers' registration list comes in pages, participants.csv
// equals the per-event lists joined, and /healthz answers while large exports run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { assertProblem, createEvent, registrationBody } from '../support/fixtures.mjs';

async function registerMany(api, eventId, n, chunk = 50) {
  const out = [];
  for (let i = 0; i < n; i += chunk) {
    const batch = await Promise.all(Array.from({ length: Math.min(chunk, n - i) }, () =>
      api('POST', `/api/v1/events/${eventId}/registrations`, registrationBody())));
    for (const r of batch) assert.equal(r.status, 201, r.text);
    out.push(...batch.map((r) => r.body));
  }
  return out;
}

async function allPages(api, token, path, limit) {
  const items = [];
  let next = null, pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await api('GET', `${path}${sep}limit=${limit}${next ? `&after=${encodeURIComponent(next)}` : ''}`, undefined, { token });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length <= limit);
    items.push(...r.body.items);
    next = r.body.next;
    pages += 1;
    assert.ok(pages < 100, 'the pages end');
  } while (next !== null);
  return { items, pages };
}

test('the organisers\' registration list comes in pages that together are the whole list', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const ev = await createEvent(api, admin, { capacity: 10 });
    const regs = await registerMany(api, ev.id, 250);
    for (const r of regs.slice(3, 6)) assert.equal((await api('DELETE', `/api/v1/my/registrations/${r.manage_token}`)).status, 200);
    const path = `/api/v1/events/${ev.id}/registrations`;

    const first = await api('GET', path, undefined, { token: admin });
    assert.equal(first.body.items.length, 100, 'a page of 100 by default');
    assert.equal(typeof first.body.next, 'string');
    assert.equal(first.body.counts.confirmed, 10);

    const full = (await api('GET', `${path}?limit=1000`, undefined, { token: admin })).body;
    assert.equal(full.items.length, 250);
    assert.equal(full.next, null);
    const { items, pages } = await allPages(api, admin, path, 37);
    assert.equal(pages, 7);
    assert.deepEqual(items, full.items, 'pages concatenated equal the whole list');
    assert.equal(new Set(items.map((r) => r.id)).size, 250, 'no duplicates');
    const waitlisted = items.filter((r) => r.status === 'waitlisted').map((r) => r.waitlist_position);
    assert.deepEqual(waitlisted, Array.from({ length: waitlisted.length }, (_, i) => i + 1), 'positions run on across pages');

    const filtered = await allPages(api, admin, `${path}?status=waitlisted`, 50);
    assert.deepEqual(filtered.items, full.items.filter((r) => r.status === 'waitlisted'));
    const search = await allPages(api, admin, `${path}?q=${encodeURIComponent('Participant')}`, 100);
    assert.deepEqual(search.items, full.items);

    for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'after=-1', 'after=abc', 'created_from=yesterday'])
      assertProblem(await api('GET', `${path}?${bad}`, undefined, { token: admin }), 400);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('participants.csv holds every event\'s attendance list, in event order, with the event in front', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    // Created out of date order, with a draft and a cancelled event among them.
    const late = await createEvent(api, admin, { starts_at: '2031-05-01T09:00:00+02:00', ends_at: '2031-05-01T12:00:00+02:00' });
    const early = await createEvent(api, admin, { starts_at: '2030-01-10T09:00:00+01:00', ends_at: '2030-01-10T12:00:00+01:00', capacity: 2 });
    const mid = await createEvent(api, admin, { starts_at: '2030-06-01T09:00:00+02:00', ends_at: '2030-06-01T12:00:00+02:00' });
    const empty = await createEvent(api, admin, { starts_at: '2030-02-01T09:00:00+01:00', ends_at: '2030-02-01T12:00:00+01:00' });
    for (let i = 0; i < 4; i++) for (const ev of [late, early, mid]) await registerMany(api, ev.id, 1);
    assert.equal((await api('POST', `/api/v1/events/${mid.id}/cancel`, undefined, { token: admin })).status, 200);
    assert.equal((await api('PATCH', `/api/v1/events/${late.id}`, { status: 'draft' }, { token: admin })).status, 200);
    const csv = async (path) => {
      const r = await api('GET', path, undefined, { token: admin });
      assert.equal(r.status, 200, r.text);
      return r.text.split('\r\n').filter((l) => l !== '');
    };
    const all = await csv('/api/v1/reports/participants.csv');
    const expected = [];
    for (const ev of [early, empty, mid, late]) {
      const e = (await api('GET', `/api/v1/events/${ev.id}`, undefined, { token: admin })).body;
      const rows = (await csv(`/api/v1/events/${ev.id}/attendance.csv`)).slice(1);
      const title = /[",]/.test(e.title) ? `"${e.title.replaceAll('"', '""')}"` : e.title;
      for (const row of rows) expected.push(`${e.id},${title},${e.kind},${e.starts_at},${e.status},${row}`);
    }
    assert.equal(all.length, 13);
    assert.deepEqual(all.slice(1), expected);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('/healthz answers while several large CSV exports run; an export beyond the queue gets 503 with Retry-After', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const ev = await createEvent(api, admin, { capacity: null });
    await registerMany(api, ev.id, 3000, 100);
    const exports = Array.from({ length: 24 }, () => api('GET', '/api/v1/reports/participants.csv', undefined, { token: admin }));
    const health = await api('GET', '/healthz');
    assert.equal(health.status, 200, health.text);
    const results = await Promise.all(exports);
    const ok = results.filter((r) => r.status === 200);
    assert.ok(ok.length >= 1);
    for (const r of ok) assert.equal(r.text.split('\r\n').length, 3002, 'a header, 3000 rows and the final line end');
    for (const r of results.filter((x) => x.status !== 200)) {
      assertProblem(r, 503);
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
    }
  } finally {
    await server.stop();
    server.cleanup();
  }
});

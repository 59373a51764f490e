// PostgreSQL only (issue 11): the database server restarts under a running eventd. Writes during the restart get
// 503 (never a 500, never a hang); afterwards the writer and the read pool open new connections by themselves, every
// registration acknowledged before and after is there, /readyz follows the database, and no read after the restart
// meets a connection the restart closed. Runs as
// integration_pg.pg_restart; without the cluster (EVENTD_TEST_PG) it fails rather than skips.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn, postgresCluster, projectRoot, dbQuery } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';

describe('a PostgreSQL restart under a running server', { timeout: 120000 }, () => {
  let server, api, organiser, dir;
  const cluster = (...args) => execFileSync(`${projectRoot}/scripts/pg-cluster`, args, { encoding: 'utf8' });
  before(async () => {
    assert.ok(postgresCluster(), 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only (ctest integration_pg.*)');
    // A cluster of its own: restarting the shared one would break the suites running beside this one.
    dir = mkdtempSync('/tmp/eventd-pg-restart-');
    cluster('start', dir);
    process.env.EVENTD_TEST_PG = join(dir, 'url');
    server = await startServer();
    api = client(server.url);
    organiser = await signIn(server.url);
  });
  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
    if (dir) { cluster('stop', dir); rmSync(dir, { recursive: true, force: true }); }
  });

  test('writes fail cleanly while it is down, and work again after without restarting eventd', async () => {
    const ev = await createEvent(api, organiser, { capacity: 1000 });
    const before = [];
    for (let i = 0; i < 5; i++) {
      const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
      assert.equal(r.status, 201, r.text);
      before.push(r.body.id);
    }
    // Restart the cluster while registrations keep coming.
    let stop = false;
    const acknowledged = [];
    const statuses = new Set();
    const load = (async () => {
      while (!stop) {
        const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
        statuses.add(r.status);
        if (r.status === 201) acknowledged.push(r.body.id);
        else assert.equal(r.status, 503, `a write during the restart: ${r.status} ${r.text}`);
      }
    })();
    // Reads at the same time, in a loop of their own: an answer or 503 while it is down, never a 500.
    const readStatuses = new Set();
    const reads = (async () => {
      while (!stop) {
        const g = await api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: organiser });
        readStatuses.add(g.status);
        assert.ok(g.status === 200 || g.status === 503, `a read during the restart: ${g.status} ${g.text}`);
      }
    })();
    // Not execFileSync: the loops above must go on sending while the database is down.
    await promisify(execFile)(`${projectRoot}/scripts/pg-cluster`, ['restart', dir]);
    // Back by itself: a registration succeeds again, and the server says it is ready.
    let back = false;
    for (const end = Date.now() + 30000; !back && Date.now() < end;) {
      const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
      if (r.status === 201) { back = true; acknowledged.push(r.body.id); } else await new Promise((res) => setTimeout(res, 200));
    }
    assert.ok(back, 'no registration succeeded within 30 s of the restart');
    stop = true;
    await load;
    await reads;
    assert.ok(readStatuses.has(503), `no read met the database down (${[...readStatuses]}): the test did not reach that path`);
    assert.equal((await api('GET', '/readyz')).status, 200);
    const ids = new Set(dbQuery(server, `SELECT id FROM registrations WHERE event_id = ${ev.id}`).split('\n').map(Number));
    for (const id of [...before, ...acknowledged]) assert.ok(ids.has(id), `acknowledged registration ${id} is missing`);
    assert.ok(![...statuses].some((s) => s >= 500 && s !== 503), [...statuses].join());
    // Reads work again too (a read connection from before the restart was dropped, not reused).
    const list = await api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: organiser });
    assert.equal(list.status, 200, list.text);
  });

  test('read connections that sat idle through a restart are not lent out dead', async () => {
    const ev = await createEvent(api, organiser, { capacity: 1000 });
    const read = () => api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: organiser });
    // 16 reads at once leave 16 read connections in the pool; no read runs while the database restarts.
    const warm = await Promise.all(Array.from({ length: 16 }, read));
    assert.ok(warm.every((r) => r.status === 200), warm.map((r) => r.status).join());
    await promisify(execFile)(`${projectRoot}/scripts/pg-cluster`, ['restart', dir]);
    // pg_ctl has waited for the server to take connections again. Every read answers: the pooled connections the restart closed are found so when next lent, and dropped before a
    // request meets them as a 503.
    for (let i = 0; i < 20; i++) {
      const r = await read();
      assert.equal(r.status, 200, `read ${i + 1} after the restart: ${r.text}`);
    }
    const closed = (await (await fetch(`${server.url}/metrics`)).text()).match(/^eventd_db_pool_closed_total (\d+)$/m);
    assert.ok(closed && Number(closed[1]) >= 1, `eventd_db_pool_closed_total: ${closed?.[1]} (no closed connection was met)`);
  });

  test('the first read after the database takes connections again is answered, whatever the backoff', async () => {
    const ev = await createEvent(api, organiser, { capacity: 1000 });
    const read = () => api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: organiser });
    assert.equal((await read()).status, 200);
    // The database refuses new connections, and the node's are ended: each read now tries to connect and fails,
    // and the backoff between attempts grows towards its 5 s.
    const name = new URL(server.db).pathname.slice(1);
    const admin = (sql) => execFileSync('psql', [postgresCluster(), '-q', '-c', sql]);
    admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}'`);
    for (let i = 0; i < 8; i++) {
      const r = await read();
      assert.equal(r.status, 503, r.text);
    }
    admin(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    // Within the backoff, one attempt at a time still goes ahead: the next read finds the database back.
    const r = await read();
    assert.equal(r.status, 200, `the first read after: ${r.text}`);
  });
});

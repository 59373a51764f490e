// PostgreSQL only (issue 11): the database server restarts under a running eventd. Writes during the restart get
// 503 (never a 500, never a hang); afterwards the writer and the read pool open new connections by themselves, every
// registration acknowledged before and after is there, and /readyz follows the database. Runs as
// integration_pg.pg_restart; without the cluster (EVENTD_TEST_PG) it fails rather than skips.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { startServer, client, signIn, postgresCluster, projectRoot, dbQuery } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';

describe('a PostgreSQL restart under a running server', { timeout: 120000 }, () => {
  let server, api, organiser;
  before(async () => {
    assert.ok(postgresCluster(), 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only (ctest integration_pg.*)');
    server = await startServer();
    api = client(server.url);
    organiser = await signIn(server.url);
  });
  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
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
    const dir = dirname(process.env.EVENTD_TEST_PG);
    let stop = false;
    const acknowledged = [];
    const statuses = new Set();
    const load = (async () => {
      while (!stop) {
        const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
        statuses.add(r.status);
        if (r.status === 201) acknowledged.push(r.body.id);
        else assert.equal(r.status, 503, `during the restart: ${r.status} ${r.text}`);
      }
    })();
    execFileSync(`${projectRoot}/scripts/pg-cluster`, ['restart', dir]);
    // Back by itself: a registration succeeds again, and the server says it is ready.
    let back = false;
    for (const end = Date.now() + 30000; !back && Date.now() < end;) {
      const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
      if (r.status === 201) { back = true; acknowledged.push(r.body.id); } else await new Promise((res) => setTimeout(res, 200));
    }
    assert.ok(back, 'no registration succeeded within 30 s of the restart');
    stop = true;
    await load;
    assert.equal((await api('GET', '/readyz')).status, 200);
    const ids = new Set(dbQuery(server, `SELECT id FROM registrations WHERE event_id = ${ev.id}`).split('\n').map(Number));
    for (const id of [...before, ...acknowledged]) assert.ok(ids.has(id), `acknowledged registration ${id} is missing`);
    assert.ok(![...statuses].some((s) => s >= 500 && s !== 503), [...statuses].join());
    // Reads work again too (a read connection from before the restart was dropped, not reused).
    const list = await api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: organiser });
    assert.equal(list.status, 200, list.text);
  });
});

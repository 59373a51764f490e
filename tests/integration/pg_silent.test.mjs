// PostgreSQL only (issue 11): the database goes silent under a running node, without a reset or a closed connection
// (its host lost power, the network between split). A proxy in this test stands between node A and the database:
// told to, it keeps passing what A sends but drops every answer, and accepts new connections without ever answering
// them. Node B reaches the database directly. The test asserts what an operator and the users would notice:
// - A does not hang: a registration is answered 503 within seconds, /healthz answers meanwhile, /readyz says 503;
// - B keeps working on the same event, although A's writer went silent holding that event's row lock;
// - what A answered 503 is not in the database; what it acknowledged is;
// - once the network is back, A recovers by itself: registrations, /readyz and live updates from B (its LISTEN
//   connection was silently dead too, and found so by asking);
// - A stops promptly on SIGTERM while the database is silent: the stop's deadline cuts its waits short.
// The nodes run with a statement timeout of 1 s, so a silent connection is given up after 6 s (pg_limits).
// Runs as integration_pg.pg_silent; without the cluster (EVENTD_TEST_PG) it fails rather than skips.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, client, signIn, postgresCluster, dbQuery } from '../support/server.mjs';
import { connect } from '../support/ws.mjs';
import { silentProxy, until } from '../support/silent_proxy.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('the database silent under a running node', { timeout: 240000 }, () => {
  let a, b, apiA, apiB, tokenA, tokenB, proxy, cluster, dbName, direct;
  // A stop drains HTTP for up to 2 s, and the rest of it gets as long again before its waits are cut short.
  const config = { postgres_statement_timeout_ms: 1000, shutdown_drain_seconds: 2, max_connections_per_address: 1000 };

  before(async () => {
    cluster = postgresCluster();
    assert.ok(cluster, 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only (ctest integration_pg.*)');
    const u = new URL(cluster);
    dbName = `silent_${process.pid}_${Date.now() % 100000}`;
    execFileSync('psql', [cluster, '-q', '-c', `CREATE DATABASE ${dbName}`]);
    direct = cluster.slice(0, cluster.lastIndexOf('/') + 1) + dbName;
    proxy = await silentProxy(u.hostname, Number(u.port));
    const proxied = `postgresql://${u.username}@127.0.0.1:${proxy.port}/${dbName}`;
    a = await startServer({ config, db: proxied });
    b = await startServer({ config, db: direct });
    apiA = client(a.url);
    apiB = client(b.url);
    tokenA = await signIn(a.url);
    tokenB = await signIn(b.url);
  });
  after(async () => {
    for (const n of [b, a]) if (n) { await n.stop(); n.cleanup(); }
    if (proxy) proxy.close();
    if (dbName) execFileSync('psql', [cluster, '-q', '-c', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`]);
  });

  test('a node answers, fails cleanly, lets the other node work, and recovers by itself', async () => {
    const ev = await createEvent(apiA, tokenA, { capacity: 1000 });
    const acknowledged = [];
    for (let i = 0; i < 3; i++) {
      const r = await apiA('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
      assert.equal(r.status, 201, r.text);
      acknowledged.push(r.body.id);
    }
    // A watcher on A, of the event: it must hear of B's check-ins, before and after.
    const ws = await connect(a.url);
    assert.equal(ws.status, 101, ws.text);
    try {
      ws.send({ type: 'subscribe', topics: [`event:${ev.id}`] });
      await ws.next((m) => m.topic === `event:${ev.id}` && m.type === 'snapshot');
      const first = (await apiB('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody())).body;
      const heardFirst = ws.next((m) => m.topic === `event:${ev.id}` && m.type === 'update' && m.data.checked_in === 1, 10000);
      assert.equal((await apiB('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: first.ticket_code }, { token: tokenB })).status, 201);
      await heardFirst;

      proxy.silence();
      const lostEmail = `lost-${Date.now()}@example.org`;
      const t0 = Date.now();
      const pending = apiA('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: lostEmail }));
      await sleep(500);  // A's writer has sent its transaction and waits for answers that never come
      // A's I/O threads are free meanwhile.
      const health = await apiA('GET', '/healthz');
      assert.equal(health.status, 200);
      // B registers for the same event: the server ended A's silent transaction (idle_in_transaction_session_timeout)
      // and with it the row lock, well before B's own statement timeout.
      const onB = await apiB('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
      assert.equal(onB.status, 201, `B, while A's transaction is silent: ${onB.status} ${onB.text}`);
      // A gives up on the silent connection and says so: 503 problem+json, within seconds rather than never.
      const lost = await Promise.race([pending, sleep(30000).then(() => ({ status: 'no answer within 30 s', text: '' }))]);
      const took = Date.now() - t0;
      console.log(`# A answered ${lost.status} ${took} ms after the database went silent`);
      assert.equal(lost.status, 503, lost.text);
      assert.match(lost.headers.get('content-type') ?? '', /application\/problem\+json/);
      // The writer sends a batch of registrations with its COMMIT, in one round trip: the database may have
      // committed what A never heard back about, and A says so (reason outcome_unknown) rather than "nothing saved".
      const unknown = lost.body.reason === 'outcome_unknown';
      assert.match(lost.body.detail, unknown ? /may have been saved/ : /nothing was saved/);
      assert.ok(took < 12000, `A answered after ${took} ms`);
      await until('A says it is not ready', async () => (await apiA('GET', '/readyz')).status === 503, 30000);
      // And /metrics says why.
      const silent = (await (await fetch(`${a.url}/metrics`)).text()).match(/^eventd_db_silent_connections_total (\d+)$/m);
      assert.ok(silent && Number(silent[1]) >= 1, `eventd_db_silent_connections_total: ${silent?.[1]}`);

      proxy.speak();
      // A is back by itself: a registration, readiness.
      const back = await until('a registration on A after the network is back', async () => {
        const r = await apiA('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
        assert.ok(r.status === 201 || r.status === 503, `${r.status} ${r.text}`);
        return r.status === 201 ? r : null;
      }, 40000);
      acknowledged.push(back.body.id);
      await until('A ready again', async () => (await apiA('GET', '/readyz')).status === 200, 30000);
      // And its ear on the other nodes: A's LISTEN connection was silent too. A check-in on B reaches A's watcher.
      const second = (await apiB('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody())).body;
      // Heard as the NOTIFY's update, or in the view read again once A listens again (whichever comes first).
      const heardSecond = ws.next((m) => m.topic === `event:${ev.id}` && m.data?.checked_in === 2, 30000);
      const r = await apiB('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: second.ticket_code }, { token: tokenB });
      assert.equal(r.status, 201, r.text);
      await heardSecond;

      // Nothing acknowledged is missing; a registration answered "nothing was saved" is not there (one answered
      // outcome_unknown may be, at most once).
      const ids = new Set(dbQuery(b, `SELECT id FROM registrations WHERE event_id = ${ev.id}`).split('\n').map(Number));
      for (const id of acknowledged) assert.ok(ids.has(id), `acknowledged registration ${id} is missing`);
      const lostRows = dbQuery(b, `SELECT count(*) FROM registrations WHERE email = '${lostEmail}'`);
      if (unknown) assert.ok(lostRows === '0' || lostRows === '1', lostRows);
      else assert.equal(lostRows, '0');
    } finally {
      ws.close();
    }
  });

  test('a node stops promptly on SIGTERM while the database is silent', async () => {
    proxy.silence();
    const ev = (await apiB('GET', '/api/v1/events')).body;
    assert.ok(Array.isArray(ev.items ?? ev));
    const pending = apiA('POST', `/api/v1/events/${(ev.items ?? ev)[0].id}/registrations`, registrationBody()).catch(() => null);
    await sleep(500);
    const t0 = Date.now();
    const exit = await a.stop();
    const took = Date.now() - t0;
    await pending;
    console.log(`# A stopped ${took} ms after SIGTERM, exit ${exit.code} ${exit.signal}`);
    assert.equal(exit.code, 0, a.stderr.slice(-2000));
    // 2 s of drain, 2 s for the rest, and a little: not the 6 s a silent connection waits, once per thread in turn.
    assert.ok(took < 7000, `A took ${took} ms to stop`);
    a.cleanup();
    a = null;
  });
});

// PostgreSQL only (issue 11): the database named by a host name, behind a slow DNS server. eventd runs with a
// resolver preloaded (tests/support/slow_resolver.cpp, LD_PRELOAD) that takes 1.5 s for any name ending in
// ".slow.test". Handlers open read connections as fibers on the I/O threads; a name looked up there with libpq's
// blocking getaddrinfo would hold the thread, and every request it serves, for the whole lookup. The test ends the
// node's database sessions so that four reads at once must open new connections, and asserts that /healthz answers
// meanwhile within a fraction of the lookup, and that the reads then succeed.
// Runs as integration_pg.pg_dns (not under the sanitizers); without the cluster or the resolver it fails.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, client, signIn, postgresCluster } from '../support/server.mjs';
import { createEvent } from '../support/fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const LOOKUP_MS = 1500;

describe('the database named by a host name, looked up slowly', { timeout: 120000 }, () => {
  let server, api, organiser, cluster, dbName;
  before(async () => {
    cluster = postgresCluster();
    assert.ok(cluster, 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only (ctest integration_pg.*)');
    const resolver = process.env.EVENTD_SLOW_RESOLVER;
    assert.ok(resolver, 'EVENTD_SLOW_RESOLVER names no library: run through ctest (integration_pg.pg_dns)');
    const u = new URL(cluster);
    dbName = `dns_${process.pid}_${Date.now() % 100000}`;
    execFileSync('psql', [cluster, '-q', '-c', `CREATE DATABASE ${dbName}`]);
    server = await startServer({
      db: `postgresql://${u.username}@db.slow.test:${u.port}/${dbName}`,
      env: { LD_PRELOAD: resolver, EVENTD_SLOW_RESOLVER_MS: String(LOOKUP_MS) },
    });
    api = client(server.url);
    organiser = await signIn(server.url);
  });
  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
    if (dbName) execFileSync('psql', [cluster, '-q', '-c', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`]);
  });

  test('new connections look the name up without holding the I/O threads', async () => {
    const ev = await createEvent(api, organiser, { capacity: 10 });
    const read = () => api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: organiser });
    assert.equal((await read()).status, 200);
    // The node's sessions end: its pooled read connections are found closed when next lent, and new ones are opened,
    // each looking the name up.
    execFileSync('psql', [cluster, '-q', '-c',
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}' AND pid <> pg_backend_pid()`]);
    await sleep(200);
    const t0 = Date.now();
    const reads = Promise.all(Array.from({ length: 4 }, read));
    await sleep(300);  // the four are looking the name up now
    const h0 = Date.now();
    const health = await api('GET', '/healthz');
    const healthMs = Date.now() - h0;
    const answers = await reads;
    const readsMs = Date.now() - t0;
    console.log(`# /healthz answered in ${healthMs} ms while four reads looked the name up; the reads took ${readsMs} ms`);
    assert.equal(health.status, 200);
    // The reads did wait for a lookup (else this test reached nothing)...
    assert.ok(readsMs >= LOOKUP_MS - 100, `the reads took ${readsMs} ms: no lookup happened`);
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 200], answers.map((r) => r.text).join(' | '));
    // ...and /healthz did not: an I/O thread held by a lookup would have kept it for most of the 1.5 s.
    assert.ok(healthMs < LOOKUP_MS / 2, `/healthz took ${healthMs} ms while the reads looked the name up`);
  });
});

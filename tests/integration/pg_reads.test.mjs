// PostgreSQL only (issue 11): a read that waits on the database holds no I/O thread. While another session keeps
// the events and registrations tables locked, reads of them wait; meanwhile /healthz, the home page and /metrics
// answer at once, and when the lock goes every waiting read is answered. As shipped (postgres_handlers "fibers") four
// waiting reads are fibers suspended on the I/O threads (as many as the four read connections) and four wait their
// turn; with "threads" they wait on threads of their own. Runs as integration_pg.pg_reads; without the cluster
// (EVENTD_TEST_PG) it fails rather than skips.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, client, signIn, postgresCluster, dbQuery } from '../support/server.mjs';
import { createEvent, register } from '../support/fixtures.mjs';

function metric(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  assert.ok(line, `/metrics has ${name}`);
  return Number(line.split(' ')[1]);
}

for (const handlers of ['fibers', 'threads']) describe(`slow PostgreSQL reads hold no I/O thread (${handlers})`, { timeout: 60000 }, () => {
  let server, api, admin, locker;

  before(async () => {
    assert.ok(postgresCluster(), 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only (ctest integration_pg.*)');
    // Two I/O threads: eight waiting reads would hold both. Four read connections: four reads wait for one.
    server = await startServer({ config: { threads: 2, max_read_connections: 4, postgres_handlers: handlers } });
    api = client(server.url);
    admin = await signIn(server.url);
  });

  after(async () => {
    if (locker && locker.exitCode === null) locker.kill();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('eight reads waiting on a locked table leave /healthz, a page and /metrics answering at once', async () => {
    const ev = await createEvent(api, admin, { capacity: 20 });
    const tokens = [];
    for (let i = 0; i < 4; i++) tokens.push((await register(api, ev.id)).manage_token);

    // Another session takes the tables and keeps them until told.
    locker = spawn('psql', [server.db, '-q', '-X', '-v', 'ON_ERROR_STOP=1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    locker.stdout.on('data', (d) => { out += d; });
    locker.stdin.write("BEGIN; LOCK TABLE events, registrations IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n");
    for (let i = 0; i < 100 && !out.includes('locked'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(out.includes('locked'), 'the other session holds the lock');

    let answered = 0;
    const waiting = Array.from({ length: 8 }, (_, i) =>
      api('GET', `/api/v1/my/registrations/${tokens[i % tokens.length]}`).then((r) => { answered += 1; return r; }));
    // The reads reach the database and wait there: seen in pg_stat_activity (a time alone was too short on a loaded
    // machine), then a moment for the rest of them.
    const waiting_reads = () => Number(dbQuery(server, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"));
    for (let i = 0; i < 200 && waiting_reads() < 1; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    try {
      assert.equal(answered, 0, 'the reads wait for the lock');
      const started = Date.now();
      let metrics = '';
      for (const path of ['/healthz', '/', '/metrics']) {
        const r = await fetch(server.url + path, { signal: AbortSignal.timeout(3000) });
        assert.equal(r.status, 200, path);
        if (path === '/metrics') metrics = await r.text(); else await r.arrayBuffer();
      }
      assert.ok(Date.now() - started < 1500, `answered in ${Date.now() - started} ms`);
      assert.equal(answered, 0, 'the reads still wait');
      if (handlers === 'fibers') {
        assert.equal(metric(metrics, 'eventd_handler_fibers'), 4, 'as many fibers as read connections, suspended');
        assert.equal(metric(metrics, 'eventd_handler_fibers_queued'), 4, 'the other four reads wait their turn');
        assert.ok(metric(metrics, 'eventd_fiber_suspensions_total') >= 4, 'each running one waited suspended');
      } else {
        assert.equal(metric(metrics, 'eventd_handler_fibers'), 0);
      }
    } finally {
      locker.stdin.end('ROLLBACK;\n');
    }
    const answers = await Promise.all(waiting);
    assert.deepEqual(answers.map((a) => a.status), Array(8).fill(200));
  });
});

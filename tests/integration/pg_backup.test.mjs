// PostgreSQL only (issue 12): the backup and restore that README and docs/SCALING.md document for PostgreSQL.
// pg_dump -Fc taken while registrations keep coming holds every registration acknowledged before it began;
// pg_restore into a new database gives a server on which the old private links, the admin's password and the ticket
// codes still work, and new registrations take ids after the restored ones. Runs as integration_pg.pg_backup;
// without the cluster (EVENTD_TEST_PG) it fails rather than skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, client, signIn, postgresCluster, dbQuery } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';

const run = promisify(execFile);

test('pg_dump during a burst, pg_restore into a new database: a working server with everything acknowledged before', { timeout: 120000 }, async () => {
  const cluster = postgresCluster();
  assert.ok(cluster, 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only (ctest integration_pg.*)');
  const work = mkdtempSync(join(tmpdir(), 'eventd-pg-backup-'));
  const restoredName = `restored_${process.pid}_${Date.now() % 100000}`;
  const restoredUrl = cluster.slice(0, cluster.lastIndexOf('/') + 1) + restoredName;
  let server, restored;
  try {
    server = await startServer();
    const api = client(server.url);
    const admin = await signIn(server.url);
    const ev = await createEvent(api, admin, { capacity: 100000 });
    const first = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: 'kept@backup-test.example.org' }));
    assert.equal(first.status, 201, first.text);

    // A burst that runs on while the dump is taken: what was acknowledged before the dump began must be in it.
    const acknowledged = new Map();  // id -> acknowledged at (ms)
    let stop = false;
    const burst = Promise.all(Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: `b${w}-${i}@backup-test.example.org` }));
        assert.equal(r.status, 201, r.text);
        acknowledged.set(r.body.id, Date.now());
      }
    }));
    // Wait for a number of acknowledgements, not for a time: on a loaded machine 500 ms gave 18 once.
    for (const until = Date.now() + 30000; acknowledged.size < 20 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const dumpStarted = Date.now();
    const dump = join(work, 'eventd.dump');
    await run('pg_dump', ['-Fc', '-f', dump, server.db]);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await burst;
    assert.ok(statSync(dump).size > 0);
    const before = [...acknowledged].filter(([, at]) => at < dumpStarted).map(([id]) => id);
    const after = [...acknowledged].filter(([, at]) => at >= dumpStarted).length;
    assert.ok(before.length >= 20, `registrations acknowledged before the dump: ${before.length}`);
    assert.ok(after > 0, 'registrations went on while the dump was taken');

    // Restore as documented: a new database, pg_restore --no-owner, a server pointed at it.
    execFileSync('psql', [cluster, '-q', '-c', `CREATE DATABASE ${restoredName}`]);
    execFileSync('pg_restore', ['--no-owner', '-d', restoredUrl, dump]);
    await server.stop();
    restored = await startServer({ db: restoredUrl });
    const api2 = client(restored.url);
    const admin2 = await signIn(restored.url);  // the admin's password hash came along
    const ids = new Set(dbQuery(restored, `SELECT id FROM registrations WHERE event_id = ${ev.id}`).split('\n').map(Number));
    const missing = before.filter((id) => !ids.has(id));
    assert.deepEqual(missing, [], 'every registration acknowledged before the dump began is in the restored database');
    assert.ok(ids.has(first.body.id));

    // The private link and the ticket code made before the backup still work (the ticket key is in the database).
    const mine = await api2('GET', `/api/v1/my/registrations/${first.body.manage_token}`);
    assert.equal(mine.status, 200, mine.text);
    const scan = await api2('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: first.body.ticket_code }, { token: admin2 });
    assert.equal(scan.status, 201, scan.text);
    // New registrations take ids after every restored one (the sequences came along).
    const fresh = await api2('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: 'after@backup-test.example.org' }));
    assert.equal(fresh.status, 201, fresh.text);
    assert.ok(fresh.body.id > Math.max(...ids.values()), `new id ${fresh.body.id} after the restored ones`);
  } finally {
    if (restored) { await restored.stop(); restored.cleanup(); }
    if (server) { await server.stop(); server.cleanup(); }
    try { execFileSync('psql', [cluster, '-q', '-c', `DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`]); } catch { /* the cluster may be gone */ }
    rmSync(work, { recursive: true, force: true });
  }
});

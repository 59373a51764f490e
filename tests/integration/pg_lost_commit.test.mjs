// PostgreSQL only (issue 11): a COMMIT whose answer is lost although the database committed it (the connection
// broke at that moment). A proxy between the node and the database drops the one answer that holds the COMMIT's
// completion and closes the connection; the node reconnects at once. The writer then finds its commit mark: the
// registration is neither lost nor made twice, and its caller gets 201 with the registration as saved, whether the
// seat was decided in C++ before the COMMIT (integration_pg_rules.pg_lost_commit) or by the database's statement
// whose rows were lost with the COMMIT's answer and are found again by the private link's hash
// (integration_pg.pg_lost_commit, as shipped). The node goes on registering. A check-in whose COMMIT answer is lost
// is answered "checked in", not "already checked in" (what running it again would say). Without the cluster
// (EVENTD_TEST_PG) it fails rather than skips.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, client, signIn, postgresCluster, dbQuery } from '../support/server.mjs';
import { commitCutter } from '../support/silent_proxy.mjs';
import { createEvent, ongoingEventBody, registrationBody } from '../support/fixtures.mjs';

describe('a COMMIT committed whose answer was lost', { timeout: 120000 }, () => {
  let node, api, token, cutter, cluster, dbName, direct;

  before(async () => {
    cluster = postgresCluster();
    assert.ok(cluster, 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only (ctest integration_pg.*)');
    const u = new URL(cluster);
    dbName = `lostcommit_${process.pid}_${Date.now() % 100000}`;
    execFileSync('psql', [cluster, '-q', '-c', `CREATE DATABASE ${dbName}`]);
    // The test's own queries go straight to the database: psql run synchronously would stall the proxy in this process.
    direct = { db: cluster.slice(0, cluster.lastIndexOf('/') + 1) + dbName };
    cutter = await commitCutter(u.hostname, Number(u.port));
    // Mail off: no background transaction of the mail sender's commits while the cutter waits for the writer's.
    node = await startServer({ db: `postgresql://${u.username}@127.0.0.1:${cutter.port}/${dbName}`, args: ['--mail', 'off'] });
    api = client(node.url);
    token = await signIn(node.url);
  });
  after(async () => {
    if (node) { await node.stop(); node.cleanup(); }
    if (cutter) cutter.close();
    if (dbName) execFileSync('psql', [cluster, '-q', '-c', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`]);
  });

  test('the registration is saved once, the caller hears what the node knows, and the node goes on', async () => {
    const ev = await createEvent(api, token, { capacity: 1 });
    const email = `lost-commit-${Date.now()}@example.org`;
    cutter.cutNextCommit();
    const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email }));
    assert.equal(cutter.cuts, 1, 'the COMMIT\'s answer was dropped');
    const rows = dbQuery(direct, `SELECT id, status FROM registrations WHERE email = '${email}'`).split('\n').filter(Boolean);
    assert.equal(rows.length, 1, `saved once: ${rows.join('; ')}`);
    const [id, status] = rows[0].split('|');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.id, Number(id));
    assert.equal(r.body.status, 'confirmed');
    assert.equal(status, 'confirmed');
    assert.equal(r.body.ticket_code, dbQuery(direct, `SELECT ticket_code FROM registrations WHERE id = ${id}`));
    const mine = await api('GET', `/api/v1/my/registrations/${r.body.manage_token}`);
    assert.equal(mine.status, 200, 'its private link works');
    assert.equal(mine.body.id, Number(id));
    const again = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email }));
    assert.equal(again.status, 409, `sent again: ${again.text}`);
    // The seat was taken once: the next person waits, and the node carries on without a restart.
    const next = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
    assert.equal(next.status, 201, next.text);
    assert.equal(next.body.status, 'waitlisted');
    assert.equal(next.body.waitlist_position, 1);
    assert.equal(dbQuery(direct, `SELECT count(*) FROM registrations WHERE event_id = ${ev.id}`), '2');
  });

  test('a check-in whose COMMIT answer was lost admits once and says "checked in", not "already"', async () => {
    const ev = await createEvent(api, token, ongoingEventBody({ capacity: 10 }));
    const reg = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
    assert.equal(reg.status, 201, reg.text);
    // Without a scan_id (an organiser typing the code): only the commit mark keeps the writer from running the
    // check-in again and answering "already checked in" to the scan that did it. (A door app's scan_id would also
    // return its first answer: API.md.)
    const cutsBefore = cutter.cuts;
    cutter.cutNextCommit();
    const r = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.body.ticket_code }, { token });
    assert.equal(cutter.cuts, cutsBefore + 1, 'the COMMIT\'s answer was dropped');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.result, 'checked_in');
    assert.equal(r.body.registration_id, reg.body.id);
    assert.equal(dbQuery(direct, `SELECT count(*) FROM checkins WHERE registration_id = ${reg.body.id}`), '1');
    const other = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.body.ticket_code }, { token });
    assert.equal(other.status, 200, other.text);
    assert.equal(other.body.result, 'already_checked_in');
    assert.equal(dbQuery(direct, `SELECT count(*) FROM checkins WHERE registration_id = ${reg.body.id}`), '1');
  });
});

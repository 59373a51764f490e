// PostgreSQL only (issue 11): the ticket schemes. A new installation draws ids and makes ticket codes inside the one
// statement that decides a batch of registrations (eventd_ticket_code, migration 013, the sha256 scheme); the codes
// the database makes are the ones the server scans. An installation made before keeps its SipHash codes (settings
// has no "ticket_scheme"): its registrations are decided in C++ and its old and new tickets scan, across a restart.
// Runs as integration_pg.pg_tickets; without the cluster (EVENTD_TEST_PG) it fails rather than skips.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, postgresCluster, dbQuery } from '../support/server.mjs';
import { createEvent, register } from '../support/fixtures.mjs';

async function figures(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const figure = (name) => Number((text.match(new RegExp(`^${name} (\\d+)$`, 'm')) || [])[1] ?? NaN);
  return { trips: figure('eventd_write_round_trips_total'), batches: figure('eventd_commit_batches_total') };
}

// Registers `n` at once for a new event; answers the registrations and the round trips a batch meanwhile.
async function burst(server, n) {
  const api = client(server.url);
  const admin = await signIn(server.url);
  const ev = await createEvent(api, admin, { capacity: 1000 });
  const before = await figures(server);
  const regs = await Promise.all(Array.from({ length: n }, () => register(api, ev.id)));
  const after = await figures(server);
  return { api, admin, ev, regs, trips: (after.trips - before.trips) / (after.batches - before.batches) };
}

// Whether the database's eventd_ticket_code gives each registration's code (the key is the installation's).
function databaseCodes(server, regs) {
  return dbQuery(server, `SELECT id || '=' || eventd_ticket_code(decode((SELECT value FROM settings WHERE key = 'ticket_key'), 'hex'), id) ` +
    `FROM registrations WHERE id IN (${regs.map((r) => r.id).join(',')}) ORDER BY id`).split('\n');
}

async function scans(api, admin, ev, reg) {
  const r = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.ticket_code }, { token: admin });
  return r.status;
}

describe('ticket codes on PostgreSQL', { timeout: 120000 }, () => {
  const servers = [];
  after(async () => {
    for (const s of servers) { await s.stop().catch(() => {}); s.cleanup(); }
  });

  test('a new installation: the database makes the codes, in one round trip a batch, and they scan', async () => {
    assert.ok(postgresCluster(), 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only');
    // Two writers (one as shipped): each decides its own events' registrations in its own statements.
    const server = await startServer({ config: { postgres_writers: 2 } });
    servers.push(server);
    assert.equal(dbQuery(server, `SELECT value FROM settings WHERE key = 'ticket_scheme'`), '2');
    const { api, admin, ev, regs, trips } = await burst(server, 40);
    assert.ok(trips <= 1.25, `round trips a batch: ${trips}`);
    assert.deepEqual(databaseCodes(server, regs), [...regs].sort((a, b) => a.id - b.id).map((r) => `${r.id}=${r.ticket_code}`));
    for (const reg of regs.slice(0, 5)) assert.equal(await scans(api, admin, ev, reg), 201, reg.ticket_code);
  });

  test('an installation made before keeps its SipHash codes: decided in C++, scanning before and after a restart', async () => {
    // The installation as an older eventd left it: a ticket key and no scheme.
    let server = await startServer();
    const dir = server.dir;
    await server.stop();
    dbQuery(server, `DELETE FROM settings WHERE key = 'ticket_scheme'`);
    server = await startServer({ dir });
    servers.push(server);
    const { api, admin, ev, regs, trips } = await burst(server, 40);
    assert.ok(trips >= 2, `round trips a batch: ${trips} (a read first, then the writes)`);
    // Not the database's sha256 codes: the server's own SipHash ones.
    const sha = databaseCodes(server, regs);
    const mine = [...regs].sort((a, b) => a.id - b.id).map((r) => `${r.id}=${r.ticket_code}`);
    assert.equal(sha.filter((line, i) => line === mine[i]).length, 0, 'codes of the sha256 scheme on a SipHash installation');
    assert.equal(await scans(api, admin, ev, regs[0]), 201);
    // Still so after a restart: the scheme is the installation's for good.
    await server.stop();
    server = await startServer({ dir });
    servers.push(server);
    assert.equal(dbQuery(server, `SELECT count(*) FROM settings WHERE key = 'ticket_scheme'`), '0');
    const again = client(server.url);
    const token = await signIn(server.url);
    assert.equal(await scans(again, token, ev, regs[1]), 201);
    const later = await register(again, ev.id);
    assert.equal(await scans(again, token, ev, later), 201);
  });
});

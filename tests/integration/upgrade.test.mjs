// Issue 12: a database made by an earlier eventd upgrades to the current schema with every figure of /goals unchanged.
// tests/fixtures/upgrade/v008.db was made by the eventd of commit 4d1859b (schema 008, before the mail outbox and
// partner search, 009 and 010) from its demo data and a few more registrations, check-ins, cancellations, a walk-in,
// evaluations, an erasure and a counselling session; v008-goals.json holds what that server answered (README.md there
// says how both were made). The current server starts on a copy, runs the migrations, and must answer the same.
// SQLite only: the fixture is a SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, client, signIn, binaryPath, projectRoot, postgresCluster, runTool } from '../support/server.mjs';
import { createEvent, register, hoursFromNow } from '../support/fixtures.mjs';

const fixtures = join(projectRoot, 'tests', 'fixtures', 'upgrade');
const recorded = JSON.parse(readFileSync(join(fixtures, 'v008-goals.json'), 'utf8'));
const run = promisify(execFile);
const sqlite = async (db, sql) => (await run('sqlite3', [db, sql], { encoding: 'utf8' })).stdout.trim();
const tool = runTool;

// Every value of `old` found unchanged in `now`, member by member; members only `now` has are listed in `added`.
// Numbers are compared exactly: the same facts must give the same figures.
function differences(now, old, path = '', added = new Set(), out = []) {
  if (old !== null && typeof old === 'object') {
    if (Array.isArray(old) !== Array.isArray(now) || now === null || typeof now !== 'object') {
      out.push(`${path}: was ${JSON.stringify(old)}, now ${JSON.stringify(now)}`);
    } else if (Array.isArray(old)) {
      if (now.length !== old.length) out.push(`${path}: ${old.length} items before, ${now.length} now`);
      else old.forEach((v, i) => differences(now[i], v, `${path}[${i}]`, added, out));
    } else {
      for (const k of Object.keys(now)) if (!(k in old)) added.add(`${path}.${k}`.replace(/\[\d+\]/g, '[]'));
      for (const [k, v] of Object.entries(old)) {
        if (!(k in now)) out.push(`${path}.${k}: missing now (was ${JSON.stringify(v)})`);
        else differences(now[k], v, `${path}.${k}`, added, out);
      }
    }
  } else if (!Object.is(now, old)) {
    out.push(`${path}: was ${JSON.stringify(old)}, now ${JSON.stringify(now)}`);
  }
  return out;
}

// The recorded /goals answers of a server started with or without --demo, asked again. The old document is compared
// member by member; members the current /goals has and the old one did not are reported, not compared (there were
// none when this test was written).
async function assertGoalsUnchanged(t, server, demo) {
  const api = client(server.url);
  const token = await signIn(server.url);
  const added = new Set();
  const changed = [];
  const answers = recorded.goals.filter((g) => g.demo === demo);
  assert.ok(answers.length >= 5, 'the fixture records the answers to compare');
  for (const { query, body } of answers) {
    const r = await api('GET', '/api/v1/goals' + (query ? '?' + query : ''), undefined, { token });
    assert.equal(r.status, 200, `/goals?${query}: ${r.text}`);
    changed.push(...differences(r.body, body, `/goals?${query}`, added));
  }
  assert.deepEqual(changed, [], 'figures of /goals changed across the upgrade');
  if (added.size) t.diagnostic(`members only the current /goals has (not compared): ${[...added].join(', ')}`);
}

function copyOfFixture() {
  const dir = mkdtempSync(join(tmpdir(), 'eventd-upgrade-'));
  copyFileSync(join(fixtures, 'v008.db'), join(dir, 'eventd.db'));
  return dir;
}

// Retention would erase the personal data of the fixture's events a year after each ended, on whatever day the test
// runs; the figures must not change by that either (DOMAIN.md, Privacy), but this test is about the upgrade, and the
// links it reads back must not depend on the date: the servers here keep personal data for 100 years.
const config = { retention_days: 36500 };

test('a schema 008 database made by an earlier eventd upgrades with every /goals figure unchanged', {
  skip: postgresCluster() ? 'the fixture is a SQLite database' : false, timeout: 120000,
}, async (t) => {
  const version = await tool('--version');
  assert.equal(version.code, 0, version.stderr);
  const current = Number(version.stdout.match(/\(schema (\d+)/)[1]);
  assert.ok(current > recorded.schema, `the current schema (${current}) is newer than the fixture's (${recorded.schema})`);

  const dir = copyOfFixture();
  const db = join(dir, 'eventd.db');
  let server = null;
  try {
    assert.equal(await sqlite(db, 'SELECT max(version) FROM schema_migrations'), String(recorded.schema));
    const before = await tool('check', '--db', db);
    assert.equal(before.code, 0, before.stdout + before.stderr);
    assert.match(before.stdout, /older schema: the next start of this eventd upgrades it/);

    // First start: the migrations after 008 run. Started as in production (no --demo).
    server = await startServer({ dir, config });
    await assertGoalsUnchanged(t, server, false);

    // Registrations made before the upgrade, read by their private links: every member the old server showed is
    // shown the same (a confirmed attendee with an evaluation, a waitlisted one, a cancelled one, one checked in by
    // force after cancelling, an erased one).
    const api = client(server.url);
    const linkChanges = [];
    const added = new Set();
    for (const [what, r] of Object.entries(recorded.registrations)) {
      const got = await api('GET', `/api/v1/my/registrations/${r.manage_token}`);
      assert.equal(got.status, r.status, `${what}: ${got.text}`);
      linkChanges.push(...differences(got.body, r.body, what, added));
    }
    const evaluation = await api('GET', `/api/v1/my/registrations/${recorded.evaluation.manage_token}/evaluation`);
    assert.equal(evaluation.status, 200, evaluation.text);
    linkChanges.push(...differences(evaluation.body, recorded.evaluation.body, 'evaluation', added));
    assert.deepEqual(linkChanges, [], 'registrations read by their private links changed across the upgrade');
    assert.equal(recorded.registrations.erased.body.email, null, 'the fixture holds an erased registration');
    if (added.size) t.diagnostic(`members only the current registration view has: ${[...added].join(', ')}`);
    // Nothing in the old data is due for mail (every event ended long ago): the upgrade sends nobody anything.
    assert.equal(await sqlite(db, 'SELECT count(*) FROM mail_outbox'), '0');
    assert.deepEqual(await server.stop(), { code: 0, signal: null });

    // Now at the current level, and sound.
    const migrations = await sqlite(db, 'SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
    assert.equal(await sqlite(db, 'SELECT max(version) FROM schema_migrations'), String(current));
    const after = await tool('check', '--db', db);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /integrity: ok\nforeign keys: ok\nschema: (\d+) \(this eventd: \1\)\nok\n/);

    // Second start, with --demo this time (it loads nothing into a database that has events, but takes the
    // programme's dates from the day the demo was made, so the forum goal has a deadline the demo's forums meet):
    // nothing to migrate, and the same figures as the old server started so.
    server = await startServer({ dir, config, demo: true });
    assert.equal(await sqlite(db, 'SELECT version, name, applied_at FROM schema_migrations ORDER BY version'), migrations,
      'the second start migrated nothing');
    await assertGoalsUnchanged(t, server, true);

    // New data on the upgraded database: an event, a registration by someone new and one by a person of the old
    // data (the same address, so the same person), read back by their links, checked in; a partner-search profile
    // (schema 010) from a new forum's registration; their confirmations queued in the outbox (schema 009).
    const token = await signIn(server.url);
    const api2 = client(server.url);
    const ev = await createEvent(api2, token, { starts_at: hoursFromNow(24 * 30), ends_at: hoursFromNow(24 * 30 + 3) });
    const fresh = await register(api2, ev.id);
    const old = recorded.registrations.attended.body;
    const returning = await register(api2, ev.id, { name: old.name, email: old.email, organisation: old.organisation,
      organisation_type: old.organisation_type, municipality: old.municipality });
    for (const r of [fresh, returning]) {
      assert.equal(r.status, 'confirmed');
      const got = await api2('GET', `/api/v1/my/registrations/${r.manage_token}`);
      assert.equal(got.status, 200, got.text);
      assert.equal(got.body.id, r.id);
    }
    const dup = await api2('POST', `/api/v1/events/${ev.id}/registrations`, { name: old.name, email: old.email.toUpperCase(),
      organisation: old.organisation, organisation_type: old.organisation_type, municipality: old.municipality, consent: true });
    assert.equal(dup.status, 409, 'one person, one active registration per event');
    const scan = await api2('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: fresh.ticket_code }, { token });
    assert.equal(scan.status, 201, scan.text);
    const counts = (await api2('GET', `/api/v1/events/${ev.id}`)).body.counts;
    assert.equal(counts.confirmed, 2);
    assert.equal(counts.checked_in, 1);
    const forum = await createEvent(api2, token, { kind: 'partner_search_forum', topic: undefined,
      starts_at: hoursFromNow(24 * 40), ends_at: hoursFromNow(24 * 40 + 6) });
    const broker = await register(api2, forum.id);
    const profile = await api2('PUT', `/api/v1/my/registrations/${broker.manage_token}/profile`, {
      summary: 'A municipality looking for partners in youth employment.', country: 'SE', focus_areas: ['employment_mobility'],
      offers: ['target_groups'], seeks: ['lead_partner'], languages: ['en', 'sv'], partner_countries: [] });
    assert.equal(profile.status, 200, profile.text);
    assert.ok(Number(await sqlite(db, 'SELECT count(*) FROM mail_outbox')) >= 3, 'confirmations are queued in the outbox');
    assert.deepEqual(await server.stop(), { code: 0, signal: null });
    server = null;
  } finally {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

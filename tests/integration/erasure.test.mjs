// Erasure as a data protection officer checks it: after a person erases their registration (private link) and
// after the retention rule erases another, no byte of their names, addresses or manage tokens is left in the
// database file, its WAL, the outbox folder or the server's output, and a repeated scan no longer names them. The same
// for persons named in the counselling log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn, projectRoot, dbDump, dbQuery } from '../support/server.mjs';
import { createEvent, ongoingEventBody, hoursFromNow } from '../support/fixtures.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A file's bytes, or null when the server removed it between listing and reading (it deletes erased mail itself).
function readIfThere(path, encoding) {
  try {
    return readFileSync(path, encoding);
  } catch (e) {
    if (e.code === 'ENOENT') return null;
    throw e;
  }
}

// Every file under `dir`, recursively.
function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    let isDir;
    try { isDir = statSync(p).isDirectory(); } catch (e) { if (e.code === 'ENOENT') continue; throw e; }
    if (isDir) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

// Which of `needles` occur in the raw bytes of the folder's files or in `logs`, as "needle in file".
// `server`: its folder's files (the SQLite database and its WAL, the outbox...), and on PostgreSQL the database's
// every table as pg_dump writes it (what a query, a backup or a replica can see).
function leftovers(server, needles, logs = {}) {
  const found = [];
  const sources = filesUnder(server.dir).map((f) => [f, readIfThere(f)]).filter(([, bytes]) => bytes !== null);
  // Not the cluster's files: a blanked value's bytes may stay in a page's free space after VACUUM, and in the WAL
  // (docs/SCALING.md, Erasure on PostgreSQL).
  if (server.db.startsWith('postgresql://')) sources.push(['the PostgreSQL database (pg_dump)', Buffer.from(dbDump(server), 'utf8')]);
  for (const [name, text] of Object.entries(logs)) sources.push([name, Buffer.from(text, 'utf8')]);
  for (const [where, bytes] of sources) {
    const lower = Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1');
    for (const n of needles) if (lower.includes(Buffer.from(n.toLowerCase(), 'utf8'))) found.push(`${n} in ${where}`);
  }
  return found;
}

// Waits until nothing is left (the server removes copies and empties its WAL on its own threads), then answers
// what is still there.
async function settle(server, needles, logs, seconds = 15) {
  let found = leftovers(server, needles, logs);
  for (let i = 0; i < seconds * 10 && found.length; i++) {
    await sleep(100);
    found = leftovers(server, needles, logs);
  }
  return found;
}

async function mailTo(dir, address) {
  for (let i = 0; i < 100; i++) {
    const folder = join(dir, 'outbox');
    if (existsSync(folder))
      for (const f of readdirSync(folder).filter((x) => x.endsWith('.eml')))
        if (readIfThere(join(folder, f), 'utf8')?.includes(address)) return f;
    await sleep(100);
  }
  return null;
}

// A server whose retention rule is at its shortest (one day); `args` start it again on the same data.
async function startWithShortRetention() {
  const first = await startServer();
  const config = JSON.parse(readFileSync(join(projectRoot, 'config', 'eventd.json'), 'utf8'));
  const configPath = join(first.dir, 'retention.json');
  writeFileSync(configPath, JSON.stringify({ ...config, retention_days: 1 }));
  await first.stop();
  const args = ['--config', configPath];
  return { server: await startServer({ dir: first.dir, args }), args };
}

function captureStdout(server) {
  const log = { text: '' };
  server.proc.stdout.on('data', (d) => { log.text += d; });
  return log;
}

test('erasure by link and by retention leaves no copy in the database, WAL, outbox or logs', async () => {
  const tag = `${process.pid}${Date.now() % 100000}`;
  const first = {
    name: `Zebulon Quaxwort${tag}`,
    email: `zebulon.quaxwort${tag}@example.org`,
    changed: `zq.changed${tag}@example.net`,
    organisation: `Quaxwort Kulturforening${tag}`,
  };
  const second = {
    name: `Ottilie Brumbleby${tag}`,
    email: `ottilie.brumbleby${tag}@example.org`,
    organisation: `Brumbleby Hembygdslag${tag}`,
  };
  const person = (p) => ({ name: p.name, email: p.email, organisation: p.organisation, organisation_type: 'user_organisation',
    municipality: 'Nacka', gender: 'woman', consent: true, language: 'en' });

  // The retention rule at its shortest, so an event moved ten days into the past is due at the next start.
  let { server, args } = await startWithShortRetention();
  const logs = {};
  let stdout = captureStdout(server);
  try {
    let api = client(server.url);
    let token = await signIn(server.url);
    const ev = await createEvent(api, token, ongoingEventBody());
    const old = await createEvent(api, token, ongoingEventBody());

    // The first person: registered, mailed, checked in with a scan id, then a new address, then erased by link.
    const reg = await api('POST', `/api/v1/events/${ev.id}/registrations`, person(first));
    assert.equal(reg.status, 201, reg.text);
    const manage = reg.body.manage_token;
    assert.ok(await mailTo(server.dir, first.email), 'the confirmation was written to outbox/');
    const scan = { ticket_code: reg.body.ticket_code, scan_id: `erasure-scan-${tag}` };
    const checked = await api('POST', `/api/v1/events/${ev.id}/checkins`, scan, { token });
    assert.equal(checked.status, 201, checked.text);
    assert.equal(checked.body.registration.name, first.name);
    const changed = await api('PATCH', `/api/v1/my/registrations/${manage}`, { email: first.changed });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.email, first.changed);

    // The second person, on an event that then turns out to have ended ten days ago.
    const reg2 = await api('POST', `/api/v1/events/${old.id}/registrations`, person(second));
    assert.equal(reg2.status, 201, reg2.text);
    const manage2 = reg2.body.manage_token;
    assert.ok(await mailTo(server.dir, second.email), 'the second confirmation was written to outbox/');
    const scan2 = { ticket_code: reg2.body.ticket_code, scan_id: `erasure-scan2-${tag}` };
    assert.equal((await api('POST', `/api/v1/events/${old.id}/checkins`, scan2, { token })).status, 201);
    const moved = await api('PATCH', `/api/v1/events/${old.id}`,
      { starts_at: hoursFromNow(-240), ends_at: hoursFromNow(-238), registration_closes_at: hoursFromNow(-241) }, { token });
    assert.equal(moved.status, 200, moved.text);

    const erased = await api('POST', `/api/v1/my/registrations/${manage}/erase`);
    assert.equal(erased.status, 200, erased.text);
    assert.equal(erased.body.name, null);

    // A repeated scan gives the same result, no longer with the person in it.
    const again = await api('POST', `/api/v1/events/${ev.id}/checkins`, scan, { token });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.body.result, 'checked_in');
    assert.equal(again.body.registration_id, reg.body.id);
    assert.equal(again.body.registration.name, null);
    assert.ok(!again.text.includes(first.name) && !again.text.includes(first.organisation), again.text);

    // While the server runs: it empties its WAL after an erasure on its own.
    const firstNeedles = [first.name, first.email, first.changed, first.organisation, manage, manage.split('-').slice(1).join('-')];
    logs.stdout1 = stdout.text;
    logs.stderr1 = server.stderr;
    assert.deepEqual(await settle(server, firstNeedles, logs), [], 'the first person left copies while the server runs');
    // The second person is still there until the retention rule runs: the search does find what is present.
    assert.notDeepEqual(leftovers(server, [second.name]), []);
    if (server.db.startsWith('postgresql://')) {
      // PostgreSQL: the server vacuumed after the erasure (the old row versions pruned; docs/SCALING.md).
      let vacuumed = false;
      for (let i = 0; i < 100 && !vacuumed; i++, await sleep(100))
        vacuumed = dbQuery(server, "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'registrations' AND last_vacuum IS NOT NULL") === '1';
      assert.ok(vacuumed, 'no VACUUM of registrations after the erasure');
    }

    await server.stop();
    logs.stdout1 = stdout.text;
    logs.stderr1 = server.stderr;
    assert.deepEqual(leftovers(server, firstNeedles, logs), [], 'the first person left copies after a stop');

    // At the next start the retention rule erases the second person.
    server = await startServer({ dir: server.dir, args });
    stdout = captureStdout(server);
    api = client(server.url);
    token = await signIn(server.url);
    let swept;
    for (let i = 0; i < 100; i++) {
      swept = await api('GET', `/api/v1/my/registrations/${manage2}`);
      if (swept.body?.erased) break;
      await sleep(100);
    }
    assert.equal(swept.body?.erased, true, swept.text);
    const again2 = await api('POST', `/api/v1/events/${old.id}/checkins`, scan2, { token });
    assert.equal(again2.status, 201, again2.text);
    assert.equal(again2.body.registration.name, null);
    assert.ok(!again2.text.includes(second.name) && !again2.text.includes(second.organisation), again2.text);

    const allNeedles = [...firstNeedles, second.name, second.email, second.organisation, manage2, manage2.split('-').slice(1).join('-')];
    logs.stdout2 = stdout.text;
    logs.stderr2 = server.stderr;
    assert.deepEqual(await settle(server, allNeedles, logs), [], 'copies left while the server runs');
    await server.stop();
    logs.stdout2 = stdout.text;
    logs.stderr2 = server.stderr;
    assert.deepEqual(leftovers(server, allNeedles, logs), [], 'copies left after a stop');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('counselled persons: erased by their registration link, and by retention once their session is old enough', async () => {
  const tag = `${process.pid}${Date.now() % 100000}`;
  const kim = { name: `Kalle Quorbleton${tag}`, email: `kalle.quorbleton${tag}@example.org` };
  const jo = { name: `Jolanda Fizzwick${tag}`, email: `jolanda.fizzwick${tag}@example.org` };
  const mira = { name: `Mirabel Snodgrass${tag}`, email: `mirabel.snodgrass${tag}@example.org`, note: `Talked with Mirabel about her sister ${tag}` };
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });

  let { server, args } = await startWithShortRetention();
  try {
    let api = client(server.url);
    let token = await signIn(server.url);
    const support = async () => (await api('GET', '/api/v1/goals', undefined, { token })).body.support;
    const session = async (id) => (await api('GET', `/api/v1/support-sessions/${id}`, undefined, { token })).body;

    // Kim attended an event and was counselled today (the address typed differently), with Jo; Mira was counselled
    // long ago, past the retention period, but the sweep only runs at start and every six hours.
    const ev = await createEvent(api, token, ongoingEventBody());
    const reg = await api('POST', `/api/v1/events/${ev.id}/registrations`, { name: kim.name, email: kim.email,
      organisation: 'Exempelbolaget', organisation_type: 'private', municipality: 'Solna', consent: true });
    assert.equal(reg.status, 201, reg.text);
    const checked = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.body.ticket_code }, { token });
    assert.equal(checked.status, 201, checked.text);
    const recent = await api('POST', '/api/v1/support-sessions', { date: today, organisation: 'Exempelbolaget', project_idea: 'Shared idea',
      hours: 2, persons: [{ name: kim.name, email: kim.email.toUpperCase() }, { name: jo.name, email: jo.email }] }, { token });
    assert.equal(recent.status, 201, recent.text);
    const old = await api('POST', '/api/v1/support-sessions', { date: '2020-01-15', organisation: 'Gamla föreningen', project_idea: 'Old idea',
      hours: 1, persons: [{ name: mira.name, email: mira.email }], note: mira.note }, { token });
    assert.equal(old.status, 201, old.text);
    const figures = await support();
    assert.deepEqual(figures, { project_ideas: 2, persons: 3, average_hours_per_project: 1.5 });

    // Kim erases by the private link: the name and address leave the counselling log too; Jo stays.
    const erased = await api('POST', `/api/v1/my/registrations/${reg.body.manage_token}/erase`);
    assert.equal(erased.status, 200, erased.text);
    const after = await session(recent.body.id);
    assert.deepEqual(after.persons.map((p) => [p.name, p.email]), [[null, null], [jo.name, jo.email]]);
    assert.deepEqual(await support(), figures, 'the figures do not change');
    const kimNeedles = [kim.name, kim.email];
    assert.deepEqual(await settle(server, kimNeedles, {}), [], 'Kim left copies while the server runs');
    // The search does find what is still there.
    assert.notDeepEqual(leftovers(server, [jo.name, jo.email, mira.name, mira.email, mira.note]).length, 0);
    assert.equal(leftovers(server, [mira.name, mira.email, mira.note]).length >= 3, true);

    // At the next start the retention rule blanks the old session's persons and note; the figures stay.
    await server.stop();
    server = await startServer({ dir: server.dir, args });
    api = client(server.url);
    token = await signIn(server.url);
    let swept;
    for (let i = 0; i < 100; i++) {
      swept = await session(old.body.id);
      // Both, since on PostgreSQL the session and its persons are two reads, which a sweep committing between
      // them can split (seen once in CI: persons blanked, the note not yet).
      if (swept.persons[0].name === null && swept.note === null) break;
      await sleep(100);
    }
    assert.deepEqual(swept.persons.map((p) => [p.name, p.email]), [[null, null]]);
    assert.equal(swept.note, null);
    assert.equal(swept.project_idea, 'Old idea');
    assert.deepEqual(await support(), figures, 'the figures do not change');
    assert.deepEqual((await session(recent.body.id)).persons[1], after.persons[1], 'a recent session keeps its persons');
    assert.deepEqual(await settle(server, [...kimNeedles, mira.name, mira.email, mira.note], {}), [],
      'copies left while the server runs');
    await server.stop();
    assert.deepEqual(leftovers(server, [...kimNeedles, mira.name, mira.email, mira.note]), [], 'copies left after a stop');
    assert.equal(leftovers(server, [jo.name, jo.email]).length, 2, 'Jo, not erased, is still there');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

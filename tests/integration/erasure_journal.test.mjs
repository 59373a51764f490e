// A restore must not bring back erased people (issue 12). A backup is taken; then people erase their data; the backup
// is restored. At its next start the server applies its erasure journal (DATABASE.erasures, beside the database,
// holding ids and creation times only) again: the restored copy of an erased person is erased before anyone is
// served, while registrations made after the restore, which may take the ids of rows the restore lost, stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn, binaryPath, dbDump } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';

test('after a restore from an older backup, erasures made since are made again at start, and nothing else', { timeout: 120000 }, async () => {
  let server = await startServer();
  const dir = server.dir;
  try {
    let api = client(server.url);
    let admin = await signIn(server.url);
    const ev = await createEvent(api, admin, { capacity: 2 });
    const reg = async (email, name) => {
      const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email, name }));
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    const anna = await reg('anna.erased@journal-test.example.org', 'Anna Raderad');
    const bo = await reg('bo.kept@journal-test.example.org', 'Bo Kvar');
    const cy = await reg('cy.waiting@journal-test.example.org', 'Cy Väntar');
    assert.equal(cy.status, 'waitlisted');

    const backup = join(dir, 'backup.db');
    execFileSync(binaryPath(), ['backup', '--db', server.db, '--to', backup]);

    // After the backup: Anna erases her data (Cy moves up), and Dan registers and erases his (a row the backup lacks).
    const erased = await api('POST', `/api/v1/my/registrations/${anna.manage_token}/erase`);
    assert.equal(erased.status, 200, erased.text);
    const dan = await reg('dan.gone@journal-test.example.org', 'Dan Borta');
    assert.equal((await api('POST', `/api/v1/my/registrations/${dan.manage_token}/erase`)).status, 200);
    const journal = `${server.db}.erasures`;
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 3).join(' ')), [`e ${anna.id} ${ev.id}`, `e ${dan.id} ${ev.id}`]);
    assert.ok(!readFileSync(journal, 'utf8').includes('journal-test'), 'the journal holds no address or name');
    await server.stop();

    // The restore: the backup over the database (its WAL gone with it); the journal stays where it was.
    for (const f of [server.db, `${server.db}-wal`, `${server.db}-shm`]) rmSync(f, { force: true });
    copyFileSync(backup, server.db);
    appendFileSync(journal, 'e 12 3');  // a line cut short by a crash is skipped, not fatal
    server = await startServer({ dir });
    api = client(server.url);
    admin = await signIn(server.url);
    assert.match(server.stderr, /"msg":"erasure journal applied","entries":2,"kept":1,"unreadable_lines":1/);

    const a = await api('GET', `/api/v1/my/registrations/${anna.manage_token}`);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.body.erased, true, 'the restored copy of an erased person is erased again');
    assert.equal(a.body.name, null);
    const dump = dbDump(server);
    assert.ok(!dump.includes('anna.erased') && !dump.includes('Anna Raderad'), 'nothing of Anna is left in the database');
    const b = await api('GET', `/api/v1/my/registrations/${bo.manage_token}`);
    assert.equal(b.body.name, 'Bo Kvar', 'the others are untouched');
    const c = await api('GET', `/api/v1/my/registrations/${cy.manage_token}`);
    assert.equal(c.body.status, 'confirmed', 'the seat Anna left went to the waitlist, as at her erasure');

    // A registration after the restore takes the id Dan's lost row had; the journal no longer names that id.
    const eve = await reg('eve.new@journal-test.example.org', 'Eve Ny');
    assert.equal(eve.id, dan.id, 'the id of a row the restore lost is taken again');
    assert.deepEqual(readFileSync(journal, 'utf8').trim().split('\n').map((l) => l.split(' ')[1]), [String(anna.id)]);
    await server.stop();
    server = await startServer({ dir });
    api = client(server.url);
    const e = await api('GET', `/api/v1/my/registrations/${eve.manage_token}`);
    assert.equal(e.status, 200, e.text);
    assert.equal(e.body.name, 'Eve Ny', 'a new registration with a reused id is never erased by the journal');
    assert.ok(existsSync(journal));
  } finally {
    await server.stop();
    server.cleanup();
  }
});

// PostgreSQL only (issue 11): a batch of registrations whose statement the database refuses. The test makes the
// database refuse every insert into registrations for a while (a trigger of its own, switched by a table), sends a
// burst, and looks at what the people registering and the operator see: every one of them a 503 problem that says
// nothing was saved, nothing saved indeed, the batch run again without sending ahead (and failing again, job by
// job), and eventd_batched_registrations_total counting only registrations whose transaction committed.
// Runs as integration_pg.pg_failed_batch; without the cluster (EVENTD_TEST_PG) it fails rather than skips.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, postgresCluster, dbQuery } from '../support/server.mjs';
import { createEvent, register, registrationBody, assertProblem } from '../support/fixtures.mjs';

async function figures(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const figure = (name) => Number((text.match(new RegExp(`^${name} (\\d+)$`, 'm')) || [])[1] ?? NaN);
  return { batched: figure('eventd_batched_registrations_total'), reruns: figure('eventd_write_pipeline_reruns_total') };
}

describe('a batch the database refuses', { timeout: 120000 }, () => {
  let server;
  after(async () => {
    if (server) { await server.stop().catch(() => {}); server.cleanup(); }
  });

  test('is answered 503 "nothing was saved", saves nothing, and is not counted as written', async () => {
    assert.ok(postgresCluster(), 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only');
    server = await startServer();
    const api = client(server.url);
    const admin = await signIn(server.url);
    const ev = await createEvent(api, admin, { capacity: 100 });
    dbQuery(server, `CREATE TABLE test_refuse(x INTEGER);
      CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF EXISTS (SELECT 1 FROM test_refuse) THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NULL; END $$;
      CREATE TRIGGER test_refuse AFTER INSERT ON registrations FOR EACH STATEMENT EXECUTE FUNCTION test_refuse();`);

    // Written: counted.
    let before = await figures(server);
    await Promise.all(Array.from({ length: 6 }, () => register(api, ev.id)));
    let after = await figures(server);
    assert.equal(after.batched - before.batched, 6, 'registrations written by their batch statements');

    // Refused by the database: nobody is told it was saved, nothing is, and nothing is counted.
    dbQuery(server, 'INSERT INTO test_refuse VALUES (1)');
    before = await figures(server);
    const refused = await Promise.all(Array.from({ length: 12 }, (_, i) =>
      api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: `refused.${i}@example.org` }))));
    for (const r of refused) {
      assertProblem(r, 503);
      assert.match(r.body.detail, /nothing was saved/, r.text);
    }
    after = await figures(server);
    assert.equal(after.batched - before.batched, 0, 'registrations counted as written although their transaction failed');
    assert.ok(after.reruns > before.reruns, 'the batch ran again without sending ahead');
    assert.equal(dbQuery(server, `SELECT count(*) FROM registrations WHERE event_id = ${ev.id}`), '6');
    assert.equal(dbQuery(server, `SELECT count(*) FROM persons WHERE email LIKE 'refused.%'`), '0');
    assert.equal(dbQuery(server, `SELECT count(*) FROM mail_outbox WHERE event_id = ${ev.id}`), '6');

    // The database takes them again: so does the server, without a restart.
    dbQuery(server, 'DELETE FROM test_refuse');
    before = await figures(server);
    const again = await register(api, ev.id, { email: 'refused.0@example.org' });
    assert.equal(again.status, 'confirmed');
    after = await figures(server);
    assert.equal(after.batched - before.batched, 1);
    const counts = (await api('GET', `/api/v1/events/${ev.id}`, undefined, { token: admin })).body.counts;
    assert.equal(counts.confirmed, 7);
  });
});

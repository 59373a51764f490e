// PostgreSQL only (issue 11), in the browser: the database goes silent while a participant's registration is being
// saved. The node sent the registration with its COMMIT and never heard back, so it cannot say "nothing was saved"
// (the database did commit it): it answers 503 outcome_unknown, and the form must say that it may have been saved
// and what to do. Then, as the message promises, registering again once the database is back says the address is
// already registered. A real server on a real PostgreSQL behind tests/support/silent_proxy.mjs, real Chromium.
// Runs as browser_pg.pg_outcome; without the cluster (EVENTD_TEST_PG) it fails rather than skips.
// All people here are fictional.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, client, signIn, postgresCluster, dbQuery } from '../support/server.mjs';
import { silentProxy, until } from '../support/silent_proxy.mjs';
import { createEvent, register } from '../support/fixtures.mjs';
import { launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, focused } from './lib.mjs';

const skip = browserTestSkip();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let server, proxy, browser, cluster, dbName, api, admin, event;

before(async () => {
  if (skip) return;
  cluster = postgresCluster();
  assert.ok(cluster, 'EVENTD_TEST_PG names no cluster: this test runs on PostgreSQL only (ctest browser_pg.*)');
  const u = new URL(cluster);
  dbName = `outcome_${process.pid}_${Date.now() % 100000}`;
  execFileSync('psql', [cluster, '-q', '-c', `CREATE DATABASE ${dbName}`]);
  proxy = await silentProxy(u.hostname, Number(u.port));
  // A silent connection is given up after the statement timeout + 5 s (pg_limits).
  server = await startServer({
    db: `postgresql://${u.username}@127.0.0.1:${proxy.port}/${dbName}`,
    config: { postgres_statement_timeout_ms: 1000, shutdown_drain_seconds: 2 },
  });
  api = client(server.url);
  admin = await signIn(server.url);
  event = await createEvent(api, admin, { capacity: 50 });
  // One registration first, so the writer's statements are prepared: the next batch goes out whole, with its COMMIT.
  await register(api, event.id);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server) { await server.stop(); server.cleanup(); }
  if (proxy) proxy.close();
  if (dbName) execFileSync('psql', [cluster, '-q', '-c', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`]);
});

async function fill(page, email) {
  await page.fill('#f-name', 'Eira Exempelsdotter');
  await page.fill('#f-email', email);
  await page.fill('#f-organisation', 'Exempelkommunens arbetsmarknadsenhet');
  await page.selectOption('#f-organisation-type', 'public');
  await page.fill('#f-municipality', 'Nacka');
  await page.check('#f-consent');
}

test('a registration whose commit went unanswered says it may have been saved, and registering again says it was', { skip, timeout: 120000 }, async () => {
  const email = `eira.${Date.now()}@example.org`;
  const { context, page, problems } = await openPage(browser, { locale: 'sv-SE', bypassCSP: true });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#register-form');
    await fill(page, email);
    proxy.silence();
    const answer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/events/${event.id}/registrations`), { timeout: 40000 });
    await page.click('#register-form button[type="submit"]');
    const r = await answer;
    assert.equal(r.status(), 503);
    assert.equal((await r.json()).reason, 'outcome_unknown', 'the node cannot tell whether its COMMIT went through');

    await page.waitForSelector('#register-error-summary:not([hidden])');
    assert.equal((await focused(page)).id, 'register-error-summary', 'the focus moves to the message');
    const said = await page.textContent('#register-error-summary');
    assert.match(said, /Vi vet inte om din anmälan sparades/);
    assert.match(said, /e-post/);
    assert.doesNotMatch(said, /inget sparades/i);
    assert.match(page.url(), /event\.html/, 'the participant stays on the form, with what they typed');
    assert.equal(await page.inputValue('#f-email'), email);
    await assertAccessible(page, 'the form saying the outcome is unknown');

    // It was saved: the database received the COMMIT, only its answer was lost.
    proxy.speak();
    assert.equal(dbQuery({ db: `${cluster.slice(0, cluster.lastIndexOf('/') + 1)}${dbName}` },
      `SELECT count(*) FROM registrations WHERE email = '${email}'`), '1');
    // Once the node is back (it finds out by itself), sending the form again says the address is already registered.
    await until('the node ready again', async () => (await api('GET', '/readyz')).status === 200, 40000);
    // Ready means its reads work; its writer reconnects on its next batch, which may still be answered 503 (nothing
    // saved) while it does: the participant would send again, and so does the test, a few times.
    let status = 0;
    for (let tries = 0; tries < 10 && status !== 409; tries++) {
      if (tries) await sleep(1000);
      const again = page.waitForResponse((r) => r.url().endsWith(`/api/v1/events/${event.id}/registrations`), { timeout: 40000 });
      await page.click('#register-form button[type="submit"]');
      status = (await again).status();
      assert.ok(status === 409 || status === 503, `sent again: ${status}`);
    }
    assert.equal(status, 409, 'sent again once the node is back');
    await page.waitForFunction(() => /redan anmäld/.test(document.querySelector('#register-error-summary')?.textContent ?? ''),
      null, { timeout: 20000 });
    assert.equal((await focused(page)).id, 'register-error-summary');
    assertNoProblems(problems, [httpErrorLine(503), httpErrorLine(409)]);
  } finally {
    await context.close();
  }
});

// Live updates over /ws in the real pages, against the real server in Debian's Chromium: the public list's and the
// event page's seats move when someone registers through the API; the door app's count follows a check-in made
// elsewhere; and a dashboard recovers by itself after the server is stopped and a new one started on the same port
// and database, saying meanwhile that the connection is lost. Every change must arrive well before the pages'
// polling fallback (30-60 s) could bring it. Run: cd tests/browser && node --test live.test.mjs
// All people here are fictional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { eventBody, ongoingEventBody, registrationBody, makeUser } from '../support/fixtures.mjs';
import { launch, openPage, browserTestSkip, assertNoProblems } from './lib.mjs';

const skip = browserTestSkip();

const LIVE_MS = 5000;
// While the server is away the browser reports each refused connection attempt (and any refused poll).
const SERVER_AWAY = [/WebSocket connection to '.*\/ws' failed/, /ERR_CONNECTION_REFUSED/];

const textOf = async (page, selector) => (await page.textContent(selector)).replace(/\s+/g, ' ').trim();

describe('live updates in the pages (/ws)', { skip }, () => {
  let server;
  let api;
  let admin;
  let browser;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('the public list’s and the event page’s seats move when someone registers', async () => {
    const created = await api('POST', '/api/v1/events', eventBody({ title: 'Project management basics (live test)', capacity: 3 }), { token: admin });
    assert.equal(created.status, 201, created.text);
    const ev = created.body;
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    const second = await context.newPage();
    try {
      await page.goto(`${server.url}/`);
      const seats = `[data-seats-for="${ev.id}"]`;
      await page.waitForSelector(seats);
      assert.equal(await textOf(page, seats), '3 seats left');
      await second.goto(`${server.url}/event.html?id=${ev.id}`);
      await second.waitForSelector('#ev-seats');
      assert.equal(await textOf(second, '#ev-seats'), '3 seats left');
      // The focus on the card's link must survive the update (the list is not rebuilt).
      await page.focus(`#event-${ev.id}-title a`);
      await page.evaluate(() => { window.notReloaded = true; });
      // Let both pages subscribe before the change.
      await page.waitForTimeout(500);

      for (const n of [2, 1]) {
        const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
        assert.equal(r.status, 201, r.text);
        const want = `${n} ${n === 1 ? 'seat' : 'seats'} left`;
        await page.waitForFunction(([sel, text]) => document.querySelector(sel)?.textContent === text, [seats, want], { timeout: LIVE_MS });
        await second.waitForFunction((text) => document.querySelector('#ev-seats')?.textContent === text, want, { timeout: LIVE_MS });
      }
      // Full: the event page offers the waitlist.
      assert.equal((await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody())).status, 201);
      await second.waitForFunction(() => /waitlist/i.test(document.querySelector('#ev-seats')?.textContent || ''), undefined, { timeout: LIVE_MS });
      assert.match(await textOf(second, '#register-intro'), /waitlist/i);
      assert.equal(await page.evaluate(() => window.notReloaded), true, 'the same page, not a reload');
      assert.equal(await page.evaluate((id) => document.activeElement?.closest('h2')?.id, ev.id), `event-${ev.id}-title`, 'the focus stayed on the link');
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('the door app’s count follows a check-in made on another device, without its 10 s polling', async () => {
    const organiser = await makeUser(server.url, admin, 'organiser');
    const created = await api('POST', '/api/v1/events', ongoingEventBody({ title: 'Door live test' }), { token: admin });
    assert.equal(created.status, 201, created.text);
    const ev = created.body;
    const people = [];
    for (let i = 0; i < 2; i += 1) {
      const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
      assert.equal(r.status, 201, r.text);
      people.push(r.body);
    }
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(`${server.url}/checkin/`);
      await page.waitForSelector('#screen-signin:not([hidden])');
      await page.fill('#signin-email', organiser.email);
      await page.fill('#signin-password', organiser.password);
      await page.press('#signin-password', 'Enter');
      await page.waitForSelector(`button.event-pick[data-event-id="${ev.id}"]`);
      await page.click(`button.event-pick[data-event-id="${ev.id}"]`);
      await page.waitForSelector('#screen-door:not([hidden])');
      await page.waitForFunction(() => /follow the server live/.test(document.querySelector('#list-status')?.textContent || ''), undefined, { timeout: LIVE_MS });
      assert.equal(await textOf(page, '#count-checked-in'), '0');

      // Checked in elsewhere: the count moves at once, and this device's list knows it (an "already" answer here).
      const ci = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: people[0].ticket_code }, { token: organiser.token });
      assert.equal(ci.status, 201, ci.text);
      await page.waitForFunction(() => document.querySelector('#count-checked-in')?.textContent === '1', undefined, { timeout: 3000 });
      await page.context().setOffline(true);
      await page.fill('#code', people[0].ticket_code);
      await page.press('#code', 'Enter');
      await page.waitForSelector(`#result[data-kind="already"][data-code="${people[0].ticket_code}"]`);
      await page.context().setOffline(false);
      assertNoProblems(problems, [/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/]);
    } finally {
      await context.close();
    }
  });

  test('a page recovers by itself after the server is restarted on the same port and database', async () => {
    const steering = await makeUser(server.url, admin, 'steering');
    const created = await api('POST', '/api/v1/events', ongoingEventBody({ title: 'Restart test seminar', capacity: 20 }), { token: admin });
    assert.equal(created.status, 201, created.text);
    const ev = created.body;
    const reg = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
    assert.equal(reg.status, 201, reg.text);

    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(`${server.url}/dashboard/`);
      await page.waitForSelector('#signin:not([hidden])');
      await page.fill('#signin-email', steering.email);
      await page.fill('#signin-password', steering.password);
      await page.press('#signin-password', 'Enter');
      await page.waitForSelector('#live-bar[data-state="open"]', { timeout: LIVE_MS });
      await page.evaluate(() => { window.notReloaded = true; });
      const checkedIn = `.live-card[data-event-id="${ev.id}"] .fig-checked-in dd`;
      assert.equal(await textOf(page, checkedIn), '0');

      // Stop the server: the page says so, with the time it last heard from it.
      const port = new URL(server.url).port;
      const { code } = await server.stop();
      assert.equal(code, 0);
      await page.waitForSelector('#live-bar[data-state="lost"]', { timeout: LIVE_MS });
      assert.match(await textOf(page, '#live-status'), /^Connection to the server lost\. Reconnecting.*The figures are from \d\d:\d\d:\d\d\.$/);
      assert.equal(await page.isVisible('#reconnect'), true, 'a way to try again at once');
      await page.waitForTimeout(1500);

      // A new server process on the same port and database: the page reconnects and resubscribes by itself.
      server = await startServer({ dir: server.dir, listen: `127.0.0.1:${port}` });
      api = client(server.url);
      await page.waitForSelector('#live-bar[data-state="open"]', { timeout: 15000 });
      assert.match(await textOf(page, '#live-status'), /^Live\./);
      const ci = await api('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.body.ticket_code }, { token: admin });
      assert.equal(ci.status, 201, ci.text);
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '1', checkedIn, { timeout: LIVE_MS });
      assert.equal(await page.evaluate(() => window.notReloaded), true, 'recovered without a reload');
      assertNoProblems(problems, SERVER_AWAY);
    } finally {
      await context.close();
    }
  });
});

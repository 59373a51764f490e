// The steering dashboard (web/dashboard/, served at /dashboard/) against the real server in Debian's Chromium: a
// steering member signs in and sees the goal figures and today's event; a check-in and a registration made through
// the API appear without a reload, faster than the 30 s polling could bring them, and are announced politely; a
// home-region attendee at a held network event takes it off the "not yet represented" list; the wall-screen view; a phone;
// axe-core in Swedish and English, with and without the wall-screen view. Run: cd tests/browser && node --test dashboard.test.mjs
// All people here are fictional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { ongoingEventBody, eventBody, registrationBody, hoursFromNow, makeUser } from '../support/fixtures.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, assertAccessible, tabTo, focused, hasHorizontalScroll, overflowingElements,
} from './lib.mjs';

const skip = browserTestSkip();

// Live changes must arrive well before the REST fallback's 30 s would bring them.
const LIVE_MS = 5000;

/** Text of the element, spaces folded. */
async function textOf(page, selector) {
  return (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
}

/** Signs in on the dashboard's sign-in form (the organisers' one) and waits for the figures. */
async function openDashboard(page, base, who, query = '') {
  await page.goto(`${base}/dashboard/${query}`);
  await page.waitForSelector('#signin:not([hidden])');
  await page.fill('#signin-email', who.email);
  await page.fill('#signin-password', who.password);
  await page.press('#signin-password', 'Enter');
  await page.waitForSelector('#dash:not([hidden]) #rep-figures .figure');
  // A mark that a reload would wipe out: the figures below must change on this very page.
  await page.evaluate(() => { window.notReloaded = true; });
}

describe('steering dashboard (/dashboard/)', { skip }, () => {
  let server;
  let api;
  let admin;
  let steering;
  let browser;
  let today;    // an event under way now, with a capacity
  let riga;     // a held network event nobody from the region attended yet

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    steering = await makeUser(server.url, admin, 'steering');
    const create = async (body) => {
      const r = await api('POST', '/api/v1/events', body, { token: admin });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    today = await create(ongoingEventBody({ title: 'Budgeting workshop (dashboard test)', capacity: 30 }));
    riga = await create(ongoingEventBody({ kind: 'network_event', topic: null, network: 'baltic_sea',
      title: 'BSN annual forum, Riga (dashboard test)', starts_at: hoursFromNow(-3) }));
    await create(eventBody({ title: 'EU knowledge next spring (dashboard test)' }));
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('a check-in and a registration made through the API show up without a reload, and are announced', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await openDashboard(page, server.url, steering);
      const card = `.live-card[data-event-id="${today.id}"]`;
      assert.equal(await textOf(page, `${card} .fig-checked-in dd`), '0');
      assert.equal(await textOf(page, `${card} .fig-registered dd`), '0 of 30');
      await page.waitForSelector('#live-bar[data-state="open"]', { timeout: LIVE_MS });
      assert.match(await textOf(page, '#live-status'), /^Live\. Last heard from the server at \d\d:\d\d:\d\d\.$/);
      assert.match(await textOf(page, '#upcoming-list'), /EU knowledge next spring/);

      const person = await api('POST', `/api/v1/events/${today.id}/registrations`, registrationBody());
      assert.equal(person.status, 201, person.text);
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '1 of 30',
        `${card} .fig-registered dd`, { timeout: LIVE_MS });
      const ci = await api('POST', `/api/v1/events/${today.id}/checkins`, { ticket_code: person.body.ticket_code }, { token: admin });
      assert.equal(ci.status, 201, ci.text);
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.trim() === '1',
        `${card} .fig-checked-in dd`, { timeout: LIVE_MS });
      // The goals follow too: one person has attended.
      await page.waitForFunction(() => /^1 person has attended/.test(document.querySelector('#part-figures .figure-main')?.textContent || ''),
        undefined, { timeout: LIVE_MS });
      assert.equal(await page.evaluate(() => window.notReloaded), true, 'the same page, not a reload');

      // The polite region named the event's new figures (the first change is said at once, later ones gathered).
      const region = await page.$eval('#dash-announce', (el) => ({ live: el.getAttribute('aria-live'), text: el.textContent }));
      assert.equal(region.live, 'polite');
      assert.match(region.text, /Budgeting workshop \(dashboard test\): 1 registered\./);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('a home-region attendee takes a held network event off the “not yet represented” list', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await openDashboard(page, server.url, steering);
      const item = `#unrep li[data-event-id="${riga.id}"]`;
      await page.waitForSelector(item);
      assert.match(await textOf(page, '#unrep'), /Baltic Sea Network\s*BSN annual forum, Riga \(dashboard test\)/);
      assert.match(await textOf(page, '#rep-figures .figure-big'), /0% 0 of 1 held event Not met yet/);
      // The share bar says in words what it draws.
      const chart = await page.$eval('#rep-figures .figure-big svg', (svg) => ({ role: svg.getAttribute('role'),
        name: document.getElementById(svg.getAttribute('aria-labelledby'))?.textContent }));
      assert.deepEqual(chart, { role: 'img', name: 'All networks: 0%, 0 of 1 held event; goal 80%, not met.' });
      await page.waitForSelector('#live-bar[data-state="open"]', { timeout: LIVE_MS });

      // Someone from abroad does not represent the region; someone from Solna does.
      const abroad = await api('POST', `/api/v1/events/${riga.id}/walk-ins`, registrationBody({ municipality: null, country: 'LV' }), { token: admin });
      assert.equal(abroad.status, 201, abroad.text);
      const solna = await api('POST', `/api/v1/events/${riga.id}/walk-ins`, registrationBody({ municipality: 'Solna' }), { token: admin });
      assert.equal(solna.status, 201, solna.text);
      await page.waitForSelector(item, { state: 'detached', timeout: LIVE_MS });
      assert.match(await textOf(page, '#unrep'), /^None: every held network event had someone from the region\.$/);
      assert.match(await textOf(page, '#rep-figures .figure-big'), /100% 1 of 1 held event Goal met/);
      assert.equal(await page.evaluate(() => window.notReloaded), true);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('the wall-screen view drops the navigation and enlarges the type; the toggle works by keyboard', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB', viewport: { width: 1920, height: 1080 } });
    try {
      await openDashboard(page, server.url, steering);
      assert.equal(await page.isVisible('.admin-nav'), true, 'the organisers’ menu is there in the normal view');
      assert.equal(await page.isVisible('.admin-nav a[href="/dashboard/"]'), true, 'and links the dashboard');
      const normalSize = await page.$eval('#dash h1', (el) => parseFloat(getComputedStyle(el).fontSize));

      await tabTo(page, '#kiosk-toggle');
      assert.equal(await page.getAttribute('#kiosk-toggle', 'aria-pressed'), 'false');
      await page.keyboard.press('Enter');
      assert.equal(await page.getAttribute('#kiosk-toggle', 'aria-pressed'), 'true');
      assert.equal(await textOf(page, '#kiosk-toggle'), 'Leave wall-screen view');
      assert.equal((await focused(page)).id, 'kiosk-toggle', 'the focus stays on the toggle');
      assert.match(page.url(), /\?kiosk=1$/, 'the view is in the address, for the wall screen’s bookmark');
      for (const sel of ['.site-header', '.admin-bar', '.site-footer']) assert.equal(await page.isVisible(sel), false, `${sel} hidden`);
      const kioskSize = await page.$eval('#dash h1', (el) => parseFloat(getComputedStyle(el).fontSize));
      assert.ok(kioskSize > normalSize * 1.2, `larger type on the wall (${normalSize}px -> ${kioskSize}px)`);

      // Opened straight from the bookmark.
      await page.goto(`${server.url}/dashboard/?kiosk=1`);
      await page.waitForSelector('#dash:not([hidden]) #rep-figures .figure');
      assert.equal(await page.isVisible('.site-header'), false);
      assert.equal(await textOf(page, '#kiosk-toggle'), 'Leave wall-screen view');
      await page.click('#kiosk-toggle');
      assert.equal(await page.isVisible('.site-header'), true);
      assert.doesNotMatch(page.url(), /kiosk/);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  for (const [locale, lang] of [['sv-SE', 'sv'], ['en-GB', 'en']]) {
    test(`axe-core finds nothing serious in ${lang}, with and without the wall-screen view`, async () => {
      const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true });
      try {
        await openDashboard(page, server.url, steering);
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        await page.waitForSelector('#live-bar[data-state="open"]', { timeout: LIVE_MS });
        await assertAccessible(page, `dashboard (${lang})`);
        await page.click('#kiosk-toggle');
        await assertAccessible(page, `dashboard, wall-screen view (${lang})`);
        if (lang === 'sv') assert.match(await textOf(page, '#dash h1'), /^Mål och deltagande$/);
        assertNoProblems(problems);
      } finally {
        await context.close();
      }
    });
  }

  test('on a 360 px phone nothing scrolls sideways', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'sv-SE', viewport: { width: 360, height: 740 } });
    try {
      await openDashboard(page, server.url, steering);
      assert.equal(await hasHorizontalScroll(page), false, `too wide: ${(await overflowingElements(page)).join(', ')}`);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('without a sign-in the page asks for one, and the door app sends the steering group here', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(`${server.url}/dashboard/`);
      await page.waitForSelector('#signin:not([hidden])');
      assert.equal(await page.isVisible('#dash'), false, 'no figures before the sign-in');
      // The door app tells a steering member they may not check in, and links the dashboard.
      await page.goto(`${server.url}/checkin/`);
      await page.fill('#signin-email', steering.email);
      await page.fill('#signin-password', steering.password);
      await page.press('#signin-password', 'Enter');
      await page.waitForSelector('#screen-forbidden:not([hidden])');
      await page.click('#forbidden-dashboard');
      await page.waitForSelector('#dash:not([hidden]) #rep-figures .figure');
      assert.equal(new URL(page.url()).pathname, '/dashboard/');
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

describe('steering dashboard with a programme period', { skip }, () => {
  let server;
  let api;
  let admin;
  let steering;
  let browser;
  let now;      // a network event under way, in the programme period
  const day = (offsetDays) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(Date.now() + offsetDays * 86400e3));

  before(async () => {
    server = await startServer({ config: { goals: { programme_start: day(-10), programme_end: day(10), forum_deadline: day(10) } } });
    api = client(server.url);
    admin = await signIn(server.url);
    steering = await makeUser(server.url, admin, 'steering');
    const create = async (body) => {
      const r = await api('POST', '/api/v1/events', ongoingEventBody({ kind: 'network_event', topic: null, network: 'euroma',
        registration_closes_at: null, ...body }), { token: admin });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    now = await create({ title: 'EURoma working group (period test)' });
    await create({ title: 'EURoma annual meeting, a month ago (period test)', starts_at: hoursFromNow(-24 * 30), ends_at: hoursFromNow(-24 * 30 + 3) });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('the programme period is preselected, followed live, and every event is one keyboard choice away', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await openDashboard(page, server.url, steering);
      assert.match(await page.$eval('#dash-period', (s) => s.selectedOptions[0].textContent), /^the programme period, /);
      assert.match(await textOf(page, '#rep-figures .figure-big'), /0% 0 of 1 held event/, 'only the event in the period');
      await page.waitForSelector('#live-bar[data-state="open"]', { timeout: LIVE_MS });
      const walkIn = await api('POST', `/api/v1/events/${now.id}/walk-ins`, registrationBody({ municipality: 'Solna' }), { token: admin });
      assert.equal(walkIn.status, 201, walkIn.text);
      await page.waitForFunction(() => /100% 1 of 1 held event/.test(document.querySelector('#rep-figures .figure-big')?.textContent.replace(/\s+/g, ' ') || ''),
        null, { timeout: LIVE_MS });
      // The label names the choice; arrow keys change it.
      await page.focus('#dash-period');
      await page.keyboard.press('ArrowDown');
      await page.waitForFunction(() => /50% 1 of 2 held events/.test(document.querySelector('#rep-figures .figure-big')?.textContent.replace(/\s+/g, ' ') || ''),
        null, { timeout: LIVE_MS });
      assert.equal(new URL(page.url()).searchParams.get('period'), 'all', 'the choice stays with the address');
      assert.equal(await page.evaluate(() => window.notReloaded), true);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

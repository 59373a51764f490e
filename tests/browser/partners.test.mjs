// The partner-search pages (issue 10) against the real server in Debian's Chromium: two participants of one forum,
// each in a browser context of their own, reach partners.html from their manage page, write their profile through
// the form (one by keyboard alone, past the error summary), find each other (search and matches with their reasons);
// A asks B, B's page shows the request live without a reload and B accepts, A's page shows the acceptance live; both
// agendas show the meeting's Stockholm time and table, with the .ics link. The organisers' forum panel on the event
// page (times added through the form, the figures, the meeting moved to another time and table), the printable table
// plan, and the public partner database linked from the home page (no names, filters). axe-core (no serious or
// critical violation) on each page, in Swedish and English; a 360 px phone. Run: cd tests/browser && node --test partners.test.mjs
// All people here are fictional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, tabTo, focused,
  hasHorizontalScroll, overflowingElements,
} from './lib.mjs';

const skip = browserTestSkip();

// The live updates must arrive well before the page's fallback polling (every 30 s) could have fetched them.
const LIVE_MS = 8000;
// GET .../profile answers 404 until the first save: the browser logs that line.
const EXPECTED = [httpErrorLine(404)];

const A = { name: 'Alva Andersson', email: 'alva.andersson@example.org', organisation: 'Solna stad', organisation_type: 'public',
  municipality: 'Solna', language: 'en', consent: true };
const B = { name: 'Birgit Tamm', email: 'birgit.tamm@example.org', organisation: 'Tallinna Sotsiaalamet', organisation_type: 'public',
  country: 'Estonia', language: 'sv', consent: true };
const A_SUMMARY = 'Solna stad wants to start a project on youth employment with partners around the Baltic Sea.';
const B_SUMMARY = 'Tallinn social services can lead a project on young people out of work and seek access to target groups.';

/** Text of the element, spaces folded. */
async function textOf(page, selector) {
  return (await page.innerText(selector)).replace(/\s+/g, ' ').trim();
}

/** A slot at hh:mm Stockholm summer time on 20 May 2030, 20 minutes long. */
function slot(hh, mm = 0) {
  const start = Date.UTC(2030, 4, 20, hh - 2, mm);
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return { starts_at: iso(start), ends_at: iso(start + 20 * 60000) };
}

async function signInOnPage(page, base) {
  await page.goto(`${base}/admin/`);
  await page.waitForSelector('#signin:not([hidden])');
  await page.fill('#signin-email', ADMIN_EMAIL);
  await page.fill('#signin-password', ADMIN_PASSWORD);
  await page.press('#signin-password', 'Enter');
  await page.waitForSelector('#content:not([hidden])');
}

async function openPartners(page, base, token) {
  await page.goto(`${base}/partners.html#token=${token}`);
  await page.waitForSelector('#partners-page:not([hidden])');
  await page.waitForFunction(() => document.getElementById('browse-status').textContent.trim() !== '');
}

describe('partner search in the browser (partners.html, the forum panel, partner-database.html)', { skip }, () => {
  let server;
  let api;
  let admin;
  let browser;
  let forum;
  let seminar;
  let regA;
  let regB;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    const created = await api('POST', '/api/v1/events', {
      kind: 'partner_search_forum', title: 'Baltic partner-search forum (browser test)', description: 'Meet partners 1:1.',
      starts_at: '2030-05-20T09:00:00+02:00', ends_at: '2030-05-20T16:00:00+02:00', capacity: 100, language: 'en',
      status: 'published', venue: { name: 'Exempelhuset', address: 'Exempelgatan 1, Stockholm', accessibility: [] },
    }, { token: admin });
    assert.equal(created.status, 201, created.text);
    forum = created.body;
    const sem = await api('POST', '/api/v1/events', {
      kind: 'seminar', topic: 'budgeting', title: 'A seminar, not a forum', starts_at: '2030-06-01T09:00:00+02:00',
      ends_at: '2030-06-01T12:00:00+02:00', status: 'published', language: 'en',
    }, { token: admin });
    assert.equal(sem.status, 201, sem.text);
    seminar = sem.body;
    const slots = await api('PUT', `/api/v1/events/${forum.id}/meeting-slots`, { slots: [slot(10), slot(10, 30), slot(11)], tables: 2 }, { token: admin });
    assert.equal(slots.status, 200, slots.text);
    for (const [who, body] of [['A', A], ['B', B]]) {
      const r = await api('POST', `/api/v1/events/${forum.id}/registrations`, body);
      assert.equal(r.status, 201, `registering ${who}: ${r.text}`);
      if (who === 'A') regA = r.body; else regB = r.body;
    }
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('the strings of the partner pages and the forum panel exist in both languages', async () => {
    globalThis.navigator ??= { languages: ['en'] };
    const keys = (table, prefix = '') => Object.entries(table).flatMap(([k, v]) =>
      (v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])).sort();
    for (const file of ['../../web/js/partner-strings.js', '../../web/admin/forum-strings.js']) {
      const { en, sv } = await import(file);
      assert.deepEqual(keys(sv), keys(en), `${file}: the same keys in Swedish and English`);
    }
  });

  test('two participants write profiles, ask and accept a meeting live, and both agendas show it', async () => {
    const a = await openPage(browser, { locale: 'en-GB', bypassCSP: true });
    const b = await openPage(browser, { locale: 'sv-SE', bypassCSP: true });
    try {
      // A comes from the manage page, which links partner search for a forum (not for a seminar).
      await a.page.goto(`${server.url}/manage.html#token=${regA.manage_token}`);
      await a.page.waitForSelector('#manage-page:not([hidden])');
      const link = a.page.locator('#partners-link');
      assert.equal(await link.isVisible(), true, 'the manage page links partner search');
      assert.equal(await link.getAttribute('href'), `partners.html#token=${encodeURIComponent(regA.manage_token)}`);
      await link.click();
      await a.page.waitForSelector('#partners-page:not([hidden])');
      assert.equal(await textOf(a.page, 'h1'), 'Partner search');
      assert.match(await textOf(a.page, '#forum-facts'), /Baltic partner-search forum \(browser test\)/);
      assert.match(await textOf(a.page, '#slots-note'), /3 times at 2 tables/);
      assert.match(await textOf(a.page, '#matches-status'), /Save your profile to see your matches/);

      // A, by keyboard alone: saving without a summary or a focus area shows the error summary, linked to the fields.
      assert.equal(await a.page.inputValue('#p-organisation'), 'Solna stad', 'the registration\'s organisation to start with');
      assert.equal(await a.page.inputValue('#p-country'), 'SE', 'a municipality in Sweden: Sweden');
      assert.equal(await a.page.isChecked('#p-lang-en'), true, 'the registration\'s language is ticked');
      await a.page.locator('#p-organisation').focus();
      await tabTo(a.page, '#profile-submit');
      await a.page.keyboard.press('Enter');
      await a.page.waitForSelector('#profile-error-summary:not([hidden])');
      assert.equal((await focused(a.page)).id, 'profile-error-summary', 'the summary takes the focus');
      const summary = await textOf(a.page, '#profile-error-summary');
      assert.match(summary, /About your organisation: fill this in/);
      assert.match(summary, /Focus areas: choose at least one/);
      assert.equal(await a.page.getAttribute('#p-summary', 'aria-invalid'), 'true');
      assert.match(await a.page.getAttribute('#p-summary', 'aria-describedby'), /p-summary-error/);
      assert.match(await a.page.getAttribute('#p-focus-areas', 'aria-describedby'), /p-focus-areas-error/);
      await a.page.keyboard.press('Tab');
      assert.equal((await focused(a.page)).text, 'About your organisation: fill this in');
      await a.page.keyboard.press('Enter');
      assert.equal((await focused(a.page)).id, 'p-summary', 'the link moves the focus to its field');
      assert.ok(a.page.url().includes(`#token=${regA.manage_token}`), 'the private link stays in the address bar');
      await a.page.keyboard.type(A_SUMMARY);
      await tabTo(a.page, '#p-focus-employment_mobility');
      await a.page.keyboard.press('Space');
      await tabTo(a.page, '#p-offer-target_groups');
      await a.page.keyboard.press('Space');
      await tabTo(a.page, '#p-seek-lead_partner');
      await a.page.keyboard.press('Space');
      await tabTo(a.page, '#profile-submit');
      await a.page.keyboard.press('Enter');
      await a.page.waitForFunction(() => /Your profile is saved/.test(document.getElementById('profile-status').textContent));
      assert.equal(await a.page.isHidden('#profile-error-summary'), true);
      assert.equal(await a.page.getAttribute('#p-summary', 'aria-invalid'), null);
      await a.page.waitForFunction(() => /No match yet/.test(document.getElementById('matches-status').textContent));
      const savedA = await api('GET', `/api/v1/my/registrations/${regA.manage_token}/profile`);
      assert.equal(savedA.status, 200);
      assert.deepEqual([savedA.body.summary, savedA.body.country, savedA.body.focus_areas, savedA.body.offers, savedA.body.seeks,
        savedA.body.languages, savedA.body.public], [A_SUMMARY, 'SE', ['employment_mobility'], ['target_groups'], ['lead_partner'], ['en'], false]);

      // B, in Swedish, with the mouse: abroad, so the country is to choose.
      await openPartners(b.page, server.url, regB.manage_token);
      assert.equal(await textOf(b.page, 'h1'), 'Partnersökning');
      assert.equal(await b.page.inputValue('#p-country'), '');
      await b.page.fill('#p-summary', B_SUMMARY);
      await b.page.selectOption('#p-country', 'EE');
      await b.page.check('#p-focus-employment_mobility');
      await b.page.check('#p-offer-lead_partner');
      await b.page.check('#p-seek-target_groups');
      await b.page.check('#p-lang-en');
      await b.page.check('#p-lang-et');
      await b.page.click('#p-partner-countries-summary');
      await b.page.check('#p-pc-SE');
      await b.page.check('#p-public');
      await b.page.click('#profile-submit');
      await b.page.waitForFunction(() => /Din profil är sparad/.test(document.getElementById('profile-status').textContent));
      assert.match(await textOf(b.page, '#p-partner-countries-summary'), /1 land valt/);
      // B's matches: A, with the reasons in words.
      await b.page.waitForSelector('#matches-list li');
      const reasonsB = await textOf(b.page, '#matches-list .reasons');
      assert.match(reasonsB, /Ni delar fokusområdet Sysselsättning och rörlighet/);
      assert.match(reasonsB, /De söker det du bidrar med: Huvudpartner/);
      assert.match(reasonsB, /De finns i ett land där du söker partner: Sverige/);

      // A searches the forum's profiles: B by country; then A's matches (read again) give the reasons.
      await a.page.selectOption('#b-country', 'EE');
      await a.page.waitForFunction(() => document.querySelectorAll('#browse-list li').length === 1
        && /Tallinna Sotsiaalamet/.test(document.getElementById('browse-list').textContent));
      assert.match(await textOf(a.page, '#browse-status'), /^1 profile shown\.$/);
      assert.match(await textOf(a.page, '#browse-list'), /Birgit Tamm.*Estonia/);
      assert.ok(!(await textOf(a.page, '#partners-page')).includes('@example.org'), 'no e-mail address on the page');
      await a.page.reload();
      await a.page.waitForSelector('#matches-list li');
      const card = a.page.locator('#matches-list li', { hasText: 'Tallinna Sotsiaalamet' });
      const reasonsA = (await card.locator('.reasons').textContent()).replace(/\s+/g, ' ');
      assert.match(reasonsA, /You share the focus area Employment and mobility\./);
      assert.match(reasonsA, /They offer what you are looking for: Lead partner\./);
      assert.match(reasonsA, /They are looking for what you offer: Access to target groups\./);
      assert.match(reasonsA, /You can talk in English\./);
      assert.match(reasonsA, /They want partners in your country, Sweden\./);

      // A asks B, with a message; the card then says so.
      await card.getByRole('button', { name: /Ask for a meeting with Birgit Tamm/ }).click();
      const message = a.page.getByLabel(/Your message to Birgit Tamm/);
      assert.equal(await message.evaluate((el) => el === document.activeElement), true, 'the message field takes the focus');
      await message.fill('Shall we talk about young people out of work?');
      await a.page.getByRole('button', { name: /Send the request to Birgit Tamm/ }).first().click();
      await card.locator('.relation').waitFor();
      assert.match(await card.locator('.relation').textContent(), /You asked for a meeting: waiting for an answer/);
      assert.match(await textOf(a.page, '#outgoing-list'), /Birgit Tamm, Tallinna Sotsiaalamet Waiting for an answer/);
      await a.page.waitForFunction(() => /Your request was sent to Birgit Tamm/.test(document.getElementById('news').textContent));

      // B's page, not reloaded: the request arrives live and is announced in the polite live region.
      await b.page.waitForSelector('#incoming-list li[data-state="pending"]', { timeout: LIVE_MS });
      await b.page.waitForFunction(() => /Ny mötesförfrågan från Alva Andersson, Solna stad/.test(document.getElementById('news').textContent), null, { timeout: LIVE_MS });
      assert.equal(await b.page.getAttribute('#news', 'aria-live'), 'polite');
      assert.match(await textOf(b.page, '#incoming-list'), /Shall we talk about young people out of work\?/);
      assert.equal(await b.page.isHidden('#incoming-empty'), true);
      await assertAccessible(b.page, 'partners.html (sv) with an incoming request');

      // B accepts: the meeting gets the first common time and the lowest table at once.
      await b.page.getByRole('button', { name: /Tacka ja \(Alva Andersson, Solna stad\)/ }).click();
      await b.page.waitForSelector('#agenda-list li');
      assert.match(await textOf(b.page, '#agenda-list'), /10:00–10:20 Bord 1 Alva Andersson, Solna stad \(Sverige\)/);
      await b.page.waitForFunction(() => /Mötet med Alva Andersson, Solna stad är bokat/.test(document.getElementById('news').textContent));
      assert.equal((await focused(b.page)).tag, 'h4', 'the focus stays on the answered request');

      // A's page, not reloaded: the acceptance arrives live; the agenda shows Stockholm time and the table.
      await a.page.waitForSelector('#agenda-list li', { timeout: LIVE_MS });
      await a.page.waitForFunction(() => /Birgit Tamm, Tallinna Sotsiaalamet accepted your request: .*10:00–10:20, table 1\./
        .test(document.getElementById('news').textContent), null, { timeout: LIVE_MS });
      assert.match(await textOf(a.page, '#agenda-list'), /20 May 2030, 10:00–10:20 Table 1 Birgit Tamm, Tallinna Sotsiaalamet \(Estonia\)/);
      assert.match(await card.locator('.relation').textContent(), /Meeting booked: .*10:00–10:20, table 1/);
      const ics = await a.page.getAttribute('#agenda-ics', 'href');
      assert.equal(ics, `/api/v1/my/registrations/${encodeURIComponent(regA.manage_token)}/agenda.ics`);
      const cal = await api('GET', ics);
      assert.equal(cal.status, 200);
      assert.match(cal.text, /DTSTART:20300520T080000Z/);
      await assertAccessible(a.page, 'partners.html (en) with a booked meeting');

      // A switches to Swedish: the page and its lists speak Swedish, and stay accessible.
      await a.page.click('button[data-set-lang="sv"]');
      assert.equal(await textOf(a.page, '#profile-h'), 'Din profil');
      assert.match(await textOf(a.page, '#agenda-list'), /Bord 1/);
      assert.equal(await a.page.inputValue('#p-country'), 'SE');
      assert.match(await a.page.textContent('#p-country option[value="SE"]'), /^Sverige$/);
      await assertAccessible(a.page, 'partners.html (sv, switched)');

      // A 360 px phone: nothing scrolls sideways.
      await b.page.setViewportSize({ width: 360, height: 740 });
      assert.equal(await hasHorizontalScroll(b.page), false, `wider than the phone: ${(await overflowingElements(b.page)).join(', ')}`);
      assertNoProblems(a.problems, EXPECTED);
      assertNoProblems(b.problems, EXPECTED);
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });

  test('organisers: the forum panel sets times through the form, lists the meeting, moves it; the table plan', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB', bypassCSP: true });
    try {
      await signInOnPage(page, server.url);
      await page.goto(`${server.url}/admin/event.html?id=${forum.id}`);
      await page.waitForSelector('#forum-section:not([hidden]) #meetings-rows tr');
      assert.equal(await textOf(page, '#forum-figure-profiles .stat-n'), '2');
      assert.equal(await textOf(page, '#forum-figure-accepted .stat-n'), '1');
      const row = page.locator('#meetings-rows tr[data-state="accepted"]');
      assert.match((await row.textContent()).replace(/\s+/g, ' '), /Alva Andersson.*Birgit Tamm.*Booked.*10:00–10:20/);
      assert.equal(await page.locator('#slot-rows li').count(), 3, 'the times set earlier');
      await assertAccessible(page, 'the forum panel (en)', { context: '#forum-section' });

      // A fourth time, after the last, of the same length; and three tables.
      await page.click('#slot-add');
      assert.equal(await page.locator('#slot-rows li').count(), 4);
      assert.equal((await focused(page)).id.endsWith('-start'), true, 'the new time\'s start takes the focus');
      assert.equal(await page.locator('#slot-rows li').nth(3).locator('input').first().inputValue(), '2030-05-20T11:20');
      await page.locator('#slot-rows li').nth(3).locator('input').first().fill('2030-05-20T11:30');
      await page.locator('#slot-rows li').nth(3).locator('input').nth(1).fill('2030-05-20T11:50');
      await page.fill('#forum-tables', '3');
      await page.click('#slots-save');
      await page.waitForFunction(() => /Saved: 4 times at 3 tables/.test(document.getElementById('slots-status').textContent));
      const slots = (await api('GET', `/api/v1/events/${forum.id}/meeting-slots`)).body;
      assert.equal(slots.tables, 3);
      assert.deepEqual(slots.slots.map((s) => s.starts_at.slice(11, 16)), ['10:00', '10:30', '11:00', '11:30']);

      // A time that ends before it starts is refused at its row.
      await page.locator('#slot-rows li').nth(3).locator('input').nth(1).fill('2030-05-20T11:00');
      await page.click('#slots-save');
      await page.waitForFunction(() => /not saved/.test(document.getElementById('slots-status').textContent));
      assert.match(await textOf(page, '#slot-rows li:nth-child(4) .field-error'), /Time 4: must end after it starts/);
      assert.equal((await focused(page)).id.endsWith('-end') || (await focused(page)).id.endsWith('-start'), true);
      await page.locator('#slot-rows li').nth(3).locator('input').nth(1).fill('2030-05-20T11:50');

      // Move the meeting to the new time at table 3.
      await page.click('#meetings-rows tr[data-state="accepted"] button[id$="-move"]');
      const moveSlot = page.locator('#meetings-rows select[name="slot_id"]');
      assert.equal(await moveSlot.evaluate((el) => el === document.activeElement), true);
      await moveSlot.selectOption({ label: (await moveSlot.locator('option').nth(3).textContent()) });
      await page.selectOption('#meetings-rows select[name="table"]', '3');
      await page.click('#meetings-rows button[id$="-save"]');
      await page.waitForFunction(() => /Moved: Alva Andersson – Birgit Tamm, .*11:30–11:50, table 3/.test(document.getElementById('meetings-status').textContent));
      assert.match((await row.innerText()).replace(/\s+/g, ' '), /11:30–11:50 3/);
      const agenda = await api('GET', `/api/v1/my/registrations/${regB.manage_token}/agenda`);
      assert.deepEqual(agenda.body.items.map((m) => [m.slot.starts_at.slice(11, 16), m.table]), [['11:30', 3]]);

      await page.click('button[data-set-lang="sv"]');
      assert.equal(await textOf(page, '#forum-h'), 'Partnersökning: tider, bord och möten');
      await assertAccessible(page, 'the forum panel (sv)', { context: '#forum-section' });

      // The table plan: the meeting in its row and column; each participant's meetings.
      await page.click('#forum-plan-link');
      await page.waitForSelector('#plan:not([hidden])');
      const cellText = await page.locator('#grid-rows tr').nth(3).locator('td').nth(2).textContent();
      assert.match(cellText, /Alva Andersson, Solna stad/);
      assert.match(cellText, /Birgit Tamm, Tallinna Sotsiaalamet/);
      assert.equal(await page.locator('.agenda-sheet').count(), 2);
      assert.match(await textOf(page, '#agendas'), /Alva Andersson, Solna stad.*11:30–11:50 3 Birgit Tamm/);
      await assertAccessible(page, 'forum-plan.html (sv)');
      assertNoProblems(problems, [httpErrorLine(422)]);
    } finally {
      await context.close();
    }
  });

  test('the public partner database, linked from the home page: published profiles only, no names, filters', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB', bypassCSP: true });
    try {
      await page.goto(`${server.url}/`);
      await page.click('a[href="partner-database.html"]');
      await page.waitForFunction(() => /shown/.test(document.getElementById('db-status').textContent));
      assert.equal(await textOf(page, 'h1'), 'Partner database');
      const list = await textOf(page, '#db-list');
      assert.match(list, /Tallinna Sotsiaalamet/, 'B chose to publish');
      assert.ok(!list.includes('Solna stad'), 'A did not');
      assert.ok(!list.includes('Birgit Tamm') && !list.includes('@'), 'neither name nor address');
      await assertAccessible(page, 'partner-database.html (en)');
      await page.selectOption('#db-country', 'SE');
      await page.waitForFunction(() => /No profile matches your search/.test(document.getElementById('db-status').textContent));
      assert.match(page.url(), /\?country=SE$/);
      await page.click('button[type="reset"]');
      await page.waitForFunction(() => /1 organisation shown/.test(document.getElementById('db-status').textContent));
      await page.click('button[data-set-lang="sv"]');
      assert.equal(await textOf(page, '#db-status'), '1 organisation visas.');
      await assertAccessible(page, 'partner-database.html (sv)');
      await page.setViewportSize({ width: 360, height: 740 });
      assert.equal(await hasHorizontalScroll(page), false, `wider than the phone: ${(await overflowingElements(page)).join(', ')}`);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('no partner search for a registration to another kind of event, nor without a link', async () => {
    const r = await api('POST', `/api/v1/events/${seminar.id}/registrations`, { ...A, email: 'alva.seminar@example.org' });
    assert.equal(r.status, 201, r.text);
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(`${server.url}/manage.html#token=${r.body.manage_token}`);
      await page.waitForSelector('#manage-page:not([hidden])');
      assert.equal(await page.isHidden('#partners-link-row'), true, 'no partner-search link for a seminar');
      await page.goto(`${server.url}/partners.html#token=${r.body.manage_token}`);
      await page.waitForFunction(() => /not for a partner-search forum/.test(document.getElementById('page-status').textContent));
      assert.equal(await page.isHidden('#partners-page'), true);
      await page.goto(`${server.url}/partners.html`);
      await page.waitForFunction(() => document.getElementById('page-status').textContent.trim() !== '' && !/Loading/.test(document.getElementById('page-status').textContent));
      assert.equal(await page.isHidden('#partners-page'), true);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

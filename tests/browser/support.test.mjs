// The counselling log (/admin/support.html) against the real server in Debian's Chromium: an organiser signs in and,
// by keyboard, sees the server's field errors at each field, logs a session with two persons, changes it (hours, a
// person removed), and deletes it after a confirmation; what the page did is checked through the API. axe-core in
// Swedish and English on the list, the form and the form with errors. Run: cd tests/browser && node --test support.test.mjs
// All people here are fictional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, client, signIn } from '../support/server.mjs';
import { readXlsx, records } from '../support/xlsx.mjs';
import { launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, tabTo, focused } from './lib.mjs';

const skip = browserTestSkip();
const ORGANISER = { email: 'rut.radgivare@example.org', name: 'Rut Rådgivare', role: 'organiser', password: 'counselling by keyboard 42' };
const EXPECTED = [httpErrorLine(422)];

async function textOf(page, selector) {
  return (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
}

async function signInOnPage(page, base, { keyboard = false } = {}) {
  await page.goto(`${base}/admin/support.html`);
  await page.waitForSelector('#signin:not([hidden])');
  if (keyboard) {
    assert.equal((await focused(page)).id, 'signin-email');
    await page.keyboard.type(ORGANISER.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ORGANISER.password);
    await page.keyboard.press('Enter');
  } else {
    await page.fill('#signin-email', ORGANISER.email);
    await page.fill('#signin-password', ORGANISER.password);
    await page.press('#signin-password', 'Enter');
  }
  await page.waitForSelector('#content:not([hidden]) #new-session:not([hidden])');
  await page.waitForFunction(() => /\S/.test(document.querySelector('#list-status').textContent));
}

describe('the counselling log (/admin/support.html)', { skip }, () => {
  let server, api, admin, browser;
  const sessions = async () => (await api('GET', '/api/v1/support-sessions', undefined, { token: admin })).body.items;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    const r = await api('POST', '/api/v1/users', ORGANISER, { token: admin });
    assert.equal(r.status, 201, r.text);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('log, change and delete a session by keyboard, with the server’s errors at the fields first', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url, { keyboard: true });
      assert.equal(await textOf(page, '#list-status'), 'No sessions in this period.');
      assert.equal(await page.getAttribute('.admin-nav a[href="/admin/support.html"]', 'aria-current'), 'page');

      await tabTo(page, '#new-session');
      await page.keyboard.press('Enter');
      assert.equal((await focused(page)).id, 's-date', 'the form opens with the focus on its first field');
      // Sent empty: the server lists every missing field; the page shows each at its field and in a focused summary.
      await tabTo(page, '#submit');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#error-summary:not([hidden])');
      assert.equal((await focused(page)).id, 'error-summary');
      const summary = await textOf(page, '#error-summary');
      for (const line of ['Date is required', 'Organisation is required', 'Project idea is required', 'Hours of support must be',
        'Name of person 1 is required', 'E-mail of person 1 is required']) assert.ok(summary.includes(line), `${line} in: ${summary}`);
      assert.ok(summary.indexOf('Date') < summary.indexOf('Organisation') && summary.indexOf('Hours') < summary.indexOf('Name of person 1'),
        'the summary follows the form’s order');
      const nameInput = await page.getAttribute('#person-rows li:first-child input[data-part="name"]', 'id');
      for (const id of ['s-organisation', 's-project-idea', 's-hours', nameInput]) {
        assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', `#${id} is marked invalid`);
        assert.ok((await page.getAttribute(`#${id}`, 'aria-describedby')).split(' ').includes(`${id}-error`), `#${id} is described by its error`);
      }
      assert.equal(await page.getAttribute('#s-hours', 'aria-describedby'), 's-hours-hint s-hours-error', 'the hint stays');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#s-date');
      await page.keyboard.press('Enter');
      assert.equal((await focused(page)).id, 's-date');

      // The date through its field (typing into a date field depends on the browser's locale), the rest typed.
      await page.fill('#s-date', '2026-03-02');
      await tabTo(page, '#s-organisation');
      await page.keyboard.type('Föreningen Exempel');
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).id, 's-organisation-type');
      for (let i = 0; i < 4; i += 1) await page.keyboard.press('ArrowDown'); // public, private, non_profit, user_organisation
      assert.equal(await page.inputValue('#s-organisation-type'), 'user_organisation');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Botkyrka');
      await page.keyboard.press('Tab');
      await page.keyboard.type('  Östra Ängar för unga ');
      await page.keyboard.press('Tab');
      await page.keyboard.type('1,5');
      await tabTo(page, `#${nameInput}`);
      await page.keyboard.type('Åsa Exempelsson');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Asa.Exempelsson@Example.org');
      await tabTo(page, '#add-person');
      await page.keyboard.press('Enter');
      const second = (await focused(page)).id;
      assert.match(second, /^s-person-\d+-name$/, 'the new row’s name has the focus');
      assert.equal(await textOf(page, `label[for="${second}"]`), 'Name of person 2');
      await page.keyboard.type('Bo Exempel');
      await page.keyboard.press('Tab');
      await page.keyboard.type('bo.exempel@example.org');
      await tabTo(page, '#s-note');
      await page.keyboard.type('A partner in Tallinn is interested.');
      await tabTo(page, '#submit');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#sessions-body tr');
      await page.waitForFunction(() => /saved/.test(document.querySelector('#list-status').textContent));
      assert.equal(await page.isVisible('#session-form'), false);

      let [s] = await sessions();
      assert.equal(s.date, '2026-03-02');
      assert.equal(s.organisation, 'Föreningen Exempel');
      assert.equal(s.organisation_type, 'user_organisation');
      assert.equal(s.municipality, 'Botkyrka');
      assert.equal(s.project_idea, 'Östra Ängar för unga');
      assert.equal(s.hours, 1.5);
      assert.equal(s.note, 'A partner in Tallinn is interested.');
      assert.deepEqual(s.persons.map((p) => [p.name, p.email]),
        [['Åsa Exempelsson', 'asa.exempelsson@example.org'], ['Bo Exempel', 'bo.exempel@example.org']]);
      const row = await textOf(page, `#sessions-body tr[data-id="${s.id}"]`);
      for (const part of ['2 March 2026', 'Föreningen Exempel', 'Östra Ängar för unga', '1.5', 'Åsa Exempelsson', 'Bo Exempel'])
        assert.ok(row.includes(part), `${part} in the row: ${row}`);
      assert.equal((await focused(page)).text.startsWith('Change'), true, 'the focus is on the saved session’s Change button');

      // Change: more hours, Bo removed.
      await page.keyboard.press('Enter');
      assert.equal((await focused(page)).id, 's-date');
      assert.equal(await textOf(page, '#form-h2'), 'Change the session of 2 March 2026');
      await tabTo(page, '#s-hours');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('3');
      await tabTo(page, '#person-rows li:nth-child(2) button[data-remove]');
      assert.equal((await focused(page)).text, 'Remove person 2');
      await page.keyboard.press('Enter');
      assert.equal(await page.locator('#person-rows li').count(), 1);
      await tabTo(page, '#submit');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /saved/.test(document.querySelector('#list-status').textContent));
      [s] = await sessions();
      assert.equal(s.hours, 3);
      assert.deepEqual(s.persons.map((p) => p.name), ['Åsa Exempelsson']);
      assert.ok(!(await textOf(page, '#sessions-body')).includes('Bo Exempel'));

      // Delete, after the question (the safe choice has the focus).
      await tabTo(page, `button[data-delete="${s.id}"]`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog[open]');
      assert.equal((await focused(page)).text, 'No, keep it');
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).text, 'Yes, delete the session');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /deleted/.test(document.querySelector('#list-status').textContent));
      assert.equal(await page.locator('#sessions-body tr').count(), 0);
      assert.deepEqual(await sessions(), []);
      assert.equal((await focused(page)).id, 'list-h2');
      assertNoProblems(problems, EXPECTED);
    } finally {
      await context.close();
    }
  });

  test('the period filter keeps to its days', async () => {
    for (const date of ['2027-01-31', '2027-02-01', '2027-02-28', '2027-03-01']) {
      const r = await api('POST', '/api/v1/support-sessions', { date, organisation: 'Exempel AB', project_idea: 'Idea', hours: 1,
        persons: [{ name: 'Cy Exempel', email: 'cy.exempel@example.org' }] }, { token: admin });
      assert.equal(r.status, 201, r.text);
    }
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url);
      await page.waitForSelector('#sessions-body tr');
      assert.equal(await page.locator('#sessions-body tr').count(), 4);
      await page.fill('#filter-from', '2027-02-01');
      await page.fill('#filter-to', '2027-02-28');
      await page.press('#filter-to', 'Enter');
      await page.waitForFunction(() => document.querySelector('#list-status').textContent === '2 sessions shown.');
      assert.equal(await page.locator('#sessions-body tr').count(), 2);
      assert.match(page.url(), /\?from=2027-02-01&to=2027-02-28$/);
      assert.equal(await textOf(page, '#totals'), 'In all: 2 hours of support.');
      // The download holds the period shown, nothing else.
      await page.focus('#download-xlsx');
      const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      assert.equal(file.suggestedFilename(), 'support-sessions.xlsx');
      const [sheet] = readXlsx(readFileSync(await file.path()));
      assert.deepEqual(records(sheet).map((r) => r.date), ['2027-02-01', '2027-02-28']);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('axe-core finds no serious or critical problem in Swedish or English', async () => {
    for (const [language, locale, h1, name] of [['sv', 'sv-SE', 'Rådgivningslogg', 'Namn på person 1'], ['en', 'en-GB', 'Counselling log', 'Name of person 1']]) {
      const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true });
      try {
        await page.goto(`${server.url}/admin/support.html`);
        await page.waitForSelector('#signin:not([hidden])');
        await signInOnPage(page, server.url);
        await page.waitForSelector('#sessions-body tr');
        assert.equal(await page.getAttribute('html', 'lang'), language);
        assert.equal(await textOf(page, '#content h1'), h1);
        await assertAccessible(page, `counselling list (${language})`);
        await page.click('#new-session');
        await page.click('#add-person');
        assert.equal(await textOf(page, '#person-rows li:first-child label[data-part="name"]'), name);
        await assertAccessible(page, `counselling form (${language})`);
        await page.click('#submit');
        await page.waitForSelector('#error-summary:not([hidden])');
        assert.equal(await page.getAttribute('#s-organisation', 'aria-invalid'), 'true');
        await assertAccessible(page, `counselling form with errors (${language})`);
        await page.click(`#sessions-body tr:first-child button[data-edit]`);
        await assertAccessible(page, `counselling form, editing (${language})`);
        assertNoProblems(problems, EXPECTED);
      } finally {
        await context.close();
      }
    }
  });
});

// The organisers' pages (web/admin/, served at /admin/) against the real server in Debian's Chromium:
// sign-in, a seminar created as a draft by keyboard (with the server's field errors shown first), Stockholm time
// whatever the browser's time zone, publishing, the counts and the uncovered accessibility needs, search as you type,
// cancelling a registration (the waitlisted one is promoted), the steering group's read-only view, axe-core in
// Swedish and English, and a 360 px phone. Run: cd tests/browser && node --test admin.test.mjs
// All people here are fictional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, tabTo, focused,
  hasHorizontalScroll, overflowingElements,
} from './lib.mjs';

const skip = browserTestSkip();

const ORGANISER = { email: 'olga.organiser@example.org', name: 'Olga Organiser', role: 'organiser', password: 'organisers arrange 42' };
const STEERING = { email: 'sten.styrgrupp@example.org', name: 'Sten Styrgrupp', role: 'steering', password: 'steering reads only 42' };
const TITLE = 'Budgeting transnational projects (admin test)';
const PEOPLE = [
  { name: 'Alma Andersson', email: 'alma.andersson@example.org', accessibility_needs: ['hearing_loop'] },
  { name: 'Bertil Berg', email: 'bertil.berg@example.org', accessibility_needs: [] },
  { name: 'Cecilia Carlsson', email: 'cecilia.carlsson@example.org', accessibility_needs: [] },
];
const DAY = 24 * 3600 * 1000;

// The browser's own lines for answers a test provokes on purpose (the form's 422, the stale edit's 412).
const EXPECTED = [httpErrorLine(422), httpErrorLine(412)];

/** The calendar date in Stockholm `days` from now, as YYYY-MM-DD. */
function stockholmDate(days) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(new Date(Date.now() + days * DAY));
  return parts; // en-CA formats as 2026-12-01
}

/** Stockholm's UTC offset on a date ("+01:00" or "+02:00"), read at midday, far from the 02:00-03:00 clock changes. */
function stockholmOffset(date) {
  const [y, m, d] = date.split('-').map(Number);
  const name = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Stockholm', timeZoneName: 'longOffset' })
    .formatToParts(new Date(Date.UTC(y, m - 1, d, 12))).find((p) => p.type === 'timeZoneName').value; // "GMT+01:00"
  return name.replace('GMT', '') || '+00:00';
}

async function signInOnPage(page, base, who, { keyboard = false } = {}) {
  await page.goto(`${base}/admin/`);
  await page.waitForSelector('#signin:not([hidden])');
  if (keyboard) {
    assert.equal((await focused(page)).id, 'signin-email', 'the sign-in form has the focus');
    await page.keyboard.type(who.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(who.password);
    await page.keyboard.press('Enter');
  } else {
    await page.fill('#signin-email', who.email);
    await page.fill('#signin-password', who.password);
    await page.press('#signin-password', 'Enter');
  }
  await page.waitForSelector('#content:not([hidden]) #events-body tr');
}

/** Text of the element, spaces folded. */
async function textOf(page, selector) {
  return (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
}

describe('organisers’ pages (/admin/)', { skip }, () => {
  let server;
  let api;
  let admin;
  let browser;
  let eventId;
  const regs = {};

  before(async () => {
    server = await startServer({ demo: true });
    api = client(server.url);
    admin = await signIn(server.url);
    for (const u of [ORGANISER, STEERING]) {
      const r = await api('POST', '/api/v1/users', u, { token: admin });
      assert.equal(r.status, 201, `POST /api/v1/users ${u.role}: ${r.status} ${r.text}`);
    }
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  const getEvent = async () => {
    const r = await api('GET', `/api/v1/events/${eventId}`, undefined, { token: admin });
    assert.equal(r.status, 200, `GET /api/v1/events/${eventId}: ${r.status} ${r.text}`);
    return r.body;
  };

  test('an organiser signs in and creates a draft seminar by keyboard, after fixing the field errors', async () => {
    // A browser far from Stockholm: the form must still read and send Stockholm time.
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB', timezoneId: 'America/New_York' });
    try {
      await signInOnPage(page, server.url, ORGANISER, { keyboard: true });
      assert.match(await textOf(page, '#who'), /Olga Organiser/);
      assert.match(await textOf(page, '#list-status'), /\d+ events? shown/);

      await tabTo(page, 'a.button.primary[href="/admin/edit.html"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#event-form:not([hidden])');
      assert.equal(await textOf(page, '#form-h1'), 'New event');

      // Kind by keyboard: the first choice after "Choose…" is the seminar; its topic field appears.
      await tabTo(page, '#f-kind');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.inputValue('#f-kind'), 'seminar');
      assert.equal(await page.isVisible('#f-topic'), true, 'a seminar has a topic');
      assert.equal(await page.isVisible('#f-focus-area'), false, 'a seminar has no focus area');
      assert.equal(await page.isVisible('#f-network'), false, 'a seminar has no network');
      await tabTo(page, '#f-topic');
      for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowDown');
      assert.equal(await page.inputValue('#f-topic'), 'budgeting');

      // First try: no title, the end before the start, and a venue name longer than the server allows.
      const date = stockholmDate(45);
      await page.fill('#f-starts-at', `${date}T09:00`);
      await page.fill('#f-ends-at', `${date}T08:00`);
      await page.evaluate(() => {
        const venue = document.getElementById('f-venue-name');
        venue.removeAttribute('maxlength');
        venue.value = 'V'.repeat(201);
      });
      await tabTo(page, '#submit');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#error-summary:not([hidden])');
      await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
      const summary = await textOf(page, '#error-summary');
      assert.match(summary, /Title is required/);
      assert.match(summary, /Ends must not be before the start/);
      assert.match(summary, /Name of the venue must be at most 200 characters/);
      for (const [control, error] of [['#f-title', 'f-title-error'], ['#f-ends-at', 'f-ends-at-error'], ['#f-venue-name', 'f-venue-name-error']]) {
        assert.equal(await page.getAttribute(control, 'aria-invalid'), 'true', `${control} is marked invalid`);
        assert.ok((await page.getAttribute(control, 'aria-describedby')).split(' ').includes(error), `${control} is described by its error`);
        assert.equal(await page.isVisible(`#${error}`), true);
      }
      assert.equal(await page.getAttribute('#f-starts-at', 'aria-invalid'), null, 'the start was fine');
      assert.equal(await page.getAttribute('#f-ends-at', 'aria-describedby'), 'time-hint f-ends-at-error', 'the hint stays described');

      // The summary's first link leads to the title field.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#f-title');
      await page.keyboard.press('Enter');
      assert.equal((await focused(page)).id, 'f-title');
      await page.keyboard.type(TITLE);
      await tabTo(page, '#f-description');
      await page.keyboard.type('How to budget the transnational part of an ESF project.');
      await page.fill('#f-ends-at', `${date}T12:00`);
      await tabTo(page, '#f-capacity');
      await page.keyboard.type('2');
      await tabTo(page, '#f-venue-name');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('Sensus, room Mälaren');
      await page.keyboard.press('Tab');
      assert.equal((await focused(page)).id, 'f-venue-address');
      await page.keyboard.type('Rosenlundsgatan 1, Stockholm');
      await tabTo(page, '#f-venue-need-step_free_access');
      await page.keyboard.press('Space');
      assert.equal(await page.isChecked('#f-venue-need-step_free_access'), true);
      assert.equal(await page.isChecked('#f-status-draft'), true, 'a new event starts as a draft');
      await tabTo(page, '#submit');
      await page.keyboard.press('Enter');

      await page.waitForURL(/\/admin\/event\.html\?id=\d+/);
      eventId = Number(new URL(page.url()).searchParams.get('id'));
      await page.waitForSelector('#event:not([hidden])');
      assert.equal(await textOf(page, '#ev-title'), TITLE);
      assert.equal(await textOf(page, '#ev-status'), 'Draft');
      assert.match(await textOf(page, '#action-status'), /saved/);

      const ev = await getEvent();
      assert.equal(ev.status, 'draft');
      assert.equal(ev.kind, 'seminar');
      assert.equal(ev.topic, 'budgeting');
      assert.equal(ev.capacity, 2);
      assert.equal(ev.title, TITLE);
      assert.equal(ev.focus_area, null);
      assert.deepEqual(ev.venue, { name: 'Sensus, room Mälaren', address: 'Rosenlundsgatan 1, Stockholm', accessibility: ['step_free_access'] });
      const offset = stockholmOffset(date);
      assert.equal(ev.starts_at, `${date}T09:00:00${offset}`, 'the start is 09:00 Stockholm time with its offset');
      assert.equal(ev.ends_at, `${date}T12:00:00${offset}`);
      assert.equal(Date.parse(ev.registration_closes_at), Date.parse(ev.starts_at), 'registration closes at the start');

      // The links of a draft: the door app; the public page and calendar file come with publishing.
      assert.equal(await page.getAttribute('#link-door', 'href'), `/checkin/?event=${eventId}`);
      assert.equal(await page.$('#link-public'), null);

      // Publish by keyboard.
      await tabTo(page, '#publish');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('#ev-status')?.textContent.trim() === 'Published');
      assert.equal((await getEvent()).status, 'published');
      assert.equal(await page.isVisible('#publish'), false, 'no publish button for a published event');
      assert.equal(await page.getAttribute('#link-public', 'href'), `/event.html?id=${eventId}`);
      assert.equal(await page.getAttribute('#link-ics', 'href'), `/api/v1/events/${eventId}.ics`);

      // The edit form shows the event back in Stockholm time.
      await page.goto(`${server.url}/admin/edit.html?id=${eventId}`);
      await page.waitForSelector('#event-form:not([hidden])');
      assert.equal(await page.inputValue('#f-starts-at'), `${date}T09:00`);
      assert.equal(await page.inputValue('#f-capacity'), '2');
      assert.equal(await page.inputValue('#f-registration-closes-at'), '', 'closing at the start shows as empty');
      assert.equal(await page.isChecked('#f-status-published'), true);

      // A colleague changes the event meanwhile: saving this form would overwrite their change, so it is refused
      // with a clear message and nothing of the form is saved.
      const colleague = await api('PATCH', `/api/v1/events/${eventId}`, { description: 'Changed by a colleague.' }, { token: admin });
      assert.equal(colleague.status, 200, colleague.text);
      await page.fill('#f-capacity', '3');
      await page.click('#submit');
      await page.waitForSelector('#error-summary:not([hidden])');
      assert.match(await textOf(page, '#error-summary'), /Someone else changed this event/);
      assert.equal((await getEvent()).capacity, 2, 'the form was not saved');
      assert.equal((await getEvent()).description, 'Changed by a colleague.');
      // Loading the current version shows the colleague's change; saving then works.
      await page.click('#error-summary a');
      await page.waitForSelector('#event-form:not([hidden])');
      assert.equal(await page.inputValue('#f-description'), 'Changed by a colleague.');
      assert.equal(await page.inputValue('#f-capacity'), '2');
      await page.click('#submit');
      await page.waitForURL(/\/admin\/event\.html\?id=\d+&saved=1/);

      // And the list has it, with its counts.
      await page.goto(`${server.url}/admin/`);
      const row = page.locator(`#events-body tr[data-event-id="${eventId}"]`);
      await row.waitFor();
      assert.match((await row.textContent()).replace(/\s+/g, ' '), /Seminar.*Published.*0 \/ 2/);
      assertNoProblems(problems, EXPECTED);
    } finally {
      await context.close();
    }
  });

  test('the event page shows counts and uncovered needs, searches, and cancels a registration (promoting the waitlisted)', async () => {
    assert.ok(eventId, 'the event of the first test');
    for (const p of PEOPLE) {
      const r = await api('POST', `/api/v1/events/${eventId}/registrations`, {
        ...p, organisation: 'Exempelstadens arbetsmarknadsförvaltning', organisation_type: 'public', municipality: 'Solna',
        gender: 'undisclosed', language: 'en', consent: true,
      });
      assert.equal(r.status, 201, `registering ${p.name}: ${r.status} ${r.text}`);
      regs[p.name] = r.body;
    }
    assert.deepEqual(PEOPLE.map((p) => regs[p.name].status), ['confirmed', 'confirmed', 'waitlisted']);

    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url, ORGANISER);
      await page.goto(`${server.url}/admin/event.html?id=${eventId}`);
      await page.waitForSelector('#regs-rows tr');
      assert.equal(await textOf(page, '#count-confirmed .stat-n'), '2');
      assert.match(await textOf(page, '#count-confirmed'), /of 2 seats/);
      assert.equal(await textOf(page, '#count-waitlisted .stat-n'), '1');
      assert.equal(await textOf(page, '#count-checked-in .stat-n'), '0');

      // Hearing loop: asked for, not offered by the venue (which offers step-free access only).
      const uncovered = await textOf(page, '#needs-uncovered');
      assert.match(uncovered, /Hearing loop: 1 registration/);
      assert.doesNotMatch(uncovered, /Step-free/);

      // The attendance list downloads as CSV with the names in it.
      const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
      assert.equal(csvDownload.suggestedFilename(), `attendance-${eventId}.csv`);
      const csvText = (await (await import('node:fs/promises')).readFile(await csvDownload.path(), 'utf8'));
      assert.match(csvText, /^\ufeffregistration_id,ticket_code,status,name/);
      for (const p of PEOPLE) assert.ok(csvText.includes(p.name), `${p.name} is in the CSV`);

      assert.equal(await page.locator('#regs-rows tr').count(), 3);
      assert.match(await textOf(page, '#reg-status'), /^3 registrations shown\.$/);
      const cecilia = page.locator(`#regs-rows tr[data-reg-id="${regs['Cecilia Carlsson'].id}"]`);
      assert.match((await cecilia.textContent()).replace(/\s+/g, ' '), /On the waitlist, number 1/);
      const alma = page.locator(`#regs-rows tr[data-reg-id="${regs['Alma Andersson'].id}"]`);
      assert.match((await alma.textContent()).replace(/\s+/g, ' '), /Hearing loop \(not at the venue\)/);
      assert.equal(await page.getAttribute('#regs-table th[scope="col"]', 'scope'), 'col');
      assert.match(await textOf(page, '#regs-caption'), /Registrations for Budgeting transnational projects/);

      // Search as you type.
      await tabTo(page, '#reg-q');
      await page.keyboard.type('bertil', { delay: 30 });
      await page.waitForFunction(() => document.querySelectorAll('#regs-rows tr').length === 1);
      assert.match(await textOf(page, '#regs-rows tr'), /Bertil Berg/);
      await page.waitForFunction(() => document.querySelector('#reg-status').textContent.trim() === '1 registration shown.');
      // Nothing matching, then the whole list again.
      await page.keyboard.type('zzz');
      await page.waitForFunction(() => document.querySelector('#reg-status').textContent.trim() === 'No registrations match.');
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Backspace');
      await page.waitForFunction(() => document.querySelectorAll('#regs-rows tr').length === 3);
      // The status filter.
      await page.selectOption('#reg-status-filter', 'waitlisted');
      await page.waitForFunction(() => document.querySelectorAll('#regs-rows tr').length === 1);
      assert.match(await textOf(page, '#regs-rows tr'), /Cecilia Carlsson/);
      await page.selectOption('#reg-status-filter', '');
      await page.waitForFunction(() => document.querySelectorAll('#regs-rows tr').length === 3);

      // Cancel Bertil's confirmed seat; first say no, then yes.
      const cancelButton = `#regs-rows button[data-cancel-reg="${regs['Bertil Berg'].id}"]`;
      assert.equal(await page.getAttribute(cancelButton, 'data-cancel-reg'), String(regs['Bertil Berg'].id));
      assert.match(await textOf(page, cancelButton), /Cancel the registration of Bertil Berg/);
      await tabTo(page, cancelButton);
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog[open]');
      assert.match(await textOf(page, 'dialog[open] h2'), /Cancel the registration of Bertil Berg\?/);
      await page.keyboard.press('Enter'); // the safe choice has the focus
      await page.waitForSelector('dialog', { state: 'detached' });
      assert.equal(await page.evaluate((sel) => document.activeElement === document.querySelector(sel), cancelButton), true,
        'saying no returns the focus to the button');
      assert.equal((await api('GET', `/api/v1/events/${eventId}/registrations?status=cancelled`, undefined, { token: admin })).body.items.length, 0);

      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog[open]');
      await page.click('dialog[open] button[value="yes"]');
      await page.waitForFunction((id) => document.querySelector(`#regs-rows tr[data-reg-id="${id}"]`)?.dataset.status === 'confirmed',
        regs['Cecilia Carlsson'].id);

      // The server promoted Cecilia.
      const list = await api('GET', `/api/v1/events/${eventId}/registrations`, undefined, { token: admin });
      assert.equal(list.status, 200);
      const byName = Object.fromEntries(list.body.items.map((r) => [r.name, r]));
      assert.equal(byName['Bertil Berg'].status, 'cancelled');
      assert.equal(byName['Cecilia Carlsson'].status, 'confirmed');
      assert.equal(byName['Cecilia Carlsson'].waitlist_position, null);
      assert.equal(byName['Alma Andersson'].status, 'confirmed');
      assert.deepEqual([list.body.counts.confirmed, list.body.counts.waitlisted], [2, 0]);

      // And the page says so.
      assert.equal(await textOf(page, '#count-confirmed .stat-n'), '2');
      assert.equal(await textOf(page, '#count-waitlisted .stat-n'), '0');
      assert.match((await cecilia.textContent()).replace(/\s+/g, ' '), /Confirmed/);
      assert.equal(await page.getAttribute(`#regs-rows tr[data-reg-id="${regs['Bertil Berg'].id}"]`, 'data-status'), 'cancelled');
      assert.equal(await page.$(cancelButton), null, 'a cancelled registration has no cancel button');
      const news = await textOf(page, '#reg-status');
      assert.match(news, /The registration of Bertil Berg is cancelled\./);
      assert.match(news, /Cecilia Carlsson got the seat from the waitlist\./);
      assert.equal((await focused(page)).id, 'regs-h', 'the focus moves to the list heading');

      // The door app shares the sign-in of the tab: its link opens this event's door at once.
      await page.click('#link-door');
      await page.waitForSelector('#screen-door:not([hidden])');
      assert.equal(await textOf(page, '#door-title'), TITLE);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('the steering group sees the lists but no edit buttons', async () => {
    assert.ok(eventId, 'the event of the first test');
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url, STEERING);
      assert.match(await textOf(page, '#who'), /Sten Styrgrupp \(steering group, read-only\)/);
      assert.equal(await page.isVisible('[data-readonly-note]'), true);
      assert.equal(await page.locator('a[href="/admin/edit.html"]:visible').count(), 0, 'no "New event"');
      await page.locator(`#events-body tr[data-event-id="${eventId}"] a`).click();
      await page.waitForSelector('#event:not([hidden])');
      assert.equal(await textOf(page, '#count-confirmed .stat-n'), '2');
      assert.equal(await page.isVisible('#ev-actions'), false);
      assert.equal(await page.locator('#event button:visible, #event a.button:visible').count(), 1, 'only the "Update" button');
      assert.equal(await page.isVisible('#refresh'), true);
      assert.equal(await page.locator('[data-cancel-reg]').count(), 0);
      assert.equal(await page.isVisible('#regs-forbidden'), true, 'registrations are for organisers');
      // The form itself refuses too.
      await page.goto(`${server.url}/admin/edit.html?id=${eventId}`);
      await page.waitForSelector('#form-notice:not([hidden])');
      assert.equal(await page.isVisible('#event-form'), false);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('no serious or critical axe-core violations on the list, the form with errors and the event page, in Swedish and English', async () => {
    assert.ok(eventId, 'the event of the first test');
    for (const [language, locale, h1] of [['sv', 'sv-SE', 'Evenemang'], ['en', 'en-GB', 'Events']]) {
      // bypassCSP lets addScriptTag inject axe; the other tests run under the server's CSP and fail on any violation.
      const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true });
      try {
        await page.goto(`${server.url}/admin/`);
        await page.waitForSelector('#signin:not([hidden])');
        await assertAccessible(page, `sign-in (${language})`);
        await signInOnPage(page, server.url, ORGANISER);
        assert.equal(await page.getAttribute('html', 'lang'), language);
        assert.equal(await textOf(page, '#content h1'), h1);
        await assertAccessible(page, `events list (${language})`);

        await page.goto(`${server.url}/admin/edit.html`);
        await page.waitForSelector('#event-form:not([hidden])');
        await page.click('#submit');
        await page.waitForSelector('#error-summary:not([hidden])');
        assert.equal(await page.getAttribute('#f-kind', 'aria-invalid'), 'true');
        assert.equal(await page.getAttribute('#f-starts-at', 'aria-invalid'), 'true');
        await assertAccessible(page, `event form with errors (${language})`);

        await page.goto(`${server.url}/admin/event.html?id=${eventId}`);
        await page.waitForSelector('#regs-rows tr');
        await page.waitForSelector('#needs-uncovered');
        await assertAccessible(page, `event page (${language})`);
        assertNoProblems(problems, EXPECTED);
      } finally {
        await context.close();
      }
    }
  });

  test('the language switch is visible and turns the pages into the other language', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url, ORGANISER);
      await page.goto(`${server.url}/admin/edit.html`);
      await page.waitForSelector('#event-form:not([hidden])');
      await page.fill('#f-title', 'Kept across the switch');
      await page.click('#submit');
      await page.waitForSelector('#error-summary:not([hidden])');
      assert.match(await textOf(page, '#error-summary'), /Kind of event is required/);
      await page.click('button[data-set-lang="sv"]');
      assert.equal(await page.getAttribute('html', 'lang'), 'sv');
      assert.equal(await page.getAttribute('button[data-set-lang="sv"]', 'aria-pressed'), 'true');
      assert.equal(await textOf(page, '#form-h1'), 'Nytt evenemang');
      assert.match(await textOf(page, '#error-summary'), /Typ av evenemang måste fyllas i/);
      assert.equal(await page.inputValue('#f-title'), 'Kept across the switch');
      await page.goto(`${server.url}/admin/event.html?id=${eventId}`);
      await page.waitForSelector('#regs-rows tr');
      assert.equal(await textOf(page, '#needs-h'), 'Tillgänglighetsbehov som lokalen inte täcker');
      assert.match(await textOf(page, '#needs-uncovered'), /Hörslinga: 1 anmälan/);
      assert.match(await textOf(page, '#count-confirmed'), /Bekräftade av 2 platser/);
      assertNoProblems(problems, EXPECTED);
    } finally {
      await context.close();
    }
  });

  test('no horizontal scroll on a 360 px wide phone', async () => {
    for (const locale of ['sv-SE', 'en-GB']) {
      const { context, page, problems } = await openPage(browser, { locale, viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
      try {
        await signInOnPage(page, server.url, ORGANISER);
        for (const when of ['upcoming', 'past', 'all']) {
          await page.check(`#when-${when}`);
          await page.waitForSelector('#events-body tr');
          assert.equal(await hasHorizontalScroll(page), false,
            `the list (${when}, ${locale}) scrolls sideways: ${(await overflowingElements(page)).join(', ')}`);
        }
        for (const [name, path, ready] of [['form', '/admin/edit.html', '#event-form:not([hidden])'],
          ['event page', `/admin/event.html?id=${eventId}`, '#regs-rows tr']]) {
          await page.goto(server.url + path);
          await page.waitForSelector(ready);
          assert.equal(await hasHorizontalScroll(page), false,
            `${name} (${locale}) scrolls sideways: ${(await overflowingElements(page)).join(', ')}`);
        }
        assertNoProblems(problems);
      } finally {
        await context.close();
      }
    }
  });
});

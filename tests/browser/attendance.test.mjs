// "Record attendance afterwards" in the check-in app (/checkin/), against the real server in Debian's Chromium:
// a past EURoma network event whose attendees are ticked on a chosen date (keyboard only), one taken back after a
// confirmation, one added with the walk-in form; the server then counts them, dates them and holds the event for
// the goals. axe-core finds no serious or critical violation in the mode, in Swedish and English.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, axeViolations, formatViolations, tabTo,
  hasHorizontalScroll, overflowingElements,
} from './lib.mjs';

const ORGANISER = { email: 'network.staff@example.org', name: 'Nora Nätverk', role: 'organiser', password: 'networks abroad 42' };
const EVENT_TITLE = 'EURoma network meeting, Madrid (attendance test)';
const PEOPLE = {
  karin: { name: 'Karin Kvist', email: 'karin.kvist@example.org', organisation: 'Stockholms stad', organisation_type: 'public', municipality: 'Stockholm' },
  lars: { name: 'Lars Lind', email: 'lars.lind@example.org', organisation: 'Länsstyrelsen', organisation_type: 'public', municipality: 'Solna' },
};
const WALK_IN = { name: 'Mirela Stojka', email: 'mirela@example.org', organisation: 'Romska kulturföreningen', organisation_type: 'user_organisation', municipality: 'Huddinge' };
const DAY = 24 * 3600 * 1000;

// lib.mjs first tries page.addScriptTag for axe, an inline script which the page's CSP (script-src 'self') rightly refuses.
const AXE_NOISE = [/Executing inline script violates the following Content Security Policy/];

/** YYYY-MM-DD of a moment in Stockholm. */
function stockholmDate(ms) {
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Stockholm', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(ms))) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}`;
}

async function signInOnPage(page, who) {
  await page.fill('#signin-email', who.email);
  await page.fill('#signin-password', who.password);
  await page.press('#signin-password', 'Enter');
}

/** Waits until the live region confirms something matching `re`, and returns its text. */
async function confirmed(page, re) {
  try {
    await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('#att-live')?.textContent || ''), re.source, { timeout: 10_000 });
  } catch {
    const now = await page.evaluate(() => `live="${document.querySelector('#att-live')?.textContent}" error="${document.querySelector('#att-error')?.textContent}"`);
    throw new Error(`expected a confirmation matching ${re}, but ${now}`);
  }
  return page.textContent('#att-live');
}

describe('recording attendance afterwards (/checkin/)', { skip: browserTestSkip() }, () => {
  let server;
  let api;
  let admin;
  let browser;
  let eventId;
  let startDay;
  let secondDay;
  const regs = {};

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    const u = await api('POST', '/api/v1/users', ORGANISER, { token: admin });
    assert.equal(u.status, 201, `POST /api/v1/users: ${u.status} ${u.text}`);

    // Public registration closes when an event starts: register while it is still ahead, then move it into the past.
    const soon = new Date(Date.now() + 3 * DAY).toISOString().replace(/\.\d+Z$/, 'Z');
    const ev = await api('POST', '/api/v1/events', {
      kind: 'network_event', network: 'euroma', title: EVENT_TITLE, description: 'EURoma meeting abroad.',
      starts_at: soon, ends_at: soon, language: 'en', status: 'published',
      venue: { name: 'Ayuntamiento de Madrid', address: 'Madrid, Spain', accessibility: [] },
    }, { token: admin });
    assert.equal(ev.status, 201, `POST /api/v1/events: ${ev.status} ${ev.text}`);
    eventId = ev.body.id;
    for (const [key, p] of Object.entries(PEOPLE)) {
      const r = await api('POST', `/api/v1/events/${eventId}/registrations`, { ...p, consent: true });
      assert.equal(r.status, 201, `POST registrations ${key}: ${r.status} ${r.text}`);
      assert.equal(r.body.status, 'confirmed');
      regs[key] = r.body;
    }
    // Two days, three weeks ago (09:00 on the first, 16:00 on the second, Swedish winter time: the same dates in summer).
    startDay = stockholmDate(Date.now() - 21 * DAY);
    secondDay = stockholmDate(Date.now() - 20 * DAY);
    const patch = await api('PATCH', `/api/v1/events/${eventId}`,
      { starts_at: `${startDay}T09:00:00+01:00`, ends_at: `${secondDay}T16:00:00+01:00` }, { token: admin });
    assert.equal(patch.status, 200, `PATCH /api/v1/events/${eventId}: ${patch.status} ${patch.text}`);
    assert.equal(patch.body.counts.confirmed, 2);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('an organiser ticks, unticks and adds attendees of a past network event on a chosen date', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(`${server.url}/checkin/`);
      await page.waitForSelector('#screen-signin:not([hidden])');
      await signInOnPage(page, ORGANISER);

      // The past event sits under "Earlier events" and offers the mode directly.
      await page.waitForSelector('#screen-events:not([hidden])');
      await page.locator('#events-earlier-box summary').click();
      const direct = page.locator(`#events-earlier .event-afterwards[data-event-id="${eventId}"]`);
      await direct.waitFor({ timeout: 10_000 });
      assert.match(await direct.textContent(), /Record attendance afterwards/);
      assert.ok((await direct.textContent()).includes(EVENT_TITLE), 'the button names its event');
      await direct.click();

      await page.waitForSelector('#screen-attendance:not([hidden])');
      assert.equal(await page.isVisible('#screen-door'), false, 'the door is not shown');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'att-h', 'the heading has the focus');
      assert.ok((await page.textContent('#att-h')).includes(EVENT_TITLE));
      assert.match(page.url(), new RegExp(`[?&]event=${eventId}&mode=attendance`));
      await page.waitForSelector('#att-list li:nth-child(2)');
      assert.equal(await page.inputValue('#att-date'), startDay, 'the date defaults to the start date in Stockholm');
      assert.equal(await page.textContent('#att-count'), '0 of 2 attended');
      const rows = await page.$$eval('#att-list li', (lis) => lis.map((li) => li.textContent.replace(/\s+/g, ' ').trim()));
      assert.ok(rows[0].startsWith('Karin Kvist') && rows[0].includes('Stockholms stad') && rows[0].includes('Confirmed'), rows[0]);
      assert.ok(rows[1].startsWith('Lars Lind') && rows[1].includes('Länsstyrelsen'), rows[1]);

      // The checkboxes are real ones, named by the person.
      const karin = page.getByRole('checkbox', { name: 'Karin Kvist' });
      const lars = page.getByRole('checkbox', { name: 'Lars Lind' });
      assert.equal(await karin.isChecked(), false);

      // Set the second day, then tick Karin with the keyboard alone: Tab to her checkbox, Space.
      await page.fill('#att-date', secondDay);
      await page.focus('#att-date');
      await tabTo(page, `#att-r-${regs.karin.id}`);
      await page.keyboard.press('Space');
      let text = await confirmed(page, /^Recorded: Karin Kvist attended on/);
      assert.match(text, /1 of 2 attended/);
      assert.equal(await karin.isChecked(), true);
      assert.equal(await page.evaluate(() => document.activeElement?.id), `att-r-${regs.karin.id}`, 'the focus stays on the checkbox');
      assert.match(await page.textContent(`#att-r-${regs.karin.id}-d`), /Attended \d+ \w+ \d{4}/);
      assert.equal(await page.textContent('#att-count'), '1 of 2 attended');

      // Lars: ticked, then unticked; the first confirmation is refused (he stays), the second accepted.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), `att-r-${regs.lars.id}`);
      await page.keyboard.press('Space');
      await confirmed(page, /^Recorded: Lars Lind/);
      let asked = '';
      page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
      await page.keyboard.press('Space');
      for (let i = 0; i < 50 && !asked; i += 1) await page.waitForTimeout(50);
      assert.match(asked, /Remove the attendance of Lars Lind/);
      assert.equal(await lars.isChecked(), true, 'a refused confirmation keeps the tick');
      page.once('dialog', (d) => d.accept());
      await page.keyboard.press('Space');
      text = await confirmed(page, /^Removed: Lars Lind is no longer recorded as attended/);
      assert.match(text, /1 of 2 attended/);
      assert.equal(await lars.isChecked(), false);

      // A person who came without a registration, from the walk-in form.
      await page.click('#walkin-box summary');
      assert.match(await page.textContent('#walkin-box summary'), /Add attendee/);
      await page.fill('#walkin-name', WALK_IN.name);
      await page.fill('#walkin-email', WALK_IN.email);
      await page.fill('#walkin-organisation', WALK_IN.organisation);
      await page.selectOption('#walkin-organisation_type', WALK_IN.organisation_type);
      await page.fill('#walkin-municipality', WALK_IN.municipality);
      await page.check('#walkin-consent');
      await page.click('#walkin-form button[type="submit"]');
      text = await confirmed(page, /^Added: Mirela Stojka attended on/);
      assert.match(text, /2 of 3 attended/);
      assert.equal(await page.getByRole('checkbox', { name: WALK_IN.name }).isChecked(), true);
      assert.equal(await page.inputValue('#walkin-name'), '', 'the form is empty for the next person');

      // The server's view: two attended, on the chosen date; the held event counts for the goals.
      const ev = await api('GET', `/api/v1/events/${eventId}`, undefined, { token: admin });
      assert.equal(ev.status, 200);
      assert.equal(ev.body.counts.checked_in, 2, `counts: ${JSON.stringify(ev.body.counts)}`);
      assert.equal(ev.body.counts.walk_ins, 1);
      const list = await api('GET', `/api/v1/events/${eventId}/registrations?status=confirmed`, undefined, { token: admin });
      assert.equal(list.status, 200, `GET registrations: ${list.status} ${list.text}`);
      const by = Object.fromEntries(list.body.items.map((x) => [x.email, x]));
      for (const email of [PEOPLE.karin.email, WALK_IN.email]) {
        const at = by[email]?.checked_in_at;
        assert.ok(at, `${email} is checked in: ${JSON.stringify(by[email])}`);
        assert.equal(stockholmDate(Date.parse(at)), secondDay, `${email} attended on the chosen date (${at})`);
      }
      assert.equal(by[PEOPLE.lars.email].checked_in_at, null, 'the undone check-in is gone');
      assert.equal(by[WALK_IN.email].walk_in, true);

      const goals = await api('GET', '/api/v1/goals', undefined, { token: admin });
      assert.equal(goals.status, 200, `GET /api/v1/goals: ${goals.status} ${goals.text}`);
      const rep = goals.body.representation;
      assert.equal(rep.held_events, 1, `representation: ${JSON.stringify(rep)}`);
      assert.equal(rep.represented_events, 1, 'Stockholm was represented');
      assert.equal(rep.by_network.euroma.held_events, 1);
      assert.equal(goals.body.user_organisations.held_events, 1);
      assert.equal(goals.body.user_organisations.represented_events, 1, 'a user organisation of the region attended');

      // A reload keeps the mode.
      await page.reload();
      await page.waitForSelector('#screen-attendance:not([hidden])');
      await page.waitForFunction(() => document.querySelector('#att-count')?.textContent === '2 of 3 attended');

      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('no serious or critical axe-core violation in the mode, in Swedish and English, on a 360 px phone', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'sv-SE', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const check = async (what) => {
      const v = await axeViolations(page);
      assert.equal(v.length, 0, `${what}:\n${formatViolations(v)}`);
      assert.equal(await hasHorizontalScroll(page), false, `${what} scrolls sideways: ${(await overflowingElements(page)).join(', ')}`);
    };
    try {
      await page.goto(`${server.url}/checkin/`);
      await page.waitForSelector('#screen-signin:not([hidden])');
      await signInOnPage(page, ORGANISER);
      await page.waitForSelector('#screen-events:not([hidden])');
      await page.locator('#events-earlier-box summary').click();
      await page.locator(`#events-earlier .event-afterwards[data-event-id="${eventId}"]`).waitFor();
      await check('event list with an earlier event (sv)');

      // From the door screen's own button.
      await page.locator(`#events-earlier .event-pick[data-event-id="${eventId}"]`).click();
      await page.waitForSelector('#screen-door:not([hidden])');
      assert.match(await page.textContent('#open-attendance'), /Registrera närvaro i efterhand/);
      await page.click('#open-attendance');
      await page.waitForSelector('#screen-attendance:not([hidden])');
      await page.waitForFunction(() => document.querySelector('#att-count')?.textContent === '2 av 3 deltog');
      assert.match(await page.textContent(`#att-r-${regs.karin.id}-d`), /Bekräftad/);

      // A date in the future is refused before anything is sent: the field and the alert say so.
      const future = stockholmDate(Date.now() + 2 * DAY);
      await page.fill('#att-date', future);
      await page.getByRole('checkbox', { name: 'Lars Lind' }).focus();
      await page.keyboard.press('Space');
      await page.waitForFunction(() => /framtiden/.test(document.querySelector('#att-error')?.textContent || ''));
      assert.equal(await page.getAttribute('#att-date', 'aria-invalid'), 'true');
      assert.equal(await page.getByRole('checkbox', { name: 'Lars Lind' }).isChecked(), false, 'nothing ticked');
      await page.click('#walkin-box summary');
      await check('attendance with an error and the add form open (sv)');

      await page.fill('#att-date', secondDay);
      await page.getByRole('checkbox', { name: 'Lars Lind' }).focus();
      await page.keyboard.press('Space');
      await confirmed(page, /^Registrerat: Lars Lind deltog/);
      assert.equal(await page.textContent('#att-error'), '', 'the error is gone');
      await check('attendance after a tick (sv)');

      await page.selectOption('#lang', 'en');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.textContent('#att-count'), '3 of 3 attended');
      assert.match(await page.textContent(`#att-r-${regs.karin.id}-d`), /Confirmed/);
      assert.match(await page.textContent('#walkin-box summary'), /Add attendee/);
      // The add form sent empty: every missing field is marked.
      await page.click('#walkin-form button[type="submit"]');
      await page.waitForSelector('#walkin-error:not([hidden])');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'walkin-name');
      await check('attendance with the add form\'s errors (en)');

      // Back at the door, the walk-in form is the door's again.
      await page.click('#att-to-door');
      await page.waitForSelector('#screen-door:not([hidden])');
      assert.match(await page.textContent('#walkin-box summary'), /Register a walk-in/);
      assert.equal(await page.evaluate(() => document.querySelector('#walkin-box').closest('section').id), 'screen-door');

      assertNoProblems(problems, AXE_NOISE);
    } finally {
      await context.close();
    }
  });
});

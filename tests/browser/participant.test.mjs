// Browser tests of the participant pages (web/index.html, event.html, ticket.html, manage.html) against the real
// server with demo data. Run: cd tests/browser && node --test participant.test.mjs
// All people here are fictional.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, tabTo, focused,
  hasHorizontalScroll, overflowingElements,
} from './lib.mjs';

const skip = browserTestSkip();

// The alphabet of docs/API-EXTENSIONS.md (32 characters; it does contain L).
const TICKET_CODE = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/;
const DAY = 24 * 3600 * 1000;

let server;
let browser;
let api;
let admin;
let event; // a published seminar with seats, created here so its details are known
let fullEvent; // capacity 1, already taken

function iso(ms) { return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'); }

async function createEvent(fields) {
  const start = Date.now() + 30 * DAY;
  const body = {
    kind: 'seminar', title: 'Budgeting transnational ESF projects', description: 'A practical afternoon on TN budgets.\nBring your own project idea.',
    starts_at: iso(start), ends_at: iso(start + 3 * 3600 * 1000), capacity: 25, topic: 'budgeting', language: 'en', status: 'published',
    venue: { name: 'Exempelhuset, room Mälaren', address: 'Exempelgatan 12, Stockholm', accessibility: ['hearing_loop', 'step_free_access'] },
    ...fields,
  };
  const r = await api('POST', '/api/v1/events', body, { token: admin });
  assert.equal(r.status, 201, `creating an event: ${r.status} ${r.text}`);
  return r.body;
}

let personCounter = 0;
/** Registers a fictional person through the API; returns the 201 body. */
async function register(eventId, fields = {}) {
  personCounter += 1;
  const body = {
    name: `Testa Person ${personCounter}`, email: `testa.person${personCounter}.${Date.now()}@example.org`,
    organisation: 'Exempelstadens arbetsmarknadsförvaltning', organisation_type: 'public', municipality: 'Solna',
    gender: 'undisclosed', accessibility_needs: [], language: 'en', consent: true, ...fields,
  };
  const r = await api('POST', `/api/v1/events/${eventId}/registrations`, body);
  assert.equal(r.status, 201, `registering: ${r.status} ${r.text}`);
  return r.body;
}

before(async () => {
  if (skip) return;
  server = await startServer({ demo: true });
  api = client(server.url);
  admin = await signIn(server.url);
  event = await createEvent();
  fullEvent = await createEvent({ title: 'Roma inclusion network meeting', kind: 'network_meeting', topic: null, focus_area: 'roma', capacity: 1 });
  await register(fullEvent.id);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server) { await server.stop(); server.cleanup(); }
});

test('a participant registers with the keyboard only and sees the ticket code and QR', { skip }, async () => {
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#register-form');
    assert.equal(await page.textContent('#ev-title'), event.title);

    const type = async (selector, text) => { await tabTo(page, selector); await page.keyboard.type(text); };
    await type('#f-name', 'Alva Exempelsson');
    await type('#f-email', 'alva.exempelsson@example.org');
    await type('#f-organisation', 'Exempelkommunens socialtjänst');
    await tabTo(page, '#f-organisation-type');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.inputValue('#f-organisation-type'), 'public', 'ArrowDown picks the first organisation type');
    await type('#f-municipality', 'Solna');
    await tabTo(page, '#f-need-hearing_loop');
    await page.keyboard.press('Space');
    await type('#f-dietary', 'Vegetarian');
    await tabTo(page, '#f-consent');
    await page.keyboard.press('Space');
    assert.equal(await page.isChecked('#f-consent'), true);
    await tabTo(page, '#register-form button[type="submit"]');
    await page.keyboard.press('Enter');

    await page.waitForURL(/\/ticket\.html#token=/);
    await page.waitForSelector('#ticket-page:not([hidden])');
    const code = (await page.textContent('#ticket-code')).trim();
    assert.match(code, TICKET_CODE);
    assert.equal((await page.textContent('#ticket-heading')).trim(), 'You are registered');
    assert.equal((await page.textContent('#ticket-name')).trim(), 'Alva Exempelsson');
    await page.waitForFunction(() => { const img = document.querySelector('#ticket-qr'); return img && img.complete && img.naturalWidth > 0; });
    assert.match(await page.getAttribute('#ticket-qr', 'alt'), new RegExp(code));
    assert.match(await page.inputValue('#manage-url'), /\/manage\.html#token=/);
    assert.equal(await page.getAttribute('#ics-link', 'href'), `/api/v1/events/${event.id}.ics`);

    // Printed, only the badge is left: name, organisation, event, code and QR.
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.isVisible('.site-header'), false);
    assert.equal(await page.isVisible('#manage-url'), false);
    for (const sel of ['#ticket-name', '#ticket-org', '#ticket-event-title', '#ticket-code', '#ticket-qr']) {
      assert.equal(await page.isVisible(sel), true, `${sel} is printed`);
    }
    await page.emulateMedia({ media: 'screen' });

    const token = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('token');
    const mine = await api('GET', `/api/v1/my/registrations/${encodeURIComponent(token)}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.ticket_code, code);
    assert.equal(mine.body.email, 'alva.exempelsson@example.org');
    assert.equal(mine.body.organisation_type, 'public');
    assert.equal(mine.body.municipality, 'Solna');
    assert.deepEqual(mine.body.accessibility_needs, ['hearing_loop']);
    assert.equal(mine.body.dietary, 'Vegetarian');
    assert.equal(mine.body.gender, 'undisclosed');
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('422 field errors are shown next to the fields and the error summary gets the focus', { skip }, async () => {
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#register-form');
    await page.fill('#f-email', 'not-an-address');
    await page.fill('#f-organisation', 'Exempelföreningen');
    await page.selectOption('#f-organisation-type', 'non_profit');
    await page.fill('#f-municipality', 'Nacka');
    await page.click('#register-form button[type="submit"]');

    await page.waitForSelector('#register-error-summary:not([hidden])');
    const at = await focused(page);
    assert.equal(at.id, 'register-error-summary', 'focus moves to the error summary');

    for (const [field, id] of [['name', 'f-name'], ['email', 'f-email'], ['consent', 'f-consent']]) {
      assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', `${field} is marked invalid`);
      const describedBy = (await page.getAttribute(`#${id}`, 'aria-describedby')) || '';
      assert.ok(describedBy.split(' ').includes(`${id}-error`), `${field} is described by its error (${describedBy})`);
      assert.ok(await page.isVisible(`#${id}-error`), `${field} error is visible`);
      assert.ok((await page.textContent(`#${id}-error`)).trim().length > 0);
      assert.equal(await page.locator(`#register-error-summary a[href="#${id}"]`).count(), 1, `summary links to ${field}`);
    }
    assert.match(await page.textContent('#f-email-error'), /e-mail/i);
    assert.equal(await page.getAttribute('#f-organisation', 'aria-invalid'), null, 'a valid field is not marked');

    // The summary's link takes the focus to its field without touching the URL.
    const urlBefore = page.url();
    await page.click('#register-error-summary a[href="#f-email"]');
    assert.equal((await focused(page)).id, 'f-email');
    assert.equal(page.url(), urlBefore);

    // Fixing the form clears the errors and registers.
    await page.fill('#f-name', 'Bo Exempelsson');
    await page.fill('#f-email', 'bo.exempelsson@example.org');
    await page.check('#f-consent');
    await page.click('#register-form button[type="submit"]');
    await page.waitForURL(/\/ticket\.html#token=/);
    assertNoProblems(problems, [httpErrorLine(422)]);
  } finally {
    await context.close();
  }
});

test('a duplicate registration (409) is explained in the summary', { skip }, async () => {
  const email = `dup.${Date.now()}@example.org`;
  await register(event.id, { email });
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#register-form');
    await page.fill('#f-name', 'Cilla Exempelsson');
    await page.fill('#f-email', email.toUpperCase());
    await page.fill('#f-organisation', 'Exempel AB');
    await page.selectOption('#f-organisation-type', 'private');
    await page.check('#f-location-abroad');
    await page.fill('#f-country', 'Estonia');
    await page.check('#f-consent');
    await page.click('#register-form button[type="submit"]');
    await page.waitForSelector('#register-error-summary:not([hidden])');
    assert.equal((await focused(page)).id, 'register-error-summary');
    assert.match(await page.textContent('#register-error-summary'), /already registered/);
    assert.match(page.url(), /event\.html/);
    assertNoProblems(problems, [httpErrorLine(409)]);
  } finally {
    await context.close();
  }
});

test('a full event offers the waitlist and the ticket shows the position', { skip }, async () => {
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/event.html?id=${fullEvent.id}`);
    await page.waitForSelector('#register-form');
    assert.match(await page.textContent('#ev-facts'), /Full – join the waitlist/);
    assert.equal((await page.textContent('#register-form button[type="submit"]')).trim(), 'Join the waitlist');

    const waiting = await register(fullEvent.id);
    assert.equal(waiting.status, 'waitlisted');
    await page.goto(`${server.url}/ticket.html#token=${encodeURIComponent(waiting.manage_token)}`);
    await page.waitForSelector('#ticket-page:not([hidden])');
    assert.equal((await page.textContent('#ticket-heading')).trim(), 'You are on the waitlist');
    assert.match(await page.textContent('#ticket-status'), /waitlist, number 1/);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('the ticket page links a calendar file (.ics) that downloads', { skip }, async () => {
  const reg = await register(event.id);
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/ticket.html#token=${encodeURIComponent(reg.manage_token)}`);
    await page.waitForSelector('#ticket-page:not([hidden])');
    const href = await page.getAttribute('#ics-link', 'href');
    assert.equal(href, `/api/v1/events/${event.id}.ics`);
    const answer = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    }, href);
    assert.equal(answer.status, 200, `GET ${href} -> ${answer.status} ${answer.text}`);
    assert.match(answer.type, /^text\/calendar/);
    assert.match(answer.text, /BEGIN:VCALENDAR/);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('the list of events shows seats and filters by kind', { skip }, async () => {
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.event-card');
    const card = page.locator('.event-card', { has: page.locator(`a[href="event.html?id=${event.id}"]`) });
    await card.waitFor();
    assert.match(await card.textContent(), /\d+ seats? left/);
    const full = page.locator('.event-card', { has: page.locator(`a[href="event.html?id=${fullEvent.id}"]`) });
    assert.match(await full.textContent(), /Waitlist|Full/);

    await page.selectOption('#filter-kind', 'network_meeting');
    assert.equal(await card.count(), 0, 'the seminar is filtered out');
    assert.equal(await full.count(), 1, 'the network meeting stays');
    assert.match(await page.textContent('#list-status'), /shown/);
    assert.match(page.url(), /kind=network_meeting/);
    await page.click('#filters button[type="reset"]');
    await card.waitFor();
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('axe finds no serious or critical violation on the participant pages, in Swedish and English', { skip }, async () => {
  const reg = await register(event.id);
  const hash = `#token=${encodeURIComponent(reg.manage_token)}`;
  const pages = [
    ['index', '/', '.event-card'],
    ['event', `/event.html?id=${event.id}`, '#register-form'],
    ['ticket', `/ticket.html${hash}`, '#ticket-page:not([hidden])'],
    ['manage', `/manage.html${hash}`, '#edit-form'],
    ['privacy', '/privacy.html', 'main h1'],
  ];
  for (const [language, locale, heading] of [['sv', 'sv-SE', 'Kommande evenemang'], ['en', 'en-GB', 'Upcoming events']]) {
    // bypassCSP lets addScriptTag inject axe; the other tests run under the server's CSP and fail on any violation.
    const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true });
    try {
      for (const [name, path, ready] of pages) {
        await page.goto(server.url + path);
        await page.waitForSelector(ready);
        assert.equal(await page.getAttribute('html', 'lang'), language, `${name} page is in ${language}`);
        if (name === 'index') assert.equal((await page.textContent('h1')).trim(), heading);
        await assertAccessible(page, `${name} page (${language})`);
      }
      // The event page showing field errors, and the manage page with a confirmation dialog open.
      await page.goto(`${server.url}/event.html?id=${event.id}`);
      await page.waitForSelector('#register-form');
      await page.click('#register-form button[type="submit"]');
      await page.waitForSelector('#register-error-summary:not([hidden])');
      await assertAccessible(page, `event page with errors (${language})`);
      await page.goto(`${server.url}/manage.html${hash}`);
      await page.waitForSelector('#edit-form');
      await page.click('#cancel-button');
      await page.waitForSelector('dialog[open]');
      await assertAccessible(page, `manage page with dialog (${language})`);
      assertNoProblems(problems, [httpErrorLine(422)]);
    } finally {
      await context.close();
    }
  }
});

test('the language switch changes the page and is remembered', { skip }, async () => {
  const { context, page, problems } = await openPage(browser, { locale: 'en-US' });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#register-form');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.fill('#f-name', 'Dana Exempelsson');
    await page.click('button[data-set-lang="sv"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.equal(await page.getAttribute('button[data-set-lang="sv"]', 'aria-pressed'), 'true');
    assert.equal((await page.textContent('label[for="f-name"] [data-i18n="field.name"]')).trim(), 'Namn');
    assert.equal(await page.inputValue('#f-name'), 'Dana Exempelsson', 'switching keeps what was typed');
    assert.match(await page.textContent('#ev-facts'), /platser kvar/);
    await page.goto(`${server.url}/`);
    await page.waitForSelector('.event-card');
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.equal((await page.textContent('h1')).trim(), 'Kommande evenemang');
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('the manage page changes a field, then cancels the registration', { skip }, async () => {
  const reg = await register(event.id, { name: 'Eija Exempelsson' });
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/manage.html#token=${encodeURIComponent(reg.manage_token)}`);
    await page.waitForSelector('#edit-form');
    assert.equal(await page.inputValue('#f-name'), 'Eija Exempelsson');
    assert.match(await page.textContent('#reg-facts'), new RegExp(reg.ticket_code));

    // The skip link moves the focus to the main content and keeps the private token in the URL.
    const url = page.url();
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).tag, 'a', 'the skip link comes first');
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).id, 'main');
    assert.equal(page.url(), url);
    assert.equal(await page.isVisible('#edit-form'), true);

    await page.fill('#f-organisation', 'Exempellänets regionförbund');
    await page.check('#f-location-abroad');
    await page.fill('#f-country', 'Finland');
    await page.click('#edit-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#edit-form .form-status').textContent.includes('saved'));
    const path = `/api/v1/my/registrations/${encodeURIComponent(reg.manage_token)}`;
    let mine = await api('GET', path);
    assert.equal(mine.body.organisation, 'Exempellänets regionförbund');
    assert.equal(mine.body.country, 'Finland');
    assert.equal(mine.body.municipality, null);
    assert.equal(mine.body.name, 'Eija Exempelsson');

    // Cancel: the dialog's safe choice keeps the registration.
    await page.click('#cancel-button');
    await page.waitForSelector('dialog[open]');
    await page.click('dialog[open] button[value="no"]');
    assert.equal((await focused(page)).id, 'cancel-button', 'focus returns to the button');
    assert.equal((await api('GET', path)).body.status, 'confirmed');

    await page.click('#cancel-button');
    await page.click('dialog[open] button[value="yes"]');
    await page.waitForFunction(() => document.querySelector('#page-status').textContent.includes('has been cancelled'));
    assert.equal((await focused(page)).id, 'page-status', 'focus moves to the result');
    assert.equal(await page.isHidden('#cancel-section'), true);
    mine = await api('GET', path);
    assert.equal(mine.body.status, 'cancelled');
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('the manage page erases the personal data', { skip }, async () => {
  const reg = await register(event.id, { name: 'Frida Exempelsson' });
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/manage.html#token=${encodeURIComponent(reg.manage_token)}`);
    await page.waitForSelector('#edit-form');
    await page.click('#erase-button');
    await page.click('dialog[open] button[value="yes"]');
    await page.waitForFunction(() => document.querySelector('#page-status').textContent.includes('has been erased'));
    assert.equal(await page.isHidden('#details-section'), true);
    assert.equal(await page.isHidden('#erase-section'), true);
    assert.equal(await page.locator('text=Frida Exempelsson').count(), 0, 'the name is gone from the page');
    const mine = await api('GET', `/api/v1/my/registrations/${encodeURIComponent(reg.manage_token)}`);
    if (mine.status === 200) {
      assert.equal(mine.body.erased, true);
      assert.notEqual(mine.body.name, 'Frida Exempelsson');
    } else {
      assert.equal(mine.status, 404);
    }
    assertNoProblems(problems, [httpErrorLine(404)]);
  } finally {
    await context.close();
  }
});

test('no horizontal scroll on a 360 px wide phone', { skip }, async () => {
  const reg = await register(event.id);
  const hash = `#token=${encodeURIComponent(reg.manage_token)}`;
  for (const locale of ['sv-SE', 'en-GB']) {
    const { context, page, problems } = await openPage(browser, { locale, viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    try {
      for (const [name, path, ready] of [['index', '/', '.event-card'], ['event', `/event.html?id=${event.id}`, '#register-form'],
        ['ticket', `/ticket.html${hash}`, '#ticket-page:not([hidden])'], ['manage', `/manage.html${hash}`, '#edit-form']]) {
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

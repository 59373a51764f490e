// Browser tests of "send me my link again" (web/js/recover.js) on the event page and the privacy notice, against the
// real server with demo data. POST /api/v1/registrations/recover answers 202 whether or not the address is registered,
// so the page must say the same neutral sentence either way. Run: cd tests/browser && node --test recover.test.mjs
// All people here are fictional.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn } from '../support/server.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, tabTo, focused,
} from './lib.mjs';

const skip = browserTestSkip();

const DAY = 24 * 3600 * 1000;
const SENT = {
  en: 'If this address is registered for the event, we have sent a new private link to it. Earlier links no longer work.',
  sv: 'Om adressen är anmäld till evenemanget har vi skickat en ny personlig länk till den. Tidigare länkar fungerar inte längre.',
};
const RECOVER_PATH = '**/api/v1/registrations/recover';

let server;
let browser;
let api;
let admin;
let event;

function iso(ms) { return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'); }

async function createEvent(fields = {}) {
  const start = Date.now() + 40 * DAY;
  const body = {
    kind: 'seminar', title: 'Finding partners for transnational ESF work', description: 'How to find and keep partners abroad.',
    starts_at: iso(start), ends_at: iso(start + 3 * 3600 * 1000), capacity: 30, topic: 'eu_knowledge', language: 'en', status: 'published',
    venue: { name: 'Exempelhuset, room Saltsjön', address: 'Exempelgatan 14, Stockholm', accessibility: ['hearing_loop'] },
    ...fields,
  };
  const r = await api('POST', '/api/v1/events', body, { token: admin });
  assert.equal(r.status, 201, `creating an event: ${r.status} ${r.text}`);
  return r.body;
}

let counter = 0;
/** A fresh fictional address. */
function address(what) {
  counter += 1;
  return `${what}.${counter}.${Date.now()}@example.org`;
}

/** Registers through the API; returns the 201 body. */
async function register(email, language = 'en') {
  const r = await api('POST', `/api/v1/events/${event.id}/registrations`, {
    name: 'Greta Exempelsson', email, organisation: 'Exempelkommunens arbetsmarknadsenhet', organisation_type: 'public',
    municipality: 'Huddinge', gender: 'undisclosed', accessibility_needs: [], language, consent: true,
  });
  assert.equal(r.status, 201, `registering: ${r.status} ${r.text}`);
  return r.body;
}

/** Registers through the event page's form; returns the private token the ticket page was opened with. */
async function registerThroughForm(page, email) {
  await page.goto(`${server.url}/event.html?id=${event.id}`);
  await page.waitForSelector('#register-form');
  await page.fill('#f-name', 'Hugo Exempelsson');
  await page.fill('#f-email', email);
  await page.fill('#f-organisation', 'Exempelföreningen för social ekonomi');
  await page.selectOption('#f-organisation-type', 'non_profit');
  await page.fill('#f-municipality', 'Botkyrka');
  await page.check('#f-consent');
  await page.click('#register-form button[type="submit"]');
  await page.waitForURL(/\/ticket\.html#token=/);
  return new URLSearchParams(new URL(page.url()).hash.slice(1)).get('token');
}

/**
 * Waits until the recover form has its answer: no longer busy, and a result in the status line or a field marked
 * invalid. Returns the status text ('' when only field errors are shown).
 */
async function settled(page) {
  await page.waitForFunction(() => {
    const form = document.querySelector('#recover-form');
    const status = document.querySelector('#recover-status');
    if (!form || form.hasAttribute('aria-busy')) return false;
    return status.textContent.trim() !== '' || !!form.querySelector('[aria-invalid="true"]');
  });
  return (await page.textContent('#recover-status')).trim();
}

/** The private tokens in the links of the mails written to `to` (the outbox beside the test database). */
function tokensMailedTo(to) {
  const folder = join(server.dir, 'outbox');
  if (!existsSync(folder)) return [];
  const tokens = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.eml'))) {
    const text = readFileSync(join(folder, file), 'utf8');
    if ((text.match(/^To: (.*)\r$/m)?.[1] || '').toLowerCase() !== to.toLowerCase()) continue;
    for (const m of text.matchAll(/#token=([A-Za-z0-9_-]+)/g)) tokens.push(m[1]);
  }
  return tokens;
}

/** Asserts the field error of a control the way the registration form shows one. */
async function assertFieldError(page, id, pattern) {
  assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', `#${id} is marked invalid`);
  const describedBy = (await page.getAttribute(`#${id}`, 'aria-describedby')) || '';
  assert.ok(describedBy.split(' ').includes(`${id}-error`), `#${id} is described by its error (${describedBy})`);
  assert.ok(await page.isVisible(`#${id}-error`), `#${id}-error is visible`);
  const text = (await page.textContent(`#${id}-error`)).trim();
  assert.match(text, pattern);
  assert.equal((await focused(page)).id, id, `the focus moves to #${id}`);
}

before(async () => {
  if (skip) return;
  server = await startServer({ demo: true });
  api = client(server.url);
  admin = await signIn(server.url);
  event = await createEvent();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server) { await server.stop(); server.cleanup(); }
});

test('the event page sends the link again, by keyboard, with a neutral answer in a status region', { skip }, async () => {
  const email = address('recover.keyboard');
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    const oldToken = await registerThroughForm(page, email);
    assert.ok(oldToken, 'the ticket page got a private token');

    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#recover-form');
    assert.equal((await page.textContent('#recover-title')).trim(), 'Lost your private link?');
    assert.match(await page.textContent('label[for="recover-email"]'), /Your e-mail address/);
    assert.equal(await page.getAttribute('#recover-email', 'type'), 'email');
    assert.equal(await page.getAttribute('#recover-email', 'autocomplete'), 'email');
    assert.equal(await page.getAttribute('#recover-status', 'role'), 'status');
    assert.equal(await page.getAttribute('#recover-status', 'aria-live'), 'polite');

    // Keyboard only: Tab to the field, type, Enter submits.
    await tabTo(page, '#recover-email');
    await page.keyboard.type(email);
    await page.keyboard.press('Enter');
    assert.equal(await settled(page), SENT.en);
    // Announced: the text is in the accessibility tree's status region, not just somewhere on the page.
    assert.equal(await page.getByRole('status').filter({ hasText: SENT.en }).count(), 1);
    assert.equal((await focused(page)).id, 'recover-email', 'the focus stays where the reader was');
    assert.equal(await page.getAttribute('#recover-email', 'aria-invalid'), null);

    // The mail brings a fresh private link; the one from the registration stops working.
    let fresh = [];
    for (let i = 0; i < 100 && fresh.length === 0; i += 1) {
      fresh = tokensMailedTo(email).filter((tok) => tok !== oldToken);
      if (fresh.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(fresh.length > 0, true, `a mail with a new private link went to ${email}`);
    const mine = await api('GET', `/api/v1/my/registrations/${encodeURIComponent(fresh.at(-1))}`);
    assert.equal(mine.status, 200, `the new link works: ${mine.status} ${mine.text}`);
    assert.equal(mine.body.email, email);
    const old = await api('GET', `/api/v1/my/registrations/${encodeURIComponent(oldToken)}`);
    assert.equal(old.status, 404, 'the old link no longer works');

    // An address nobody registered gets exactly the same answer: the page tells a stranger nothing.
    await page.fill('#recover-email', address('recover.stranger'));
    await page.keyboard.press('Enter');
    assert.equal(await settled(page), SENT.en);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('an empty or malformed address is shown at the field, which gets the focus', { skip }, async () => {
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#recover-form');

    await page.click('#recover-form button[type="submit"]');
    assert.equal(await settled(page), '', 'nothing is claimed sent');
    await assertFieldError(page, 'recover-email', /e-mail/i);

    await page.fill('#recover-email', 'not-an-address');
    await page.keyboard.press('Enter');
    assert.equal(await settled(page), '');
    await assertFieldError(page, 'recover-email', /e-mail/i);
    assert.equal(await page.locator('#recover-email-error').count(), 1);

    // Corrected, the error goes and the answer comes.
    await page.fill('#recover-email', address('recover.corrected'));
    await page.keyboard.press('Enter');
    assert.equal(await settled(page), SENT.en);
    assert.equal(await page.getAttribute('#recover-email', 'aria-invalid'), null);
    assert.equal(await page.isHidden('#recover-email-error'), true);
    assertNoProblems(problems, [httpErrorLine(422)]);
  } finally {
    await context.close();
  }
});

test('the recover form speaks Swedish after the language switch, and its answer follows the switch', { skip }, async () => {
  const email = address('recover.svenska');
  await register(email, 'sv');
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#recover-form');
    await page.click('button[data-set-lang="sv"]');
    assert.equal(await page.getAttribute('html', 'lang'), 'sv');
    assert.equal((await page.textContent('#recover-title')).trim(), 'Tappat din personliga länk?');
    assert.match(await page.textContent('label[for="recover-email"]'), /Din e-postadress/);
    assert.equal((await page.textContent('#recover-form button[type="submit"]')).trim(), 'Skicka en ny länk till mig');

    await tabTo(page, '#recover-email');
    await page.keyboard.type(email);
    await page.keyboard.press('Enter');
    assert.equal(await settled(page), SENT.sv);
    assert.equal(await page.getByRole('status').filter({ hasText: SENT.sv }).count(), 1);

    // A field error in Swedish too.
    await page.fill('#recover-email', '');
    await page.keyboard.press('Enter');
    assert.equal(await settled(page), '');
    await assertFieldError(page, 'recover-email', /E-post/);

    // What is shown is said again in the other language.
    await page.fill('#recover-email', address('recover.tillbaka'));
    await page.keyboard.press('Enter');
    assert.equal(await settled(page), SENT.sv);
    await page.click('button[data-set-lang="en"]');
    assert.equal((await page.textContent('#recover-status')).trim(), SENT.en);
    assertNoProblems(problems, [httpErrorLine(422)]);
  } finally {
    await context.close();
  }
});

test('the button is disabled while the request is on its way and has the focus again after', { skip }, async () => {
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#recover-form');
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const seen = [];
    await page.route(RECOVER_PATH, async (route) => {
      seen.push(route.request().postDataJSON());
      await held;
      await route.continue();
    });
    const email = address('recover.held');
    await page.fill('#recover-email', email);
    await page.click('#recover-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelector('#recover-form').getAttribute('aria-busy') === 'true');
    assert.equal(await page.isDisabled('#recover-form button[type="submit"]'), true);
    assert.equal((await page.textContent('#recover-status')).trim(), 'Sending…');
    // Another submission while sending sends nothing more.
    await page.evaluate(() => document.querySelector('#recover-form').requestSubmit());
    release();
    await settled(page);
    assert.equal(await page.isDisabled('#recover-form button[type="submit"]'), false);
    assert.equal(await page.evaluate(() => document.activeElement.matches('#recover-form button[type="submit"]')), true,
      'the button has the focus again');
    assert.deepEqual(seen, [{ event_id: event.id, email }], 'one request with this event and the address');
    // Whatever the server answered (202, or a 404 before the endpoint exists), the form is usable again.
    assertNoProblems(problems, [httpErrorLine(404)]);
  } finally {
    await context.close();
  }
});

test('a rate limit (429) and a network failure are explained', { skip }, async () => {
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/event.html?id=${event.id}`);
    await page.waitForSelector('#recover-form');
    // The server's limit cannot be reached cheaply here; its answer is stood in for at the network layer.
    let retryAfter = '20';
    let fail = false;
    await page.route(RECOVER_PATH, (route) => (fail ? route.abort('internetdisconnected') : route.fulfill({
      status: 429, headers: { 'Retry-After': retryAfter, 'Content-Type': 'application/problem+json' },
      body: JSON.stringify({ type: 'about:blank', title: 'Too many requests', status: 429 }),
    })));
    await page.fill('#recover-email', address('recover.limited'));
    await page.keyboard.press('Enter');
    assert.match(await settled(page), /Too many requests.*try again in a moment/);
    assert.equal(await page.getAttribute('#recover-email', 'aria-invalid'), null);

    retryAfter = '600';
    await page.keyboard.press('Enter');
    assert.match(await settled(page), /try again in about 10 minutes/);

    fail = true;
    await page.keyboard.press('Enter');
    assert.match(await settled(page), /Could not reach the server/);
    assert.equal(await page.getByRole('status').filter({ hasText: /Could not reach the server/ }).count(), 1);
    assert.equal(await page.isDisabled('#recover-form button[type="submit"]'), false);
    assertNoProblems(problems, [httpErrorLine(429), /ERR_INTERNET_DISCONNECTED/]);
  } finally {
    await context.close();
  }
});

test('the privacy notice offers the form with the published events to choose from', { skip }, async () => {
  const email = address('recover.privacy');
  await register(email);
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    await page.goto(`${server.url}/privacy.html`);
    await page.waitForSelector('#recover-form');
    assert.match(await page.textContent('[data-lang-only="en"]'), /lost your private link, you can ask for a new one with the form below/);
    const option = page.locator(`#recover-event optgroup[label="Upcoming events"] option[value="${event.id}"]`);
    assert.equal(await option.count(), 1, 'the event is listed among the upcoming ones');
    assert.match(await option.textContent(), new RegExp(`^${event.title} – \\d{1,2} \\w+ \\d{4}$`));
    assert.match(await page.textContent('label[for="recover-event"]'), /The event you registered for/);

    // No event chosen: the select gets the error.
    await page.fill('#recover-email', email);
    await page.click('#recover-form button[type="submit"]');
    assert.equal(await settled(page), '');
    await assertFieldError(page, 'recover-event', /Event/);

    await tabTo(page, '#recover-event', { backwards: true });
    await page.selectOption('#recover-event', String(event.id));
    await tabTo(page, '#recover-email');
    await page.keyboard.press('Enter');
    assert.equal(await settled(page), SENT.en);
    assert.equal(await page.getAttribute('#recover-event', 'aria-invalid'), null);

    // In Swedish: the sentence under "Dina rättigheter", the form and the choices.
    await page.click('button[data-set-lang="sv"]');
    assert.match(await page.textContent('[data-lang-only="sv"]'), /tappat bort din personliga länk kan du begära en ny med formuläret nedan/);
    assert.equal(await page.isVisible('[data-lang-only="en"]'), false);
    assert.equal((await page.textContent('#recover-title')).trim(), 'Tappat din personliga länk?');
    assert.equal(await page.locator(`#recover-event optgroup[label="Kommande evenemang"] option[value="${event.id}"]`).count(), 1);
    assert.equal(await page.inputValue('#recover-event'), String(event.id), 'the choice survives the switch');
    assert.equal((await page.textContent('#recover-status')).trim(), SENT.sv);
    await page.click('#recover-form button[type="submit"]');
    assert.equal(await settled(page), SENT.sv);
    assertNoProblems(problems, [httpErrorLine(422)]);
  } finally {
    await context.close();
  }
});

test('axe finds no serious or critical violation around the recover form, in Swedish and English', { skip }, async () => {
  for (const locale of ['sv-SE', 'en-GB']) {
    // bypassCSP lets addScriptTag inject axe; the other tests run under the server's CSP.
    const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true });
    try {
      for (const [name, path] of [['event', `/event.html?id=${event.id}`], ['privacy', '/privacy.html']]) {
        await page.goto(server.url + path);
        await page.waitForSelector('#recover-form');
        await assertAccessible(page, `${name} page (${locale})`);
        // With a field error (or, before the server validates, whatever it answered).
        await page.click('#recover-form button[type="submit"]');
        await settled(page);
        await assertAccessible(page, `${name} page with the recover form's error (${locale})`);
        // With the answer.
        if (name === 'privacy') await page.selectOption('#recover-event', String(event.id));
        await page.fill('#recover-email', address('recover.axe'));
        await page.click('#recover-form button[type="submit"]');
        await settled(page);
        await assertAccessible(page, `${name} page with the recover form's answer (${locale})`);
      }
      assertNoProblems(problems, [httpErrorLine(422), httpErrorLine(404)]);
    } finally {
      await context.close();
    }
  }
});

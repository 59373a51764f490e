// The organisers' mail panel on the event page (web/admin/mail.js, issue 9) against the real server in Debian's
// Chromium: the log lists the participants' confirmations with counts, a state filter and a refresh; writing to
// attendees by keyboard (the preview's recipient count and sample, a change making it stale, a question before
// sending, the queued messages in the log); the server's field errors at the fields; "Resend confirmation" per
// active registration and a 409 explained; failed messages standing out (a mail server that refuses everyone);
// every state, erased recipients, Stockholm times and a long log (a log served by the test); axe-core in Swedish
// and English, and a 360 px phone. Run: cd tests/browser && node --test mail.test.mjs
// All people here are fictional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import { eventBody } from '../support/fixtures.mjs';
import { smtpSink } from '../support/smtp.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, tabTo, focused,
  hasHorizontalScroll, overflowingElements,
} from './lib.mjs';

const skip = browserTestSkip();

const PEOPLE = [ // capacity 2: the first two are confirmed, the third waits
  { name: 'Maja Mejlsson', email: 'maja.mejlsson@example.org', language: 'sv' },
  { name: 'Nils Nordgren', email: 'nils.nordgren@example.org', language: 'en' },
  { name: 'Olga Olofsson', email: 'olga.olofsson@example.org', language: 'en' },
];
const SUBJECT = 'Room change for the seminar';
const EXPECTED = [httpErrorLine(422)];

/** Text of the element, spaces folded. */
async function textOf(page, selector) {
  return (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
}

async function signInOnPage(page, base) {
  await page.goto(`${base}/admin/`);
  await page.waitForSelector('#signin:not([hidden])');
  await page.fill('#signin-email', ADMIN_EMAIL);
  await page.fill('#signin-password', ADMIN_PASSWORD);
  await page.press('#signin-password', 'Enter');
  await page.waitForSelector('#content:not([hidden]) #events-body tr');
}

async function openEvent(page, base, eventId) {
  await page.goto(`${base}/admin/event.html?id=${eventId}`);
  await page.waitForSelector('#event:not([hidden])');
  await page.waitForSelector('#mail-rows tr');
}

async function register(api, eventId, person) {
  const r = await api('POST', `/api/v1/events/${eventId}/registrations`, {
    ...person, organisation: 'Exempelkommunen', organisation_type: 'public', municipality: 'Solna', consent: true,
  });
  assert.equal(r.status, 201, `registering ${person.name}: ${r.status} ${r.text}`);
  return r.body;
}

/** GET /api/v1/events/{id}/mail, which must answer 200 (a 404 here: the endpoint is not in this server yet). */
async function mailOf(api, token, eventId) {
  const r = await api('GET', `/api/v1/events/${eventId}/mail`, undefined, { token });
  assert.equal(r.status, 200, `GET /api/v1/events/${eventId}/mail: ${r.status} ${r.text}`);
  return r.body;
}

/** The mail log once nothing is pending any more (the outbox folder takes every message at once). */
async function settledMail(api, token, eventId) {
  let body = await mailOf(api, token, eventId);
  const end = Date.now() + 15000;
  while (body.counts.pending > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    body = await mailOf(api, token, eventId);
  }
  assert.equal(body.counts.pending, 0, `messages still pending: ${JSON.stringify(body.counts)}`);
  return body;
}

describe('the organisers’ mail panel (/admin/event.html)', { skip }, () => {
  let server;
  let api;
  let admin;
  let browser;
  let eventId;
  const regs = {};

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    const created = await api('POST', '/api/v1/events', eventBody({ title: 'Partner search in practice (mail test)', capacity: 2 }), { token: admin });
    assert.equal(created.status, 201, created.text);
    eventId = created.body.id;
    for (const p of PEOPLE) regs[p.name] = await register(api, eventId, p);
    assert.deepEqual(PEOPLE.map((p) => regs[p.name].status), ['confirmed', 'confirmed', 'waitlisted']);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('the log lists the participants’ confirmations, with counts, a state filter and a refresh', async () => {
    const log = await settledMail(api, admin, eventId);
    assert.equal(log.items.length, 3, JSON.stringify(log.items));
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url);
      await openEvent(page, server.url, eventId);
      assert.equal(await textOf(page, '#mail-h'), 'Mail to participants');
      assert.equal(await page.locator('#mail-rows tr').count(), 3);
      for (const p of PEOPLE) {
        const row = page.locator(`#mail-rows tr[data-kind]`, { hasText: p.name });
        assert.equal(await row.count(), 1, `one message to ${p.name}`);
        const text = (await row.textContent()).replace(/\s+/g, ' ');
        assert.ok(text.includes(p.email), `${p.name}'s address is shown`);
        assert.match(text, p.name === 'Olga Olofsson' ? /Waitlist notice/ : /Confirmation/);
        assert.match(text, /Sent/);
      }
      // The counts at a glance, as the server counts them.
      assert.equal(await textOf(page, '#mail-count-sent .stat-n'), String(log.counts.sent));
      for (const s of ['pending', 'failed', 'dropped']) assert.equal(await textOf(page, `#mail-count-${s} .stat-n`), '0');
      assert.match(await textOf(page, '#mail-count-dropped'), /not sent/);
      assert.match(await textOf(page, '#mail-status'), /^3 messages shown\.$/);
      assert.match(await textOf(page, '#mail-caption'), /Messages about Partner search in practice \(mail test\), newest first/);

      // The filter, by keyboard: failed is the first choice after "All messages".
      await tabTo(page, '#mail-state-filter');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.inputValue('#mail-state-filter'), 'failed');
      await page.waitForFunction(() => document.querySelectorAll('#mail-rows tr').length === 0);
      assert.match(await textOf(page, '#mail-status'), /No failed messages/);
      assert.equal(await page.isVisible('#mail-table'), false);
      await page.selectOption('#mail-state-filter', 'sent');
      await page.waitForFunction(() => document.querySelectorAll('#mail-rows tr').length === 3);
      await page.selectOption('#mail-state-filter', '');

      // A new registration shows after "Update the messages".
      const extra = await register(api, eventId, { name: 'Pia Persson', email: 'pia.persson@example.org', language: 'sv' });
      assert.equal(extra.status, 'waitlisted');
      await settledMail(api, admin, eventId);
      await tabTo(page, '#mail-refresh', { backwards: true });
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('#mail-rows tr').length === 4);
      assert.match(await textOf(page, '#mail-status'), /up to date.*4 messages shown/);
      assert.match(await textOf(page, '#mail-rows tr:first-child'), /Pia Persson/, 'newest first');
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('writing to attendees by keyboard: preview with the count, stale after a change, sent after a question', async () => {
    await mailOf(api, admin, eventId); // the log is there (else this fails at once rather than waiting for rows)
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url);
      await openEvent(page, server.url, eventId);
      assert.equal(await page.isVisible('#msg-send'), false, 'no Send button before a preview');

      await tabTo(page, '#msg-audience');
      await page.keyboard.press('ArrowDown');
      assert.equal(await page.inputValue('#msg-audience'), 'confirmed');
      await tabTo(page, '#msg-subject');
      await page.keyboard.type(SUBJECT);
      await tabTo(page, '#msg-text');
      await page.keyboard.type('We meet in room Mälaren on the second floor.');
      await page.keyboard.press('Enter');
      await page.keyboard.type('Coffee from 08:30.');
      await tabTo(page, '#msg-preview-button');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#msg-preview:not([hidden])');
      assert.equal(await page.getAttribute('#msg-status', 'role'), 'status');
      assert.match(await textOf(page, '#msg-status'), /The message goes to 2 people\./);

      // The sample is the server's, as its first recipient gets it.
      const body = { audience: 'confirmed', subject: SUBJECT, text: 'We meet in room Mälaren on the second floor.\nCoffee from 08:30.' };
      const expected = await api('POST', `/api/v1/events/${eventId}/messages`, { ...body, preview: true }, { token: admin });
      assert.equal(expected.status, 200, expected.text);
      assert.equal(expected.body.recipients, 2);
      assert.equal(await page.textContent('#msg-sample-text'), expected.body.sample.text);
      assert.ok((await textOf(page, '#msg-sample-head')).includes(expected.body.sample.to));
      assert.ok((await textOf(page, '#msg-sample-head')).includes(expected.body.sample.subject));
      assert.equal(await textOf(page, '#msg-send'), 'Send to 2 people');

      // A change after the preview: the Send button goes until it is previewed again.
      await tabTo(page, '#msg-text', { backwards: true });
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' Welcome!');
      await page.waitForSelector('#msg-preview', { state: 'hidden' });
      assert.match(await textOf(page, '#msg-status'), /changed the message after the preview/);
      assert.equal(await page.isVisible('#msg-send'), false);
      await tabTo(page, '#msg-preview-button');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#msg-send:visible');
      assert.match(await page.textContent('#msg-sample-text'), /Welcome!/);

      // Send asks first; "No" (which has the focus) sends nothing and gives the focus back.
      await tabTo(page, '#msg-send');
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog[open]');
      assert.equal(await textOf(page, 'dialog[open] h2'), 'Send this message to 2 people?');
      assert.match(await textOf(page, 'dialog[open] p'), new RegExp(`Confirmed participants.*${SUBJECT}`));
      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog', { state: 'detached' });
      assert.equal((await focused(page)).id, 'msg-send', 'saying no returns the focus to Send');
      assert.equal((await mailOf(api, admin, eventId)).items.filter((i) => i.kind === 'message').length, 0, 'nothing queued');

      await page.keyboard.press('Enter');
      await page.waitForSelector('dialog[open]');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter'); // "Yes, send it"
      await page.waitForFunction(() => /2 messages queued/.test(document.querySelector('#msg-status').textContent));
      assert.equal((await focused(page)).id, 'write-h', 'the focus goes to the form’s heading');
      assert.equal(await page.inputValue('#msg-subject'), '', 'the form starts afresh');
      assert.equal(await page.inputValue('#msg-text'), '');
      assert.equal(await page.isVisible('#msg-send'), false);

      const messages = (await mailOf(api, admin, eventId)).items.filter((i) => i.kind === 'message');
      assert.deepEqual(messages.map((m) => m.name).sort(), ['Maja Mejlsson', 'Nils Nordgren']);
      await page.waitForFunction(() => document.querySelectorAll('#mail-rows tr[data-kind="message"]').length === 2);
      assert.match(await textOf(page, '#mail-rows tr[data-kind="message"]'), /Message from the organisers/);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('the server’s field errors are shown at the fields and the first takes the focus', async () => {
    const refused = await api('POST', `/api/v1/events/${eventId}/messages`, { audience: 'all', subject: '', text: '', preview: true }, { token: admin });
    assert.equal(refused.status, 422, refused.text);
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url);
      await openEvent(page, server.url, eventId);
      await tabTo(page, '#msg-preview-button');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#msg-subject[aria-invalid="true"]');
      assert.equal((await focused(page)).id, 'msg-subject', 'the first field with an error has the focus');
      assert.equal(await page.getAttribute('#msg-text', 'aria-invalid'), 'true');
      assert.equal(await page.getAttribute('#msg-audience', 'aria-invalid'), null);
      assert.equal(await page.getAttribute('#msg-subject', 'aria-describedby'), 'msg-subject-error');
      assert.equal(await page.getAttribute('#msg-text', 'aria-describedby'), 'msg-text-hint msg-text-error', 'the hint stays described');
      assert.match(await textOf(page, '#msg-subject-error'), /^Subject /);
      assert.match(await textOf(page, '#msg-text-error'), /^Message /);
      assert.match(await textOf(page, '#msg-status'), /correct the marked fields/);
      assert.equal(await page.isVisible('#msg-preview'), false);

      // With a subject, only the text is wrong: its mark stays, the subject's goes, and the focus moves to it.
      await page.keyboard.type('Parking');
      await tabTo(page, '#msg-preview-button');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#msg-subject:not([aria-invalid])');
      await page.waitForFunction(() => document.activeElement?.id === 'msg-text');
      assert.equal(await page.getAttribute('#msg-text', 'aria-invalid'), 'true');
      assert.equal(await page.getAttribute('#msg-subject', 'aria-describedby'), null);
      assert.equal(await page.isVisible('#msg-subject-error'), false);
      assertNoProblems(problems, EXPECTED);
    } finally {
      await context.close();
    }
  });

  test('"Resend confirmation" per active registration, reported in the list’s status; a 409 is explained', async () => {
    const maja = regs['Maja Mejlsson'];
    const nils = regs['Nils Nordgren'];
    const confirmationsTo = async (id) => (await mailOf(api, admin, eventId)).items
      .filter((i) => i.kind === 'confirmation' && i.registration_id === id).length;
    const before = await confirmationsTo(maja.id);
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await signInOnPage(page, server.url);
      await openEvent(page, server.url, eventId);
      await page.waitForSelector('#regs-rows tr');
      // Each active registration has the action, named with the person.
      assert.equal(await page.getByRole('button', { name: 'Resend confirmation to Maja Mejlsson', exact: true }).count(), 1);
      assert.equal(await page.getByRole('button', { name: 'Resend confirmation to Olga Olofsson', exact: true }).count(), 1,
        'also for a waitlisted registration');

      await tabTo(page, `#regs-rows button[data-resend-reg="${maja.id}"]`);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /queued/.test(document.querySelector('#reg-status').textContent));
      assert.match(await textOf(page, '#reg-status'), /The confirmation to Maja Mejlsson is queued, with a new private link\./);
      assert.equal(await page.getAttribute('#reg-status', 'role'), 'status');
      assert.equal(await confirmationsTo(maja.id), before + 1);
      assert.equal((await focused(page)).tag, 'button', 'the focus stays on the button');
      await page.waitForFunction(({ id, n }) => [...document.querySelectorAll('#mail-rows tr[data-kind="confirmation"]')]
        .filter((tr) => tr.textContent.includes('Maja Mejlsson')).length === n, { id: maja.id, n: before + 1 });

      // Nils cancels on his own page while the list still shows him: the server answers 409, the page says why.
      const nilsButton = `#regs-rows button[data-resend-reg="${nils.id}"]`;
      await page.focus(nilsButton); // in the list, so the live counts do not reload it under the focus
      const cancel = await api('DELETE', `/api/v1/my/registrations/${encodeURIComponent(nils.manage_token)}`);
      assert.ok([200, 204].includes(cancel.status), cancel.text);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => /cannot be sent again/.test(document.querySelector('#reg-status').textContent));
      assert.match(await textOf(page, '#reg-status'), /The confirmation to Nils Nordgren cannot be sent again: the registration has been cancelled/);
      await page.waitForFunction((id) => document.querySelector(`#regs-rows tr[data-reg-id="${id}"]`)?.dataset.status === 'cancelled', nils.id);
      assert.equal(await page.$(nilsButton), null, 'a cancelled registration has no resend button');
      assert.equal((await focused(page)).id, 'regs-h', 'the focus moves to the list heading');
      assertNoProblems(problems, [httpErrorLine(409)]);
    } finally {
      await context.close();
    }
  });

  test('failed messages stand out: a mail server that refuses every recipient', async () => {
    const sink = await smtpSink({ refuse: true });
    const other = await startServer({ config: { mail_retry_seconds: 1 }, env: { EVENTD_SMTP_URL: `smtp://127.0.0.1:${sink.port}` } });
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      const otherApi = client(other.url);
      const token = await signIn(other.url);
      const created = await otherApi('POST', '/api/v1/events', eventBody({ title: 'Refused mail (mail test)' }), { token });
      assert.equal(created.status, 201, created.text);
      await register(otherApi, created.body.id, { name: 'Rut Refuserad', email: 'rut.refuserad@example.org', language: 'sv' });
      let log = null;
      const end = Date.now() + 15000;
      do {
        log = await mailOf(otherApi, token, created.body.id);
        if (log.counts.failed === 1) break;
        await new Promise((r) => setTimeout(r, 200));
      } while (Date.now() < end);
      assert.equal(log.counts.failed, 1, JSON.stringify(log));

      await signInOnPage(page, other.url);
      await openEvent(page, other.url, created.body.id);
      assert.equal(await textOf(page, '#mail-count-failed .stat-n'), '1');
      assert.match(await textOf(page, '#mail-count-failed'), /failed could not be delivered/);
      assert.equal(await page.getAttribute('#mail-count-failed', 'class'), 'stat stat-alert');
      const row = page.locator('#mail-rows tr.mail-failed-row');
      assert.equal(await row.count(), 1);
      const text = (await row.textContent()).replace(/\s+/g, ' ');
      assert.match(text, /Rut Refuserad/);
      assert.match(text, /Failed/, 'the state is written out, not only coloured');
      assert.ok(text.includes(log.items[0].last_error), 'the last error is shown');
      await page.selectOption('#mail-state-filter', 'failed');
      await page.waitForFunction(() => /^1 message shown\.$/.test(document.querySelector('#mail-status').textContent.trim()));
      assert.equal(await page.locator('#mail-rows tr').count(), 1);
      assertNoProblems(problems);
    } finally {
      await context.close();
      await other.stop();
      other.cleanup();
      await sink.close();
    }
  });

  test('every state, erased recipients, Stockholm times and a long log (the log served by the test)', async () => {
    // Rendering only, whatever the server holds: the page's own request for the log is answered here.
    const at = (i) => new Date(Date.UTC(2030, 2, 12, 8, 5) - i * 60000).toISOString().replace('.000Z', 'Z');
    const items = [
      { id: 1000, kind: 'event_changed', registration_id: 1, name: 'Frida Felsson', email: 'frida@invalid.example', state: 'failed',
        attempts: 1, last_error: '550 5.1.1 mailbox unavailable', created_at: at(0), sent_at: null },
      { id: 999, kind: 'reminder', registration_id: 2, name: null, email: null, state: 'dropped', attempts: 0, last_error: null,
        created_at: at(1), sent_at: null },
      { id: 998, kind: 'evaluation', registration_id: 3, name: 'Gösta Grön', email: 'gosta@example.org', state: 'pending',
        attempts: 2, last_error: 'connection refused', created_at: at(2), sent_at: null },
      { id: 997, kind: 'erased', registration_id: 4, name: null, email: null, state: 'sent', attempts: 1, last_error: null,
        created_at: at(3), sent_at: at(3) },
    ];
    for (let i = 0; i < 146; i += 1) {
      items.push({ id: 996 - i, kind: 'confirmation', registration_id: 10 + i, name: `Person ${i}`, email: `person${i}@example.org`,
        state: 'sent', attempts: 1, last_error: null, created_at: at(4 + i), sent_at: at(4 + i) });
    }
    const served = { items, counts: { pending: 1, sent: 147, failed: 1, dropped: 1 } };
    // A browser far from Stockholm: the times must still be Stockholm's (09:05 there is 08:05 UTC in March 2030).
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB', timezoneId: 'America/New_York' });
    try {
      await page.route(/\/api\/v1\/events\/\d+\/mail$/, (route) => route.fulfill({
        status: 200, contentType: 'application/json', body: JSON.stringify(served) }));
      await signInOnPage(page, server.url);
      await openEvent(page, server.url, eventId);
      assert.equal(await page.locator('#mail-rows tr').count(), 100, 'the first hundred rows');
      assert.match(await textOf(page, '#mail-status'), /^100 of 150 messages shown; there are more\.$/);

      const failed = (await textOf(page, '#mail-rows tr[data-mail-id="1000"]'));
      assert.match(failed, /Frida Felsson.*The event has changed.*Failed.*550 5\.1\.1 mailbox unavailable/);
      assert.match(failed, /12 Mar, 09:05/);
      assert.match(failed, /Never/);
      assert.equal(await page.getAttribute('#mail-rows tr[data-mail-id="1000"]', 'class'), 'mail-failed-row');
      assert.match(await textOf(page, '#mail-rows tr[data-mail-id="999"]'), /Personal data erased.*Reminder.*Not sent/);
      assert.match(await textOf(page, '#mail-rows tr[data-mail-id="998"]'), /Waiting.*2.*connection refused \(will be tried again\).*Not yet/);
      assert.match(await textOf(page, '#mail-rows tr[data-mail-id="997"]'), /Personal data erased.*Data erased.*Sent/);
      assert.match(await textOf(page, '#mail-count-dropped'), /1 not sent the person’s data were erased/);

      // "Show more" by keyboard: the focus goes to the first new row.
      await tabTo(page, '#mail-more');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('#mail-rows tr').length === 150);
      assert.equal(await page.evaluate(() => document.activeElement === document.querySelectorAll('#mail-rows tr')[100].querySelector('th')), true);
      assert.equal(await page.isVisible('#mail-more'), false);

      // Failed only.
      await page.selectOption('#mail-state-filter', 'failed');
      await page.waitForFunction(() => document.querySelectorAll('#mail-rows tr').length === 1);
      assert.match(await textOf(page, '#mail-caption'), /^Failed messages about/);
      await page.selectOption('#mail-state-filter', 'dropped');
      await page.waitForFunction(() => document.querySelectorAll('#mail-rows tr').length === 1);

      // The same in Swedish.
      await page.click('button[data-set-lang="sv"]');
      assert.equal(await textOf(page, '#mail-h'), 'E-post till deltagarna');
      assert.match(await textOf(page, '#mail-rows tr'), /Personuppgifterna är raderade.*Påminnelse.*Skickades inte/);
      assert.match(await textOf(page, '#mail-status'), /^1 meddelande visas\.$/);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  for (const [language, locale, words] of [
    ['sv', 'sv-SE', { h2: 'E-post till deltagarna', write: 'Skriv till deltagarna', goes: /går till \d+ personer/ }],
    ['en', 'en-GB', { h2: 'Mail to participants', write: 'Write to attendees', goes: /goes to \d+ people/ }],
  ]) {
    test(`no serious or critical axe-core violations, and no sideways scroll on a phone (${language})`, async () => {
      // bypassCSP lets addScriptTag inject axe; the other tests run under the server's CSP.
      await mailOf(api, admin, eventId);
      const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true });
      try {
        await signInOnPage(page, server.url);
        await openEvent(page, server.url, eventId);
        assert.equal(await page.getAttribute('html', 'lang'), language);
        assert.equal(await textOf(page, '#mail-h'), words.h2);
        assert.equal(await textOf(page, '#write-h'), words.write);
        await assertAccessible(page, `event page with the mail log (${language})`);

        await page.click('#msg-preview-button');
        await page.waitForSelector('#msg-subject[aria-invalid="true"]');
        await assertAccessible(page, `the message form with errors (${language})`);

        await page.fill('#msg-subject', SUBJECT);
        await page.fill('#msg-text', 'Parking is free behind the building.');
        await page.click('#msg-preview-button');
        await page.waitForSelector('#msg-preview:not([hidden])');
        assert.match(await textOf(page, '#msg-status'), words.goes);
        await assertAccessible(page, `the message preview (${language})`);

        await page.setViewportSize({ width: 360, height: 740 });
        assert.equal(await hasHorizontalScroll(page), false,
          `the event page (${language}) scrolls sideways: ${(await overflowingElements(page)).join(', ')}`);
        assertNoProblems(problems, EXPECTED);
      } finally {
        await context.close();
      }
    });
  }
});

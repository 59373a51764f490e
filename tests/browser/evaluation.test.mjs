// The evaluation of an attended event (DOMAIN.md 7) in Debian's Chromium: the participant fills it in on the manage
// page by keyboard alone, in Swedish and in English (errors announced, the focus on the first one), changes it, and
// sees it read-only once answers have closed; organisers see the results on the admin event page, the same numbers as
// the API, and the demo data has answers to show. axe-core clean throughout. All people here are fictional.
// Run: cd tests/browser && node --test evaluation.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import { launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, tabTo, focused } from './lib.mjs';

const skip = browserTestSkip();
const HOUR = 3600 * 1000;

let server;
let browser;
let api;
let admin;
let demoEvents; // the demo's events with evaluation answers and comments, found before this file adds its own
let demoGoals;  // /goals' evaluations over the demo data alone

function iso(ms) { return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'); }

let serial = 0;
/** A seminar that ended two days ago, with one fictional attendee; returns {event, reg}. */
async function attendedEvent(language) {
  serial += 1;
  const start = Date.now() - HOUR;
  const created = await api('POST', '/api/v1/events', {
    kind: 'seminar', title: `Transnational partnerships ${serial}`, topic: 'project_management', language, status: 'published',
    starts_at: iso(start), ends_at: iso(start + 3 * HOUR), registration_closes_at: iso(start + 2 * HOUR),
  }, { token: admin });
  assert.equal(created.status, 201, created.text);
  const reg = await api('POST', `/api/v1/events/${created.body.id}/registrations`, {
    name: `Utva Exempelsson ${serial}`, email: `utva.exempelsson${serial}.${Date.now()}@example.org`,
    organisation: 'Exempelkommunen', organisation_type: 'public', municipality: 'Nacka', language, consent: true,
  });
  assert.equal(reg.status, 201, reg.text);
  const scan = await api('POST', `/api/v1/events/${created.body.id}/checkins`, { ticket_code: reg.body.ticket_code }, { token: admin });
  assert.equal(scan.status, 201, scan.text);
  const ended = Date.now() - 48 * HOUR;
  const moved = await api('PATCH', `/api/v1/events/${created.body.id}`,
    { starts_at: iso(ended), ends_at: iso(ended + 3 * HOUR), registration_closes_at: iso(ended - HOUR) }, { token: admin });
  assert.equal(moved.status, 200, moved.text);
  return { event: moved.body, reg: reg.body };
}

before(async () => {
  if (skip) return;
  server = await startServer({ demo: true });
  api = client(server.url);
  admin = await signIn(server.url);
  demoGoals = (await api('GET', '/api/v1/goals', undefined, { token: admin })).body.evaluations;
  demoEvents = [];
  for (const e of (await api('GET', '/api/v1/events', undefined, { token: admin })).body.items) {
    const r = await api('GET', `/api/v1/events/${e.id}/evaluations`, undefined, { token: admin });
    if (r.status === 200 && r.body.responses > 0 && r.body.comments.length > 0) demoEvents.push(e);
  }
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (server) { await server.stop(); server.cleanup(); }
});

for (const [locale, language, words] of [
  ['sv-SE', 'sv', { choose: 'Välj hur användbart', saved: 'sparad', change: 'Spara ändringarna', closed: 'stängdes' }],
  ['en-GB', 'en', { choose: 'Choose how useful', saved: 'saved', change: 'Save changes', closed: 'closed' }],
]) {
  test(`the evaluation is filled in, changed and shown closed by keyboard alone (${language})`, { skip }, async () => {
    const { event, reg } = await attendedEvent(language);
    const path = `/api/v1/my/registrations/${encodeURIComponent(reg.manage_token)}/evaluation`;
    const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true }); // for axe's script tag
    try {
      await page.goto(`${server.url}/manage.html#token=${encodeURIComponent(reg.manage_token)}`);
      await page.waitForSelector('#evaluation-form');
      assert.equal(await page.getAttribute('html', 'lang'), language);
      assert.equal(await page.locator('#evaluation-form fieldset legend').count(), 4, 'each question is a fieldset with a legend');
      await assertAccessible(page, `the empty evaluation form (${language})`);

      // Sent empty: every question is named in an alert, each group is marked, and the focus is on the first one.
      await tabTo(page, '#evaluation-form button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#eval-error-summary:not([hidden])');
      assert.equal(await page.getAttribute('#eval-error-summary', 'role'), 'alert');
      assert.match(await page.textContent('#eval-error-summary'), new RegExp(words.choose));
      assert.equal(await page.locator('#eval-error-summary li').count(), 4);
      assert.equal((await focused(page)).id, 'eval-usefulness-1', 'the focus moves to the first question with an error');
      assert.equal(await page.getAttribute('#eval-usefulness-1', 'aria-invalid'), 'true');
      assert.match(await page.getAttribute('#eval-usefulness-group', 'aria-describedby'), /eval-usefulness-error/);
      await assertAccessible(page, `the form with errors (${language})`);
      assert.equal((await api('GET', path)).status, 404, 'nothing was sent');

      // Keyboard alone: arrows choose within a group, Tab moves to the next.
      await page.keyboard.press('Space');           // usefulness 1
      await page.keyboard.press('ArrowRight');      // 2
      await page.keyboard.press('ArrowRight');      // 3
      await page.keyboard.press('ArrowRight');      // 4
      await tabTo(page, '#eval-knowledge-before-1');
      await page.keyboard.press('Space');
      await page.keyboard.press('ArrowRight');      // 2
      await tabTo(page, '#eval-knowledge-after-1');
      await page.keyboard.press('Space');
      for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowRight'); // 4
      await tabTo(page, '#eval-plans-tn-yes');
      await page.keyboard.press('Space');
      await tabTo(page, '#eval-comment');
      await page.keyboard.type('Bra exempel från Tallinn.');
      await tabTo(page, '#evaluation-form button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForFunction((w) => document.querySelector('#eval-status').textContent.includes(w), words.saved);
      assert.equal(await page.isHidden('#eval-error-summary'), true, 'the errors are gone');
      let saved = (await api('GET', path)).body;
      assert.deepEqual([saved.usefulness, saved.knowledge_before, saved.knowledge_after, saved.plans_tn, saved.comment],
        [4, 2, 4, 'yes', 'Bra exempel från Tallinn.']);

      // Opened again: the saved answer is in the form, and can be changed.
      await page.reload();
      await page.waitForSelector('#evaluation-form');
      assert.equal(await page.isChecked('#eval-usefulness-4'), true);
      assert.equal(await page.isChecked('#eval-plans-tn-yes'), true);
      assert.equal(await page.inputValue('#eval-comment'), 'Bra exempel från Tallinn.');
      assert.match(await page.textContent('#evaluation-form button[type="submit"]'), new RegExp(words.change));
      await tabTo(page, '#eval-usefulness-4');
      await page.keyboard.press('ArrowRight');      // 5
      await tabTo(page, '#eval-plans-tn-yes');
      await page.keyboard.press('ArrowRight');      // no
      await page.keyboard.press('ArrowRight');      // maybe
      await tabTo(page, '#evaluation-form button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForFunction((w) => document.querySelector('#eval-status').textContent.includes(w), words.saved);
      saved = (await api('GET', path)).body;
      assert.equal(saved.usefulness, 5);
      assert.equal(saved.plans_tn, 'maybe');
      await assertAccessible(page, `the saved evaluation (${language})`);

      // Closed by the organisers: the answer is shown read-only.
      const closed = await api('PATCH', `/api/v1/events/${event.id}`, { evaluation_closes_at: iso(Date.parse(event.ends_at) + HOUR) }, { token: admin });
      assert.equal(closed.status, 200, closed.text);
      await page.reload();
      await page.waitForSelector('#evaluation-answer');
      assert.equal(await page.locator('#evaluation-form').count(), 0, 'no form once closed');
      assert.match(await page.textContent('#evaluation-intro'), new RegExp(words.closed));
      assert.match(await page.textContent('#evaluation-answer'), /5/);
      await assertAccessible(page, `the closed evaluation (${language})`);
      assertNoProblems(problems, [httpErrorLine(404)]);
    } finally {
      await context.close();
    }
  });
}

test('a registration that did not attend sees no evaluation', { skip }, async () => {
  const { event } = await attendedEvent('en');
  const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
  try {
    // A walk-in recorded and then undone: registered, never attended.
    const walk = await api('POST', `/api/v1/events/${event.id}/walk-ins`, {
      name: 'Nils Exempelsson', email: `nils.exempelsson.${Date.now()}@example.org`, organisation: 'Exempelföreningen',
      organisation_type: 'non_profit', municipality: 'Solna', attended_at: event.starts_at, consent: true,
    }, { token: admin });
    assert.equal(walk.status, 201, walk.text);
    const undo = await api('DELETE', `/api/v1/events/${event.id}/checkins/${walk.body.id}`, undefined, { token: admin });
    assert.ok([200, 204].includes(undo.status), undo.text);
    await page.goto(`${server.url}/manage.html#token=${encodeURIComponent(walk.body.manage_token)}`);
    await page.waitForSelector('#manage-page:not([hidden])');
    assert.equal(await page.isHidden('#evaluation-section'), true);
    assertNoProblems(problems);
  } finally {
    await context.close();
  }
});

test('organisers see the demo\'s evaluation results, the same numbers as the API, in sv and en', { skip }, async () => {
  // The demo data answers evaluations of its ended events (found in before(), ahead of this file's own answers).
  assert.ok(demoEvents.length > 0, 'the demo has events with evaluation answers and comments');
  assert.ok(demoGoals.responses > 0 && demoGoals.mean_usefulness !== null && demoGoals.response_rate > 0, JSON.stringify(demoGoals));
  const chosen = demoEvents[0];
  const results = (await api('GET', `/api/v1/events/${chosen.id}/evaluations`, undefined, { token: admin })).body;

  for (const [locale, percent] of [['sv-SE', (x) => `${Math.round(x * 100)} %`], ['en-GB', (x) => `${Math.round(x * 100)}%`]]) {
    const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true }); // for axe's script tag
    try {
      await page.goto(`${server.url}/admin/`);
      await page.waitForSelector('#signin:not([hidden])');
      await page.fill('#signin-email', ADMIN_EMAIL);
      await page.fill('#signin-password', ADMIN_PASSWORD);
      await page.press('#signin-password', 'Enter');
      await page.waitForSelector('#content:not([hidden]) #events-body tr');
      await page.goto(`${server.url}/admin/event.html?id=${chosen.id}`);
      await page.waitForSelector('#evals-figures');
      const text = async (sel) => (await page.textContent(sel)).replace(/\s+/g, ' ').trim();
      assert.match(await text('#evals-responses'), new RegExp(`^${results.responses} `));
      assert.match((await text('#evals-rate')).replace(/\u00a0/g, ' '), new RegExp(`^${percent(results.response_rate)}`));
      assert.match(await text('#evals-rate'), new RegExp(`${results.attended}`));
      const mean = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(results.mean_usefulness);
      assert.match(await text('#evals-usefulness'), new RegExp(`^${mean.replace('.', '\\.')} `));
      // The table holds the distribution as numbers.
      const cells = await page.$$eval('#evals-ratings tbody tr:first-child td', (tds) => tds.map((td) => Number(td.textContent)));
      assert.deepEqual(cells, ['1', '2', '3', '4', '5'].map((k) => results.distribution.usefulness[k]));
      assert.equal(await page.locator('#evals-comments li').count(), results.comments.length);
      assert.equal(await page.locator('#evals-section').getByText(results.comments[0], { exact: true }).count() > 0, true);
      await assertAccessible(page, `the admin event page with evaluations (${locale})`);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  }
});

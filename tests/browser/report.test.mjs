// The steering group's report page (/admin/report.html) against the real server in Debian's Chromium: it shows the
// numbers the API gives for a scenario built through the API; the period filter and the downloads work by keyboard
// alone; it prints on A4 without navigation and without a table cut across a page; axe-core is clean in Swedish and
// English. Run: cd tests/browser && node --test report.test.mjs. All people here are fictional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, client, signIn } from '../support/server.mjs';
import { ongoingEventBody, makeUser, walkIn as walkInAs } from '../support/fixtures.mjs';
import { readXlsx } from '../support/xlsx.mjs';
import { launch, openPage, browserTestSkip, assertNoProblems, assertAccessible, tabTo } from './lib.mjs';

const skip = browserTestSkip();

async function textOf(page, selector) {
  return (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
}

async function openReport(page, base, who, query = '') {
  await page.goto(`${base}/admin/report.html${query}`);
  await page.waitForSelector('#signin:not([hidden])');
  await page.fill('#signin-email', who.email);
  await page.fill('#signin-password', who.password);
  await page.press('#signin-password', 'Enter');
  await page.waitForSelector('#report-body:not([hidden]) #goals tbody tr');
}

describe('report page (/admin/report.html)', { skip }, () => {
  let server;
  let api;
  let admin;
  let steering;
  let organiser;
  let browser;
  let unrepresented;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    steering = await makeUser(server.url, admin, 'steering');
    organiser = await makeUser(server.url, admin, 'organiser');
    const event = async (body) => {
      const r = await api('POST', '/api/v1/events', ongoingEventBody({ topic: null, ...body }), { token: admin });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    const walkIn = (ev, body) => walkInAs(api, admin, ev.id, body);
    const asa = { name: 'Åsa Öberg', email: 'asa.report@example.org', gender: 'woman', organisation_type: 'public', municipality: 'Solna' };
    const bo = { name: 'Bo Ärling', email: 'bo.report@example.org', gender: 'man', organisation_type: 'user_organisation', municipality: 'Stockholm' };
    const seminar = await event({ kind: 'seminar', title: 'Budget seminar (report test)', topic: 'budgeting' });
    await walkIn(seminar, asa);
    await walkIn(seminar, bo);
    await walkIn(seminar, { name: 'Cai Virtanen', gender: 'non_binary', organisation_type: 'private', municipality: null, country: 'FI' });
    await walkIn(await event({ kind: 'network_event', title: 'EURoma plenary (report test)', network: 'euroma' }), asa);
    unrepresented = await event({ kind: 'network_event', title: 'BSN forum, Riga (report test)', network: 'baltic_sea' });
    await walkIn(await event({ kind: 'network_meeting', title: 'Roma network meeting (report test)', focus_area: 'roma' }), bo);
    await event({ kind: 'partner_search_forum', title: 'Partner-search forum (report test)' });
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('shows the same numbers as the API', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await openReport(page, server.url, steering);
      const goals = (await api('GET', '/api/v1/goals', undefined, { token: steering.token })).body;
      const kinds = (await api('GET', '/api/v1/reports/participation', undefined, { token: steering.token })).body.kinds;
      const pct = (x) => new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(x);
      const cell = (row, col) => textOf(page, `${row} td[data-col="${col}"]`);

      const rep = '#goals tr[data-goal="representation:all"]';
      assert.equal(goals.representation.share, 0.5);
      assert.equal(await cell(rep, 'target'), pct(goals.representation.goal));
      assert.equal(await cell(rep, 'value'), pct(goals.representation.share));
      assert.equal(await cell(rep, 'gap'), '30%');
      assert.equal(await cell(rep, 'met'), 'Not met');
      assert.equal(await cell('#goals tr[data-goal="representation:euroma"]', 'value'), pct(goals.representation.by_network.euroma.share));
      const roma = '#goals tr[data-goal="network_meetings:roma"]';
      assert.deepEqual([await cell(roma, 'target'), await cell(roma, 'value'), await cell(roma, 'gap')],
        ['2', String(goals.network_meetings.by_focus_area.roma.held), '1']);
      assert.equal(await cell('#goals tr[data-goal="partner_search_forums:all"]', 'value'), String(goals.partner_search_forums.held));

      assert.deepEqual(await page.$$eval('#unrep tbody tr', (rows) => rows.map((r) => Number(r.dataset.eventId))),
        goals.representation.unrepresented_events.map((e) => e.id));
      assert.deepEqual(goals.representation.unrepresented_events.map((e) => e.id), [unrepresented.id]);

      for (const [kind, k] of Object.entries(kinds)) {
        const row = `#kind-gender tr[data-kind="${kind}"]`;
        assert.equal(await cell(row, 'unique_persons'), String(k.unique_persons), kind);
        assert.equal(await cell(row, 'events_held'), String(k.events_held), kind);
        for (const [g, n] of Object.entries(k.by_gender)) assert.equal(await cell(row, `gender_${g}`), String(n), `${kind} ${g}`);
        for (const [o, n] of Object.entries(k.by_organisation_type)) {
          assert.equal(await cell(`#kind-org tr[data-kind="${kind}"]`, `organisation_type_${o}`), String(n), `${kind} ${o}`);
        }
        assert.equal(await cell(`#kind-region tr[data-kind="${kind}"]`, 'home_region'), String(k.home_region), kind);
      }
      assert.equal(kinds.seminar.unique_persons, 3);
      assert.equal(await cell('#kind-gender tr[data-kind="all"]', 'unique_persons'), String(goals.participation.unique_persons));
      assert.equal(await cell('#support tr[data-figure="project_ideas"]', 'value'), String(goals.support.project_ideas));
      if (goals.evaluations) assert.equal(await cell('#evaluations tr[data-figure="responses"]', 'value'), String(goals.evaluations.responses));
      else assert.equal(await textOf(page, '#eval-table'), 'No evaluation figures are available.');

      // The charts are images with a name and a description in words.
      const charts = await page.$$eval('#report-body svg[role="img"]', (svgs) => svgs.map((svg) => ({
        name: document.getElementById(svg.getAttribute('aria-labelledby'))?.textContent,
        desc: document.getElementById(svg.getAttribute('aria-describedby'))?.textContent })));
      assert.equal(charts.length, 2);
      assert.match(charts[1].desc, /Seminar: 3 persons \(Woman 1, Man 1, Non-binary 1, Prefer not to say 0\)\./);

      // The steering group gets the report workbook but not the participants' personal data.
      assert.equal(await page.isHidden('#dl-participants-csv'), true);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-report-xlsx')]);
      assert.equal(download.suggestedFilename(), 'report.xlsx');
      const sheets = readXlsx(readFileSync(await download.path()));
      const goalRow = sheets.find((s) => s.name === 'goals').rows.find((r) => r[0] === 'representation' && r[1] === 'all');
      assert.equal(goalRow[3], goals.representation.share);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('the period filter and the downloads work by keyboard alone', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await openReport(page, server.url, organiser);
      assert.match(await textOf(page, '#report-period-line'), /^Period: every event/);
      await page.focus('#main');
      await tabTo(page, '#period-from');
      // Day and month alike, so that the date field's order of them (which follows the browser's language) does not matter.
      await page.keyboard.type('01012099');
      assert.equal(await page.inputValue('#period-from'), '2099-01-01');
      await tabTo(page, '#period-apply');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => new URLSearchParams(location.search).get('from') !== null);
      await page.waitForFunction(() => document.querySelector('#goals tr[data-goal="representation:all"] td[data-col="value"]')?.textContent === '0%');
      assert.equal(new URL(page.url()).searchParams.get('from'), '2099-01-01');
      assert.equal(await textOf(page, '#kind-gender tr[data-kind="seminar"] td[data-col="unique_persons"]'), '0');

      // Everything again, then the participants' CSV by keyboard.
      await tabTo(page, '#period-all');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelector('#kind-gender tr[data-kind="seminar"] td[data-col="unique_persons"]')?.textContent === '3');
      await tabTo(page, '#dl-participants-csv');
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      assert.equal(download.suggestedFilename(), 'participants.csv');
      const csv = readFileSync(await download.path());
      assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      assert.match(csv.toString('utf8'), /Åsa Öberg/);
      await tabTo(page, '#dl-participants-xlsx');
      await tabTo(page, '#dl-report-xlsx', { backwards: true });
      await tabTo(page, '#print');

      // A bad period is refused before it is sent, next to the field.
      await page.fill('#period-from', '2026-05-14');
      await page.fill('#period-to', '2026-05-13');
      await page.click('#period-apply');
      assert.equal(await textOf(page, '#period-error'), 'The end of the period must not be before its start.');
      assert.equal(await page.getAttribute('#period-to', 'aria-invalid'), 'true');
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('prints on A4: no navigation, no table cut across a page', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await openReport(page, server.url, steering);
      await page.emulateMedia({ media: 'print' });
      // The printable width of A4 (210 mm less 2 x 12 mm margins) at 96 px per inch.
      const mm = 96 / 25.4;
      await page.setViewportSize({ width: Math.floor(186 * mm), height: 1000 });
      const pageHeight = (297 - 28) * mm;
      const layout = await page.evaluate(() => ({
        hidden: ['.admin-bar', '.site-header', '.site-footer', '#period-form', '.downloads']
          .map((sel) => getComputedStyle(document.querySelector(sel)).display),
        tables: [...document.querySelectorAll('#report-body table')].map((t) => ({ id: t.id, height: t.getBoundingClientRect().height,
          breakInside: getComputedStyle(t).breakInside, head: getComputedStyle(t.tHead).display })),
        total: document.documentElement.scrollHeight,
        // Anything wider than the paper would make Chromium shrink the whole report to fit.
        wide: [...document.querySelectorAll('#main *')].filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}#${el.id} ${Math.round(el.getBoundingClientRect().right)} px`),
      }));
      assert.deepEqual(layout.hidden, ['none', 'none', 'none', 'none', 'none'], 'no navigation, form or buttons on paper');
      assert.deepEqual(layout.wide, [], 'nothing is wider than A4');
      assert.ok(layout.tables.length >= 8, `tables: ${layout.tables.map((x) => x.id)}`);
      for (const t of layout.tables) {
        assert.equal(t.breakInside, 'avoid', `${t.id} is kept on one page`);
        assert.equal(t.head, 'table-header-group', `${t.id} repeats its header`);
        assert.ok(t.height < pageHeight, `${t.id} (${Math.round(t.height)} px) fits on one A4 page`);
      }
      const pdf = await page.pdf({ format: 'A4', printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      // Keeping each table whole may push it to the next page, at most one page more per table.
      const least = Math.ceil(layout.total / pageHeight);
      assert.ok(pages >= least && pages <= least + layout.tables.length, `${pages} pages for ${Math.round(layout.total)} px of content`);
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });

  test('axe-core finds nothing serious in Swedish and English', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'sv-SE', bypassCSP: true });
    try {
      await openReport(page, server.url, steering);
      assert.equal(await textOf(page, '#report h1'), 'Rapport till styrgruppen');
      await assertAccessible(page, 'report (sv)');
      await page.click('[data-set-lang="en"]');
      await page.waitForFunction(() => document.querySelector('#report h1')?.textContent === 'Report for the steering group');
      assert.equal(await textOf(page, '#goals tr[data-goal="representation:all"] td[data-col="met"]'), 'Not met');
      await assertAccessible(page, 'report (en)');
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

describe('report page with a programme period', { skip }, () => {
  let server;
  let browser;
  let steering;
  const day = (days) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(Date.now() + days * 86400e3));

  before(async () => {
    server = await startServer({ config: { goals: { programme_start: day(-10), programme_end: day(10), forum_deadline: day(10) } } });
    const admin = await signIn(server.url);
    steering = await makeUser(server.url, admin, 'steering');
    const api = client(server.url);
    const r = await api('POST', '/api/v1/events', ongoingEventBody({ kind: 'network_event', topic: null, network: 'euroma', title: 'In the programme' }), { token: admin });
    assert.equal(r.status, 201, r.text);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('the programme period is preselected for the figures and the downloads', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      const goals = [];
      page.on('request', (req) => { if (req.url().includes('/api/v1/goals')) goals.push(new URL(req.url()).search); });
      await openReport(page, server.url, steering);
      assert.equal(await page.inputValue('#period-from'), day(-10));
      assert.equal(await page.inputValue('#period-to'), day(10));
      assert.deepEqual(goals, [`?from=${day(-10)}&to=${day(10)}`]);
      assert.equal(await textOf(page, '#goals tr[data-goal="representation:all"] td[data-col="detail"]'), '0 of 1 held events');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-report-xlsx')]);
      const period = readXlsx(readFileSync(await download.path())).find((s) => s.name === 'period');
      assert.deepEqual(period.rows[1].slice(0, 2), [day(-10), day(10)]);
      // "Everything" is one choice away.
      await page.click('#period-all');
      await page.waitForFunction(() => document.querySelector('#report-period-line')?.textContent.startsWith('Period: every event'));
      assert.equal(await page.inputValue('#period-from'), '');
      assertNoProblems(problems);
    } finally {
      await context.close();
    }
  });
});

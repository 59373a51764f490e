// The organisers' door check-in app (/checkin/) against the real server in Debian's Chromium:
// sign-in, event choice, wedge-scanner typing, name search, undo, refusals with "Admit anyway",
// offline admission with a queue that is sent when the network returns, conflicts, roles, and axe-core in sv and en.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, client, signIn } from '../support/server.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, axeViolations, formatViolations,
  hasHorizontalScroll, overflowingElements, CHROMIUM_PATH, CHROMIUM_ARGS,
} from './lib.mjs';

const ORGANISER = { email: 'door.staff@example.org', name: 'Dörte Door', role: 'organiser', password: 'door staff may pass 42' };
const STEERING = { email: 'styrgrupp@example.org', name: 'Sten Styrgrupp', role: 'steering', password: 'steering reads only 42' };
const EVENT_TITLE = 'Budgeting for transnational projects (door test)';

// Registrations made before the door opens. G is for the conflict check and H is cancelled before the scan.
const PEOPLE = {
  A: { name: 'Anna Andersson', organisation: 'Solna stad', municipality: 'Solna', organisation_type: 'public' },
  B: { name: 'Björn Berg', organisation: 'Arbetsförmedlingen', municipality: 'Stockholm', organisation_type: 'public' },
  C: { name: 'Cecilia Carlsson', organisation: 'Coompanion', municipality: 'Huddinge', organisation_type: 'non_profit' },
  D: { name: 'David Dahl', organisation: 'Romska rådet', municipality: 'Botkyrka', organisation_type: 'user_organisation' },
  E: { name: 'Eva Ekström-Öberg', organisation: 'Sensus Stockholm-Gotland', municipality: 'Stockholm', organisation_type: 'non_profit' },
  G: { name: 'Gustav Grön', organisation: 'Nacka kommun', municipality: 'Nacka', organisation_type: 'public' },
  H: { name: 'Helena Holm', organisation: 'Täby kommun', municipality: 'Täby', organisation_type: 'public' },
};

// The browser's own console lines for answers the test provokes on purpose, and for requests made while offline.
const EXPECTED_NOISE = [httpErrorLine(404), httpErrorLine(409), /ERR_INTERNET_DISCONNECTED/, /Failed to fetch/];

/** RFC 3339 with the local offset, e.g. 2026-03-02T14:05:00+01:00. */
function rfc3339(d) {
  const pad = (n) => String(Math.abs(Math.trunc(n))).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    + `${off >= 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
}

/** Waits until the answer panel shows `kind` for `code` and returns its text. */
async function answer(page, kind, code, timeout = 10_000) {
  const sel = `#result[data-kind="${kind}"]${code ? `[data-code="${code}"]` : ''}`;
  try {
    await page.waitForSelector(sel, { timeout });
    await page.waitForFunction((s) => document.querySelector(s)?.querySelector('.result-title')?.textContent.trim() !== '', sel, { timeout });
  } catch {
    const now = await page.evaluate(() => {
      const r = document.querySelector('#result');
      return r ? `kind=${r.dataset.kind} code=${r.dataset.code} text=${r.textContent.replace(/\s+/g, ' ').trim()}` : 'no #result';
    });
    throw new Error(`expected answer ${kind} for ${code}, but the panel shows: ${now}`);
  }
  return page.evaluate((s) => document.querySelector(s).textContent.replace(/\s+/g, ' ').trim(), sel);
}

/** Types like a keyboard-wedge barcode scanner: the characters into whatever has focus, then Enter. */
async function wedgeScan(page, text) {
  await page.keyboard.type(text, { delay: 8 });
  await page.keyboard.press('Enter');
}

async function signInOnPage(page, who) {
  await page.fill('#signin-email', who.email);
  await page.fill('#signin-password', who.password);
  await page.press('#signin-password', 'Enter');
}

async function openDoor(page, base, who = ORGANISER) {
  await page.goto(`${base}/checkin/`);
  await page.waitForSelector('#screen-signin:not([hidden])');
  await signInOnPage(page, who);
  const pick = page.locator('.event-pick', { hasText: EVENT_TITLE });
  await pick.waitFor({ timeout: 10_000 });
  await pick.click();
  await page.waitForSelector('#screen-door:not([hidden])');
  // The door list has reached the device (needed for offline lookup).
  await page.waitForFunction(() => /\d/.test(document.querySelector('#list-status')?.textContent || '')
    && document.querySelector('#count-confirmed')?.textContent !== '–', null, { timeout: 10_000 });
}

describe('door check-in app (/checkin/)', { skip: browserTestSkip() }, () => {
  let server;
  let api;
  let admin;
  let browser;
  let eventId;
  let eventStart;
  const tickets = {};

  const checkedInOnServer = async () => {
    const r = await api('GET', `/api/v1/events/${eventId}`, undefined, { token: admin });
    assert.equal(r.status, 200, `GET /api/v1/events/${eventId}: ${r.status} ${r.text}`);
    return r.body.counts.checked_in;
  };

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    for (const u of [ORGANISER, STEERING]) {
      const r = await api('POST', '/api/v1/users', u, { token: admin });
      assert.equal(r.status, 201, `POST /api/v1/users ${u.role}: ${r.status} ${r.text}`);
    }
    const now = Date.now();
    const ev = await api('POST', '/api/v1/events', {
      kind: 'seminar', topic: 'budgeting', title: EVENT_TITLE, description: 'Seminar for the door test.',
      starts_at: rfc3339(new Date(now + 2 * 3600_000)), ends_at: rfc3339(new Date(now + 5 * 3600_000)),
      capacity: 40, language: 'sv', status: 'published',
      venue: { name: 'Sensus, Rosenlundsgatan', address: 'Stockholm', accessibility: ['step_free_access'] },
    }, { token: admin });
    assert.equal(ev.status, 201, `POST /api/v1/events: ${ev.status} ${ev.text}`);
    eventId = ev.body.id;
    eventStart = ev.body.starts_at;
    for (const [key, p] of Object.entries(PEOPLE)) {
      const email = `${p.name.split(' ')[0].toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}@example.org`;
      const r = await api('POST', `/api/v1/events/${eventId}/registrations`, { ...p, email, consent: true });
      assert.equal(r.status, 201, `POST registrations ${key}: ${r.status} ${r.text}`);
      assert.equal(r.body.status, 'confirmed');
      assert.match(r.body.ticket_code, /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/);
      tickets[key] = { ...r.body, ...p };
    }
    const cancel = await api('DELETE', `/api/v1/my/registrations/${tickets.H.manage_token}`);
    assert.ok(cancel.status === 200 || cancel.status === 204, `DELETE my registration H: ${cancel.status} ${cancel.text}`);
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('an organiser checks in online, offline and back online; the queued scans reach the server', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await openDoor(page, server.url);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'code', 'the code field has the focus');
      // The service worker (scope /checkin/) has cached the app shell and controls the page.
      await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 10_000 });
      const title = await page.textContent('#door-title');
      assert.ok(title.includes(EVENT_TITLE), title);

      // A wedge scanner types A's code (lower case with a hyphen: the app normalises) and Enter: green.
      const a = tickets.A.ticket_code;
      await wedgeScan(page, `${a.slice(0, 4).toLowerCase()}-${a.slice(4).toLowerCase()}`);
      let text = await answer(page, 'admitted', a);
      assert.match(text, /Admitted/);
      assert.ok(text.includes(tickets.A.name) && text.includes(tickets.A.organisation), text);
      assert.equal(await page.inputValue('#code'), '', 'the field is cleared for the next scan');

      // The same code again, while a button has the focus (the scanner's Enter must not press it): amber.
      await page.focus('#change-event');
      await wedgeScan(page, a);
      text = await answer(page, 'already', a);
      assert.match(text, /Already checked in at \d\d:\d\d/);
      assert.equal(await page.isVisible('#screen-door'), true, 'still on the door screen');

      // Search by name (accents optional), arrow down to the match, Enter: green; then undo in one tap.
      await page.keyboard.type('eva ekstrom', { delay: 5 });
      await page.waitForSelector(`#matches button[data-code="${tickets.E.ticket_code}"]`);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      text = await answer(page, 'admitted', tickets.E.ticket_code);
      assert.ok(text.includes(tickets.E.name), text);
      const withE = await checkedInOnServer();
      assert.equal(withE, 2, 'A and E are checked in');
      await page.click('#undo');
      await answer(page, 'undone', tickets.E.ticket_code);
      assert.equal(await checkedInOnServer(), withE - 1, 'undo removed the check-in on the server');

      // An unknown code: red, and forcing cannot help, so no "Admit anyway".
      await page.focus('#code');
      await wedgeScan(page, 'ZZZZ-ZZZZ');
      text = await answer(page, 'refused', 'ZZZZZZZZ');
      assert.match(text, /Unknown ticket/);
      assert.equal(await page.isVisible('#admit-anyway'), false);

      // A cancelled registration: red "Cancelled"; "Admit anyway" checks in with force.
      await page.focus('#code');
      await wedgeScan(page, tickets.H.ticket_code);
      text = await answer(page, 'refused', tickets.H.ticket_code);
      assert.match(text, /Cancelled/);
      await page.click('#admit-anyway');
      text = await answer(page, 'admitted', tickets.H.ticket_code);
      assert.match(text, /Admitted by exception/);
      const list = await api('GET', `/api/v1/events/${eventId}/tickets`, undefined, { token: admin });
      assert.equal(list.status, 200, `GET tickets: ${list.status} ${list.text}`);
      const h = list.body.items.find((x) => x.ticket_code === tickets.H.ticket_code);
      assert.ok(h?.checked_in_at, `H is checked in on the server: ${JSON.stringify(h)}`);
      const before = await checkedInOnServer();

      // Offline: three other tickets are admitted from the list on the device and queued.
      await page.focus('#code');
      await context.setOffline(true);
      for (const key of ['B', 'C', 'D']) {
        await wedgeScan(page, tickets[key].ticket_code);
        text = await answer(page, 'admitted', tickets[key].ticket_code);
        assert.ok(text.includes(tickets[key].name), text);
        assert.match(text, /No connection/);
      }
      // A second local scan of the same code answers amber and queues nothing.
      await wedgeScan(page, tickets.B.ticket_code);
      await answer(page, 'already', tickets.B.ticket_code);
      await page.waitForFunction(() => document.querySelector('#pending')?.textContent.includes('3 scans waiting to be sent'));
      assert.equal(await page.isVisible('#net-offline'), true, 'the offline banner shows');
      assert.equal(await page.textContent('#count-checked-in'), String(before + 3), 'the header counts the local admissions');
      assert.equal(await checkedInOnServer(), before, 'nothing reached the server while offline');

      // A reload while offline: the service worker serves the app shell, IndexedDB still holds list and queue.
      await page.reload();
      await page.waitForSelector('#screen-door:not([hidden])');
      await page.waitForFunction(() => document.querySelector('#pending')?.textContent.includes('3 scans waiting to be sent'));
      await wedgeScan(page, tickets.C.ticket_code);
      await answer(page, 'already', tickets.C.ticket_code);

      // Back online: the queue goes out as one batch and the server counts three more.
      await context.setOffline(false);
      await page.waitForFunction(() => document.querySelector('#pending')?.dataset.count === '0', null, { timeout: 20_000 });
      assert.match(await page.textContent('#pending'), /All scans have been sent/);
      let after = 0;
      for (let i = 0; i < 20 && after !== before + 3; i += 1) {
        after = await checkedInOnServer();
        if (after !== before + 3) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(after, before + 3, 'the server counts the three offline scans');
      await page.waitForFunction((n) => document.querySelector('#count-checked-in')?.textContent === String(n), before + 3, { timeout: 15_000 });
      assert.equal(await page.isVisible('#conflicts'), false, 'no conflicts');

      // A conflict: G is admitted offline, cancelled on the server meanwhile; the sync shows it.
      await page.focus('#code');
      await context.setOffline(true);
      await wedgeScan(page, tickets.G.ticket_code);
      await answer(page, 'admitted', tickets.G.ticket_code);
      const cancelG = await api('DELETE', `/api/v1/my/registrations/${tickets.G.manage_token}`);
      assert.ok(cancelG.status === 200 || cancelG.status === 204, `cancel G: ${cancelG.status} ${cancelG.text}`);
      await context.setOffline(false);
      await page.waitForSelector(`#conflicts:not([hidden]) li[data-code="${tickets.G.ticket_code}"]`, { timeout: 20_000 });
      const conflict = await page.textContent(`#conflict-list li[data-code="${tickets.G.ticket_code}"]`);
      assert.match(conflict, /Cancelled/);
      assert.ok(conflict.includes(tickets.G.name), conflict);
      assert.equal(await checkedInOnServer(), before + 3, 'the cancelled ticket was not checked in');

      assertNoProblems(problems, EXPECTED_NOISE);
    } finally {
      await context.close();
    }
  });

  test('a steering-group member is told they may not check in', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(`${server.url}/checkin/`);
      await page.waitForSelector('#screen-signin:not([hidden])');
      await signInOnPage(page, STEERING);
      await page.waitForSelector('#screen-forbidden:not([hidden])');
      assert.match(await page.textContent('#screen-forbidden'), /You may not check in/);
      assert.equal(await page.isVisible('#code'), false);
      assertNoProblems(problems, EXPECTED_NOISE);
    } finally {
      await context.close();
    }
  });

  test('times are Stockholm times on a device set to another time zone (America/New_York)', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB', timezoneId: 'America/New_York' });
    const hhmm = (iso, timeZone) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .format(new Date(iso));
    try {
      assert.equal(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), 'America/New_York');
      await openDoor(page, server.url);
      const when = await page.textContent('#door-when');
      assert.ok(when.includes(hhmm(eventStart, 'Europe/Stockholm')), `start in Stockholm time: ${when}`);
      assert.ok(!when.includes(hhmm(eventStart, 'America/New_York')), `not in the device's time: ${when}`);

      // A was admitted by the first test: the amber answer gives that moment in Stockholm time.
      const again = await api('POST', `/api/v1/events/${eventId}/checkins`, { ticket_code: tickets.A.ticket_code }, { token: admin });
      assert.equal(again.body.result, 'already_checked_in', again.text);
      await wedgeScan(page, tickets.A.ticket_code);
      const text = await answer(page, 'already', tickets.A.ticket_code);
      assert.ok(text.includes(`Already checked in at ${hhmm(again.body.checked_in_at, 'Europe/Stockholm')}`), text);
      assertNoProblems(problems, EXPECTED_NOISE);
    } finally {
      await context.close();
    }
  });

  test('the camera reads a ticket QR code (Chromium\'s fake camera playing the server\'s ticket.svg)', async () => {
    // One JPEG frame of E's ticket QR, drawn by the browser from GET .../ticket.svg, becomes the fake camera's video.
    const dir = mkdtempSync(join(tmpdir(), 'eventd-camera-'));
    let camBrowser;
    try {
      const { context: c0, page: p0 } = await openPage(browser);
      await p0.goto(`${server.url}/checkin/`);
      const jpeg = await p0.evaluate(async (token) => {
        const img = new Image();
        img.src = `/api/v1/my/registrations/${token}/ticket.svg`;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = 640;
        canvas.height = 480;
        const ctx = canvas.getContext('2d');
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, 640, 480);
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(img, 140, 60, 360, 360);
        return canvas.toDataURL('image/jpeg', 0.95).split(',')[1];
      }, tickets.E.manage_token);
      await c0.close();
      const frame = Buffer.from(jpeg, 'base64');
      const file = join(dir, 'ticket.mjpeg');
      writeFileSync(file, Buffer.concat(Array.from({ length: 10 }, () => frame)));

      camBrowser = await chromium.launch({
        executablePath: CHROMIUM_PATH, headless: true,
        args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${file}`],
      });
      const { context, page, problems } = await openPage(camBrowser, { locale: 'en-GB', permissions: ['camera'] });
      try {
        await openDoor(page, server.url);
        const decoder = await page.evaluate(() => ('BarcodeDetector' in window ? 'BarcodeDetector' : 'jsQR'));
        await page.click('#camera-start');
        await page.waitForSelector('#camera-video:not([hidden])');
        const text = await answer(page, 'admitted', tickets.E.ticket_code, 20_000);
        assert.ok(text.includes(tickets.E.name), `${decoder}: ${text}`);
        // The same code stays in view: no second check-in, so no amber answer follows at once.
        await page.waitForTimeout(1000);
        assert.equal(await page.getAttribute('#result', 'data-kind'), 'admitted');
        await page.click('#camera-stop');
        assert.equal(await page.isVisible('#camera-video'), false);
        assertNoProblems(problems, EXPECTED_NOISE);
      } finally {
        await context.close();
      }
    } finally {
      await camBrowser?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no serious or critical axe-core violation, in Swedish and English, on a 360 px phone', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'sv-SE', viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const check = async (what) => {
      const v = await axeViolations(page);
      assert.equal(v.length, 0, `${what}:\n${formatViolations(v)}`);
      assert.equal(await hasHorizontalScroll(page), false, `${what} scrolls sideways: ${(await overflowingElements(page)).join(', ')}`);
    };
    try {
      await page.goto(`${server.url}/checkin/`);
      await page.waitForSelector('#screen-signin:not([hidden])');
      assert.equal(await page.getAttribute('html', 'lang'), 'sv', 'Swedish from navigator.language');
      assert.match(await page.textContent('#signin-h'), /Logga in/);
      await check('sign-in (sv)');

      await signInOnPage(page, ORGANISER);
      await page.locator('.event-pick', { hasText: EVENT_TITLE }).waitFor();
      await check('event list (sv)');
      await page.locator('.event-pick', { hasText: EVENT_TITLE }).click();
      await page.waitForSelector('#screen-door:not([hidden])');
      await page.waitForFunction(() => /\d/.test(document.querySelector('#list-status')?.textContent || ''));

      // The amber answer, search matches and the open walk-in form are on screen while axe looks.
      await wedgeScan(page, tickets.A.ticket_code);
      assert.match(await answer(page, 'already', tickets.A.ticket_code), /Redan incheckad kl\. \d\d[:.]\d\d/);
      await page.keyboard.type('berg', { delay: 5 });
      await page.waitForSelector('#matches button');
      await page.click('#walkin-box summary');
      await check('door (sv)');

      // An unknown code (red) and the English texts.
      await page.selectOption('#lang', 'en');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.fill('#code', '');
      await page.focus('#code');
      await wedgeScan(page, 'ZZZZZZZZ');
      assert.match(await answer(page, 'refused', 'ZZZZZZZZ'), /Unknown ticket/);
      assert.match(await page.textContent('.code-label'), /Ticket code or name/);
      await check('door (en)');

      // The walk-in form sent empty: every missing field is marked, the first one gets the focus.
      await page.click('#walkin-form button[type="submit"]');
      await page.waitForSelector('#walkin-error:not([hidden])');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'walkin-name');
      for (const f of ['name', 'email', 'organisation', 'organisation_type', 'municipality', 'consent']) {
        assert.equal(await page.getAttribute(`#walkin-${f}`, 'aria-invalid'), 'true', `${f} is marked`);
      }
      await check('walk-in form with errors (en)');

      // A walk-in from the form: green and counted.
      await page.fill('#walkin-name', 'Walter Walk-in');
      await page.fill('#walkin-email', 'walter@example.org');
      await page.fill('#walkin-organisation', 'Stockholms stad');
      await page.selectOption('#walkin-organisation_type', 'public');
      await page.fill('#walkin-municipality', 'Stockholm');
      await page.check('#walkin-consent');
      await page.click('#walkin-form button[type="submit"]');
      const text = await answer(page, 'admitted', null);
      assert.match(text, /Walk-in admitted/);
      assert.ok(text.includes('Walter Walk-in'), text);
      const ev = await api('GET', `/api/v1/events/${eventId}`, undefined, { token: admin });
      assert.equal(ev.body.counts.walk_ins, 1, `walk-ins counted: ${JSON.stringify(ev.body.counts)}`);
      await check('door after a walk-in (en)');

      // lib.mjs first tries page.addScriptTag for axe, which the page's CSP (script-src 'self') rightly refuses.
      assertNoProblems(problems, [...EXPECTED_NOISE, /Executing inline script violates the following Content Security Policy/]);
    } finally {
      await context.close();
    }
  });
});

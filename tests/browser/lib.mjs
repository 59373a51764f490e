// Shared helpers for the browser tests: Chromium via playwright-core, axe-core checks, keyboard helpers,
// and a record of console errors and CSP violations. Nothing here knows about a particular page.
import { chromium } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { binaryPath } from '../support/server.mjs';

const require = createRequire(import.meta.url);

/** Debian's Chromium, or EVENTD_CHROMIUM. */
export const CHROMIUM_PATH = process.env.EVENTD_CHROMIUM || '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'];

/** True when the browser can be started here. */
export function chromiumAvailable() { return existsSync(CHROMIUM_PATH); }

/**
 * The `skip` option of every browser test: false when Chromium and the server binary are there. A missing one throws,
 * because a skipped browser test looks like a passing one in a `scripts/test` run; EVENTD_ALLOW_NO_BROWSER=1 turns it
 * into a skip with the reason, for machines that deliberately have no browser.
 */
export function browserTestSkip() {
  const missing = !chromiumAvailable() ? `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set EVENTD_CHROMIUM)`
    : !existsSync(binaryPath()) ? `no server binary at ${binaryPath()}` : null;
  if (!missing) return false;
  if (process.env.EVENTD_ALLOW_NO_BROWSER === '1') return missing;
  throw new Error(`${missing}; set EVENTD_ALLOW_NO_BROWSER=1 to skip the browser tests instead`);
}

/** Starts headless Chromium. */
export async function launch(opts = {}) {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true, ...opts });
}

/**
 * A new context and page. Options are Playwright context options (locale, viewport, bypassCSP, ...).
 * The returned `problems` collects console errors, uncaught page errors and CSP violations;
 * call assertNoProblems(problems) at the end of a test.
 */
export async function openPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { context, page, problems };
}

/**
 * Fails with the collected problems. `allow` lists regexps of expected messages, e.g. the browser's own
 * "Failed to load resource: ... 422" line for a request that a test provokes on purpose.
 */
export function assertNoProblems(problems, allow = []) {
  const left = problems.filter((p) => !allow.some((re) => re.test(p)));
  if (left.length) throw new Error(`browser reported problems:\n  ${left.join('\n  ')}`);
}

/** The browser's own line for an HTTP error answer, which is expected when a test provokes one. */
export function httpErrorLine(status) {
  return new RegExp(`Failed to load resource: the server responded with a status of ${status}`);
}

const axePath = require.resolve('axe-core/axe.min.js');

/**
 * Injects axe-core with page.addScriptTag. That adds an inline script, which a strict CSP (script-src 'self') refuses
 * unless the context was opened with bypassCSP: true — open axe-checked pages that way. Without it the source is
 * evaluated through the DevTools protocol instead (CSP does not govern that), but the refused attempt still leaves
 * a CSP line on the console.
 */
export async function injectAxe(page) {
  if (await page.evaluate(() => typeof window.axe === 'object')) return;
  try { await page.addScriptTag({ path: axePath }); } catch { /* refused by CSP: fall through */ }
  if (await page.evaluate(() => typeof window.axe === 'object')) return;
  await page.evaluate(readFileSync(axePath, 'utf8'));
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) throw new Error('axe-core could not be injected');
}

/**
 * Runs axe-core on the page (WCAG 2.x A/AA and best-practice rules) and returns the violations whose impact is
 * in `impacts`. `context` is axe's include/exclude context; `options` is merged into axe.run options.
 */
export async function axeViolations(page, { impacts = ['serious', 'critical'], context = null, options = {} } = {}) {
  await injectAxe(page);
  const result = await page.evaluate(async ({ context, options }) => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(context || document, { resultTypes: ['violations'], ...options });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  }, { context, options });
  return result.filter((v) => impacts.includes(v.impact));
}

/** A readable multi-line description of axe violations for an assertion message. */
export function formatViolations(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.slice(0, 5)
    .map((n) => `    at ${n.target}\n      ${String(n.summary).replace(/\n/g, '\n      ')}`).join('\n')}`).join('\n');
}

/** Throws when axe finds serious or critical violations; `what` names the page in the message. */
export async function assertAccessible(page, what, opts = {}) {
  const violations = await axeViolations(page, opts);
  if (violations.length) throw new Error(`${what}: ${violations.length} accessibility violation(s)\n${formatViolations(violations)}`);
}

/** Describes document.activeElement: {tag, id, name, type, text}. */
export async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el) return null;
    return { tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'), type: el.getAttribute('type'),
      text: (el.textContent || '').trim().slice(0, 80) };
  });
}

/**
 * Presses Tab (or Shift+Tab) until the focused element matches `selector`; fails after `max` presses.
 * Keyboard only: this is how a keyboard user reaches a control.
 */
export async function tabTo(page, selector, { max = 80, backwards = false } = {}) {
  for (let i = 0; i < max; i += 1) {
    if (await page.evaluate((sel) => !!document.activeElement && document.activeElement.matches(sel), selector)) return i;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  const at = await focused(page);
  throw new Error(`could not reach ${selector} with Tab in ${max} presses (focus is on ${JSON.stringify(at)})`);
}

/** True when the page scrolls sideways (content wider than the viewport). */
export async function hasHorizontalScroll(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    return doc.scrollWidth > doc.clientWidth + 1 || document.body.scrollWidth > doc.clientWidth + 1;
  });
}

/** The elements wider than the viewport, to explain a horizontal scroll. */
export async function overflowingElements(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .slice(0, 10)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} right=${Math.round(el.getBoundingClientRect().right)}`);
  });
}

// Accounts without curl (issue 12) against the real server in Debian's Chromium: the administrators' user page
// (web/admin/users.html) and choosing a password without being signed in (web/admin/password.html). By keyboard: an
// admin adds an organiser (the server's field errors and a taken address first), the invitation lands in the outbox
// with a link, the organiser follows it, chooses a password and signs in; the admin changes the role (the organiser
// then reads only), sends a password reset (the old password and session stop working, a new link is mailed),
// deactivates (sign-in fails) and reactivates; the admin's own row has no such controls. "Forgot your password?" from
// the sign-in form, with the same neutral answer for an unknown address. axe-core on both pages, every mode, in
// Swedish and English. Run: cd tests/browser && node --test accounts.test.mjs
// All people here are fictional.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import {
  launch, openPage, browserTestSkip, assertNoProblems, httpErrorLine, assertAccessible, tabTo, focused,
} from './lib.mjs';

const skip = browserTestSkip();

const ADMIN = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };
const OLLE = { email: 'olle.organisatorsson@example.org', name: 'Olle Organisatörsson' };
const STINA = { email: 'stina.styrgrupp@example.org', name: 'Stina Styrgrupp', role: 'steering', password: 'steering reads only 42' };
const FIRST_PASSWORD = 'olles forsta losenord';
const SECOND_PASSWORD = 'olles andra losenord 2';
// The browser's own lines for answers the tests provoke on purpose (field errors, a taken address, an ended session).
const EXPECTED = [httpErrorLine(422), httpErrorLine(409), httpErrorLine(401)];

/** Text of the element, spaces folded. */
async function textOf(page, selector) {
  return (await page.textContent(selector)).replace(/\s+/g, ' ').trim();
}

/** Waits until the element's text matches (live regions are filled a moment after they are cleared). */
async function waitForText(page, selector, pattern) {
  try {
    await page.waitForFunction(({ selector, source, flags }) => {
      const el = document.querySelector(selector);
      return !!el && new RegExp(source, flags).test(el.textContent.replace(/\s+/g, ' '));
    }, { selector, source: pattern.source, flags: pattern.flags }, { timeout: 10000 });
  } catch {
    assert.fail(`${selector} never matched ${pattern}: "${await textOf(page, selector).catch(() => '(missing)')}"`);
  }
}

/** What has the focus, as a selector-ish string, for messages. */
async function focusInfo(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), id: el?.id, action: el?.dataset?.action || null,
      user: el?.dataset?.userId || null, text: (el?.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 80) };
  });
}

async function signInByKeyboard(page, base, who, path = '/admin/') {
  await page.goto(`${base}${path}`);
  await page.waitForSelector('#signin:not([hidden])');
  assert.equal((await focused(page)).id, 'signin-email', 'the sign-in form has the focus');
  await page.keyboard.type(who.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(who.password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#content:not([hidden])');
}

/** The account-mail files (no registration: "r0-") of a kind written to `to`, oldest first, with their link. */
function accountMails(server, to, kind) {
  const folder = join(server.dir, 'outbox');
  if (!existsSync(folder)) return [];
  const out = [];
  for (const file of readdirSync(folder).filter((f) => f.startsWith(`r0-${kind}.`) && f.endsWith('.eml'))) {
    const text = readFileSync(join(folder, file), 'utf8');
    const addressee = text.match(/^To: (.*)\r?$/m)?.[1] || '';
    if (!addressee.toLowerCase().includes(to.toLowerCase())) continue;
    const link = text.match(/https?:\/\/[^\s"<>]+\/admin\/password\.html#token=([A-Za-z0-9_-]+)/);
    out.push({ file, text, link: link?.[0] || null, token: link?.[1] || null });
  }
  return out;
}

/** Waits for a new account mail of `kind` to `to` (one not among `known` files); returns it. */
async function newMail(server, to, kind, known = []) {
  const end = Date.now() + 15000;
  for (;;) {
    const fresh = accountMails(server, to, kind).filter((m) => !known.includes(m.file));
    if (fresh.length) {
      assert.equal(fresh.length, 1, `one new ${kind} mail to ${to}: ${fresh.map((m) => m.file).join(', ')}`);
      return fresh[0];
    }
    if (Date.now() > end) assert.fail(`no ${kind} mail to ${to} in the outbox (${readdirSync(join(server.dir, 'outbox')).join(', ')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The path and fragment of a mailed link, on the test server (the mail's public_url is the configured one). */
function onServer(server, link) {
  const u = new URL(link);
  return `${server.url}${u.pathname}${u.hash}`;
}

/** Chooses a password on password.html#token=... by keyboard and lands on the success message. */
async function choosePassword(page, url, pass) {
  await page.goto(url);
  await page.waitForSelector('#choose:not([hidden])');
  await tabTo(page, '#cp-password');
  await page.keyboard.type(pass);
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'cp-repeat');
  await page.keyboard.type(pass);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#done:not([hidden])');
}

describe('accounts without curl (/admin/users.html, /admin/password.html)', { skip }, () => {
  let server;
  let api;
  let admin;
  let browser;
  let olle;             // Olle's user as the API last answered
  let adminPage;        // the admin's tab, kept over the tests of the account's life
  let adminContext;
  let adminProblems;
  let olleContext;      // Olle's own browser, signed in
  let ollePage;
  let olleProblems;

  const userById = async (id) => {
    const r = await api('GET', '/api/v1/users', undefined, { token: admin });
    assert.equal(r.status, 200, `GET /api/v1/users: ${r.status} ${r.text}`);
    return r.body.items.find((u) => u.id === id);
  };
  const signInStatus = async (email, password) => (await api('POST', '/api/v1/session', { email, password })).status;

  /** Olle's row in the admin's table. */
  const row = () => `#users-body tr[data-user-id="${olle.id}"]`;

  /** The focus is on this action of Olle's row (never lost to <body>). */
  async function assertFocusOn(action) {
    const at = await focusInfo(adminPage);
    assert.equal(at.action, action, `the focus is on ${action}: ${JSON.stringify(at)}`);
    assert.equal(at.user, String(olle.id), `… of Olle’s row: ${JSON.stringify(at)}`);
  }

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    const r = await api('POST', '/api/v1/users', STINA, { token: admin });
    assert.equal(r.status, 201, `POST /api/v1/users: ${r.status} ${r.text}`);
    browser = await launch();
  });

  after(async () => {
    await adminContext?.close();
    await olleContext?.close();
    await browser?.close();
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('an admin opens Users from the menu and adds an organiser by keyboard, after the field errors', async () => {
    ({ context: adminContext, page: adminPage, problems: adminProblems } = await openPage(browser, { locale: 'en-GB' }));
    const page = adminPage;
    await signInByKeyboard(page, server.url, ADMIN);
    // The menu item is the admin's: reached by keyboard from the page, backwards into the menu bar.
    assert.equal(await page.isVisible('.admin-nav a[href="/admin/users.html"]'), true, 'an admin sees Users in the menu');
    await tabTo(page, '.admin-nav a[href="/admin/users.html"]', { backwards: true });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/users\.html$/);
    await page.waitForSelector('#users-body tr');
    assert.equal(await textOf(page, '#content h1'), 'Users');
    assert.equal(await page.title(), 'Users – Organisers – Networking Europe');
    assert.equal(await page.getAttribute('.admin-nav a[href="/admin/users.html"]', 'aria-current'), 'page');
    assert.equal(await page.isVisible('#admins-only'), false);

    // The admin's own row: "(you)", the role as text, no deactivate, role change or reset.
    const self = page.locator('#users-body tr', { hasText: ADMIN_EMAIL });
    assert.equal(await self.count(), 1);
    assert.match((await self.textContent()).replace(/\s+/g, ' '), /\(you\).*Administrator.*Active.*Your own account/);
    assert.equal(await self.locator('select, button').count(), 0, 'no control to change or deactivate yourself');
    assert.equal(await page.getByRole('button', { name: /Deactivate Administrator/ }).count(), 0);

    // First try: an address the server refuses, and a name; its 422 goes to the e-mail field.
    await tabTo(page, '#u-email');
    await page.keyboard.type('olle.organisatorsson.example.org');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'u-name');
    await page.keyboard.type(OLLE.name);
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'u-role');
    assert.equal(await page.inputValue('#u-role'), 'organiser', 'a new user is an organiser unless chosen otherwise');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'add-submit');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary');
    assert.match(await textOf(page, '#error-summary'), /E-mail must be a valid e-mail address/);
    assert.equal(await page.getAttribute('#u-email', 'aria-invalid'), 'true');
    assert.ok((await page.getAttribute('#u-email', 'aria-describedby')).split(' ').includes('u-email-error'),
      'the e-mail field is described by its error');
    assert.match(await textOf(page, '#u-email-error'), /E-mail must be a valid e-mail address/);
    assert.equal(await page.getAttribute('#u-name', 'aria-invalid'), null, 'the name was fine');
    assert.equal(await page.getAttribute('#u-role', 'aria-describedby'), 'u-role-hint');

    // The summary's link leads to the field; an address that already has an account is refused at the field too.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#u-email');
    await page.keyboard.press('Enter');
    assert.equal((await focused(page)).id, 'u-email');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(STINA.email.toUpperCase());
    await tabTo(page, '#add-submit');
    await page.keyboard.press('Enter');
    await waitForText(page, '#u-email-error', /E-mail already belongs to an account/);
    assert.equal((await focused(page)).id, 'error-summary');
    assert.equal(await page.getAttribute('#u-email', 'aria-invalid'), 'true');

    // Right this time: no password is asked for; the server mails an invitation.
    assert.equal(await page.locator('#add-form input[type="password"]').count(), 0, 'the form asks for no password');
    await tabTo(page, '#u-email');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(OLLE.email);
    await tabTo(page, '#add-submit');
    await page.keyboard.press('Enter');
    await waitForText(page, '#users-status', new RegExp(`^Invitation mailed to ${OLLE.email.replace(/\./g, '\\.')}\\. ${OLLE.name} is added as Organiser\\.$`));
    assert.equal(await page.getAttribute('#users-status', 'role'), 'status');
    assert.equal(await page.getAttribute('#users-status', 'aria-live'), 'polite');
    assert.equal((await focused(page)).id, 'add-submit', 'the focus stays on the button that was pressed');
    assert.equal(await page.isVisible('#error-summary'), false, 'the errors are gone');
    assert.equal(await page.getAttribute('#u-email', 'aria-invalid'), null);
    assert.equal(await page.inputValue('#u-email'), '', 'the form is empty for the next user');

    const users = (await api('GET', '/api/v1/users', undefined, { token: admin })).body.items;
    olle = users.find((u) => u.email === OLLE.email);
    assert.ok(olle, 'the new user is on the server');
    assert.equal(olle.role, 'organiser');
    assert.equal(olle.name, OLLE.name);
    assert.equal(olle.password_reset_pending, true, 'the new user has no password yet');
    await page.waitForSelector(row());
    assert.match(await textOf(page, row()), /Waiting for a new password/);

    // The invitation, in the outbox: addressed to Olle, with a link to choose the password.
    const invite = await newMail(server, OLLE.email, 'account_invite');
    assert.ok(invite.link, `the invitation holds a /admin/password.html#token= link:\n${invite.text.slice(0, 2000)}`);
    olle.inviteUrl = onServer(server, invite.link);
    assertNoProblems(adminProblems, EXPECTED);
  });

  test('the organiser follows the link, chooses a password by keyboard and signs in', async () => {
    assert.ok(olle?.inviteUrl, 'the invitation of the first test');
    ({ context: olleContext, page: ollePage, problems: olleProblems } = await openPage(browser, { locale: 'en-GB' }));
    const page = ollePage;
    await page.goto(olle.inviteUrl);
    await page.waitForSelector('#choose:not([hidden])');
    assert.equal(new URL(page.url()).hash, '', 'the token is taken out of the address bar');
    assert.equal(await textOf(page, '#choose-h1'), 'Choose a new password');
    assert.equal(await page.title(), 'Choose a new password – Organisers – Networking Europe');
    assert.equal(await page.isVisible('#forgot'), false);
    assert.equal(await page.getAttribute('#cp-password', 'autocomplete'), 'new-password');

    // Too short, then two different ones: said at the fields and in a focused summary, before anything is sent.
    await tabTo(page, '#cp-password');
    await page.keyboard.type('kort');
    await page.keyboard.press('Tab');
    await page.keyboard.type('kort');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'choose-summary');
    assert.match(await textOf(page, '#choose-summary'), /The new password must be at least 10 characters/);
    assert.equal(await page.getAttribute('#cp-password', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('#cp-password', 'aria-describedby'), 'cp-password-hint cp-password-error');
    await tabTo(page, '#cp-password');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(FIRST_PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(`${FIRST_PASSWORD}!`);
    await page.keyboard.press('Enter');
    await waitForText(page, '#cp-repeat-error', /The two passwords are not the same/);
    assert.equal(await page.getAttribute('#cp-password', 'aria-invalid'), null, 'the first one is fine now');
    assert.equal(await page.getAttribute('#cp-repeat', 'aria-invalid'), 'true');
    assert.ok((await page.getAttribute('#cp-repeat', 'aria-describedby')).includes('cp-repeat-error'));
    assert.equal(await signInStatus(OLLE.email, FIRST_PASSWORD), 401, 'nothing was sent');

    await tabTo(page, '#cp-repeat');
    await page.keyboard.press('Control+A');
    await page.keyboard.type(FIRST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#done:not([hidden])');
    assert.equal((await focused(page)).id, 'done-h1', 'the focus goes to the success message');
    assert.equal(await textOf(page, '#done-h1'), 'Your new password is saved');
    assert.equal((await userById(olle.id)).password_reset_pending, false);

    // The link works once.
    const again = await api('POST', '/api/v1/password-reset/complete', { token: new URL(olle.inviteUrl).hash.split('=')[1], password: 'another good password' });
    assert.equal(again.status, 422, `a used link: ${again.status} ${again.text}`);
    assert.ok(again.body.errors.some((e) => e.field === 'token'), again.text);

    // "Sign in" leads to the sign-in form.
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).id, 'done-signin');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/$/);
    await page.waitForSelector('#signin:not([hidden])');
    await page.keyboard.type(OLLE.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(FIRST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#content:not([hidden])');
    assert.match(await textOf(page, '#who'), new RegExp(`${OLLE.name} \\(organiser\\)`));
    assert.equal(await page.isVisible('.admin-nav a[href="/admin/users.html"]'), false, 'only admins see Users in the menu');
    assert.equal(await page.isVisible('.admin-nav a[href="/admin/edit.html"]'), true, 'an organiser edits');

    // Users is the admins' page: an organiser who goes there anyway reads a note, and the list is not requested.
    const asked = [];
    page.on('request', (req) => { if (new URL(req.url()).pathname === '/api/v1/users') asked.push(req.method()); });
    await page.goto(`${server.url}/admin/users.html`);
    await page.waitForSelector('#content:not([hidden])');
    await page.waitForSelector('#admins-only:not([hidden])');
    assert.match(await textOf(page, '#admins-only'), /Only administrators manage accounts/);
    assert.equal(await page.isVisible('#users-admin'), false);
    assert.equal(await page.locator('#users-body tr').count(), 0);
    assert.deepEqual(asked, [], 'an organiser’s page does not ask for the users');
    assertNoProblems(olleProblems, EXPECTED);
  });

  test('the controls of a row are named after the person; the admin makes the organiser a steering member', async () => {
    assert.ok(ollePage, 'the organiser of the previous test');
    const page = adminPage;
    for (const [role, name] of [['button', `Save role for ${OLLE.name}`], ['button', `Deactivate ${OLLE.name}`],
      ['button', `Send password reset to ${OLLE.name}`], ['combobox', `Role of ${OLLE.name}`]]) {
      assert.equal(await page.getByRole(role, { name, exact: true }).count(), 1, `a ${role} named "${name}"`);
    }
    // Saving the role unchanged changes nothing and says so.
    await tabTo(page, `#role-${olle.id}`);
    await page.keyboard.press('Tab');
    await assertFocusOn('save_role');
    await page.keyboard.press('Enter');
    await waitForText(page, '#users-status', /already has the role Organiser/);

    // Organiser -> steering group, by keyboard: the choice after "Organiser".
    await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page)).id, `role-${olle.id}`);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.inputValue(`#role-${olle.id}`), 'steering');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await waitForText(page, '#users-status', new RegExp(`^${OLLE.name} now has the role Steering group \\(read-only\\)\\.$`));
    await assertFocusOn('save_role');
    assert.equal(await page.inputValue(`#role-${olle.id}`), 'steering');
    assert.equal((await userById(olle.id)).role, 'steering');

    // The organiser's open tab reads only from the next page on.
    await ollePage.goto(`${server.url}/admin/`);
    await ollePage.waitForSelector('#content:not([hidden])');
    assert.match(await textOf(ollePage, '#who'), /steering group, read-only/);
    assert.equal(await ollePage.isVisible('[data-readonly-note]'), true, 'the read-only note is shown');
    assert.equal(await ollePage.isVisible('a.button.primary[href="/admin/edit.html"]'), false, 'no "New event"');
    assert.equal(await ollePage.isVisible('.admin-nav a[href="/admin/users.html"]'), false);
    assertNoProblems(adminProblems, EXPECTED);
  });

  test('a password reset asks first, ends the password and the sessions, and mails a new link', async () => {
    assert.ok(ollePage, 'the organiser of the earlier tests');
    const page = adminPage;
    const knownMails = accountMails(server, OLLE.email, 'password_reset').map((m) => m.file);
    assert.equal(await signInStatus(OLLE.email, FIRST_PASSWORD), 200, 'the password works before the reset');

    // The question says what will happen; the safe choice has the focus; saying no changes nothing.
    await tabTo(page, `${row()} button[data-action="reset"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.confirm[open]');
    const question = await textOf(page, 'dialog.confirm');
    assert.match(question, new RegExp(`Send ${OLLE.name} a password reset\\?`));
    assert.match(question, /stops working at once/);
    assert.match(question, /signed out/);
    assert.match(question, new RegExp(`mailed to ${OLLE.email.replace(/\./g, '\\.')}`));
    assert.equal(await textOf(page, ':focus'), 'No, cancel');
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.confirm', { state: 'detached' });
    await assertFocusOn('reset');
    assert.equal((await userById(olle.id)).password_reset_pending, false, 'no is no');

    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.confirm[open]');
    await page.keyboard.press('Tab');
    assert.equal(await textOf(page, ':focus'), 'Yes, send the link');
    await page.keyboard.press('Enter');
    await waitForText(page, '#users-status', new RegExp(`^${OLLE.name} is signed out, and a link to choose a new password was mailed to ${OLLE.email.replace(/\./g, '\\.')}\\.$`));
    await assertFocusOn('reset');
    assert.match(await textOf(page, row()), /Waiting for a new password/);
    assert.equal((await userById(olle.id)).password_reset_pending, true);

    // The old password fails at once, and Olle's open tab is signed out.
    assert.equal(await signInStatus(OLLE.email, FIRST_PASSWORD), 401, 'the old password stopped working');
    await ollePage.goto(`${server.url}/admin/`);
    await ollePage.waitForSelector('#signin:not([hidden])');

    // A new mail with a new link; with it Olle chooses a new password and signs in.
    const mail = await newMail(server, OLLE.email, 'password_reset', knownMails);
    assert.ok(mail.link, `the reset mail holds a /admin/password.html#token= link:\n${mail.text.slice(0, 2000)}`);
    assert.notEqual(mail.token, new URL(olle.inviteUrl).hash.split('=')[1], 'a new link');
    await choosePassword(ollePage, onServer(server, mail.link), SECOND_PASSWORD);
    assert.equal(await signInStatus(OLLE.email, SECOND_PASSWORD), 200, 'the new password works');
    assertNoProblems(adminProblems, EXPECTED);
    assertNoProblems(olleProblems, EXPECTED);
  });

  test('deactivating asks first and stops the sign-in; reactivating lets the user in again', async () => {
    assert.ok(olle, 'the organiser of the earlier tests');
    const page = adminPage;
    await page.reload();
    await page.waitForSelector(row());
    assert.match(await textOf(page, row()), /Active/);

    await tabTo(page, `${row()} button[data-action="deactivate"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog.confirm[open]');
    assert.match(await textOf(page, 'dialog.confirm'), new RegExp(`Deactivate ${OLLE.name}\\?.*signed out at once and cannot sign in`));
    await page.keyboard.press('Tab');
    assert.equal(await textOf(page, ':focus'), 'Yes, deactivate');
    await page.keyboard.press('Enter');
    await waitForText(page, '#users-status', new RegExp(`^${OLLE.name} is deactivated and signed out\\.$`));
    await assertFocusOn('reactivate');
    assert.equal(await page.getByRole('button', { name: `Reactivate ${OLLE.name}`, exact: true }).count(), 1);
    assert.match(await textOf(page, row()), /Deactivated/);
    assert.equal(await page.locator(`${row()} button[data-action="reset"]`).count(), 0, 'no reset for a deactivated account');
    assert.equal((await userById(olle.id)).active, false);
    assert.equal(await signInStatus(OLLE.email, SECOND_PASSWORD), 401, 'a deactivated user cannot sign in');

    await page.keyboard.press('Enter');
    await waitForText(page, '#users-status', new RegExp(`^${OLLE.name} is active again and can sign in\\.$`));
    await assertFocusOn('deactivate');
    assert.equal((await userById(olle.id)).active, true);
    assert.equal(await signInStatus(OLLE.email, SECOND_PASSWORD), 200, 'reactivated, the user signs in again');

    // The page offers no way to deactivate yourself, and the server refuses it too.
    const me = (await api('GET', '/api/v1/session', undefined, { token: admin })).body.user;
    assert.equal(await page.locator(`#users-body tr[data-user-id="${me.id}"] button, #users-body tr[data-user-id="${me.id}"] select`).count(), 0);
    const refused = await api('PATCH', `/api/v1/users/${me.id}`, { active: false }, { token: admin });
    assert.equal(refused.status, 409, `deactivating yourself: ${refused.status} ${refused.text}`);
    assertNoProblems(adminProblems, EXPECTED);
  });

  test('"Forgot your password?" from the sign-in form: the same answer for any address, a link for a user', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(`${server.url}/admin/`);
      await page.waitForSelector('#signin:not([hidden])');
      await tabTo(page, '#signin-forgot');
      assert.equal(await textOf(page, '#signin-forgot'), 'Forgot your password?');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/admin\/password\.html$/);
      await page.waitForSelector('#forgot:not([hidden])');
      assert.equal(await textOf(page, '#forgot-h1'), 'Forgot your password?');
      assert.equal(await page.isVisible('#choose'), false);

      // Not an address: said at the field, nothing sent.
      await tabTo(page, '#fp-email');
      await page.keyboard.type('stina.styrgrupp');
      await page.keyboard.press('Enter');
      await waitForText(page, '#fp-email-error', /Write a complete e-mail address/);
      assert.equal((await focused(page)).id, 'fp-email');
      assert.equal(await page.getAttribute('#fp-email', 'aria-invalid'), 'true');
      assert.equal(await page.getAttribute('#fp-email', 'aria-describedby'), 'fp-email-error');

      // An unknown address and a user's get the same neutral sentence; only the user gets a mail.
      const neutral = /^If that address belongs to an account, a link to choose a new password is on its way\./;
      await page.keyboard.press('Control+A');
      await page.keyboard.type('nobody.here@example.org');
      await page.keyboard.press('Enter');
      await waitForText(page, '#forgot-status', neutral);
      const unknownAnswer = await textOf(page, '#forgot-status');
      assert.equal(await page.getAttribute('#fp-email', 'aria-invalid'), null);
      const known = accountMails(server, STINA.email, 'password_reset').map((m) => m.file);
      await tabTo(page, '#fp-email', { backwards: true });
      await page.keyboard.press('Control+A');
      await page.keyboard.type(STINA.email);
      await page.keyboard.press('Enter');
      const mail = await newMail(server, STINA.email, 'password_reset', known);
      await waitForText(page, '#forgot-status', neutral);
      assert.equal(await textOf(page, '#forgot-status'), unknownAnswer, 'the same words whether or not the address is a user’s');
      assert.equal(await page.getAttribute('#forgot-status', 'role'), 'status');
      assert.deepEqual(accountMails(server, 'nobody.here@example.org', 'password_reset'), [], 'no mail to an unknown address');

      assert.ok(mail.link, mail.text.slice(0, 2000));
      assert.equal(await signInStatus(STINA.email, STINA.password), 200, 'asking for a link does not end the password');

      // A made-up link is refused with a way on; the mailed one works.
      await page.goto(`${server.url}/admin/password.html#token=made-up-token-made-up-token-made-up-token`);
      await page.waitForSelector('#choose:not([hidden])');
      await tabTo(page, '#cp-password');
      await page.keyboard.type('a good new password');
      await page.keyboard.press('Tab');
      await page.keyboard.type('a good new password');
      await page.keyboard.press('Enter');
      await waitForText(page, '#choose-summary', /This link is unknown, already used or expired/);
      assert.equal((await focused(page)).id, 'choose-summary');
      assert.equal(await page.getAttribute('#new-link', 'href'), '/admin/password.html');

      const newPassword = 'stinas nya losenord 7';
      await choosePassword(page, onServer(server, mail.link), newPassword);
      await tabTo(page, '#done-signin');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#signin:not([hidden])');
      await page.keyboard.type(STINA.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(newPassword);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#content:not([hidden])');
      assert.match(await textOf(page, '#who'), new RegExp(STINA.name));
      assert.equal(await signInStatus(STINA.email, STINA.password), 401, 'the old password is gone');
      assertNoProblems(problems, EXPECTED);
    } finally {
      await context.close();
    }
  });

  test('no serious or critical axe-core violations on users.html and password.html, every mode, in Swedish and English', async () => {
    // Rows in every state: active, waiting for a password (an invitation), deactivated.
    for (const [email, name] of [['ines.inbjuden@example.org', 'Ines Inbjuden'], ['dan.deaktiverad@example.org', 'Dan Deaktiverad']]) {
      const r = await api('POST', '/api/v1/users', { email, name, role: 'organiser' }, { token: admin });
      assert.equal(r.status, 201, r.text);
      if (name === 'Dan Deaktiverad') {
        const d = await api('PATCH', `/api/v1/users/${r.body.id}`, { active: false }, { token: admin });
        assert.equal(d.status, 200, d.text);
      }
    }
    for (const [language, locale, h1, forgotH1, chooseH1] of [
      ['sv', 'sv-SE', 'Användare', 'Glömt lösenordet?', 'Välj ett nytt lösenord'],
      ['en', 'en-GB', 'Users', 'Forgot your password?', 'Choose a new password']]) {
      // bypassCSP lets addScriptTag inject axe; the other tests run under the server's CSP and fail on any violation.
      const { context, page, problems } = await openPage(browser, { locale, bypassCSP: true });
      try {
        await page.goto(`${server.url}/admin/users.html`);
        await page.waitForSelector('#signin:not([hidden])');
        assert.equal(await page.isVisible('#signin-forgot'), true);
        await assertAccessible(page, `sign-in with its forgot link (${language})`);
        await page.fill('#signin-email', ADMIN_EMAIL);
        await page.fill('#signin-password', ADMIN_PASSWORD);
        await page.press('#signin-password', 'Enter');
        await page.waitForSelector('#users-body tr[data-user-id]');
        assert.equal(await page.getAttribute('html', 'lang'), language);
        assert.equal(await textOf(page, '#content h1'), h1);
        assert.equal(await page.locator('#users-body .badge-deactivated').count(), 1);
        assert.ok(await page.locator('#users-body .badge-pending').count() >= 1);
        await assertAccessible(page, `users (${language})`);

        await page.fill('#u-email', 'inte-en-adress');
        await page.fill('#u-name', '');
        await page.click('#add-submit');
        await page.waitForSelector('#error-summary:not([hidden])');
        assert.equal(await page.getAttribute('#u-name', 'aria-invalid'), 'true');
        await assertAccessible(page, `users, the add form with errors (${language})`);
        await page.fill('#u-name', 'Ulla Ogiltig');
        await page.click('#add-submit');
        await page.waitForFunction(() => document.querySelector('#u-name').getAttribute('aria-invalid') === null
          && document.querySelector('#u-email').getAttribute('aria-invalid') === 'true');
        await assertAccessible(page, `users, the server's field error (${language})`);

        await page.click(`#users-body button[data-action="reset"]`);
        await page.waitForSelector('dialog.confirm[open]');
        await assertAccessible(page, `users, the reset question (${language})`);
        await page.keyboard.press('Escape');
        await page.waitForSelector('dialog.confirm', { state: 'detached' });

        await page.goto(`${server.url}/admin/password.html`);
        await page.waitForSelector('#forgot:not([hidden])');
        assert.equal(await textOf(page, '#forgot-h1'), forgotH1);
        await assertAccessible(page, `forgot password (${language})`);
        await page.click('#forgot-submit');
        await page.waitForSelector('#fp-email[aria-invalid="true"]');
        await assertAccessible(page, `forgot password, field error (${language})`);
        await page.fill('#fp-email', `nobody.${language}@example.org`);
        await page.click('#forgot-submit');
        await page.waitForSelector('#forgot-status.ok');
        await waitForText(page, '#forgot-status', /./);
        await assertAccessible(page, `forgot password, sent (${language})`);

        const invited = await api('POST', '/api/v1/users', { email: `axe.${language}@example.org`, name: `Axel ${language}`, role: 'steering' }, { token: admin });
        assert.equal(invited.status, 201, invited.text);
        const mail = await newMail(server, `axe.${language}@example.org`, 'account_invite');
        await page.goto(onServer(server, mail.link));
        await page.waitForSelector('#choose:not([hidden])');
        assert.equal(await textOf(page, '#choose-h1'), chooseH1);
        await assertAccessible(page, `choose a password (${language})`);
        await page.fill('#cp-password', 'kort');
        await page.fill('#cp-repeat', 'annat');
        await page.click('#choose-submit');
        await page.waitForSelector('#choose-summary:not([hidden])');
        await assertAccessible(page, `choose a password, errors (${language})`);
        await page.fill('#cp-password', 'ett bra lösenord');
        await page.fill('#cp-repeat', 'ett bra lösenord');
        await page.click('#choose-submit');
        await page.waitForSelector('#done:not([hidden])');
        await assertAccessible(page, `password saved (${language})`);

        // The note an organiser sees instead of the list.
        await page.goto(`${server.url}/admin/`);
        await page.waitForSelector('#content:not([hidden])');
        await page.click('#sign-out');
        await page.waitForSelector('#signin:not([hidden])');
        await page.goto(`${server.url}/admin/users.html`);
        await page.waitForSelector('#signin:not([hidden])');
        await page.fill('#signin-email', OLLE.email);
        await page.fill('#signin-password', SECOND_PASSWORD);
        await page.press('#signin-password', 'Enter');
        await page.waitForSelector('#admins-only:not([hidden])');
        await assertAccessible(page, `users, not an admin (${language})`);
        assertNoProblems(problems, EXPECTED);
      } finally {
        await context.close();
      }
    }
  });

  test('the pages speak Swedish after the language switch, errors included', async () => {
    const { context, page, problems } = await openPage(browser, { locale: 'en-GB' });
    try {
      await page.goto(`${server.url}/admin/password.html`);
      await page.waitForSelector('#forgot:not([hidden])');
      await page.click('#forgot-submit');
      await page.waitForSelector('#fp-email[aria-invalid="true"]');
      await page.click('button[data-set-lang="sv"]');
      assert.equal(await page.getAttribute('html', 'lang'), 'sv');
      assert.equal(await textOf(page, '#forgot-h1'), 'Glömt lösenordet?');
      assert.equal(await textOf(page, '#fp-email-error'), 'Skriv din e-postadress.');
      assert.equal(await page.title(), 'Glömt lösenordet? – Arrangörer – Networking Europe');

      await signInByKeyboard(page, server.url, ADMIN, '/admin/users.html');
      await page.waitForSelector(row());
      assert.equal(await textOf(page, '#content h1'), 'Användare');
      assert.equal(await page.getByRole('button', { name: `Inaktivera ${OLLE.name}`, exact: true }).count(), 1);
      assert.equal(await page.getByRole('button', { name: `Skicka länk för nytt lösenord till ${OLLE.name}`, exact: true }).count(), 1);
      assert.equal(await page.getByRole('combobox', { name: `Roll för ${OLLE.name}`, exact: true }).count(), 1);
      assert.match(await textOf(page, `#users-body tr[data-user-id="1"]`), /\(du\).*Administratör.*Ditt eget konto/);
      assertNoProblems(problems, EXPECTED);
    } finally {
      await context.close();
    }
  });
});

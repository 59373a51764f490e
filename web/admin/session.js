// What every organisers' page shares: the sign-in, the bearer token in sessionStorage, authorised API calls,
// the header (menu, who is signed in, sign-out) and the role check (the steering group reads only).
// What every organisers' page shares: the sign-in form, the header (menu, who is signed in, sign-out) and the
// role check (the steering group reads only). The session itself is lib/session.js, shared with the door app.
import './strings.js';
import { h, $ } from '../lib/dom.js';
import { t, label, has, applyTranslations, onLanguageChange } from '../lib/i18n.js';
import { errorText } from '../lib/errors.js';
import { initPage } from '../lib/page.js';
import { getSession, setSession, currentUser, canEdit, authHeaders, onSessionEnded, signIn, refreshSession, signOut as endSession } from '../lib/session.js';

export { call, canEdit } from '../lib/session.js';

/** True when the signed-in user manages accounts (the admin role). */
export function isAdmin(user = currentUser()) { return !!user && user.role === 'admin'; }

let readyHandler = null;
let signinSection = null;

/**
 * Downloads a file the API serves only to signed-in organisers (e.g. a CSV export): fetched with the bearer token,
 * then handed to the browser as a download. Throws like call() when the server refuses.
 */
export async function download(path, filename) {
  const res = await fetch(path, { headers: authHeaders(), credentials: 'omit' });
  if (res.status === 401 && getSession()) { setSession(null); sessionEnded(); }
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Label of an enum value, with the organisers' shorter wording where there is one (admin.need.*, admin.org.*). */
export function adminLabel(group, value) {
  const key = group === 'need' ? `admin.need.${value}` : group === 'organisation_type' ? `admin.org.${value}` : null;
  return key && has(key) ? t(key) : label(group, value);
}

function renderWho() {
  const who = $('who');
  if (!who) return;
  const user = currentUser();
  who.textContent = user ? t('admin.signed_in_as', { name: user.name || user.email, role: t(`admin.role.${user.role}`) }) : '';
}

/** Shows the parts of the page that need a signed-in user, and hides the edit controls from the steering group. */
function showSignedIn() {
  if (signinSection) signinSection.hidden = true;
  $('admin-bar').hidden = false;
  $('content').hidden = false;
  const editor = canEdit();
  for (const el of document.querySelectorAll('[data-requires-edit]')) el.hidden = !editor;
  for (const el of document.querySelectorAll('[data-readonly-note]')) el.hidden = editor;
  // Accounts are the administrators' alone (users.html); the menu item is not shown to anyone else.
  const admin = isAdmin();
  for (const el of document.querySelectorAll('[data-requires-admin]')) el.hidden = !admin;
  renderWho();
}

function buildSignin() {
  const error = h('p', { class: 'notice error', id: 'signin-error', role: 'alert', hidden: true });
  const email = h('input', { id: 'signin-email', name: 'email', type: 'email', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = h('input', { id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'button primary', 'data-i18n': 'admin.signin.submit' }, t('admin.signin.submit'));
  const form = h('form', { id: 'signin-form', novalidate: true },
    error,
    h('div', { class: 'field' }, h('label', { for: 'signin-email', 'data-i18n': 'admin.signin.email' }), email),
    h('div', { class: 'field' }, h('label', { for: 'signin-password', 'data-i18n': 'admin.signin.password' }), password),
    h('div', { class: 'button-row' }, submit));
  // A plain link: the page that asks for a link to choose a new password needs no sign-in.
  const forgot = h('p', { class: 'signin-forgot' },
    h('a', { href: '/admin/password.html', id: 'signin-forgot', 'data-i18n': 'admin.signin.forgot' }));
  const section = h('section', { id: 'signin', class: 'signin', 'aria-labelledby': 'signin-h', hidden: true },
    h('h1', { id: 'signin-h', 'data-i18n': 'admin.signin.h1' }),
    h('p', { 'data-i18n': 'admin.signin.intro' }),
    form,
    forgot);
  applyTranslations(section);

  let busy = false;
  const fail = (text, focus = password) => {
    error.textContent = text;
    error.hidden = false;
    focus.focus();
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    const creds = { email: email.value.trim(), password: password.value };
    if (!creds.email || !creds.password) { fail(t('admin.signin.missing'), creds.email ? password : email); return; }
    busy = true;
    submit.disabled = true;
    submit.textContent = t('admin.signin.busy');
    try {
      await signIn(creds.email, creds.password);
      password.value = '';
      error.hidden = true;
      ready({ focusMain: true });
    } catch (err) {
      fail(err && (err.status === 401 || err.status === 422) ? t('admin.signin.failed') : errorText(err, 'admin.signin.failed'));
    } finally {
      busy = false;
      submit.disabled = false;
      submit.textContent = t('admin.signin.submit');
    }
  });
  return section;
}

/** Shows the sign-in form instead of the page's content, with an optional message (e.g. the session ended). */
function showSignin(message) {
  $('content').hidden = true;
  $('admin-bar').hidden = true;
  if (!signinSection) {
    signinSection = buildSignin();
    $('main').prepend(signinSection);
  }
  const loading = $('page-loading');
  if (loading) loading.hidden = true;
  signinSection.hidden = false;
  document.title = t('admin.signin.title');
  const error = $('signin-error');
  error.hidden = !message;
  error.textContent = message || '';
  $('signin-email').focus();
}

function sessionEnded() {
  showSignin(t('admin.signin.expired'));
}

function ready({ focusMain = false } = {}) {
  const loading = $('page-loading');
  if (loading) loading.hidden = true;
  showSignedIn();
  if (focusMain) $('main').focus();
  if (readyHandler) readyHandler(currentUser());
}

async function signOut() {
  await endSession();
  location.href = new URL('./', import.meta.url).pathname;
}

/** Marks the menu link of this page with aria-current (the menu is part of the shell every page shares). */
function markCurrentPage() {
  const here = (u) => u.pathname.replace(/index\.html$/, '') + u.search;
  for (const a of document.querySelectorAll('.admin-nav a')) {
    if (here(new URL(a.href)) === here(location)) a.setAttribute('aria-current', 'page');
  }
}

/**
 * Starts an organisers' page: translations, language switch, skip link, header; then the sign-in form, or
 * onReady(user) at once when this tab holds a valid session. onReady runs again after a new sign-in.
 */
export async function startAdminPage({ onReady }) {
  readyHandler = onReady;
  onSessionEnded(sessionEnded);
  initPage();
  markCurrentPage();
  const signOutButton = $('sign-out');
  if (signOutButton) signOutButton.addEventListener('click', signOut);
  onLanguageChange(() => {
    renderWho();
    if (signinSection && !signinSection.hidden) document.title = t('admin.signin.title');
  });
  if (!getSession()?.token) { showSignin(); return; }
  try {
    // Confirms the token still works and refreshes the role (it may have changed since the sign-in).
    await refreshSession();
  } catch (err) {
    if (err && err.status === 401) return; // the sign-in form is shown already
    // No answer: carry on with what we have; the page's own calls will say what is wrong.
  }
  ready();
}

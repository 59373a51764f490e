// What every organisers' page shares: the sign-in, the bearer token in sessionStorage, authorised API calls,
// the header (menu, who is signed in, sign-out) and the role check (the steering group reads only).
import './strings.js';
import { api } from '../js/api.js';
import { h } from '../js/dom.js';
import { t, label, has, applyTranslations, onLanguageChange } from '../js/i18n.js';
import { initPage, errorText } from '../js/page.js';

// The same key and shape ({token, csrf_token, user}) as the door app (web/checkin/api.js): one sign-in in a tab
// serves both, so the event page's link to the door app opens signed in. sessionStorage ends with the tab.
const SESSION_KEY = 'eventd.checkin.session';
const EDIT_ROLES = ['admin', 'organiser'];

let session = loadSession();
let readyHandler = null;
let signinSection = null;

function loadSession() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null; } catch { return null; }
}

function saveSession(s) {
  session = s;
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch { /* storage blocked: keep it in memory for this page */ }
}

/** The signed-in user ({id, email, name, role}) or null. */
export function currentUser() { return session ? session.user : null; }

/** True when the user may create and change events and cancel registrations (organisers and admins). */
export function canEdit(user = currentUser()) { return !!user && EDIT_ROLES.includes(user.role); }

/**
 * An API call with the bearer token; cookies are not sent (credentials: 'omit'), so no CSRF state is involved.
 * Resolves to the JSON body; rejects with ApiError. A 401 means the session ended: the sign-in form comes back.
 */
export async function call(method, path, body, { headers: more = {} } = {}) {
  const headers = { ...more, ...(session && session.token ? { Authorization: `Bearer ${session.token}` } : {}) };
  try {
    return await api(method, path, body, { headers, credentials: 'omit' });
  } catch (err) {
    if (err && err.status === 401 && session) sessionEnded();
    throw err;
  }
}

/**
 * Downloads a file the API serves only to signed-in organisers (e.g. a CSV export): fetched with the bearer token,
 * then handed to the browser as a download. Throws like call() when the server refuses.
 */
export async function download(path, filename) {
  const res = await fetch(path, { headers: session && session.token ? { Authorization: `Bearer ${session.token}` } : {}, credentials: 'omit' });
  if (res.status === 401 && session) sessionEnded();
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

const $ = (id) => document.getElementById(id);

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
  const section = h('section', { id: 'signin', class: 'signin', 'aria-labelledby': 'signin-h', hidden: true },
    h('h1', { id: 'signin-h', 'data-i18n': 'admin.signin.h1' }),
    h('p', { 'data-i18n': 'admin.signin.intro' }),
    form);
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
      const res = await api('POST', '/api/v1/session', creds, { credentials: 'omit' });
      saveSession({ token: res.token, csrf_token: res.csrf_token, user: res.user });
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
  saveSession(null);
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
  try { await call('DELETE', '/api/v1/session'); } catch { /* the token ends with the tab anyway */ }
  saveSession(null);
  location.href = new URL('./', import.meta.url).pathname;
}

/**
 * Starts an organisers' page: translations, language switch, skip link, header; then the sign-in form, or
 * onReady(user) at once when this tab holds a valid session. onReady runs again after a new sign-in.
 */
export async function startAdminPage({ onReady }) {
  readyHandler = onReady;
  initPage();
  const signOutButton = $('sign-out');
  if (signOutButton) signOutButton.addEventListener('click', signOut);
  onLanguageChange(() => {
    renderWho();
    if (signinSection && !signinSection.hidden) document.title = t('admin.signin.title');
  });
  if (!session || !session.token) { showSignin(); return; }
  try {
    // Confirms the token still works and refreshes the role (it may have changed since the sign-in).
    const res = await call('GET', '/api/v1/session');
    if (res && res.user) saveSession({ ...session, user: res.user, csrf_token: res.csrf_token || session.csrf_token });
  } catch (err) {
    if (err && err.status === 401) return; // call() has shown the sign-in form
    // No answer: carry on with what we have; the page's own calls will say what is wrong.
  }
  ready();
}

// Choosing a password without being signed in (password.html). Without a token: "Forgot your password?", which asks
// POST /api/v1/password-reset for a mailed link and always says the same neutral sentence (the server answers 202
// whether or not the address is a user's, so nobody can probe addresses). With the mailed link's #token=...: "Choose
// a new password", twice, sent to POST /api/v1/password-reset/complete; then a link to sign in. Invitations of new
// users come here too (the same link, valid longer).
//
// The token travels in the fragment so that it never reaches a server log or a Referer; it is taken out of the
// address bar at once (history.replaceState), so it is not left in the history or a bookmark either.
import './strings.js';
import './users-strings.js';
import { api } from '../lib/api.js';
import { $, h } from '../lib/dom.js';
import { t, onLanguageChange } from '../lib/i18n.js';
import { initPage } from '../lib/page.js';
import { clearErrors, markFieldInvalid, showErrorSummary, showSummaryMessage, errorText } from '../lib/errors.js';

const MIN = 10;
const MAX = 1024;

/** The token of the mailed link, removed from the address bar. */
function takeToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return token ? token.trim() : null;
}

let token = takeToken();
let mode = null;              // 'forgot' | 'choose' | 'done'
let forgotShown = null;       // {kind, key} shown under the forgot form, said again after a language switch
let forgotError = null;       // the e-mail field's message key
let chooseErrors = null;      // [{field, key | text}] shown on the choose form
let chooseProblem = null;     // a failure that belongs to no field (network, rate limit): () => text
let sending = false;

function setMode(next, { focus = false } = {}) {
  mode = next;
  for (const id of ['forgot', 'choose', 'done']) $(id).hidden = id !== next;
  $('page-loading').hidden = true;
  $('content').hidden = false;
  document.title = t(`admin.password.title.${next}`);
  if (focus) $(`${next}-h1`).focus();
}

// ---------------------------------------------------------------- forgot: ask for a link

const forgotForm = $('forgot-form');
const forgotStatus = $('forgot-status');
const emailInput = $('fp-email');

function showForgotStatus(kind, key, { say = true } = {}) {
  forgotShown = kind ? { kind, key } : null;
  forgotStatus.className = kind ? `form-status notice ${kind}` : 'form-status';
  const text = kind ? (typeof key === 'function' ? key() : t(key)) : '';
  if (!say) { forgotStatus.textContent = text; return; }
  // Cleared first and filled a moment later, so that the same sentence a second time is read out again.
  forgotStatus.textContent = '';
  if (text) setTimeout(() => { if (forgotShown && forgotShown.key === key) forgotStatus.textContent = text; }, 30);
}

function showEmailError(key, { focus = true } = {}) {
  clearErrors(forgotForm);
  forgotError = key;
  if (!key) return;
  markFieldInvalid({ error: $('fp-email-error'), describe: emailInput }, t(key), [emailInput]);
  if (focus) emailInput.focus();
}

async function onForgot(ev) {
  ev.preventDefault();
  if (sending) return;
  const email = emailInput.value.trim();
  showForgotStatus(null);
  if (!email) { showEmailError('admin.password.msg.email_required'); return; }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) { showEmailError('admin.password.msg.email'); return; }
  showEmailError(null);
  sending = true;
  forgotForm.setAttribute('aria-busy', 'true');
  $('forgot-submit').textContent = t('admin.password.forgot.sending');
  try {
    await api('POST', '/api/v1/password-reset', { email }, { credentials: 'omit' });
    showForgotStatus('ok', 'admin.password.forgot.sent');
  } catch (err) {
    const field = err.status === 422 && err.errors.find((e) => e.field === 'email');
    if (field) showEmailError('admin.password.msg.email');
    else {
      const text = () => errorText(err, 'admin.password.forgot.failed');
      showForgotStatus('error', text);
    }
  } finally {
    sending = false;
    forgotForm.removeAttribute('aria-busy');
    $('forgot-submit').textContent = t('admin.password.forgot.submit');
  }
}

// ---------------------------------------------------------------- choose: the new password

const chooseForm = $('choose-form');
const summary = $('choose-summary');
const password = $('cp-password');
const repeat = $('cp-repeat');
const CONTROLS = { password, repeat };

/** The server's message for the password, in words of the page (the rule is the same: 10 to 1024 characters). */
function passwordKey(value) {
  if (!value) return 'admin.password.msg.password_required';
  return value.length < MIN ? 'admin.password.msg.password_short' : 'admin.password.msg.password_long';
}

function localProblems() {
  const errors = [];
  const pw = password.value;
  const chars = [...pw].length;
  if (!pw) errors.push({ field: 'password', key: 'admin.password.msg.password_required' });
  else if (chars < MIN) errors.push({ field: 'password', key: 'admin.password.msg.password_short' });
  else if (pw.length > MAX) errors.push({ field: 'password', key: 'admin.password.msg.password_long' });
  if (!repeat.value) errors.push({ field: 'repeat', key: 'admin.password.msg.repeat_required' });
  else if (pw && repeat.value !== pw) errors.push({ field: 'repeat', key: 'admin.password.msg.mismatch' });
  return errors;
}

function showChooseErrors(errors, { focus = true } = {}) {
  clearErrors(chooseForm, summary);
  chooseErrors = errors;
  chooseProblem = null;
  const order = ['token', 'password', 'repeat'];
  const items = [...errors].sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field)).map((err) => {
    const text = err.key ? t(err.key) : err.text;
    const control = CONTROLS[err.field] || null;
    if (control) markFieldInvalid({ error: $(`${control.id}-error`), describe: control }, text, [control]);
    return { text, control };
  });
  showErrorSummary(summary, items, { focus: false });
  if (errors.some((e) => e.field === 'token')) {
    // The link is no good: the way on is a new one. A plain link to this page without a token shows the other form.
    summary.append(h('p', {}, h('a', { href: '/admin/password.html', id: 'new-link' }, t('admin.password.new_link'))));
  }
  if (focus) summary.focus();
}

function showChooseProblem(text, { focus = true } = {}) {
  clearErrors(chooseForm, summary);
  chooseErrors = null;
  chooseProblem = text;
  showSummaryMessage(summary, text(), { focus });
}

async function onChoose(ev) {
  ev.preventDefault();
  if (sending) return;
  const local = localProblems();
  if (local.length) { showChooseErrors(local); return; }
  sending = true;
  chooseForm.setAttribute('aria-busy', 'true');
  $('choose-status').textContent = t('admin.password.choose.sending');
  try {
    await api('POST', '/api/v1/password-reset/complete', { token, password: password.value }, { credentials: 'omit' });
    clearErrors(chooseForm, summary);
    chooseErrors = null;
    chooseProblem = null;
    password.value = '';
    repeat.value = '';
    setMode('done', { focus: true });
  } catch (err) {
    if (err.status === 422 && err.errors.length) {
      showChooseErrors(err.errors.map((e) => {
        if (e.field === 'token') return { field: 'token', key: 'admin.password.msg.token' };
        if (e.field === 'password') return { field: 'password', key: passwordKey(password.value) };
        return { field: e.field, text: `${e.field}: ${e.message}` };
      }));
    } else {
      showChooseProblem(() => errorText(err, 'admin.password.choose.failed'));
    }
  } finally {
    sending = false;
    chooseForm.removeAttribute('aria-busy');
    $('choose-status').textContent = '';
  }
}

// ---------------------------------------------------------------- page

initPage();
forgotForm.addEventListener('submit', onForgot);
chooseForm.addEventListener('submit', onChoose);
onLanguageChange(() => {
  if (mode) document.title = t(`admin.password.title.${mode}`);
  $('forgot-submit').textContent = t(sending && mode === 'forgot' ? 'admin.password.forgot.sending' : 'admin.password.forgot.submit');
  if (forgotShown) showForgotStatus(forgotShown.kind, forgotShown.key, { say: false });
  if (forgotError) showEmailError(forgotError, { focus: false });
  if (chooseErrors) showChooseErrors(chooseErrors, { focus: false });
  else if (chooseProblem) showChooseProblem(chooseProblem, { focus: false });
});
// A second link opened in this tab changes only the fragment: the page stays, so it takes the new token itself.
window.addEventListener('hashchange', () => {
  const next = takeToken();
  if (!next) return;
  token = next;
  clearErrors(chooseForm, summary);
  chooseErrors = null;
  chooseProblem = null;
  password.value = '';
  repeat.value = '';
  setMode('choose', { focus: true });
});
setMode(token ? 'choose' : 'forgot');

// The administrators' user management (users.html): every account with its role and status, a form that adds a user
// (the server mails them a link to choose a password), and per row: the role, deactivate / reactivate, and a password
// reset (the password stops working, the user is signed out, a link is mailed). Your own row has none of these: the
// server refuses to demote or deactivate you, and your own password goes through "Forgot your password?".
// Organisers and the steering group see a note instead; the list is not even requested for them.
import './users-strings.js';
import { startAdminPage, call, isAdmin } from './session.js';
import { currentUser } from '../lib/session.js';
import { $, h, replaceChildren, announce } from '../lib/dom.js';
import { t, locale, onLanguageChange } from '../lib/i18n.js';
import { clearErrors as clearFieldErrors, markFieldInvalid, showErrorSummary, showSummaryMessage, errorText } from '../lib/errors.js';
import { confirmDialog } from '../lib/page.js';
import { cell, emailParts } from './ui.js';

const ROLES = ['organiser', 'steering', 'admin'];
const form = $('add-form');
const summary = $('error-summary');
const status = $('users-status');
const body = $('users-body');

// The add form's fields in its order: [API field, control id].
const FIELDS = [['email', 'u-email'], ['name', 'u-name'], ['role', 'u-role']];

// The server's terse English, worded for people in both languages; anything else is shown as sent.
const MESSAGES = [
  [/^is required/, 'admin.users.msg.required'],
  [/valid e-mail address/, 'admin.users.msg.email'],
  [/^must be 1 to 200 characters/, 'admin.users.msg.name'],
  [/^must be one of/, 'admin.users.msg.role'],
  [/invisible/, 'admin.users.msg.hidden'],
];

let users = null;
let loadError = null;
let lastErrors = null;    // the add form's shown errors, to word them again after a language switch
let adding = false;
const busy = new Set();   // ids of users with a change in flight (a second press is ignored)
const draftRoles = new Map(); // id -> a role chosen in the row's select but not saved yet (kept over re-renders)

const roleName = (role) => t(`admin.users.role.${role}`);
const isSelf = (u) => currentUser()?.id === u.id;

// ---------------------------------------------------------------- the list

function statusBadge(u) {
  if (!u.active) return h('span', { class: 'badge badge-deactivated' }, t('admin.users.status.deactivated'));
  if (u.password_reset_pending) {
    return [h('span', { class: 'badge badge-pending' }, t('admin.users.status.pending')),
      h('span', { class: 'cell-note cell-muted' }, t('admin.users.status.pending.hint'))];
  }
  return h('span', { class: 'badge badge-active' }, t('admin.users.status.active'));
}

/** A button whose accessible name carries the person: visible "Deactivate", heard "Deactivate Anna Berg". */
function actionButton(u, action, cls, onclick) {
  return h('button', { type: 'button', class: `button ${cls} small`, 'data-action': action, 'data-user-id': u.id, onclick },
    t(`admin.users.${action}`), h('span', { class: 'visually-hidden' }, ` ${t(`admin.users.${action}.who`, { name: u.name })}`));
}

function roleControl(u) {
  if (isSelf(u)) return roleName(u.role); // the row says "(you)" at the name, and why nothing changes here
  const id = `role-${u.id}`;
  const select = h('select', { id, class: 'role-select', 'data-user-id': u.id,
    onchange: (ev) => draftRoles.set(u.id, ev.currentTarget.value) },
  ROLES.map((r) => h('option', { value: r }, roleName(r))));
  select.value = draftRoles.get(u.id) ?? u.role;
  return h('div', { class: 'role-control' },
    h('label', { for: id, class: 'visually-hidden' }, t('admin.users.role_of', { name: u.name })),
    select,
    actionButton(u, 'save_role', 'secondary', () => saveRole(u.id)));
}

function actions(u) {
  if (isSelf(u)) {
    return h('div', { class: 'self-note' },
      h('p', {}, t('admin.users.self')),
      h('p', {}, h('a', { href: '/admin/password.html' }, t('admin.users.self.password'))));
  }
  return h('div', { class: 'row-actions' },
    u.active ? actionButton(u, 'deactivate', 'danger', () => deactivate(u.id)) : actionButton(u, 'reactivate', 'secondary', () => reactivate(u.id)),
    u.active ? actionButton(u, 'reset', 'secondary', () => sendReset(u.id)) : null);
}

function row(u) {
  return h('tr', { role: 'row', 'data-user-id': u.id, class: isSelf(u) ? 'self-row' : null },
    h('th', { scope: 'row', role: 'rowheader', class: 'title-cell' }, u.name,
      isSelf(u) ? h('span', { class: 'email' }, t('admin.users.you')) : null),
    cell('admin.users.col.email', h('span', { class: 'email-cell' }, emailParts(u.email))),
    cell('admin.users.col.role', roleControl(u)),
    cell('admin.users.col.status', statusBadge(u)),
    cell('admin.users.col.actions', actions(u)));
}

function sorted() {
  const collator = new Intl.Collator(locale(), { sensitivity: 'base' });
  return [...users].sort((a, b) => collator.compare(a.name, b.name) || collator.compare(a.email, b.email) || a.id - b.id);
}

function render() {
  if (loadError) {
    replaceChildren(body);
    $('users-region').hidden = true;
    status.dataset.kind = 'error';
    status.textContent = errorText(loadError, 'admin.users.error');
    return;
  }
  if (!users) return;
  $('users-region').hidden = false;
  replaceChildren(body, sorted().map(row));
}

async function load() {
  try {
    const res = await call('GET', '/api/v1/users');
    users = res && Array.isArray(res.items) ? res.items : [];
    loadError = null;
  } catch (err) {
    if (err.status === 401) return;
    loadError = err;
  }
  render();
}

// ---------------------------------------------------------------- changes to one user

const userById = (id) => (users || []).find((u) => u.id === id);
const control = (id, action) => body.querySelector(`[data-user-id="${id}"][data-action="${action}"]`);

/** Puts the server's answer into the list and redraws that row alone (other rows keep their unsaved choices). */
function replaceUser(updated) {
  const i = users.findIndex((u) => u.id === updated.id);
  if (i >= 0) users[i] = updated; else users.push(updated);
  const old = body.querySelector(`tr[data-user-id="${updated.id}"]`);
  if (old) old.replaceWith(row(updated)); else render();
}

/** Focus on the first of these controls of the user's row that exists, else on the list's heading: never on <body>. */
function focusRow(id, ...actionsInOrder) {
  for (const a of actionsInOrder) {
    const el = control(id, a);
    if (el) { el.focus(); return; }
  }
  $('list-h2').focus();
}

function failText(err, u) {
  if (err.status === 0 || err.status === 429 || err.status >= 500 || typeof err.status !== 'number') return errorText(err, 'admin.users.error');
  if (err.status === 404) return t('admin.users.not_found', { name: u.name });
  // The server's reason, said in the page's language; its English detail only for a reason this page does not know.
  if (err.status === 409 && (err.reason === 'self' || err.reason === 'last_admin'))
    return `${t('admin.users.change_failed', { name: u.name })} ${t(`admin.users.reason.${err.reason}`)}`;
  const detail = err.detail || err.title;
  return detail ? `${t('admin.users.change_failed', { name: u.name })} ${detail}` : t('admin.users.change_failed', { name: u.name });
}

/**
 * Runs one change of a user: the request, then the row redrawn from the answer, the news in the live region and the
 * focus on `focusOn` (the first control of those that exists). A refusal is said in the live region, the focus kept.
 */
async function change(id, { request, said, focusOn, opener }) {
  const u = userById(id);
  if (!u || busy.has(id)) return;
  busy.add(id);
  try {
    const updated = await request(u);
    draftRoles.delete(id);
    replaceUser(updated && updated.id ? updated : { ...u });
    announce(status, said(updated && updated.id ? updated : u), 'info');
    focusRow(id, ...focusOn);
  } catch (err) {
    if (err.status === 401) return; // the sign-in form is shown
    announce(status, failText(err, u), 'error');
    if (err.status === 404) { await load(); $('list-h2').focus(); return; }
    focusRow(id, opener);
  } finally {
    busy.delete(id);
  }
}

function saveRole(id) {
  const u = userById(id);
  const select = $(`role-${id}`);
  if (!u || !select) return;
  const role = select.value;
  if (role === u.role) {
    announce(status, t('admin.users.role_same', { name: u.name, role: roleName(role) }));
    return;
  }
  change(id, {
    request: () => call('PATCH', `/api/v1/users/${id}`, { role }),
    said: (x) => t('admin.users.role_saved', { name: x.name, role: roleName(x.role) }),
    focusOn: ['save_role'],
    opener: 'save_role',
  });
}

async function deactivate(id) {
  const u = userById(id);
  if (!u) return;
  const ok = await confirmDialog({ title: t('admin.users.deactivate.h', { name: u.name }), text: t('admin.users.deactivate.text', { name: u.name }),
    yes: t('admin.users.deactivate.yes'), no: t('admin.users.deactivate.no') });
  if (!ok) return;
  control(id, 'deactivate')?.focus(); // back from the closed dialog until the row is redrawn
  await change(id, {
    request: () => call('PATCH', `/api/v1/users/${id}`, { active: false }),
    said: (x) => t('admin.users.deactivated', { name: x.name }),
    focusOn: ['reactivate', 'deactivate'],
    opener: 'deactivate',
  });
}

function reactivate(id) {
  change(id, {
    request: () => call('PATCH', `/api/v1/users/${id}`, { active: true }),
    said: (x) => t('admin.users.reactivated', { name: x.name }),
    focusOn: ['deactivate', 'reactivate'],
    opener: 'reactivate',
  });
}

async function sendReset(id) {
  const u = userById(id);
  if (!u) return;
  const ok = await confirmDialog({ title: t('admin.users.reset.h', { name: u.name }),
    text: t('admin.users.reset.text', { name: u.name, email: u.email }),
    yes: t('admin.users.reset.yes'), no: t('admin.users.reset.no') });
  if (!ok) return;
  control(id, 'reset')?.focus();
  await change(id, {
    request: () => call('POST', `/api/v1/users/${id}/password-reset`),
    said: (x) => t('admin.users.reset_sent', { name: x.name, email: x.email }),
    focusOn: ['reset', 'deactivate'],
    opener: 'reset',
  });
}

// ---------------------------------------------------------------- the add form

function target(field) {
  const spec = FIELDS.find(([name]) => name === field);
  if (!spec) return null;
  return { name: field, control: $(spec[1]), error: $(`${spec[1]}-error`), label: t(`admin.users.field.${field}`) };
}

function wording(err) {
  if (err.key) return t(err.key);
  const m = String(err.message || '').trim();
  const found = MESSAGES.find(([re]) => re.test(m));
  return found ? t(found[1]) : m;
}

function clearErrors() {
  lastErrors = null;
  clearFieldErrors(form, summary);
}

/** errors: [{field, message}] from the server, or {field, key} found here; each at its field and in the summary. */
function showErrors(errors, { focus = true } = {}) {
  clearErrors();
  lastErrors = errors;
  const order = FIELDS.map(([name]) => name);
  const items = errors.map((err) => {
    const tgt = target(err.field);
    const text = `${tgt ? tgt.label : err.field} ${wording(err)}`;
    if (tgt) markFieldInvalid({ error: tgt.error, describe: tgt.control }, text, [tgt.control]);
    return { rank: tgt ? order.indexOf(tgt.name) : order.length, text, control: tgt ? tgt.control : null };
  });
  items.sort((a, b) => a.rank - b.rank);
  showErrorSummary(summary, items, { focus });
}

async function onAdd(ev) {
  ev.preventDefault();
  if (adding) return;
  const input = { email: $('u-email').value.trim(), name: $('u-name').value.trim(), role: $('u-role').value };
  const missing = FIELDS.filter(([name]) => !input[name]).map(([field]) => ({ field, key: 'admin.users.msg.required' }));
  if (missing.length) { showErrors(missing); return; }
  adding = true;
  const submit = $('add-submit');
  submit.setAttribute('aria-disabled', 'true');
  announce(status, t('admin.users.add.sending'));
  try {
    // No password: the server mails the new user a link to choose one.
    const created = await call('POST', '/api/v1/users', input);
    clearErrors();
    $('u-email').value = '';
    $('u-name').value = '';
    $('u-role').value = 'organiser';
    announce(status, t('admin.users.added', { email: created.email, name: created.name, role: roleName(created.role) }));
    await load();
    submit.focus();
  } catch (err) {
    if (err.status === 401) return; // the sign-in form is shown; what was typed stays
    if (err.status === 409) showErrors([{ field: 'email', key: 'admin.users.msg.exists' }]);
    else if (err.status === 422 && err.errors.length) showErrors(err.errors);
    else { clearErrors(); showSummaryMessage(summary, errorText(err, 'admin.users.add_failed')); }
    announce(status, '');
  } finally {
    adding = false;
    submit.removeAttribute('aria-disabled');
  }
}

// ---------------------------------------------------------------- page

function init() {
  const admin = isAdmin();
  $('admins-only').hidden = admin;
  $('users-admin').hidden = !admin;
  if (admin) load();
}

form.addEventListener('submit', onAdd);
onLanguageChange(() => {
  document.title = t('admin.users.title');
  render();
  if (lastErrors) showErrors(lastErrors, { focus: false });
});

startAdminPage({
  onReady() {
    document.title = t('admin.users.title');
    init();
  },
});

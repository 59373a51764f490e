// The event page's mail panel for organisers (issue 9): what was sent about the event and how it went
// (GET /api/v1/events/{id}/mail: the counts, then the messages newest first, filtered by state in the page), writing
// to attendees (POST .../messages: a preview of exactly what will be sent, then sending after a question), and a
// participant's confirmation sent again from the registrations list (POST .../registrations/{rid}/resend).
// detail.js owns the page: it calls setupMail once, loadMail/renderMail with the rest, resendConfirmation per row.
import './mail-strings.js';
import { call, canEdit } from './session.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, has } from '../lib/i18n.js';
import { shortDateTime } from '../lib/time.js';
import { clearErrors, markFieldInvalid, errorText } from '../lib/errors.js';
import { confirmDialog } from '../lib/page.js';
import { cell, emailParts } from './ui.js';

const STATES = ['pending', 'sent', 'failed', 'dropped'];
const PAGE_ROWS = 100; // rows shown at first and added by "Show more": a big event's log runs into thousands
// The form's fields in their order on the page: the first one with an error takes the focus.
const FIELDS = [['audience', 'msg-audience'], ['subject', 'msg-subject'], ['text', 'msg-text']];
// The server's validation messages, re-worded in the page's language; others are shown as sent.
const MESSAGES = [
  [/^is required$/, () => t('admin.msg.required')],
  [/^must be 1 to (\d+) characters on one line/, (m) => t('admin.mail.msg.length_line', { n: m[1] })],
  [/^must be 1 to (\d+) characters/, (m) => t('admin.mail.msg.length', { n: m[1] })],
  [/^must be at most (\d+) characters/, (m) => t('admin.msg.max_chars', { n: m[1] })],
  [/^must be one of/, () => t('admin.msg.one_of')],
];

let eventId = null;
let event = null;
let mail = null;      // {items, counts} as the server last answered
let mailError = null;
let mailSeq = 0;      // answers to older loads are dropped
let shownRows = PAGE_ROWS;

let preview = null;   // {key, recipients, sample}: the last preview, valid while the form still holds `key`
let writing = false;
const resending = new Set(); // registration ids whose confirmation is on its way

// ---------------------------------------------------------------- the log

function kindText(kind) {
  const key = `admin.mail.kind.${kind}`;
  if (has(key)) return t(key);
  const words = String(kind || '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function stateBadge(state) {
  return h('span', { class: `badge mail-state mail-${state}` },
    state === 'failed' ? h('span', { 'aria-hidden': 'true' }, '⚠ ') : null,
    has(`admin.mail.state.${state}`) ? t(`admin.mail.state.${state}`) : state);
}

function when(iso) {
  return h('time', { datetime: iso }, shortDateTime(iso));
}

function recipient(item) {
  if (item.name || item.email) {
    return [item.name || '', item.email ? h('span', { class: 'email' }, emailParts(item.email)) : null];
  }
  // A message about a registration whose person is no longer named: their data were erased.
  const erased = item.registration_id !== null && item.registration_id !== undefined;
  return h('span', { class: 'cell-muted' }, t(erased ? 'admin.mail.erased' : 'admin.mail.nobody'));
}

function mailRow(item) {
  const failed = item.state === 'failed';
  const error = item.last_error
    ? [item.last_error, item.state === 'pending' ? [' ', h('span', { class: 'cell-muted' }, t('admin.mail.retrying'))] : null]
    : h('span', { class: 'cell-muted' }, t('admin.regs.none'));
  const sent = item.sent_at ? when(item.sent_at)
    : h('span', { class: 'cell-muted' }, t(item.state === 'pending' ? 'admin.mail.not_yet' : 'admin.mail.never'));
  return h('tr', { role: 'row', class: failed ? 'mail-failed-row' : null, 'data-mail-id': item.id, 'data-state': item.state,
    'data-kind': item.kind },
  h('th', { scope: 'row', role: 'rowheader', class: 'title-cell' }, recipient(item)),
  cell('admin.mail.col.kind', [kindText(item.kind),
    item.subject ? h('span', { class: 'mail-subject' }, `“${item.subject}”`) : null]),
  cell('admin.mail.col.state', stateBadge(item.state)),
  cell('admin.mail.col.attempts', String(item.attempts ?? 0), 'num'),
  cell('admin.mail.col.error', error, failed ? 'mail-error' : null),
  cell('admin.mail.col.created', item.created_at ? when(item.created_at) : ''),
  cell('admin.mail.col.sent', sent));
}

function countsOf(m) {
  if (m.counts && typeof m.counts === 'object') return m.counts;
  const out = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const i of m.items) if (i.state in out) out[i.state] += 1;
  return out;
}

function renderCounts() {
  const c = countsOf(mail);
  replaceChildren($('mail-counts'), STATES.map((s) => {
    const n = c[s] ?? 0;
    const alert = s === 'failed' && n > 0;
    const sub = n > 0 && (s === 'failed' || s === 'dropped') ? t(`admin.mail.count.${s}.sub`) : null;
    return h('li', { class: `stat${alert ? ' stat-alert' : ''}`, id: `mail-count-${s}` },
      h('span', { class: 'stat-n' }, String(n)), ' ',
      h('span', { class: 'stat-l' }, alert ? h('span', { 'aria-hidden': 'true' }, '⚠ ') : null, t(`admin.mail.count.${s}`)),
      sub ? [' ', h('span', { class: 'stat-sub' }, sub)] : null);
  }));
}

const filterValue = () => $('mail-state-filter').value;

/** Renders the log (counts, filter, table). `say` puts a sentence before the count in the live region. */
export function renderMail(ev = event, { announce = false, say = '' } = {}) {
  if (ev) event = ev;
  const editor = canEdit();
  $('mail-forbidden').hidden = editor;
  $('mail-body').hidden = !editor;
  renderPreview();
  if (!editor || !event) return;
  const status = $('mail-status');
  if (mailError) {
    replaceChildren($('mail-rows'));
    $('mail-region').hidden = true;
    $('mail-more').hidden = true;
    status.classList.add('error');
    status.textContent = errorText(mailError, 'admin.mail.error');
    return;
  }
  if (!mail) return;
  status.classList.remove('error');
  renderCounts();
  const state = filterValue();
  const items = state ? mail.items.filter((i) => i.state === state) : mail.items;
  const rows = items.slice(0, shownRows);
  $('mail-caption').textContent = t(state ? `admin.mail.caption.${state}` : 'admin.mail.caption', { title: event.title });
  replaceChildren($('mail-rows'), rows.map(mailRow));
  $('mail-region').hidden = items.length === 0;
  $('mail-more').hidden = rows.length >= items.length;
  let text;
  if (items.length === 0) text = t(state ? `admin.mail.empty.${state}` : 'admin.mail.empty');
  else if (rows.length < items.length) text = t('admin.mail.count_more', { shown: rows.length, n: items.length });
  else text = t('admin.mail.count', { n: items.length });
  if (say) text = `${say} ${text}`;
  if (announce || status.textContent !== text) status.textContent = text;
}

/** Reads the event's messages again (organisers only: they name people). */
export async function loadMail() {
  if (!canEdit() || !eventId) return;
  const seq = ++mailSeq;
  try {
    const res = await call('GET', `/api/v1/events/${eventId}/mail`);
    if (seq !== mailSeq) return;
    mail = { items: Array.isArray(res && res.items) ? res.items : [], counts: (res && res.counts) || null };
    mailError = null;
  } catch (err) {
    if (seq !== mailSeq || err.status === 401) return;
    mailError = err;
  }
}

async function refreshMail() {
  await loadMail();
  renderMail(event, { announce: true, say: mailError ? '' : t('admin.mail.refreshed') });
}

/** The next rows; the focus moves to the first new one so keyboard users carry on where they were. */
function showMore() {
  const before = $('mail-rows').children.length;
  shownRows += PAGE_ROWS;
  renderMail(event, { announce: true });
  const row = $('mail-rows').children[before];
  const target = row && row.querySelector('th');
  if (target) {
    target.tabIndex = -1;
    target.focus();
  }
}

// ---------------------------------------------------------------- writing to attendees

function content() {
  return { audience: $('msg-audience').value, subject: $('msg-subject').value, text: $('msg-text').value };
}

const keyOf = (c) => JSON.stringify([c.audience, c.subject, c.text]);

function say(text, kind = 'info') {
  const status = $('msg-status');
  status.dataset.kind = kind;
  status.classList.toggle('error-text', kind === 'error');
  status.textContent = text;
}

function fact(labelKey, value) {
  return h('div', {}, h('dt', {}, t(labelKey)), h('dd', {}, value));
}

/** The sample message and the Send button, shown only while the preview matches what the form holds. */
function renderPreview() {
  const box = $('msg-preview');
  if (!preview || !preview.recipients) {
    box.hidden = true;
    return;
  }
  const s = preview.sample;
  replaceChildren($('msg-sample-head'), s ? [fact('admin.write.sample.to', s.to), fact('admin.write.sample.subject', s.subject)] : null);
  $('msg-sample-text').textContent = s ? s.text : '';
  $('msg-send').textContent = t('admin.write.send', { n: preview.recipients });
  box.hidden = false;
}

function fieldLabel(field) {
  return field === 'audience' ? t('admin.write.audience.error_label') : t(`admin.write.${field}`);
}

function wording(message) {
  const m = String(message || '').trim();
  for (const [re, fn] of MESSAGES) {
    const found = re.exec(m);
    if (found) return fn(found);
  }
  return m;
}

/** The server's 422: each error at its field (aria-invalid, aria-describedby), the focus on the first in the form. */
function showFieldErrors(errors) {
  const form = $('write-form');
  clearErrors(form);
  let first = null;
  for (const [field, id] of FIELDS) {
    const own = errors.filter((e) => e.field === field);
    if (!own.length) continue;
    const control = $(id);
    for (const e of own) markFieldInvalid({ error: $(`${id}-error`), describe: control }, `${fieldLabel(field)} ${wording(e.message)}`, [control]);
    if (!first) first = control;
  }
  const others = errors.filter((e) => !FIELDS.some(([field]) => field === e.field)).map((e) => `${e.field} ${e.message}`);
  say([t('admin.write.fix'), ...others].join(' '), 'error');
  if (first) first.focus();
}

async function onPreview(ev) {
  ev.preventDefault();
  if (writing) return;
  writing = true;
  const c = content();
  clearErrors($('write-form'));
  say(t('admin.write.previewing'));
  try {
    const res = await call('POST', `/api/v1/events/${eventId}/messages`, { ...c, preview: true });
    const recipients = Number(res && res.recipients) || 0;
    preview = { key: keyOf(c), recipients, sample: (res && res.sample) || null };
    renderPreview();
    say(recipients ? t('admin.write.recipients', { n: recipients }) : t('admin.write.no_recipients'));
  } catch (err) {
    if (err.status === 401) return; // the sign-in form is shown; what was typed stays
    preview = null;
    renderPreview();
    if (err.status === 422 && err.errors.length) showFieldErrors(err.errors);
    else say(errorText(err, 'admin.write.preview_failed'), 'error');
  } finally {
    writing = false;
  }
}

/** Any change to the message makes the preview stale: the Send button goes until it is previewed again. */
function onEdit() {
  if (!preview || preview.key === keyOf(content())) return;
  preview = null;
  renderPreview();
  say(t('admin.write.stale'));
}

async function onSend() {
  if (writing) return;
  const c = content();
  if (!preview || preview.key !== keyOf(c) || !preview.recipients) {
    preview = null;
    renderPreview();
    say(t('admin.write.stale'));
    $('msg-preview-button').focus();
    return;
  }
  const n = preview.recipients;
  const ok = await confirmDialog({
    title: t('admin.write.confirm.h', { n }),
    text: t('admin.write.confirm.text', { audience: t(`admin.write.audience.${c.audience}`), subject: c.subject.trim() }),
    yes: t('admin.write.confirm.yes'), no: t('admin.write.confirm.no'),
  });
  if (!ok) return;
  writing = true;
  say(t('admin.write.sending'));
  try {
    const res = await call('POST', `/api/v1/events/${eventId}/messages`, { ...c, preview: false });
    const queued = Number(res && res.queued) || 0;
    // Sent: the form starts afresh, so the same message is not sent twice by a second press.
    $('msg-subject').value = '';
    $('msg-text').value = '';
    preview = null;
    renderPreview();
    $('write-h').focus();
    await loadMail();
    renderMail();
    say(t('admin.write.queued', { n: queued }));
  } catch (err) {
    if (err.status === 401) return;
    if (err.status === 422 && err.errors.length) {
      preview = null;
      renderPreview();
      showFieldErrors(err.errors);
    } else {
      say(errorText(err, 'admin.write.send_failed'), 'error');
      $('msg-send').focus();
    }
  } finally {
    writing = false;
  }
}

// ---------------------------------------------------------------- a confirmation sent again

/**
 * Sends reg's confirmation again (with a fresh private link; the old one keeps working) and reports through
 * report(text, kind). Resolves to 'sent', 'gone' (404 or 409: the list is out of date) or 'failed'.
 */
export async function resendConfirmation(reg, report) {
  if (resending.has(reg.id)) return 'busy';
  const name = reg.name || t('admin.regs.someone');
  resending.add(reg.id);
  report(t('admin.resend.sending', { name }));
  try {
    await call('POST', `/api/v1/events/${eventId}/registrations/${reg.id}/resend`);
    await loadMail();
    renderMail();
    report(t('admin.resend.done', { name }));
    return 'sent';
  } catch (err) {
    if (err.status === 401) return 'failed';
    if (err.status === 409) { report(t('admin.resend.conflict', { name }), 'error'); return 'gone'; }
    if (err.status === 404) { report(t('admin.resend.not_found'), 'error'); return 'gone'; }
    report(errorText(err, 'admin.resend.failed'), 'error');
    return 'failed';
  } finally {
    resending.delete(reg.id);
  }
}

// ---------------------------------------------------------------- wiring

/** Wires the panel for one event (once, at start). */
export function setupMail(id) {
  eventId = id;
  $('mail-refresh').addEventListener('click', refreshMail);
  $('mail-state-filter').addEventListener('change', () => { shownRows = PAGE_ROWS; renderMail(event, { announce: true }); });
  $('mail-more').addEventListener('click', showMore);
  const form = $('write-form');
  form.addEventListener('submit', onPreview);
  form.addEventListener('input', onEdit);
  form.addEventListener('change', onEdit);
  $('msg-send').addEventListener('click', onSend);
}

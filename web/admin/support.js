// The counselling log (support.html): the sessions of a period, and a form to log, change or delete one, with
// its persons as repeatable name + e-mail rows. The server decides what is valid; its 422 errors go to each field
// (persons[i].name / .email to that row) and into a focused summary, in the form's order.
import './support-strings.js';
import { startAdminPage, call, canEdit, adminLabel, download } from './session.js';
import { getConfig } from '../lib/api.js';
import { $, h, replaceChildren, announce } from '../lib/dom.js';
import { t, locale, onLanguageChange } from '../lib/i18n.js';
import { clearErrors as clearFieldErrors, markFieldInvalid, showErrorSummary, showSummaryMessage, errorText } from '../lib/errors.js';
import { confirmDialog } from '../lib/page.js';
import { formatDay } from '../lib/time.js';
import { cell } from './ui.js';

const form = $('session-form');
const summary = $('error-summary');
const rows = $('person-rows');
const listStatus = $('list-status');

// The API's fields in the form's order, with their controls.
const FIELDS = [
  ['date', 's-date'], ['organisation', 's-organisation'], ['organisation_type', 's-organisation-type'],
  ['municipality', 's-municipality'], ['project_idea', 's-project-idea'], ['hours', 's-hours'], ['persons', null],
  ['note', 's-note'],
];
const ORDER = FIELDS.map(([name]) => name);

// The server's terse English, worded for people in both languages; anything else is shown as sent.
const MESSAGES = [
  [/^is required$/, () => t('admin.msg.required')],
  [/^must be at most (\d+) characters/, (m) => t('admin.msg.max_chars', { n: m[1] })],
  [/^must be one of/, () => t('admin.msg.one_of')],
  [/^must be a date that exists/, () => t('admin.support.msg.date')],
  [/^must be a number/, () => t('admin.support.msg.hours')],
  [/^must name at least one person/, () => t('admin.support.msg.persons_min')],
  [/^must name at most/, () => t('admin.support.msg.persons_max')],
  [/^must be a valid e-mail address/, () => t('admin.support.msg.email')],
  [/^is the same person as persons\[(\d+)\]/, (m) => t('admin.support.msg.same_person', { n: Number(m[1]) + 1 })],
  [/^must not contain invisible/, () => t('admin.support.msg.hidden')],
];

let sessions = [];
let editing = null; // the session being changed, or null for a new one
let personsChanged = false; // a change sends persons only when the rows were touched (erased persons cannot be resent)
let opener = null; // the button that opened the form, for the focus on cancel
let lastErrors = null;
let rowSerial = 0;
let sending = false;
let started = false;

// ---------------------------------------------------------------- the period

function periodFromUrl() {
  const q = new URLSearchParams(location.search);
  const day = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : '');
  return { from: day(q.get('from')), to: day(q.get('to')) };
}

function periodQuery(p) {
  const q = new URLSearchParams();
  if (p.from) q.set('from', p.from);
  if (p.to) q.set('to', p.to);
  const s = q.toString();
  return s ? `?${s}` : '';
}

// ---------------------------------------------------------------- the list

const hoursText = (n) => new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(n);
const dayText = (s) => formatDay(s.date) || s.date;

function personsList(s) {
  return h('ul', {}, s.persons.map((p) => h('li', {}, p.name === null
    ? h('span', { class: 'cell-muted' }, t('admin.support.person.erased_short'))
    : [p.name, p.email ? h('span', { class: 'email cell-muted' }, ` (${p.email})`) : null])));
}

function row(s) {
  const what = { date: dayText(s), organisation: s.organisation };
  const actions = canEdit() ? h('div', { class: 'row-actions' },
    h('button', { type: 'button', class: 'button secondary small', 'data-edit': s.id, onclick: (ev) => openForm(s, ev.currentTarget) },
      t('admin.support.edit'), h('span', { class: 'visually-hidden' }, ` ${t('admin.support.edit.for', what)}`)),
    h('button', { type: 'button', class: 'button danger small', 'data-delete': s.id, onclick: () => remove(s) },
      t('admin.support.delete'), h('span', { class: 'visually-hidden' }, ` ${t('admin.support.edit.for', what)}`))) : null;
  return h('tr', { role: 'row', 'data-id': s.id },
    cell('admin.support.col.date', dayText(s)),
    cell('admin.support.col.organisation', [s.organisation,
      s.organisation_type ? h('span', { class: 'email cell-muted' }, ` – ${adminLabel('organisation_type', s.organisation_type)}`) : null,
      s.municipality ? h('span', { class: 'email cell-muted' }, `, ${s.municipality}`) : null], 'title-cell'),
    cell('admin.support.col.project_idea', s.project_idea),
    cell('admin.support.col.hours', hoursText(s.hours), 'num'),
    cell('admin.support.col.persons', personsList(s), 'persons-cell'),
    cell('admin.support.col.actions', actions));
}

function renderList() {
  replaceChildren($('sessions-body'), sessions.map(row));
  const total = sessions.reduce((sum, s) => sum + s.hours, 0);
  $('totals').textContent = sessions.length ? t('admin.support.totals', { hours: hoursText(total) }) : '';
}

async function load({ say = null } = {}) {
  const period = periodFromUrl();
  $('filter-from').value = period.from;
  $('filter-to').value = period.to;
  $('period-error').hidden = true;
  try {
    const res = await call('GET', `/api/v1/support-sessions${periodQuery(period)}`);
    sessions = res.items;
    renderList();
    announce(listStatus, say ? `${say} ${t('admin.support.count', { n: sessions.length })}` : t('admin.support.count', { n: sessions.length }));
  } catch (err) {
    if (err.status === 401) return;
    if (err.status === 400) {
      $('period-error').textContent = t('admin.support.period.bad');
      $('period-error').hidden = false;
      return;
    }
    announce(listStatus, errorText(err, err.status === 403 ? 'admin.support.organisers_only' : 'admin.support.error'), 'error');
  }
}

// The shown period's log as a file: .xlsx for Excel (any list separator), CSV for machines.
async function downloadLog(format) {
  $('download-error').hidden = true;
  try {
    await download(`/api/v1/reports/support-sessions.${format}${periodQuery(periodFromUrl())}`, `support-sessions.${format}`);
  } catch (err) {
    if (err.status === 401) return;
    $('download-error').textContent = errorText(err, 'admin.support.download.error');
    $('download-error').hidden = false;
  }
}
$('download-xlsx').addEventListener('click', () => downloadLog('xlsx'));
$('download-csv').addEventListener('click', () => downloadLog('csv'));

// ---------------------------------------------------------------- persons rows

function personRows() { return [...rows.querySelectorAll('li.person-row')]; }
function editableRows() { return personRows().filter((li) => !li.dataset.erased); }

function renumber() {
  personRows().forEach((li, i) => {
    const n = i + 1;
    const name = li.querySelector('input[data-part="name"]');
    if (name) {
      li.querySelector('label[data-part="name"]').textContent = t('admin.support.person.name', { n });
      li.querySelector('label[data-part="email"]').textContent = t('admin.support.person.email', { n });
    }
    li.querySelector('button[data-remove]').textContent = t('admin.support.person.remove', { n });
    li.querySelector('button[data-remove]').dataset.n = String(n);
  });
}

function addRow(person = null, { focus = false } = {}) {
  rowSerial += 1;
  const id = `s-person-${rowSerial}`;
  const erased = person && person.name === null;
  const remove = h('button', { type: 'button', class: 'button secondary small', 'data-remove': '' });
  remove.addEventListener('click', () => removeRow(li));
  const parts = erased
    ? [h('p', { class: 'erased' }, t('admin.support.person.erased'))]
    : ['name', 'email'].map((part) => h('div', { class: 'field' },
      h('label', { for: `${id}-${part}`, 'data-part': part }),
      h('p', { class: 'field-error', id: `${id}-${part}-error`, hidden: true }),
      h('input', { id: `${id}-${part}`, type: part === 'email' ? 'email' : 'text', 'data-part': part,
        autocomplete: 'off', spellcheck: part === 'email' ? 'false' : null, maxlength: part === 'email' ? 254 : 200,
        value: person ? (person[part] || '') : '', oninput: () => { personsChanged = true; } })));
  const li = h('li', { class: 'person-row', dataset: erased ? { erased: '1' } : {} }, parts, h('div', {}, remove));
  rows.append(li);
  renumber();
  if (focus) li.querySelector('input')?.focus();
  return li;
}

function removeRow(li) {
  const all = personRows();
  const index = all.indexOf(li);
  li.remove();
  personsChanged = true;
  renumber();
  announce($('list-status'), t('admin.support.person.removed', { n: index + 1 }));
  // The focus goes to the row that took its place, or the one before, or "Add a person".
  const next = personRows()[Math.min(index, personRows().length - 1)];
  (next?.querySelector('input') || next?.querySelector('button') || $('add-person')).focus();
}

// ---------------------------------------------------------------- the form

const value = (id) => $(id).value.trim();

function body() {
  const out = {
    date: $('s-date').value,
    organisation: value('s-organisation'),
    organisation_type: $('s-organisation-type').value || null,
    municipality: value('s-municipality') || null,
    project_idea: value('s-project-idea'),
    note: $('s-note').value.trim() || null,
  };
  const hours = value('s-hours').replace(',', '.');
  // Anything but a plain number goes as typed: the server says what is wrong with it.
  out.hours = /^\d+(\.\d+)?$/.test(hours) ? Number(hours) : hours;
  if (!editing && !out.date) delete out.date;
  if (!editing || personsChanged) {
    out.persons = editableRows().map((li) => ({
      name: li.querySelector('input[data-part="name"]').value.trim(),
      email: li.querySelector('input[data-part="email"]').value.trim(),
    }));
  }
  return out;
}

function fill(s) {
  $('s-date').value = s ? s.date : '';
  $('s-organisation').value = s ? s.organisation : '';
  $('s-organisation-type').value = s?.organisation_type || '';
  $('s-municipality').value = s?.municipality || '';
  $('s-project-idea').value = s ? s.project_idea : '';
  $('s-hours').value = s ? hoursText(s.hours) : '';
  $('s-note').value = s?.note || '';
  replaceChildren(rows);
  for (const p of s ? s.persons : [null]) addRow(p);
  personsChanged = false;
}

function setFormHeading() {
  $('form-h2').textContent = editing ? t('admin.support.form.edit', { date: dayText(editing) }) : t('admin.support.form.new');
}

function openForm(session, from) {
  editing = session;
  opener = from;
  clearErrors();
  fill(session);
  setFormHeading();
  form.hidden = false;
  $('s-date').focus();
}

function closeForm() {
  form.hidden = true;
  editing = null;
  clearErrors();
}

// ---------------------------------------------------------------- errors

/** Where an error goes: {name (for the order), control, error element, label}. */
function target(field) {
  const m = /^persons\[(\d+)\](?:\.(name|email))?$/.exec(field || '');
  if (m) {
    const li = editableRows()[Number(m[1])];
    const input = li && li.querySelector(`input[data-part="${m[2] || 'name'}"]`);
    if (!input) return null;
    return { name: 'persons', rank: Number(m[1]) * 2 + (m[2] === 'email' ? 1 : 0), control: input,
      error: $(`${input.id}-error`), label: li.querySelector(`label[for="${input.id}"]`).textContent };
  }
  const spec = FIELDS.find(([name]) => name === field);
  if (!spec) return null;
  if (!spec[1]) { // the list as a whole: the fieldset
    const group = $('s-persons');
    return { name: field, rank: -1, control: group.querySelector('input') || $('add-person'), describe: group,
      error: $('s-persons-error'), label: t('admin.support.field.persons') };
  }
  const control = $(spec[1]);
  return { name: field, rank: 0, control, error: $(`${spec[1]}-error`), label: t(`admin.support.field.${field}`) };
}

function wording(tgt, message) {
  const m = String(message || '').trim();
  if (tgt && tgt.control === $('s-date') && !tgt.control.value) return t('admin.msg.required');
  for (const [re, fn] of MESSAGES) {
    const found = re.exec(m);
    if (found) return fn(found);
  }
  return m;
}

function clearErrors() {
  lastErrors = null;
  clearFieldErrors(form, summary);
}

function showErrors(errors, { focus = true } = {}) {
  clearErrors();
  lastErrors = errors;
  const items = [];
  for (const err of errors) {
    const tgt = target(err.field);
    const text = `${tgt ? tgt.label : err.field} ${wording(tgt, err.message)}`;
    if (tgt) markFieldInvalid({ error: tgt.error, describe: tgt.describe || tgt.control }, text, tgt.describe ? [] : [tgt.control]);
    const order = tgt ? ORDER.indexOf(tgt.name) : ORDER.length;
    items.push({ order, rank: tgt ? tgt.rank : 0, text, control: tgt ? tgt.control : null });
  }
  items.sort((a, b) => a.order - b.order || a.rank - b.rank);
  showErrorSummary(summary, items, { focus });
}

// ---------------------------------------------------------------- saving and deleting

async function onSubmit(ev) {
  ev.preventDefault();
  if (sending) return;
  sending = true;
  $('submit').disabled = true;
  announce(listStatus, t('admin.support.form.sending'));
  try {
    const saved = editing
      ? await call('PATCH', `/api/v1/support-sessions/${editing.id}`, body())
      : await call('POST', '/api/v1/support-sessions', body());
    closeForm();
    await load({ say: t('admin.support.saved', { date: dayText(saved) }) });
    const edit = document.querySelector(`button[data-edit="${saved.id}"]`);
    (edit || $('list-h2')).focus();
  } catch (err) {
    if (err.status === 401) return; // the sign-in form is shown; the values stay for another try
    if (err.status === 422 && err.errors.length) showErrors(err.errors);
    else { clearErrors(); showSummaryMessage(summary, errorText(err, err.status === 404 ? 'admin.support.delete_failed' : 'admin.support.failed')); }
  } finally {
    sending = false;
    $('submit').disabled = false;
  }
}

async function remove(s) {
  const what = { date: dayText(s), organisation: s.organisation };
  const ok = await confirmDialog({ title: t('admin.support.delete.h', what), text: t('admin.support.delete.text'),
    yes: t('admin.support.delete.yes'), no: t('admin.support.delete.no') });
  if (!ok) return;
  try {
    await call('DELETE', `/api/v1/support-sessions/${s.id}`);
    if (editing && editing.id === s.id) closeForm();
    await load({ say: t('admin.support.deleted', { date: dayText(s) }) });
  } catch (err) {
    if (err.status === 401) return;
    announce(listStatus, errorText(err, 'admin.support.delete_failed'), 'error');
    if (err.status === 404) await load();
  }
  $('list-h2').focus();
}

// ---------------------------------------------------------------- page

async function init() {
  if (!canEdit()) {
    $('page-notice').textContent = t('admin.support.organisers_only');
    $('page-notice').hidden = false;
    for (const id of ['filters', 'sessions-region', 'list-h2']) $(id).hidden = true;
    return;
  }
  try {
    const config = await getConfig();
    for (const v of config.organisation_types || []) {
      $('s-organisation-type').append(h('option', { value: v, 'data-org': v }, adminLabel('organisation_type', v)));
    }
  } catch { /* the list stays with "Not given"; saving still works */ }
  await load();
}

$('new-session').addEventListener('click', (ev) => openForm(null, ev.currentTarget));
$('cancel-form').addEventListener('click', () => {
  closeForm();
  (opener && document.contains(opener) ? opener : $('new-session')).focus();
});
$('add-person').addEventListener('click', () => {
  personsChanged = true;
  addRow(null, { focus: true });
  announce(listStatus, t('admin.support.person.added', { n: personRows().length }));
});
form.addEventListener('submit', onSubmit);
$('filters').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const period = { from: $('filter-from').value, to: $('filter-to').value };
  history.replaceState(null, '', `${location.pathname}${periodQuery(period)}`);
  load();
});
onLanguageChange(() => {
  renumber();
  setFormHeading();
  for (const o of document.querySelectorAll('option[data-org]')) o.textContent = adminLabel('organisation_type', o.dataset.org);
  for (const p of document.querySelectorAll('.person-row .erased')) p.textContent = t('admin.support.person.erased');
  renderList();
  if (lastErrors) showErrors(lastErrors, { focus: false });
});

startAdminPage({
  onReady() {
    if (started) return; // signed in again after the session ended: the values are still here
    started = true;
    init();
  },
});

// The event page's partner-search panel for organisers (issue 10), shown for partner-search forums: the figures
// (profiles, requests, booked and held meetings), the meeting times and the number of tables
// (PUT /api/v1/events/{id}/meeting-slots), every request and meeting (GET .../meetings) with a move to another time and
// table (PATCH .../meetings/{mid}) and a cancellation (POST .../meetings/{mid}/cancel), and a link to the printable
// table plan and agendas (forum-plan.html). detail.js owns the page: it calls setupForum once, loadForum/renderForum
// with the rest.
import './forum-strings.js';
import { call, canEdit } from './session.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, has } from '../lib/i18n.js';
import { formatWhen, localToRfc3339, rfc3339ToLocal } from '../lib/time.js';
import { clearErrors, markFieldInvalid, errorText } from '../lib/errors.js';
import { confirmDialog } from '../lib/page.js';
import { cell } from './ui.js';

const DEFAULT_MINUTES = 20; // the length of a first meeting time, and of a new one after a row without times

let eventId = null;
let event = null;
let forum = null;       // GET .../meetings: {slots, tables, items, figures}
let forumError = null;
let forumSeq = 0;
let rows = [];          // the times being edited: [{key, start, end}] as datetime-local values
let rowKey = 0;
let dirty = false;      // the times or tables were changed and not saved: a reload leaves them alone
let saving = false;
let moving = null;      // the id of the meeting whose move form is open
const busyRows = new Set();
let moveError = null;   // {id, text}

export const isForum = (ev) => !!ev && ev.kind === 'partner_search_forum';

// ---------------------------------------------------------------- loading

/** Reads the forum's times, meetings and figures again (organisers only: they name people). */
export async function loadForum() {
  if (!canEdit() || !eventId || !isForum(event)) return;
  const seq = ++forumSeq;
  try {
    const res = await call('GET', `/api/v1/events/${eventId}/meetings`);
    if (seq !== forumSeq) return;
    forum = {
      slots: Array.isArray(res && res.slots) ? res.slots : [],
      tables: (res && res.tables) || 0,
      items: Array.isArray(res && res.items) ? res.items : [],
      figures: (res && res.figures) || {},
    };
    forumError = null;
    if (!dirty) fillSlots();
  } catch (err) {
    if (seq !== forumSeq || err.status === 401) return;
    forumError = err;
  }
}

// ---------------------------------------------------------------- rendering

function party(p) {
  if (!p) return h('span', { class: 'cell-muted' }, t('admin.forum.erased'));
  const name = p.name || t('admin.forum.erased');
  return [h('span', { class: p.name ? null : 'cell-muted' }, name), p.organisation ? h('span', { class: 'party-org' }, p.organisation) : null];
}

const partyName = (p) => (p && (p.name || p.organisation)) || t('admin.forum.erased');

function stateBadge(state) {
  return h('span', { class: `badge meeting-${state}` }, has(`admin.forum.state.${state}`) ? t(`admin.forum.state.${state}`) : state);
}

function renderFigures() {
  const f = forum.figures || {};
  const stat = (key, n) => h('li', { class: 'stat', id: `forum-figure-${key}` },
    h('span', { class: 'stat-n' }, String(n ?? 0)), ' ', h('span', { class: 'stat-l' }, t(`admin.forum.figure.${key}`)));
  replaceChildren($('forum-figures'), ['profiles', 'requests', 'accepted', 'held'].map((k) => stat(k, f[k])));
}

/** Who is booked when, from the list: slot id -> {tables: Map(table -> meeting id), people: Map(registration -> meeting id)}. */
function bookings() {
  const out = new Map();
  for (const m of forum.items) {
    if (m.state !== 'accepted' || !m.slot) continue;
    let b = out.get(m.slot.id);
    if (!b) { b = { tables: new Map(), people: new Map() }; out.set(m.slot.id, b); }
    if (m.table) b.tables.set(m.table, m.id);
    for (const p of [m.from, m.to]) if (p && p.registration_id) b.people.set(p.registration_id, m.id);
  }
  return out;
}

function moveForm(m) {
  const booked = bookings();
  const slotId = `move-${m.id}-slot`;
  const tableId = `move-${m.id}-table`;
  const busyAt = (slot) => {
    const b = booked.get(slot.id);
    return !!b && [m.from, m.to].some((p) => p && b.people.has(p.registration_id) && b.people.get(p.registration_id) !== m.id);
  };
  const slotSelect = h('select', { id: slotId, name: 'slot_id' }, forum.slots.map((s) => h('option', { value: s.id },
    formatWhen(s.starts_at, s.ends_at), busyAt(s) ? ` ${t('admin.forum.move.busy')}` : '')));
  slotSelect.value = String(m.slot ? m.slot.id : forum.slots[0]?.id ?? '');
  const tableSelect = h('select', { id: tableId, name: 'table' });
  const fillTables = () => {
    const b = booked.get(Number(slotSelect.value));
    const chosen = tableSelect.value || String(m.table || 1);
    replaceChildren(tableSelect, Array.from({ length: forum.tables }, (_, i) => i + 1).map((n) => {
      const taken = b && b.tables.has(n) && b.tables.get(n) !== m.id;
      return h('option', { value: n }, t('admin.forum.table_n', { n }), taken ? ` ${t('admin.forum.move.taken')}` : '');
    }));
    tableSelect.value = chosen;
  };
  slotSelect.addEventListener('change', fillTables);
  fillTables();
  const error = moveError && moveError.id === m.id ? moveError.text : null;
  return h('form', { class: 'move-form', id: `move-${m.id}`, novalidate: true,
    onsubmit: (ev) => { ev.preventDefault(); move(m, Number(slotSelect.value), Number(tableSelect.value)); } },
  h('div', { class: 'field' }, h('label', { for: slotId }, t('admin.forum.move.slot')), slotSelect),
  h('div', { class: 'field' }, h('label', { for: tableId }, t('admin.forum.move.table')), tableSelect),
  error ? h('p', { class: 'field-error', id: `move-${m.id}-error`, tabindex: '-1', role: 'alert' }, error) : null,
  h('div', { class: 'row-actions' },
    h('button', { type: 'submit', class: 'button primary small', id: `move-${m.id}-save` }, t('admin.forum.move.save')),
    h('button', { type: 'button', class: 'button secondary small', id: `move-${m.id}-close`,
      onclick: () => { moving = null; moveError = null; renderMeetings(); $(`meeting-${m.id}-move`)?.focus(); } },
    t('admin.forum.move.close'))));
}

function meetingRow(m) {
  const who = `${partyName(m.from)} – ${partyName(m.to)}`;
  const actions = [];
  const open = m.state === 'pending' || m.state === 'accepted';
  if (m.state === 'accepted' && forum.slots.length) {
    actions.push(h('button', { type: 'button', class: 'button secondary small', id: `meeting-${m.id}-move`,
      'aria-expanded': String(moving === m.id), 'aria-controls': `move-${m.id}`,
      onclick: () => { moving = moving === m.id ? null : m.id; moveError = null; renderMeetings(); $(moving ? `move-${m.id}-slot` : `meeting-${m.id}-move`)?.focus(); } },
    t('admin.forum.move'), h('span', { class: 'visually-hidden' }, ` ${t('admin.forum.for', { who })}`)));
  }
  if (open) {
    actions.push(h('button', { type: 'button', class: 'button danger small', id: `meeting-${m.id}-cancel`,
      'aria-disabled': busyRows.has(m.id) ? 'true' : null, onclick: () => cancelMeeting(m) },
    t(m.state === 'accepted' ? 'admin.forum.cancel' : 'admin.forum.cancel_request'),
    h('span', { class: 'visually-hidden' }, ` ${t('admin.forum.for', { who })}`)));
  }
  return h('tr', { role: 'row', 'data-meeting-id': m.id, 'data-state': m.state },
    h('th', { scope: 'row', role: 'rowheader', class: 'title-cell', id: `meeting-${m.id}-from`, tabindex: '-1' }, party(m.from)),
    cell('admin.forum.col.to', party(m.to)),
    cell('admin.forum.col.state', stateBadge(m.state)),
    cell('admin.forum.col.when', m.slot ? h('time', { datetime: m.slot.starts_at }, formatWhen(m.slot.starts_at, m.slot.ends_at))
      : h('span', { class: 'cell-muted' }, t('admin.regs.none'))),
    cell('admin.forum.col.table', m.table ? String(m.table) : h('span', { class: 'cell-muted' }, t('admin.regs.none')), 'num'),
    cell('admin.forum.col.actions', [
      actions.length ? h('div', { class: 'row-actions' }, actions) : h('span', { class: 'cell-muted' }, t('admin.regs.none')),
      moving === m.id ? moveForm(m) : null]));
}

function renderMeetings({ announce = false, say = '' } = {}) {
  const status = $('meetings-status');
  if (forumError) {
    replaceChildren($('meetings-rows'));
    $('meetings-region').hidden = true;
    status.classList.add('error');
    status.textContent = errorText(forumError, 'admin.forum.error');
    return;
  }
  if (!forum) return;
  status.classList.remove('error');
  const state = $('meetings-filter').value;
  // Booked meetings first in time order, then the rest newest first: the list reads like the day's plan.
  const items = forum.items.filter((m) => !state || m.state === state).sort((a, b) => {
    const ta = a.slot ? Date.parse(a.slot.starts_at) : Infinity;
    const tb = b.slot ? Date.parse(b.slot.starts_at) : Infinity;
    return ta - tb || (a.table || 0) - (b.table || 0) || b.id - a.id;
  });
  $('meetings-caption').textContent = t(state ? `admin.forum.caption.${state}` : 'admin.forum.caption', { title: event.title });
  const focusId = document.activeElement && document.activeElement.id;
  replaceChildren($('meetings-rows'), items.map(meetingRow));
  if (focusId && !document.activeElement?.id && $(focusId)) $(focusId).focus();
  $('meetings-region').hidden = items.length === 0;
  let text = items.length ? t('admin.forum.count', { n: items.length }) : t(state ? 'admin.forum.empty.filtered' : 'admin.forum.empty');
  if (say) text = `${say} ${text}`;
  if (announce || status.textContent !== text) status.textContent = text;
}

/** Renders the panel (hidden for other kinds of event; a note instead of names for the steering group). */
export function renderForum(ev = event, opts = {}) {
  if (ev) event = ev;
  const section = $('forum-section');
  section.hidden = !isForum(event);
  if (section.hidden) return;
  const editor = canEdit();
  $('forum-forbidden').hidden = editor;
  $('forum-body').hidden = !editor;
  if (!editor) return;
  $('forum-plan-link').href = `/admin/forum-plan.html?id=${encodeURIComponent(event.id)}`;
  if (forum) renderFigures();
  renderSlotRows();
  renderMeetings(opts);
}

// ---------------------------------------------------------------- times and tables

function fillSlots() {
  rows = forum.slots.map((s) => ({ key: ++rowKey, start: rfc3339ToLocal(s.starts_at), end: rfc3339ToLocal(s.ends_at) }));
  $('forum-tables').value = forum.tables ? String(forum.tables) : '';
}

const localMs = (v) => { const iso = localToRfc3339(v); return iso ? Date.parse(iso) : NaN; };

function renderSlotRows() {
  const focusId = document.activeElement && document.activeElement.id;
  replaceChildren($('slot-rows'), rows.map((r, i) => {
    const n = i + 1;
    const id = `slot-${r.key}`;
    const input = (which) => {
      const el = h('input', { type: 'datetime-local', id: `${id}-${which}`, name: `slots[${i}].${which === 'start' ? 'starts_at' : 'ends_at'}`,
        value: r[which], required: true, step: 60 });
      el.addEventListener('input', () => { r[which] = el.value; dirty = true; });
      return el;
    };
    return h('li', { class: 'slot-row', 'data-row': i },
      h('fieldset', { class: 'slot-fieldset', id: `${id}-group` },
        h('legend', {}, t('admin.forum.slot_n', { n })),
        h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
        h('div', { class: 'slot-fields' },
          h('div', { class: 'field' }, h('label', { for: `${id}-start` }, t('admin.forum.slot.start')), input('start')),
          h('div', { class: 'field' }, h('label', { for: `${id}-end` }, t('admin.forum.slot.end')), input('end')),
          h('button', { type: 'button', class: 'button secondary small slot-remove', id: `${id}-remove`,
            onclick: () => removeRow(i) }, t('admin.forum.slot.remove'),
          h('span', { class: 'visually-hidden' }, ` ${t('admin.forum.slot_n', { n })}`)))));
  }));
  $('slots-empty').hidden = rows.length > 0;
  if (focusId && !document.activeElement?.id && $(focusId)) $(focusId).focus();
}

function addRow() {
  const last = rows[rows.length - 1];
  let start;
  let length = DEFAULT_MINUTES * 60000;
  if (last && !Number.isNaN(localMs(last.end))) {
    const s = localMs(last.start);
    const e = localMs(last.end);
    if (!Number.isNaN(s) && e > s) length = e - s;
    start = e;
  } else {
    start = Date.parse(event.starts_at);
  }
  const row = { key: ++rowKey, start: rfc3339ToLocal(new Date(start).toISOString()), end: rfc3339ToLocal(new Date(start + length).toISOString()) };
  rows.push(row);
  dirty = true;
  renderSlotRows();
  $(`slot-${row.key}-start`).focus();
}

function removeRow(i) {
  const n = i + 1;
  rows.splice(i, 1);
  dirty = true;
  renderSlotRows();
  const next = rows[Math.min(i, rows.length - 1)];
  (next ? $(`slot-${next.key}-start`) : $('slot-add')).focus();
  sayState($('slots-status'), t('admin.forum.slot.removed', { n }));
}

function sayState(el, text, kind = 'info') {
  el.dataset.kind = kind;
  el.classList.toggle('error-text', kind === 'error');
  el.textContent = text;
}

// The server's validation messages, re-worded in the page's language; others are shown as sent.
const MESSAGES = [
  [/^is required/, () => t('admin.forum.msg.required')],
  [/^overlaps/, () => t('admin.forum.msg.overlap')],
  [/^must end after it starts/, () => t('admin.forum.msg.order')],
  [/^must be a whole number from 1 to (\d+)/, (m) => t('admin.forum.msg.tables', { n: m[1] })],
  [/^at most (\d+) slots/, (m) => t('admin.forum.msg.max_slots', { n: m[1] })],
];
const wording = (message) => {
  const m = String(message || '').trim();
  for (const [re, fn] of MESSAGES) { const found = re.exec(m); if (found) return fn(found); }
  return m;
};

/** 422 errors at their rows and at the tables; the focus on the first. */
function showSlotErrors(errors) {
  const form = $('slots-form');
  clearErrors(form);
  let first = null;
  for (const e of errors) {
    const field = String(e.field || '');
    const m = /^slots\[(\d+)\](?:\.(starts_at|ends_at))?$/.exec(field);
    if (m && rows[Number(m[1])]) {
      const r = rows[Number(m[1])];
      const control = $(`slot-${r.key}-${m[2] === 'ends_at' ? 'end' : 'start'}`);
      markFieldInvalid({ error: $(`slot-${r.key}-error`), describe: $(`slot-${r.key}-group`) },
        `${t('admin.forum.slot_n', { n: Number(m[1]) + 1 })}: ${wording(e.message)}`, [control]);
      first = first || control;
    } else if (field === 'tables') {
      const control = $('forum-tables');
      markFieldInvalid({ error: $('forum-tables-error'), describe: control }, `${t('admin.forum.tables')}: ${wording(e.message)}`, [control]);
      first = first || control;
    } else {
      markFieldInvalid({ error: $('slots-error'), describe: $('slot-rows') }, wording(e.message), []);
      first = first || $('slots-h');
    }
  }
  sayState($('slots-status'), t('admin.forum.slots.fix'), 'error');
  if (first) first.focus();
}

async function saveSlots(ev) {
  ev.preventDefault();
  if (saving) return;
  const form = $('slots-form');
  clearErrors(form);
  const errors = [];
  const slots = rows.map((r, i) => {
    const starts = localToRfc3339(r.start);
    const ends = localToRfc3339(r.end);
    if (!starts) errors.push({ field: `slots[${i}].starts_at`, message: 'is required' });
    if (!ends) errors.push({ field: `slots[${i}].ends_at`, message: 'is required' });
    return { starts_at: starts, ends_at: ends };
  });
  const tables = Number.parseInt($('forum-tables').value, 10);
  if (!Number.isInteger(tables) || tables < 1) errors.push({ field: 'tables', message: 'is required' });
  if (errors.length) { showSlotErrors(errors); return; }
  saving = true;
  sayState($('slots-status'), t('admin.forum.slots.saving'));
  try {
    await call('PUT', `/api/v1/events/${eventId}/meeting-slots`, { slots, tables });
    dirty = false;
    await loadForum();
    renderForum(event);
    sayState($('slots-status'), t('admin.forum.slots.saved', { n: slots.length, tables }));
  } catch (err) {
    if (err.status === 401) return;
    if (err.status === 422 && err.errors.length) showSlotErrors(err.errors);
    else if (err.status === 409) sayState($('slots-status'), t(err.reason === 'slot_in_use' ? 'admin.forum.slots.in_use' : 'admin.forum.slots.conflict'), 'error');
    else sayState($('slots-status'), errorText(err, 'admin.forum.slots.failed'), 'error');
  } finally {
    saving = false;
  }
}

// ---------------------------------------------------------------- moves and cancellations

async function move(m, slotId, table) {
  if (busyRows.has(m.id)) return;
  busyRows.add(m.id);
  try {
    const moved = await call('PATCH', `/api/v1/events/${eventId}/meetings/${m.id}`, { slot_id: slotId, table });
    moving = null;
    moveError = null;
    await loadForum();
    renderForum(event);
    $(`meeting-${m.id}-from`)?.focus();
    const when = moved && moved.slot ? formatWhen(moved.slot.starts_at, moved.slot.ends_at) : '';
    sayState($('meetings-status'), t('admin.forum.moved', { who: `${partyName(m.from)} – ${partyName(m.to)}`, when, table: moved ? moved.table : table }));
  } catch (err) {
    if (err.status === 401) return;
    const text = err.status === 409 && err.reason === 'taken' ? t('admin.forum.move.refused')
      : err.status === 409 ? t('admin.forum.move.not_accepted') : errorText(err, 'admin.forum.move.failed');
    moveError = { id: m.id, text };
    renderMeetings();
    $(`move-${m.id}-error`)?.focus();
  } finally {
    busyRows.delete(m.id);
  }
}

async function cancelMeeting(m) {
  if (busyRows.has(m.id)) return;
  const who = `${partyName(m.from)} – ${partyName(m.to)}`;
  const ok = await confirmDialog({
    title: t(m.state === 'accepted' ? 'admin.forum.cancel.h' : 'admin.forum.cancel_request.h', { who }),
    text: t('admin.forum.cancel.text'), yes: t('admin.forum.cancel.yes'), no: t('admin.forum.cancel.no'),
  });
  if (!ok) return;
  busyRows.add(m.id);
  try {
    await call('POST', `/api/v1/events/${eventId}/meetings/${m.id}/cancel`);
    await loadForum();
    renderForum(event);
    $('meetings-h').focus();
    sayState($('meetings-status'), t('admin.forum.cancelled', { who }));
  } catch (err) {
    if (err.status === 401) return;
    await loadForum();
    renderForum(event);
    $('meetings-h').focus();
    sayState($('meetings-status'), err.status === 409 ? t('admin.forum.cancel.conflict') : errorText(err, 'admin.forum.cancel.failed'), 'error');
  } finally {
    busyRows.delete(m.id);
  }
}

async function refreshForum() {
  await loadForum();
  renderForum(event, { announce: true, say: forumError ? '' : t('admin.forum.refreshed') });
}

// ---------------------------------------------------------------- wiring

/** Wires the panel for one event (once, at start); the panel stays hidden unless the event is a forum. */
export function setupForum(id) {
  eventId = id;
  $('forum-refresh').addEventListener('click', refreshForum);
  $('meetings-filter').addEventListener('change', () => renderMeetings({ announce: true }));
  $('slot-add').addEventListener('click', addRow);
  $('slots-form').addEventListener('submit', saveSlots);
  $('forum-tables').addEventListener('input', () => { dirty = true; });
}

/** Sets the event before the first load (loadForum needs to know it is a forum). */
export function forumEvent(ev) { event = ev; }


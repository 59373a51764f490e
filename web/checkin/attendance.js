// "Record attendance afterwards": for events whose attendance was not scanned at the door (e.g. network events
// abroad), an organiser ticks the people who attended, on a chosen date, and adds those who came without a
// registration. Needs a connection: nothing here is queued offline, and the list (personal data) stays in memory.

import { t, lang } from '../lib/i18n.js';
import { formatWhen, stockholmDate, formatDay } from '../lib/time.js';
import { errorOf, isUnavailable } from '../lib/api.js';
import { send } from './net.js';
import { $, h, uuid } from '../lib/dom.js';
import { deviceId } from './store.js';
import { fold } from './codes.js';
import { clearWalkInErrors, readWalkInForm, showWalkInErrors, serverFieldErrors, showWalkInMessage } from './walkin.js';

const STATUS_RANK = { confirmed: 0, waitlisted: 1, cancelled: 2 };
const ANNOUNCE_DELAY_MS = 60;
const FILTER_ANNOUNCE_MS = 600;

const att = {
  event: null,
  items: [],          // the event's registrations as GET /api/v1/events/{id}/registrations gives them
  busy: new Set(),    // registration ids with a request under way
  loading: false,
  failed: '',         // why the list could not be loaded
  hooks: { sessionEnded: () => {} },
};

let announceTimer = 0;
let filterTimer = 0;

// ---------------------------------------------------------------- wiring

/** hooks: {sessionEnded()}. Called once. */
export function bind(hooks) {
  att.hooks = { ...att.hooks, ...hooks };
  $('att-date').addEventListener('change', () => { if (chosenDate()) setError(''); });
  $('att-filter').addEventListener('input', onFilter);
  $('att-filter').addEventListener('keydown', (e) => { if (e.key === 'Escape' && e.target.value) { e.target.value = ''; onFilter(); } });
  $('att-list').addEventListener('change', onToggle);
  $('att-reload').addEventListener('click', () => load());
}

/** Shows event `ev` (the screen is already visible) and loads its registrations. */
export async function open(ev) {
  att.event = ev;
  att.items = [];
  att.busy.clear();
  att.failed = '';
  $('att-filter').value = '';
  $('att-live').textContent = '';
  setError('');
  const today = stockholmDate();
  const start = stockholmDate(ev.starts_at) || today;
  const date = $('att-date');
  date.max = today;
  date.value = start > today ? today : start;
  setDateError('');
  render();
  $('att-h').focus();
  await load();
}

/** Forgets the list (personal data) when the organiser leaves the mode or signs out. */
export function close() {
  att.event = null;
  att.items = [];
  att.busy.clear();
  clearTimeout(announceTimer);
  clearTimeout(filterTimer);
  $('att-list').replaceChildren();
  $('att-live').textContent = '';
  setError('');
}

/** Everything JavaScript wrote, again (after a change of language). */
export function render() {
  const ev = att.event;
  if (!ev) return;
  $('att-title').replaceChildren(ev.title || '', ev.status === 'draft' ? h('span', { class: 'badge', text: t('checkin.draft') }) : '');
  $('att-when').textContent = [formatWhen(ev.starts_at, ev.ends_at), ev.venue?.name].filter(Boolean).join(' · ');
  $('att-date-hint').textContent = t('checkin.attDateHint', { date: formatDay(stockholmDate(ev.starts_at)) });
  if (!$('att-date-err').hidden) chosenDate();
  renderList();
  renderCount();
}

// ---------------------------------------------------------------- the list

async function load() {
  const ev = att.event;
  if (!ev) return;
  att.loading = true;
  att.failed = '';
  renderListStatus();
  let res;
  try {
    res = await send('GET', `/api/v1/events/${ev.id}/registrations`);
  } catch (e) {
    if (!e?.network) throw e;
    if (att.event === ev) { att.loading = false; att.failed = t('checkin.attLoadOffline'); renderListStatus(); }
    return;
  }
  if (att.event !== ev) return;
  att.loading = false;
  if (res.status === 401) { sessionEnded(); return; }
  if (res.status !== 200 || !Array.isArray(res.body?.items)) {
    att.failed = res.status === 403 ? t('checkin.notAllowed') : t('checkin.attLoadFailed', { status: res.status });
    renderListStatus();
    return;
  }
  att.items = res.body.items;
  renderList();
  renderCount();
}

function displayName(x) { return x.name || `${t('checkin.attErased')} (${x.id})`; }
function statusText(x) { return t(`checkin.attStatus.${x.status}`); }
function attendedDay(x) { return x.checked_in_at ? stockholmDate(x.checked_in_at) : ''; }

function sorted(items) {
  const collator = new Intl.Collator(lang() === 'sv' ? 'sv' : 'en', { sensitivity: 'base' });
  return [...items].sort((a, b) => (STATUS_RANK[a.status] ?? 3) - (STATUS_RANK[b.status] ?? 3)
    || collator.compare(displayName(a), displayName(b)) || a.id - b.id);
}

function matches(x, words) {
  if (!words.length) return true;
  const hay = fold(`${x.name || ''} ${x.organisation || ''}`);
  return words.every((w) => hay.includes(w));
}

function filterWords() { return fold($('att-filter').value).split(' ').filter(Boolean); }

/** Rebuilds the list; the focused checkbox keeps the focus. */
function renderList() {
  const ul = $('att-list');
  const focusedId = ul.contains(document.activeElement) ? document.activeElement.id : null;
  const words = filterWords();
  ul.replaceChildren(...sorted(att.items).filter((x) => matches(x, words)).map(row));
  if (focusedId) $(focusedId)?.focus();
  renderListStatus();
}

function row(x) {
  const id = `att-r-${x.id}`;
  const box = h('input', { type: 'checkbox', id, 'aria-describedby': `${id}-d`, dataset: { registrationId: String(x.id) } });
  box.checked = !!x.checked_in_at;
  const li = h('li', { class: 'att-row', dataset: { registrationId: String(x.id), status: x.status } },
    box,
    h('label', { for: id, class: 'att-name', text: displayName(x) }),
    h('span', { id: `${id}-d`, class: 'att-meta' }));
  fillMeta(li, x);
  if (att.busy.has(x.id)) li.setAttribute('aria-busy', 'true');
  return li;
}

/** Organisation · status · walk-in · attended on. */
function fillMeta(li, x) {
  const parts = [
    x.organisation ? h('span', { class: 'att-org', text: x.organisation }) : null,
    h('span', { class: `att-status is-${x.status}`, text: statusText(x) }),
    x.walk_in ? h('span', { class: 'att-walkin', text: t('checkin.walkInBadge') }) : null,
    x.checked_in_at ? h('span', { class: 'att-on', text: t('checkin.attAttendedOn', { date: formatDay(attendedDay(x)) }) }) : null,
  ].filter(Boolean);
  const meta = li.querySelector('.att-meta');
  meta.replaceChildren(...parts.flatMap((p, i) => (i ? [h('span', { class: 'att-sep', 'aria-hidden': 'true', text: ' · ' }), p] : [p])));
}

/** Brings one row up to date without rebuilding the list (the focus stays on its checkbox). */
function updateRow(x) {
  const li = $('att-list').querySelector(`li[data-registration-id="${x.id}"]`);
  if (!li) return;
  li.dataset.status = x.status;
  li.querySelector('input').checked = !!x.checked_in_at;
  fillMeta(li, x);
  if (att.busy.has(x.id)) li.setAttribute('aria-busy', 'true'); else li.removeAttribute('aria-busy');
}

function renderListStatus() {
  const s = $('att-list-status');
  if (att.loading) s.textContent = t('checkin.attLoading');
  else if (att.failed) s.textContent = att.failed;
  else if (!att.items.length) s.textContent = t('checkin.attNone');
  else if (filterWords().length && !$('att-list').childElementCount) s.textContent = t('checkin.attNoMatch');
  else s.textContent = '';
}

function onFilter() {
  renderList();
  clearTimeout(filterTimer);
  // Say how many are shown once typing pauses.
  filterTimer = setTimeout(() => {
    const n = $('att-list').childElementCount;
    if (filterWords().length && n) $('att-list-status').textContent = t('checkin.attShown', { n, m: att.items.length });
  }, FILTER_ANNOUNCE_MS);
}

function counted() {
  return {
    n: att.items.filter((x) => x.checked_in_at).length,
    m: att.items.filter((x) => x.status === 'confirmed' || x.checked_in_at).length,
  };
}

function countText() { return t('checkin.attCount', counted()); }

function renderCount() {
  const c = $('att-count');
  const { n, m } = counted();
  c.textContent = att.loading && !att.items.length ? '' : countText();
  c.dataset.attended = String(n);
  c.dataset.total = String(m);
}

// ---------------------------------------------------------------- messages

/** Confirms a change in the polite live region; written a moment after clearing so a repeated text is announced too. */
function announce(text) {
  const live = $('att-live');
  clearTimeout(announceTimer);
  live.textContent = '';
  announceTimer = setTimeout(() => { live.textContent = text; }, ANNOUNCE_DELAY_MS);
}

/** An error in the alert region ('' clears it). */
function setError(text) {
  $('att-error').textContent = text || '';
}

function setDateError(text) {
  const err = $('att-date-err');
  err.textContent = text || '';
  err.hidden = !text;
  if (text) $('att-date').setAttribute('aria-invalid', 'true'); else $('att-date').removeAttribute('aria-invalid');
}

/** The chosen date (YYYY-MM-DD), or null after marking the field. */
function chosenDate() {
  const v = $('att-date').value;
  let problem = '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || !formatDay(v)) problem = t('checkin.attDateMissing');
  else if (v > stockholmDate()) problem = t('checkin.attDateFuture');
  setDateError(problem);
  if (problem) { setError(problem); return null; }
  return v;
}

/**
 * What to send as attended_at: the date alone (the server records midday of it); today's date as the present moment,
 * since midday may still lie ahead and the server refuses attendance in the future.
 */
function attendedAt(date) {
  return date === stockholmDate() ? new Date().toISOString() : date;
}

// ---------------------------------------------------------------- ticking and unticking

function find(id) { return att.items.find((x) => x.id === id); }

/** Marks a row as waiting for the server (its checkbox keeps the state the organiser gave it meanwhile). */
function setBusy(x, on) {
  if (on) att.busy.add(x.id); else att.busy.delete(x.id);
  const li = $('att-list').querySelector(`li[data-registration-id="${x.id}"]`);
  if (li && on) li.setAttribute('aria-busy', 'true'); else li?.removeAttribute('aria-busy');
}

/** The session ended: the list leaves the page before the sign-in screen shows. */
function sessionEnded() {
  close();
  att.hooks.sessionEnded();
}

function onToggle(e) {
  const box = e.target;
  if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
  const x = find(Number(box.dataset.registrationId));
  // One request per person at a time: a change made meanwhile is put back.
  if (!x || att.busy.has(x.id)) { box.checked = !box.checked; return; }
  if (box.checked) record(x); else unrecord(x);
}

async function record(x) {
  const ev = att.event;
  const date = chosenDate();
  if (!date) { updateRow(x); return; }
  let force = false;
  if (x.status !== 'confirmed') {
    // A waitlisted or cancelled person who came all the same: recorded on purpose only.
    if (!window.confirm(t('checkin.attConfirmForce', { name: displayName(x), status: statusText(x).toLowerCase() }))) { updateRow(x); return; }
    force = true;
  }
  const body = { registration_id: x.id, scan_id: uuid(), attended_at: attendedAt(date) };
  if (force) body.force = true;
  setError('');
  setBusy(x, true);
  let res;
  try {
    res = await send('POST', `/api/v1/events/${ev.id}/checkins`, body, { headers: { 'x-device-id': deviceId() } });
  } catch (err) {
    if (!err?.network) throw err;
    return fail(x, t('checkin.attNetwork', { name: displayName(x) }));
  } finally {
    setBusy(x, false);
  }
  if (att.event !== ev) return;
  const b = res.body && typeof res.body === 'object' ? res.body : {};
  if ((res.status === 201 || res.status === 200) && b.result !== 'already_checked_in') {
    x.checked_in_at = b.checked_in_at || b.registration?.checked_in_at || body.attended_at;
    updateRow(x);
    renderCount();
    announce(t('checkin.attRecorded', { name: displayName(x), date: formatDay(attendedDay(x)), count: countText() }));
  } else if (res.status === 200) {
    x.checked_in_at = b.checked_in_at || x.checked_in_at || body.attended_at;
    updateRow(x);
    renderCount();
    announce(t('checkin.attAlready', { name: displayName(x), date: formatDay(attendedDay(x)), count: countText() }));
  } else if (res.status === 401) {
    sessionEnded();
  } else if (res.status === 404) {
    fail(x, t('checkin.attUnknown', { name: displayName(x) }));
  } else if (res.status === 409 || res.status === 422) {
    if (typeof b.registration_status === 'string' && b.registration_status in STATUS_RANK) x.status = b.registration_status;
    const detail = (Array.isArray(b.errors) && b.errors[0]?.message) || errorOf(res).message;
    fail(x, t('checkin.attRefused', { name: displayName(x), detail }));
  } else if (res.status === 403) {
    fail(x, t('checkin.notAllowed'));
  } else {
    fail(x, t('checkin.attFailed', { name: displayName(x), detail: isUnavailable(res.status) ? t('checkin.networkError') : errorOf(res).message }));
  }
}

async function unrecord(x) {
  const ev = att.event;
  const when = formatDay(attendedDay(x));
  if (!window.confirm(t('checkin.attConfirmRemove', { name: displayName(x), date: when }))) { updateRow(x); return; }
  setError('');
  setBusy(x, true);
  let res;
  try {
    res = await send('DELETE', `/api/v1/events/${ev.id}/checkins/${x.id}`);
  } catch (err) {
    if (!err?.network) throw err;
    return fail(x, t('checkin.attNetwork', { name: displayName(x) }));
  } finally {
    setBusy(x, false);
  }
  if (att.event !== ev) return;
  // 404: the server has no check-in to undo (removed elsewhere meanwhile); the result is the same.
  if (res.status === 200 || res.status === 204 || res.status === 404) {
    x.checked_in_at = null;
    updateRow(x);
    renderCount();
    announce(t('checkin.attRemoved', { name: displayName(x), count: countText() }));
  } else if (res.status === 401) {
    sessionEnded();
  } else if (res.status === 403) {
    fail(x, t('checkin.notAllowed'));
  } else {
    fail(x, t('checkin.attFailed', { name: displayName(x), detail: isUnavailable(res.status) ? t('checkin.networkError') : errorOf(res).message }));
  }
}

/** Puts the row back as the server has it and says what went wrong. */
function fail(x, message) {
  updateRow(x);
  setError(message);
}

// ---------------------------------------------------------------- adding an attendee (the walk-in form)

export async function onAddAttendee(e) {
  e.preventDefault();
  const ev = att.event;
  if (!ev) return;
  clearWalkInErrors();
  const { v, errors, body } = readWalkInForm();
  if (Object.keys(errors).length) return showWalkInErrors(errors);
  const date = chosenDate();
  if (!date) {
    showWalkInMessage($('att-date-err').textContent);
    $('att-date').focus();
    return;
  }
  body.attended_at = attendedAt(date);
  let res;
  try {
    res = await send('POST', `/api/v1/events/${ev.id}/walk-ins`, body, { headers: { 'x-device-id': deviceId() } });
  } catch (err) {
    if (!err?.network) throw err;
    return showWalkInMessage(t('checkin.attAddOffline'));
  }
  if (att.event !== ev) return;
  if (res.status === 401) return sessionEnded();
  if ((res.status === 201 || res.status === 200) && res.body && typeof res.body === 'object') {
    const r = res.body;
    const item = {
      ...r, id: r.id ?? r.registration_id, name: r.name ?? v.name, organisation: r.organisation ?? v.organisation,
      status: r.status || 'confirmed', walk_in: r.walk_in ?? true, checked_in_at: r.checked_in_at || body.attended_at,
    };
    delete item.manage_token;
    att.items = att.items.filter((x) => x.id !== item.id).concat(item);
    $('walkin-form').reset();
    renderList();
    renderCount();
    announce(t('checkin.attAdded', { name: v.name, date: formatDay(attendedDay(item)), count: countText() }));
    $('walkin-name').focus();
    return;
  }
  const fieldErrors = serverFieldErrors(res);
  if (fieldErrors) return showWalkInErrors(fieldErrors);
  const b = res.body && typeof res.body === 'object' ? res.body : {};
  const detail = (Array.isArray(b.errors) && b.errors[0]?.message) || errorOf(res).message;
  showWalkInMessage(res.status === 409 && b.reason === 'duplicate' ? t('checkin.attAddDuplicate')
    : res.status === 403 ? t('checkin.notAllowed')
      : res.status === 409 || res.status === 422 ? t('checkin.attAddRefused', { detail })
        : `${t('checkin.serverError', { status: res.status })} ${detail}`);
}

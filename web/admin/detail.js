// One event for the organisers: facts, counts, links (public page, door app, calendar file), publish and cancel,
// the accessibility needs the venue does not cover, the evaluation results (evaluations.js), the registrations
// with search, status filter, cancel and "resend confirmation", the mail panel (mail.js) and, for partner-search
// forums, the meeting times, tables and meetings (forum.js).
// The counts follow the live topic `event:{id}` (lib/live.js); the list follows them while nobody works in it.
import { startAdminPage, call, canEdit, adminLabel, download } from './session.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, label, onLanguageChange } from '../lib/i18n.js';
import { formatRange, formatDateTime, shortDateTime } from '../lib/time.js';
import { errorText } from '../lib/errors.js';
import { confirmDialog } from '../lib/page.js';
import { placeText } from '../lib/seats.js';
import { cell, statusBadge, emailParts } from './ui.js';
import { live } from '../lib/live.js';
import { loadEvaluations, renderEvaluations } from './evaluations.js';
import { setupMail, loadMail, renderMail, resendConfirmation } from './mail.js';
import { setupForum, loadForum, renderForum, forumEvent } from './forum.js';

const pageStatus = $('page-status');
const article = $('event');
const actionStatus = $('action-status');
const regStatus = $('reg-status');
const searchInput = $('reg-q');
const statusFilter = $('reg-status-filter');

const params = new URLSearchParams(location.search);
const rawId = params.get('id');
const eventId = rawId && /^\d+$/.test(rawId) ? Number(rawId) : null;

const SEARCH_DELAY_MS = 300;

let event = null;
let needs = null;
let needsError = null;
let regs = null;
let regsError = null;
let regsNext = null; // the list comes in pages: where the next one starts, or null
let pageError = null; // {key} or {err, key}
let started = false;
let regsSeq = 0; // answers to older searches are dropped
let searchTimer = null;
let busy = false;

// ---------------------------------------------------------------- rendering

function fact(key, value) {
  return value ? h('div', {}, h('dt', {}, t(key)), h('dd', {}, value)) : null;
}

function showPageError() {
  article.hidden = true;
  const text = pageError.err ? errorText(pageError.err, pageError.key) : t(pageError.key);
  replaceChildren(pageStatus, h('h1', {}, t('admin.event.unavailable')), h('p', { class: 'notice error' }, text));
  document.title = t('admin.event.title.plain');
}

function renderEvent() {
  if (pageError) { showPageError(); return; }
  if (!event) return;
  replaceChildren(pageStatus);
  article.hidden = false;
  document.title = t('admin.event.title', { title: event.title });
  $('ev-kind').textContent = [label('kind', event.kind), label('network', event.network)].filter(Boolean).join(' · ');
  $('ev-title').textContent = event.title;
  replaceChildren($('ev-status'), statusBadge(event.status));
  const cancelled = event.status === 'cancelled';
  $('ev-cancelled').hidden = !cancelled;

  const editor = canEdit();
  $('ev-actions').hidden = !editor || cancelled;
  $('edit-link').href = `/admin/edit.html?id=${encodeURIComponent(event.id)}`;
  $('publish').hidden = event.status !== 'draft';
  $('cancel-event').hidden = cancelled;

  const c = event.counts || {};
  replaceChildren($('ev-facts'),
    fact('admin.event.when', h('time', { datetime: event.starts_at }, formatRange(event.starts_at, event.ends_at))),
    fact('admin.event.where', placeText(event)),
    fact('admin.event.topic', label('topic', event.topic)),
    fact('admin.event.focus_area', label('focus_area', event.focus_area)),
    fact('admin.event.network', label('network', event.network)),
    event.kind === 'partner_search_forum'
      ? fact('admin.event.organised', t(event.organised_by_project ? 'admin.event.yes' : 'admin.event.no')) : null,
    fact('admin.event.language', label('language', event.language)),
    fact('admin.event.closes', formatDateTime(event.registration_closes_at)),
    fact('admin.event.seats', c.capacity === null || c.capacity === undefined ? t('admin.counts.unlimited') : String(c.capacity)));

  const id = encodeURIComponent(event.id);
  const links = [];
  if (event.status !== 'draft') links.push(h('li', {}, h('a', { href: `/event.html?id=${id}`, id: 'link-public' }, t('admin.event.public'))));
  links.push(h('li', {}, h('a', { href: `/checkin/?event=${id}`, id: 'link-door' }, t('admin.event.door'))));
  if (event.status !== 'draft') links.push(h('li', {}, h('a', { href: `/api/v1/events/${id}.ics`, id: 'link-ics', download: `event-${event.id}.ics` }, t('admin.event.ics'))));
  else links.push(h('li', { class: 'cell-muted' }, t('admin.event.links.draft')));
  if (canEdit()) {
    const button = h('button', { type: 'button', class: 'link-button', id: 'download-csv' }, t('admin.event.csv'));
    button.addEventListener('click', () => {
      download(`/api/v1/events/${id}/attendance.csv`, `attendance-${event.id}.csv`).catch(() => {
        button.after(h('span', { role: 'alert', class: 'field-error' }, ' ', t('admin.event.csv_failed')));
      });
    });
    links.push(h('li', {}, button));
  }
  replaceChildren($('ev-links'), links);

  renderCounts();
}

function stat(id, n, labelKey, sub = null) {
  return h('li', { class: 'stat', id },
    h('span', { class: 'stat-n' }, String(n ?? 0)), ' ',
    h('span', { class: 'stat-l' }, t(labelKey)),
    sub ? [' ', h('span', { class: 'stat-sub' }, sub)] : null);
}

function renderCounts() {
  const c = event.counts || {};
  const limited = c.capacity !== null && c.capacity !== undefined;
  replaceChildren($('counts'),
    stat('count-confirmed', c.confirmed, 'admin.counts.confirmed',
      limited ? t('admin.counts.of_capacity', { n: c.capacity }) : t('admin.counts.unlimited')),
    stat('count-waitlisted', c.waitlisted, 'admin.counts.waitlisted'),
    stat('count-checked-in', c.checked_in, 'admin.counts.checked_in'),
    stat('count-walk-ins', c.walk_ins, 'admin.counts.walk_ins'),
    limited ? stat('count-available', c.available, 'admin.counts.available') : null);
}

function renderNeeds() {
  const box = $('needs');
  if (!canEdit()) { replaceChildren(box, h('p', { class: 'notice' }, t('admin.needs.organisers_only'))); return; }
  if (needsError) { replaceChildren(box, h('p', { class: 'notice error' }, errorText(needsError, 'admin.needs.error'))); return; }
  if (!needs) return;
  const requested = needs.requested || {};
  const offered = new Set(needs.offered || []);
  const uncovered = needs.uncovered || [];
  const count = (n) => t('admin.needs.regs', { n: requested[n] || 0 });
  const parts = [];
  if (uncovered.length) {
    parts.push(h('div', { class: 'notice error needs-alert', id: 'needs-uncovered' },
      h('p', { class: 'needs-alert-title' }, h('span', { 'aria-hidden': 'true' }, '⚠ '), t('admin.needs.uncovered', { n: uncovered.length })),
      h('ul', {}, uncovered.map((n) => h('li', { 'data-need': n }, `${adminLabel('need', n)}: ${count(n)}`)))));
  } else {
    const none = Object.keys(requested).length === 0;
    parts.push(h('p', { class: `notice${none ? '' : ' ok'}`, id: 'needs-covered' }, t(none ? 'admin.needs.none_requested' : 'admin.needs.none_uncovered')));
  }
  const asked = Object.keys(requested).filter((n) => requested[n] > 0);
  if (asked.length) {
    parts.push(h('h3', {}, t('admin.needs.all')),
      h('ul', { id: 'needs-all' }, asked.map((n) => h('li', {},
        `${adminLabel('need', n)}: ${count(n)} – `,
        offered.has(n) ? t('admin.needs.offered') : h('strong', {}, t('admin.needs.not_offered'))))));
  }
  parts.push(h('p', { class: 'hint' }, offered.size
    ? `${t('admin.needs.venue_offers')} ${[...offered].map((n) => adminLabel('need', n)).join(', ')}.`
    : t('admin.needs.venue_none')));
  replaceChildren(box, parts);
}

function statusCell(reg) {
  const text = reg.status === 'waitlisted' && reg.waitlist_position
    ? t('status.waitlist_position', { n: reg.waitlist_position })
    : t(`status.${reg.status}`);
  return [h('span', { class: `badge badge-${reg.status}` }, text),
    reg.walk_in ? [' ', h('span', { class: 'cell-muted' }, `(${t('admin.regs.walk_in')})`)] : null];
}

function needsCell(reg) {
  const list = reg.accessibility_needs || [];
  const uncovered = new Set((needs && needs.uncovered) || []);
  const out = [];
  if (list.length) {
    out.push(h('ul', { class: 'needs-list' }, list.map((n) => (uncovered.has(n)
      ? h('li', { class: 'uncovered' }, `${adminLabel('need', n)} ${t('admin.regs.not_at_venue')}`)
      : h('li', {}, adminLabel('need', n))))));
  }
  if (reg.accessibility_note) out.push(h('p', { class: 'cell-muted' }, reg.accessibility_note));
  if (!out.length) out.push(h('span', { class: 'cell-muted' }, t('admin.regs.none')));
  return out;
}

function regRow(reg) {
  const name = reg.erased ? t('admin.regs.erased') : (reg.name || '');
  const place = reg.municipality || reg.country || '';
  const editor = canEdit();
  const who = reg.name || t('admin.regs.someone');
  const active = reg.status !== 'cancelled';
  const actions = editor
    ? cell('admin.regs.col.actions', active ? h('div', { class: 'row-actions' },
      reg.erased ? null : h('button', {
        type: 'button', class: 'button secondary small', 'data-resend-reg': reg.id,
        onclick: (ev) => resend(reg, ev.currentTarget),
      }, t('admin.resend'), h('span', { class: 'visually-hidden' }, ` ${t('admin.resend.for', { name: who })}`)),
      h('button', {
        type: 'button', class: 'button secondary small', 'data-cancel-reg': reg.id,
        onclick: (ev) => cancelRegistration(reg, ev.currentTarget),
      }, t('admin.regs.cancel'), h('span', { class: 'visually-hidden' }, ` ${t('admin.regs.cancel.for', { name: who })}`))) : '')
    : null;
  return h('tr', { role: 'row', 'data-reg-id': reg.id, 'data-status': reg.status },
    h('th', { scope: 'row', role: 'rowheader', class: 'title-cell' }, name,
      reg.email ? h('span', { class: 'email' }, emailParts(reg.email)) : null),
    cell('admin.regs.col.organisation', reg.organisation || ''),
    cell('admin.regs.col.organisation_type', adminLabel('organisation_type', reg.organisation_type)),
    cell('admin.regs.col.place', place),
    cell('admin.regs.col.status', statusCell(reg)),
    cell('admin.regs.col.checked_in', reg.checked_in_at
      ? h('time', { datetime: reg.checked_in_at }, shortDateTime(reg.checked_in_at))
      : h('span', { class: 'cell-muted' }, t('admin.regs.not_checked_in'))),
    cell('admin.regs.col.needs', needsCell(reg)),
    actions);
}

function renderRegs({ announce = false } = {}) {
  const editor = canEdit();
  $('regs-forbidden').hidden = editor;
  $('regs-body').hidden = !editor;
  if (!editor || !event) return;
  $('regs-caption').textContent = t('admin.regs.caption', { title: event.title });
  if (regsError) {
    replaceChildren($('regs-rows'));
    regStatus.classList.add('error');
    regStatus.textContent = errorText(regsError, 'admin.regs.error');
    return;
  }
  if (!regs) return;
  regStatus.classList.remove('error');
  replaceChildren($('regs-rows'), regs.map(regRow));
  $('regs-region').hidden = regs.length === 0;
  $('regs-more').hidden = !regsNext;
  const filtered = searchInput.value.trim() || statusFilter.value;
  const text = regs.length === 0 && !filtered ? t('admin.regs.empty')
    : t(regsNext ? 'admin.regs.count_more' : 'admin.regs.count', { n: regs.length });
  if (announce || regStatus.textContent !== text) regStatus.textContent = text;
}

function renderAll() {
  renderEvent();
  if (!event) return;
  renderNeeds();
  renderEvaluations($('evals'), event);
  renderRegs();
  renderMail(event);
  renderForum(event);
}

// ---------------------------------------------------------------- loading

async function loadEvent() {
  try {
    event = await call('GET', `/api/v1/events/${eventId}`);
    pageError = null;
  } catch (err) {
    if (err.status === 401) return false;
    pageError = err.status === 404 ? { key: 'admin.event.not_found' } : { err, key: 'admin.event.error' };
    event = null;
  }
  return !!event;
}

async function loadNeeds() {
  if (!canEdit()) return;
  try {
    needs = await call('GET', `/api/v1/events/${eventId}/needs`);
    needsError = null;
  } catch (err) {
    if (err.status !== 401) needsError = err;
  }
}

async function loadRegs({ announce = false, more = false } = {}) {
  if (!canEdit()) return;
  if (more && !regsNext) return;
  const seq = ++regsSeq;
  const q = new URLSearchParams();
  const text = searchInput.value.trim();
  if (text) q.set('q', text);
  if (statusFilter.value) q.set('status', statusFilter.value);
  if (more) q.set('after', regsNext);
  const query = q.toString();
  try {
    const res = await call('GET', `/api/v1/events/${eventId}/registrations${query ? `?${query}` : ''}`);
    if (seq !== regsSeq) return; // a newer search is on its way
    const items = Array.isArray(res && res.items) ? res.items : [];
    regs = more && regs ? regs.concat(items) : items;
    regsNext = (res && res.next) || null;
    regsError = null;
    // The list answers the event's counts too: keep the figures above in step.
    if (res && res.counts && event) { event.counts = res.counts; renderCounts(); }
  } catch (err) {
    if (seq !== regsSeq || err.status === 401) return;
    regsError = err;
  }
  renderRegs({ announce });
}

/** The next page of registrations; focus moves to the first new row so keyboard users continue where they were. */
async function showMoreRegs() {
  const before = regs ? regs.length : 0;
  await loadRegs({ announce: true, more: true });
  const rows = $('regs-rows').children;
  const target = rows[before] && (rows[before].querySelector('th, td'));
  if (target) {
    target.tabIndex = -1;
    target.focus();
  } else if (!$('regs-more').hidden) {
    $('regs-more').focus();
  }
}

async function loadAll() {
  const ok = await loadEvent();
  renderEvent();
  if (!ok) return;
  followCounts();
  forumEvent(event);
  await Promise.all([loadNeeds(), loadRegs(), loadEvaluations(eventId), loadMail(), loadForum()]);
  renderNeeds();
  renderEvaluations($('evals'), event);
  renderRegs();
  renderMail(event);
  renderForum(event);
}

// ---------------------------------------------------------------- actions

function say(text, kind = 'info') {
  actionStatus.dataset.kind = kind;
  actionStatus.classList.toggle('error-text', kind === 'error');
  actionStatus.textContent = text;
}

async function publish() {
  if (busy) return;
  busy = true;
  say(t('admin.event.publishing'));
  try {
    event = await call('PATCH', `/api/v1/events/${eventId}`, { status: 'published' });
    renderEvent();
    $('ev-title').focus();
    say(t('admin.event.published'));
  } catch (err) {
    if (err.status !== 401) say(errorText(err, 'admin.event.action_failed'), 'error');
  } finally {
    busy = false;
  }
}

async function cancelEvent() {
  if (busy) return;
  const ok = await confirmDialog({ title: t('admin.event.cancel.h'), text: t('admin.event.cancel.text'),
    yes: t('admin.event.cancel.yes'), no: t('admin.event.cancel.no') });
  if (!ok) return;
  busy = true;
  try {
    event = await call('POST', `/api/v1/events/${eventId}/cancel`);
    renderEvent();
    $('ev-title').focus();
    say(t('admin.event.cancelled'));
  } catch (err) {
    if (err.status !== 401) say(errorText(err, 'admin.event.action_failed'), 'error');
    $('cancel-event').focus();
  } finally {
    busy = false;
  }
}

/** The first registration on the waitlist (position 1), or null. */
async function firstWaiting() {
  try {
    const res = await call('GET', `/api/v1/events/${eventId}/registrations?status=waitlisted`);
    const items = (res && res.items) || [];
    items.sort((a, b) => (a.waitlist_position ?? 1e9) - (b.waitlist_position ?? 1e9));
    return items[0] || null;
  } catch {
    return null;
  }
}

async function cancelRegistration(reg, button) {
  if (busy) return;
  const name = reg.name || t('admin.regs.someone');
  const ok = await confirmDialog({ title: t('admin.regs.cancel.h', { name }), text: t('admin.regs.cancel.text'),
    yes: t('admin.regs.cancel.yes'), no: t('admin.regs.cancel.no') });
  if (!ok) return;
  busy = true;
  const waiting = reg.status === 'confirmed' ? await firstWaiting() : null;
  try {
    await call('POST', `/api/v1/events/${eventId}/registrations/${reg.id}/cancel`);
  } catch (err) {
    busy = false;
    if (err.status === 401) return;
    regStatus.classList.add('error');
    regStatus.textContent = errorText(err, 'admin.event.action_failed');
    if (button && button.isConnected) button.focus();
    return;
  }
  // The server has promoted the first waitlisted registration already: show the new state everywhere.
  const stillWaiting = waiting ? await firstWaiting() : null;
  await Promise.all([loadEvent(), loadNeeds(), loadRegs()]);
  renderAll();
  let text = t('admin.regs.cancelled', { name });
  if (waiting && (!stillWaiting || stillWaiting.id !== waiting.id)) {
    text += ` ${waiting.name ? t('admin.regs.promoted', { name: waiting.name }) : t('admin.regs.promoted_someone')}`;
  }
  // The button is gone with its row's new state: the focus goes to the list's heading, the news to the live region.
  $('regs-h').focus();
  regStatus.classList.remove('error');
  regStatus.textContent = text;
  busy = false;
}

/** The confirmation again; the news goes to the list's live region. A 404 or 409 means the list is out of date. */
async function resend(reg, button) {
  const report = (text, kind = 'info') => {
    regStatus.classList.toggle('error', kind === 'error');
    regStatus.textContent = text;
  };
  const outcome = await resendConfirmation(reg, report);
  if (outcome !== 'gone') return;
  const text = regStatus.textContent;
  await loadRegs();
  // The row may have lost its button (now cancelled or erased): the focus goes to the list's heading then.
  if (!button.isConnected) {
    const same = document.querySelector(`#regs-rows button[data-resend-reg="${reg.id}"]`);
    (same || $('regs-h')).focus();
  }
  report(text, 'error');
}

// ---------------------------------------------------------------- live counts

const LIST_FOLLOW_MS = 5000; // the list is fetched again at most this often while counts change
let following = false;
let listTimer = 0;
let listLoadedAt = 0;

/** Reloads the registrations after a change of the counts, unless the organiser is in the list (focus, search). */
function followList() {
  if (!canEdit() || listTimer) return;
  const wait = Math.max(0, listLoadedAt + LIST_FOLLOW_MS - Date.now());
  listTimer = setTimeout(async () => {
    listTimer = 0;
    if (busy || $('regs-section').contains(document.activeElement)) return;
    listLoadedAt = Date.now();
    await Promise.all([loadRegs(), loadNeeds()]);
    renderNeeds();
  }, wait);
}

function followCounts() {
  if (following) return;
  following = true;
  // Drafts are not a public topic: their counts, and all of them where the connection cannot serve, are polled.
  live().subscribe(`event:${eventId}`, {
    onData(counts) {
      if (!event || !counts || typeof counts !== 'object') return;
      const before = event.counts || {};
      if (JSON.stringify(before) === JSON.stringify(counts)) return;
      event.counts = counts;
      renderCounts();
      followList();
    },
    poll: async () => (await call('GET', `/api/v1/events/${eventId}`)).counts,
  });
}

async function refresh() {
  await loadAll();
  say(t('admin.event.refreshed'));
}

// ---------------------------------------------------------------- wiring

searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => loadRegs({ announce: true }), SEARCH_DELAY_MS);
});
statusFilter.addEventListener('change', () => { clearTimeout(searchTimer); loadRegs({ announce: true }); });
$('reg-filters').addEventListener('submit', (ev) => { ev.preventDefault(); clearTimeout(searchTimer); loadRegs({ announce: true }); });
$('regs-more').addEventListener('click', showMoreRegs);
$('publish').addEventListener('click', publish);
$('cancel-event').addEventListener('click', cancelEvent);
$('refresh').addEventListener('click', refresh);
if (eventId) { setupMail(eventId); setupForum(eventId); }
onLanguageChange(() => renderAll()); // the static markup is translated by the switch itself

startAdminPage({
  onReady() {
    if (!eventId) {
      pageError = { key: 'admin.event.missing_id' };
      showPageError();
      return;
    }
    if (!started && params.get('saved')) {
      say(t('admin.event.saved'));
      params.delete('saved');
      history.replaceState(null, '', `${location.pathname}?${params.toString()}`);
    }
    started = true;
    loadAll();
  },
});

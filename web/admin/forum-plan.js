// A partner-search forum's table plan for printing (forum-plan.html?id=N): the booked meetings as a grid of times
// (rows) and tables (columns), then each participant's own meetings, one per printed page (forum-plan.css), to hand
// out at the door. Organisers only: it names people (GET /api/v1/events/{id}/meetings).
import './forum-strings.js';
import { startAdminPage, call, canEdit } from './session.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, onLanguageChange, lang } from '../lib/i18n.js';
import { formatRange, formatWhen, formatTime } from '../lib/time.js';
import { errorText } from '../lib/errors.js';

// The print stylesheet is this page's own; the shell (kept identical on every organisers' page) links only the shared ones.
document.head.append(h('link', { rel: 'stylesheet', href: '/admin/forum-plan.css' }));

const params = new URLSearchParams(location.search);
const rawId = params.get('id');
const eventId = rawId && /^\d+$/.test(rawId) ? Number(rawId) : null;

let event = null;
let forum = null;
let pageError = null;

const personName = (p) => (p && p.name) || t('admin.forum.erased');
const personText = (p) => [personName(p), p && p.organisation].filter(Boolean).join(', ');

function showError() {
  $('plan').hidden = true;
  replaceChildren($('page-status'), h('p', { class: 'notice error' }, pageError.err ? errorText(pageError.err, pageError.key) : t(pageError.key)));
}

function slotLabel(s) {
  return h('time', { datetime: s.starts_at }, `${formatTime(s.starts_at)}–${formatTime(s.ends_at)}`);
}

function renderGrid() {
  const accepted = forum.items.filter((m) => m.state === 'accepted' && m.slot && m.table);
  const at = new Map(accepted.map((m) => [`${m.slot.id}/${m.table}`, m]));
  const tables = Array.from({ length: forum.tables }, (_, i) => i + 1);
  const none = forum.slots.length === 0;
  $('grid-none').hidden = !none;
  $('grid-region').hidden = none;
  if (none) return;
  const first = forum.slots[0];
  const last = forum.slots[forum.slots.length - 1];
  $('grid-caption').textContent = t('admin.plan.grid.caption', { when: formatWhen(first.starts_at, last.ends_at) });
  replaceChildren($('grid-head'), h('th', { scope: 'col' }, t('admin.plan.time')),
    tables.map((n) => h('th', { scope: 'col' }, t('admin.forum.table_n', { n }))));
  replaceChildren($('grid-rows'), forum.slots.map((s) => h('tr', { 'data-slot-id': s.id },
    h('th', { scope: 'row' }, slotLabel(s)),
    tables.map((n) => {
      const m = at.get(`${s.id}/${n}`);
      if (!m) return h('td', { class: 'plan-free' }, t('admin.plan.free'));
      return h('td', { class: 'plan-meeting', 'data-meeting-id': m.id },
        h('span', { class: 'plan-person' }, personText(m.from)), h('span', { class: 'plan-person' }, personText(m.to)));
    }))));
}

function renderAgendas() {
  const people = new Map();
  const add = (me, other, m) => {
    if (!me) return;
    const key = me.registration_id;
    if (!people.has(key)) people.set(key, { person: me, meetings: [] });
    people.get(key).meetings.push({ slot: m.slot, table: m.table, other });
  };
  for (const m of forum.items) {
    if (m.state !== 'accepted' || !m.slot) continue;
    add(m.from, m.to, m);
    add(m.to, m.from, m);
  }
  const collator = new Intl.Collator(lang() === 'sv' ? 'sv' : 'en');
  const list = [...people.values()].sort((a, b) => collator.compare(personName(a.person), personName(b.person)));
  $('agendas-none').hidden = list.length > 0;
  replaceChildren($('agendas'), list.map(({ person, meetings }) => {
    meetings.sort((a, b) => Date.parse(a.slot.starts_at) - Date.parse(b.slot.starts_at));
    const id = `agenda-${person.registration_id}`;
    return h('section', { class: 'agenda-sheet', 'aria-labelledby': `${id}-h`, id },
      h('p', { class: 'kicker' }, event.title),
      h('h3', { id: `${id}-h` }, personText(person)),
      h('table', { class: 'data agenda-table' },
        h('caption', { class: 'visually-hidden' }, t('admin.plan.agenda.caption', { name: personName(person) })),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('admin.plan.time')),
          h('th', { scope: 'col', class: 'num' }, t('admin.forum.col.table')),
          h('th', { scope: 'col' }, t('admin.plan.agenda.with')))),
        h('tbody', {}, meetings.map((x) => h('tr', {},
          h('th', { scope: 'row' }, h('time', { datetime: x.slot.starts_at }, formatWhen(x.slot.starts_at, x.slot.ends_at))),
          h('td', { class: 'num' }, String(x.table ?? '')),
          h('td', {}, personText(x.other)))))),
      h('p', { class: 'cell-muted' }, t('admin.plan.agenda.count', { n: meetings.length })));
  }));
}

function render() {
  if (pageError) { showError(); return; }
  if (!event || !forum) return;
  replaceChildren($('page-status'));
  document.title = t('admin.plan.title.event', { title: event.title });
  $('plan-event').textContent = event.title;
  $('plan-when').textContent = formatRange(event.starts_at, event.ends_at);
  $('back-link').href = `/admin/event.html?id=${encodeURIComponent(event.id)}`;
  renderGrid();
  renderAgendas();
  $('plan').hidden = false;
}

async function load() {
  if (!eventId) { pageError = { key: 'admin.plan.missing_id' }; render(); return; }
  if (!canEdit()) { pageError = { key: 'admin.plan.organisers_only' }; render(); return; }
  try {
    event = await call('GET', `/api/v1/events/${eventId}`);
    if (event.kind !== 'partner_search_forum') { pageError = { key: 'admin.plan.not_forum' }; render(); return; }
    const res = await call('GET', `/api/v1/events/${eventId}/meetings`);
    forum = { slots: res.slots || [], tables: res.tables || 0, items: res.items || [] };
    pageError = null;
  } catch (err) {
    if (err.status === 401) return;
    pageError = err.status === 404 ? { key: 'admin.event.not_found' } : { err, key: 'admin.plan.error' };
  }
  render();
}

$('plan-print').addEventListener('click', () => window.print());
onLanguageChange(() => render());
startAdminPage({ onReady: load });

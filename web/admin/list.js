// The organisers' list of events: every event (drafts and cancelled ones too), filtered by time, kind and status,
// with the counts that matter before an event (confirmed of seats, waitlisted) and after it (checked in). The counts
// follow the live topic `events` (lib/live.js), changed cell by cell so that the focus stays where it is.
import { startAdminPage, call } from './session.js';
import { getConfig } from '../lib/api.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, label, onLanguageChange } from '../lib/i18n.js';
import { formatRange } from '../lib/time.js';
import { errorText } from '../lib/errors.js';
import { cell, statusBadge, seatsCell } from './ui.js';
import { live } from '../lib/live.js';

const form = $('filters');
const kindSelect = $('filter-kind');
const statusSelect = $('filter-status');
const listStatus = $('list-status');
const body = $('events-body');
const caption = $('events-caption');

let events = null;
let loadError = null;

function when() { return form.querySelector('input[name="when"]:checked').value; }

function readQuery() {
  const q = new URLSearchParams(location.search);
  const w = q.get('when');
  const radio = w && form.querySelector(`input[name="when"][value="${CSS.escape(w)}"]`);
  if (radio) radio.checked = true;
  for (const [key, select] of [['kind', kindSelect], ['status', statusSelect]]) {
    const v = q.get(key);
    if (v && [...select.options].some((o) => o.value === v)) select.value = v;
  }
}

function writeQuery() {
  const q = new URLSearchParams();
  if (when() !== 'upcoming') q.set('when', when());
  if (kindSelect.value) q.set('kind', kindSelect.value);
  if (statusSelect.value) q.set('status', statusSelect.value);
  const search = q.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

function shownEvents() {
  const now = Date.now();
  const w = when();
  const list = events.filter((ev) => {
    const end = new Date(ev.ends_at).getTime();
    if (w === 'upcoming' && end < now) return false;
    if (w === 'past' && end >= now) return false;
    if (kindSelect.value && ev.kind !== kindSelect.value) return false;
    if (statusSelect.value && ev.status !== statusSelect.value) return false;
    return true;
  });
  // By instant, not by string: RFC 3339 strings with different offsets do not sort.
  const dir = w === 'upcoming' ? 1 : -1;
  return list.sort((a, b) => dir * (new Date(a.starts_at) - new Date(b.starts_at)) || a.id - b.id);
}

function row(ev) {
  const c = ev.counts || {};
  return h('tr', { role: 'row', 'data-event-id': ev.id },
    h('th', { scope: 'row', role: 'rowheader', class: 'title-cell' },
      h('a', { href: `/admin/event.html?id=${encodeURIComponent(ev.id)}` }, ev.title)),
    cell('admin.events.col.kind', label('kind', ev.kind)),
    cell('admin.events.col.date', h('time', { datetime: ev.starts_at }, formatRange(ev.starts_at, ev.ends_at, { short: true }))),
    cell('admin.events.col.status', statusBadge(ev.status)),
    cell('admin.events.col.confirmed', seatsCell(c), 'num col-confirmed'),
    cell('admin.events.col.waitlisted', String(c.waitlisted ?? 0), 'num col-waitlisted'),
    cell('admin.events.col.checked_in', String(c.checked_in ?? 0), 'num col-checked-in'));
}

/** New counts ([{id, counts}], live or polled): the three count cells of each changed row, nothing else. */
function onCounts(items) {
  if (!events || !Array.isArray(items)) return;
  const byId = new Map(items.map((x) => [x.id, x.counts]));
  for (const ev of events) {
    const c = byId.get(ev.id);
    if (!c || JSON.stringify(c) === JSON.stringify(ev.counts)) continue;
    ev.counts = c;
    const tr = body.querySelector(`tr[data-event-id="${ev.id}"]`);
    if (!tr) continue;
    replaceChildren(tr.querySelector('.col-confirmed .cell-value'), seatsCell(c));
    tr.querySelector('.col-waitlisted .cell-value').textContent = String(c.waitlisted ?? 0);
    tr.querySelector('.col-checked-in .cell-value').textContent = String(c.checked_in ?? 0);
  }
}

let following = false;
function followCounts() {
  if (following) return;
  following = true;
  // Drafts are not in the public topic; where the connection cannot serve, every count is fetched each 30 s instead.
  live().subscribe('events', {
    onData: onCounts,
    poll: async () => ((await call('GET', '/api/v1/events')).items || []).map((ev) => ({ id: ev.id, counts: ev.counts })),
  });
}

function render({ announce = false } = {}) {
  caption.textContent = t(`admin.events.caption.${when()}`);
  if (loadError) {
    replaceChildren(body);
    listStatus.classList.add('error');
    listStatus.textContent = errorText(loadError, 'admin.events.error');
    return;
  }
  if (!events) return;
  listStatus.classList.remove('error');
  const shown = shownEvents();
  replaceChildren(body, shown.map(row));
  $('events-region').hidden = shown.length === 0;
  const text = t('admin.events.count', { n: shown.length });
  if (announce || listStatus.textContent !== text) listStatus.textContent = text;
}

async function load() {
  listStatus.textContent = t('common.loading');
  try {
    const config = await getConfig();
    if (kindSelect.options.length === 1) {
      for (const k of config.event_kinds || []) kindSelect.append(h('option', { value: k, 'data-i18n-enum': `kind:${k}` }, label('kind', k)));
    }
  } catch { /* the list works without the kind filter's choices */ }
  readQuery();
  try {
    // With the bearer token the list holds drafts as well (for organisers and admins).
    const res = await call('GET', '/api/v1/events');
    events = (res && Array.isArray(res.items)) ? res.items : [];
    loadError = null;
    followCounts();
  } catch (err) {
    if (err.status === 401) return;
    loadError = err;
  }
  render();
}

form.addEventListener('change', () => { writeQuery(); render({ announce: true }); });
form.addEventListener('submit', (ev) => ev.preventDefault());
onLanguageChange(() => render());

startAdminPage({
  onReady() {
    document.title = t('admin.events.title');
    load();
  },
});

// The list of upcoming published events, with filters by kind, seminar topic and focus area. The seats follow the
// live topic `events` (lib/live.js), updated in place so that nothing under the reader's focus is rebuilt.
import './strings.js';
import { api, getConfig } from '../lib/api.js';
import { h, replaceChildren } from '../lib/dom.js';
import { t, label, onLanguageChange, applyTranslations } from '../lib/i18n.js';
import { formatRange } from '../lib/time.js';
import { errorText } from '../lib/errors.js';
import { initPage } from '../lib/page.js';
import { seatsText, seatsState, placeText } from '../lib/seats.js';
import { live } from '../lib/live.js';

initPage();

const form = document.getElementById('filters');
const list = document.getElementById('event-list');
const status = document.getElementById('list-status');
const selects = {
  kind: document.getElementById('filter-kind'),
  topic: document.getElementById('filter-topic'),
  focus_area: document.getElementById('filter-focus'),
};

let events = null;
let loadError = null;

function fillSelect(select, group, values) {
  for (const v of values || []) select.append(h('option', { value: v, 'data-i18n-enum': `${group}:${v}` }, label(group, v)));
}

/** Filters from the query string, so a filtered list can be bookmarked or shared. */
function readQuery() {
  const q = new URLSearchParams(location.search);
  for (const [key, select] of Object.entries(selects)) {
    const v = q.get(key);
    if (v && [...select.options].some((o) => o.value === v)) select.value = v;
  }
}

function writeQuery() {
  const q = new URLSearchParams();
  for (const [key, select] of Object.entries(selects)) if (select.value) q.set(key, select.value);
  const search = q.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

function matches(ev) {
  for (const [key, select] of Object.entries(selects)) {
    if (select.value && ev[key] !== select.value) return false;
  }
  return true;
}

function card(ev) {
  const tags = [label('kind', ev.kind), label('topic', ev.topic), label('focus_area', ev.focus_area), label('network', ev.network)]
    .filter(Boolean);
  const titleId = `event-${ev.id}-title`;
  return h('li', {},
    h('article', { class: 'event-card', 'aria-labelledby': titleId },
      h('p', { class: 'kicker' }, tags.join(' · ')),
      h('h2', { id: titleId }, h('a', { href: `event.html?id=${encodeURIComponent(ev.id)}` }, ev.title)),
      h('dl', { class: 'facts compact' },
        h('div', {}, h('dt', {}, t('index.when')), h('dd', {}, h('time', { datetime: ev.starts_at }, formatRange(ev.starts_at, ev.ends_at)))),
        h('div', {}, h('dt', {}, t('index.where')), h('dd', {}, placeText(ev))),
        h('div', {}, h('dt', {}, t('index.seats')), h('dd', {}, seatsBadge(ev))))));
}

function seatsBadge(ev) {
  return h('span', { class: `seats seats-${seatsState(ev)}`, dataset: { seatsFor: ev.id } }, seatsText(ev));
}

/** New counts from the live topic (or its polled stand-in): only the seat texts change. */
function onCounts(items) {
  if (!events || !Array.isArray(items)) return;
  const byId = new Map(items.map((x) => [x.id, x.counts]));
  for (const ev of events) {
    const counts = byId.get(ev.id);
    if (!counts || JSON.stringify(counts) === JSON.stringify(ev.counts)) continue;
    ev.counts = counts;
    const old = list.querySelector(`[data-seats-for="${ev.id}"]`);
    if (old) old.replaceWith(seatsBadge(ev));
  }
}

function render({ announce = false } = {}) {
  if (loadError) {
    status.removeAttribute('data-i18n');
    replaceChildren(status, h('span', { class: 'error-text' }, errorText(loadError, 'index.error')));
    status.classList.add('error');
    return;
  }
  if (!events) return;
  status.removeAttribute('data-i18n');
  status.classList.remove('error');
  if (events.length === 0) {
    replaceChildren(list);
    status.textContent = t('index.none');
    return;
  }
  const shown = events.filter(matches);
  replaceChildren(list, shown.map(card));
  const text = t('index.count', { n: shown.length });
  if (announce || status.textContent !== text) status.textContent = text;
}

function eventsPath() {
  return `/api/v1/events?from=${encodeURIComponent(new Date().toISOString())}`;
}

async function load() {
  try {
    const config = await getConfig();
    fillSelect(selects.kind, 'kind', config.event_kinds);
    fillSelect(selects.topic, 'topic', config.seminar_topics);
    fillSelect(selects.focus_area, 'focus_area', config.focus_areas);
    applyTranslations(form);
    readQuery();
  } catch { /* the list still works without the filter choices */ }
  try {
    const body = await api('GET', eventsPath());
    events = (body && body.items ? body.items : [])
      .filter((ev) => ev.status === undefined || ev.status === 'published');
    // By instant, not by string: RFC 3339 strings with different offsets do not sort.
    events.sort((a, b) => new Date(a.starts_at) - new Date(b.starts_at) || a.id - b.id);
  } catch (err) {
    loadError = err;
  }
  render();
  if (events) {
    // Where the live connection cannot serve, the counts are fetched again every minute instead.
    live().subscribe('events', {
      onData: onCounts,
      poll: async () => ((await api('GET', eventsPath())).items || []).map((ev) => ({ id: ev.id, counts: ev.counts })),
      pollMs: 60000,
    });
  }
}

for (const select of Object.values(selects)) {
  select.addEventListener('change', () => { writeQuery(); render({ announce: true }); });
}
form.addEventListener('reset', () => {
  // The reset happens after this event; render once the selects show "All" again.
  setTimeout(() => { writeQuery(); render({ announce: true }); }, 0);
});
form.addEventListener('submit', (ev) => ev.preventDefault());
onLanguageChange(() => render());

load();

// The steering group's dashboard: the programme's goal figures and today's and upcoming events with their counts,
// first from the REST API (GET /api/v1/goals, GET /api/v1/events), then kept current by the live topics `goals` and
// `events` (lib/live.js). Says when the server was last heard from and when the connection is lost; a wall-screen
// view (?kiosk=1) drops the navigation. Meaningful changes are announced politely, at most every 30 seconds.
import './strings.js';
import { startAdminPage, call } from '../admin/session.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, label, locale, onLanguageChange } from '../lib/i18n.js';
import { formatWhen, formatClock, formatDay, stockholmDate, localToRfc3339 } from '../lib/time.js';
import { errorText } from '../lib/errors.js';
import { live } from '../lib/live.js';
import { shareChart, slotsChart, decorativeBar } from './charts.js';

const ALLOWED_ROLES = ['admin', 'organiser', 'steering'];
const UPCOMING_MAX = 8;
const POLL_MS = 30000;             // the REST fallback while the live connection cannot serve
const ANNOUNCE_GAP_MS = 30000;     // at most one polite announcement per this
const EVENTS_REFETCH_MS = 1500;    // a new event in the live topic: fetch the list again, once for a burst

const state = {
  goals: null,
  events: null,          // GET /api/v1/events items from today on
  fetchedAt: null,       // last successful REST answer (ms)
  error: null,
  started: false,
  everOpen: false,
  topicIds: null,        // the ids of the last `events` topic message, to notice new events
  programme: null,       // {from, to}: the configured programme period, when there is one
  period: null,          // the period the goal figures cover ({from, to}), or null for every event
};

// ---------------------------------------------------------------- formatting

const percent = (x) => new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(Number(x) || 0);
const count = (n) => new Intl.NumberFormat(locale()).format(Number(n) || 0);

// ---------------------------------------------------------------- kiosk (wall-screen) view

function kioskOn() { return new URLSearchParams(location.search).get('kiosk') === '1'; }

function applyKiosk() {
  const on = kioskOn();
  document.documentElement.classList.toggle('kiosk', on);
  const button = $('kiosk-toggle');
  button.setAttribute('aria-pressed', String(on));
  // data-i18n too, so that a language switch (which translates the markup) keeps the right wording.
  button.dataset.i18n = on ? 'dash.kiosk.off' : 'dash.kiosk.on';
  button.textContent = t(button.dataset.i18n);
}

function toggleKiosk() {
  const q = new URLSearchParams(location.search);
  if (kioskOn()) q.delete('kiosk'); else q.set('kiosk', '1');
  const search = q.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
  applyKiosk();
  $('kiosk-toggle').focus();
}

// ---------------------------------------------------------------- goals

function metBadge(met) {
  return h('span', { class: `badge ${met ? 'badge-met' : 'badge-not-met'}` }, t(met ? 'dash.met' : 'dash.not_met'));
}

/** One share figure: the percentage, "n of m held", met or not, and the bar with the goal line. */
function shareFigure(f, name, { big = false } = {}) {
  const held = f.held_events ?? 0;
  const n = f.represented_events ?? 0;
  const chartLabel = t('dash.share.chart', { label: name, share: percent(f.share), n, held, goal: percent(f.goal), met: f.met });
  return h('div', { class: `figure${big ? ' figure-big' : ''}`, dataset: { met: String(!!f.met) } },
    h('p', { class: 'figure-label' }, name),
    h('p', { class: 'figure-main' },
      h('span', { class: 'figure-n' }, held ? percent(f.share) : '–'), ' ',
      h('span', { class: 'figure-sub' }, held ? t('dash.share.line', { n, held }) : t('dash.share.none')), ' ',
      metBadge(f.met)),
    shareChart({ share: f.share, goal: f.goal, met: f.met, label: chartLabel }));
}

function shareBlock(figure, containerId) {
  const byNetwork = Object.entries(figure.by_network || {});
  replaceChildren($(containerId),
    shareFigure(figure, t('dash.overall'), { big: true }),
    byNetwork.length ? h('div', { class: 'figure-row' }, byNetwork.map(([net, f]) => shareFigure(f, label('network', net)))) : null);
}

function renderUnrepresented(list) {
  const box = $('unrep');
  if (!list.length) { replaceChildren(box, h('p', { class: 'quiet' }, t('dash.unrep.none'))); return; }
  // Per network, in the order the goals list the networks; events without a network last.
  const groups = new Map();
  for (const net of Object.keys(state.goals.representation.by_network || {})) groups.set(net, []);
  for (const ev of list) {
    const key = ev.network || '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(ev);
  }
  const blocks = [];
  for (const [net, items] of groups) {
    if (!items.length) continue;
    blocks.push(h('div', { class: 'unrep-group' },
      h('h4', {}, net ? label('network', net) : t('dash.unrep.no_network')),
      h('ul', { class: 'unrep-list' }, items.map((ev) => h('li', { dataset: { eventId: ev.id } },
        h('a', { href: `/admin/event.html?id=${encodeURIComponent(ev.id)}` }, ev.title), ' ',
        h('time', { datetime: ev.starts_at, class: 'quiet' }, formatDay(stockholmDate(ev.starts_at))))))));
  }
  replaceChildren(box, blocks);
}

function renderMeetings(m) {
  const goal = m.goal_per_focus_area ?? 2;
  $('meet-goal').textContent = t('dash.meet.goal', { n: goal });
  const rows = Object.entries(m.by_focus_area || {}).map(([area, x]) => {
    const name = label('focus_area', area);
    const done = (x.held ?? 0) >= goal;
    return h('li', { class: 'meet-row', dataset: { met: String(done) } },
      h('span', { class: 'meet-name' }, name),
      slotsChart({ held: x.held ?? 0, scheduled: x.scheduled ?? 0, goal,
        label: t('dash.meet.chart', { label: name, held: x.held ?? 0, scheduled: x.scheduled ?? 0, goal }) }),
      h('span', { class: 'meet-text' }, t('dash.meet.line', { held: x.held ?? 0, scheduled: x.scheduled ?? 0, goal })));
  });
  replaceChildren($('meet-figures'), h('p', { class: 'figure-main' }, metBadge(m.met)), h('ul', { class: 'meet-list' }, rows));
}

function renderForums(f) {
  $('forum-goal').textContent = t('dash.forum.goal', { n: f.goal ?? 1, deadline: formatDay(f.deadline) || f.deadline || '' });
  replaceChildren($('forum-figures'),
    h('div', { class: 'figure', dataset: { met: String(!!f.met) } },
      h('p', { class: 'figure-main' },
        h('span', { class: 'figure-sub figure-sentence' }, t('dash.forum.line', { held: f.held ?? 0, scheduled: f.scheduled ?? 0, goal: f.goal ?? 1 })), ' ',
        metBadge(f.met)),
      slotsChart({ held: f.held ?? 0, scheduled: f.scheduled ?? 0, goal: f.goal ?? 1,
        label: t('dash.meet.chart', { label: t('dash.forum.h'), held: f.held ?? 0, scheduled: f.scheduled ?? 0, goal: f.goal ?? 1 }) })));
}

/** A table of counts with the share of the total; the bars repeat the share and are hidden from screen readers. */
function breakdownTable(id, captionKey, rows) {
  const total = rows.reduce((a, r) => a + (r.n || 0), 0);
  return h('table', { class: 'data breakdown', id },
    h('caption', {}, t(captionKey)),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('dash.part.col.group')),
      h('th', { scope: 'col', class: 'num' }, t('dash.part.col.n')),
      h('th', { scope: 'col', class: 'num' }, t('dash.part.col.share')))),
    h('tbody', {}, rows.map((r) => h('tr', {},
      h('th', { scope: 'row' }, r.label),
      h('td', { class: 'num' }, count(r.n)),
      h('td', { class: 'num share-cell' }, decorativeBar(total ? r.n / total : 0), ' ', total ? percent(r.n / total) : '–')))));
}

function renderParticipation(p) {
  const gender = Object.entries(p.by_gender || {}).map(([g, n]) => ({ label: label('gender', g), n }));
  const org = Object.entries(p.by_organisation_type || {}).map(([o, n]) => ({ label: label('organisation_type', o), n }));
  const region = [{ label: t('dash.part.home'), n: p.home_region ?? 0 }, { label: t('dash.part.other'), n: p.other ?? 0 }];
  replaceChildren($('part-figures'),
    h('p', { class: 'figure-main' }, h('span', { class: 'figure-n' }, count(p.unique_persons)), ' ',
      h('span', { class: 'figure-sub' }, t('dash.part.unique', { n: p.unique_persons ?? 0 }))),
    h('div', { class: 'breakdowns' },
      breakdownTable('part-gender', 'dash.part.gender', gender),
      breakdownTable('part-org', 'dash.part.org', org),
      breakdownTable('part-region', 'dash.part.region', region)));
}

function renderGoals() {
  const g = state.goals;
  if (!g) return;
  const rep = g.representation || {};
  const uo = g.user_organisations || {};
  $('rep-goal').textContent = t('dash.rep.goal', { goal: percent(rep.goal ?? 0.8) });
  $('uo-goal').textContent = t('dash.uo.goal', { goal: percent(uo.goal ?? 0.5) });
  shareBlock(rep, 'rep-figures');
  shareBlock(uo, 'uo-figures');
  renderUnrepresented(Array.isArray(rep.unrepresented_events) ? rep.unrepresented_events : []);
  if (g.network_meetings) renderMeetings(g.network_meetings);
  if (g.partner_search_forums) renderForums(g.partner_search_forums);
  if (g.participation) renderParticipation(g.participation);
}

// ---------------------------------------------------------------- events

/** Today's events (Stockholm's calendar day, within their start and end days) and the next few after today. */
function eventGroups() {
  const today = stockholmDate();
  const todays = [];
  const upcoming = [];
  for (const ev of state.events || []) {
    if (ev.status === 'cancelled') continue;
    const first = stockholmDate(ev.starts_at);
    const last = stockholmDate(ev.ends_at || ev.starts_at);
    if (!first) continue;
    if (first <= today && last >= today) todays.push(ev);
    else if (first > today) upcoming.push(ev);
  }
  const byStart = (a, b) => new Date(a.starts_at) - new Date(b.starts_at) || a.id - b.id;
  return { todays: todays.sort(byStart), upcoming: upcoming.sort(byStart).slice(0, UPCOMING_MAX) };
}

function figure(key, value, cls) {
  return h('div', { class: `card-figure ${cls}` }, h('dt', {}, t(key)), h('dd', {}, value));
}

function card(ev) {
  const c = ev.counts || {};
  const limited = c.capacity !== null && c.capacity !== undefined;
  const titleId = `card-${ev.id}-title`;
  const confirmed = c.confirmed ?? 0;
  return h('li', {},
    h('article', { class: 'live-card', 'aria-labelledby': titleId, dataset: { eventId: ev.id } },
      h('p', { class: 'kicker' }, [label('kind', ev.kind), formatWhen(ev.starts_at, ev.ends_at)].filter(Boolean).join(' · ')),
      h('h3', { id: titleId }, h('a', { href: `/admin/event.html?id=${encodeURIComponent(ev.id)}` }, ev.title)),
      h('dl', { class: 'card-figures' },
        figure('dash.ev.registered', limited ? t('dash.ev.of_capacity', { n: confirmed, cap: c.capacity })
          : t('dash.ev.unlimited', { n: confirmed }), 'fig-registered'),
        figure('dash.ev.checked_in', String(c.checked_in ?? 0), 'fig-checked-in'),
        figure('dash.ev.waitlist', String(c.waitlisted ?? 0), 'fig-waitlist')),
      decorativeBar(confirmed ? (c.checked_in ?? 0) / confirmed : 0, 'checkin-bar')));
}

function renderEvents() {
  if (!state.events) return;
  const { todays, upcoming } = eventGroups();
  replaceChildren($('today-list'), todays.map(card));
  replaceChildren($('upcoming-list'), upcoming.map(card));
  $('today-none').hidden = todays.length > 0;
  $('upcoming-none').hidden = upcoming.length > 0;
}

// ---------------------------------------------------------------- polite announcements

/**
 * What a listener should hear about, keyed: goal figures that changed and today's counts. Compared with what was
 * last announced; changes are said at most every ANNOUNCE_GAP_MS, together, with their latest values.
 */
function currentFacts() {
  const facts = new Map();
  const g = state.goals;
  if (g) {
    for (const [key, f, textKey] of [['rep', g.representation, 'dash.say.rep'], ['uo', g.user_organisations, 'dash.say.uo']]) {
      if (!f) continue;
      facts.set(key, { value: `${f.represented_events}/${f.held_events}/${f.met}`,
        text: () => t(textKey, { n: f.represented_events ?? 0, held: f.held_events ?? 0, share: percent(f.share), met: f.met }) });
    }
    if (g.participation) {
      const n = g.participation.unique_persons ?? 0;
      facts.set('persons', { value: String(n), text: () => t('dash.say.persons', { n }) });
    }
  }
  if (state.events) {
    for (const ev of eventGroups().todays) {
      const c = ev.counts || {};
      facts.set(`in:${ev.id}`, { value: String(c.checked_in ?? 0), text: () => t('dash.say.checked_in', { title: ev.title, n: c.checked_in ?? 0 }) });
      facts.set(`reg:${ev.id}`, { value: String(c.confirmed ?? 0), text: () => t('dash.say.registered', { title: ev.title, n: c.confirmed ?? 0 }) });
    }
  }
  const lost = state.everOpen && live().state === 'lost';
  facts.set('conn', { value: lost ? 'lost' : 'ok', text: () => t(lost ? 'dash.say.lost' : 'dash.say.back') });
  return facts;
}

const announcer = {
  said: null,        // key -> value at the last announcement (or at the first render)
  lastAt: -Infinity,
  timer: 0,

  /** Called after every change; announces now, or schedules it for when the gap has passed. */
  changed() {
    const facts = currentFacts();
    if (!this.said) { this.said = new Map([...facts].map(([k, f]) => [k, f.value])); return; }
    const news = [...facts].filter(([k, f]) => this.said.get(k) !== f.value);
    if (!news.length) return;
    const wait = this.lastAt + ANNOUNCE_GAP_MS - Date.now();
    if (wait > 0) {
      if (!this.timer) this.timer = setTimeout(() => { this.timer = 0; this.changed(); }, wait);
      return;
    }
    // A key that is new since the last announcement (an event that became today's) is said only when it moved.
    const text = news.filter(([k]) => this.said.has(k) || k === 'conn').map(([, f]) => f.text()).join(' ');
    for (const [k, f] of facts) this.said.set(k, f.value);
    if (!text) return;
    this.lastAt = Date.now();
    const region = $('dash-announce');
    region.textContent = '';
    setTimeout(() => { region.textContent = text; }, 50);
  },
};

// ---------------------------------------------------------------- the connection line

function renderLive() {
  const client = live();
  const bar = $('live-bar');
  const heard = Math.max(client.lastHeard || 0, state.fetchedAt || 0) || null;
  const time = heard ? formatClock(heard) : '–';
  let text;
  const s = client.state;
  if (s === 'open') text = t('dash.live.open', { time });
  else if (s === 'lost') {
    const inS = client.nextRetryAt ? Math.max(0, Math.ceil((client.nextRetryAt - Date.now()) / 1000)) : 0;
    text = heard ? t('dash.live.lost', { time, in: inS }) : t('dash.live.lost_never');
  } else if (s === 'unavailable') text = t('dash.live.unavailable', { time });
  else text = t('dash.live.connecting');
  bar.dataset.state = s;
  const status = $('live-status');
  if (status.textContent !== text) status.textContent = text;
  $('reconnect').hidden = s !== 'lost';
}

// ---------------------------------------------------------------- loading and live updates

function eventsPath() {
  // Everything that has not ended before today began (Stockholm time).
  const from = localToRfc3339(`${stockholmDate()}T00:00`);
  return `/api/v1/events?from=${encodeURIComponent(from)}`;
}

async function fetchEvents() {
  const res = await call('GET', eventsPath());
  state.events = Array.isArray(res && res.items) ? res.items : [];
  state.fetchedAt = Date.now();
  return state.events;
}

async function fetchGoals() {
  const p = state.period;
  const goals = await call('GET', p ? `/api/v1/goals?from=${p.from}&to=${p.to}` : '/api/v1/goals');
  state.fetchedAt = Date.now();
  return goals;
}

let refetchTimer = 0;
function refetchEventsSoon() {
  if (refetchTimer) return;
  refetchTimer = setTimeout(async () => {
    refetchTimer = 0;
    try { await fetchEvents(); renderEvents(); announcer.changed(); } catch { /* the next change or poll tries again */ }
  }, EVENTS_REFETCH_MS);
}

/** The `events` topic: [{id, counts}] of every published event. Counts go onto the cards; a new id means a new event. */
function onEventsTopic(items, meta) {
  if (!Array.isArray(items) || !state.events) return;
  const byId = new Map(items.map((x) => [x.id, x.counts]));
  for (const ev of state.events) if (byId.has(ev.id)) ev.counts = byId.get(ev.id);
  const ids = new Set(byId.keys());
  // A published event this page has not seen: fetch the list (it may be today's or upcoming). Polled data is the list itself.
  if (meta.source !== 'poll' && state.topicIds && [...ids].some((id) => !state.topicIds.has(id))) refetchEventsSoon();
  // Also one the list lacks though it is published (published since the page loaded, then the topic restarted).
  state.topicIds = ids;
  renderEvents();
  announcer.changed();
  renderLive();
}

// The `goals` topic covers every event: over a period it only says that the figures changed, and they are fetched
// again (once for a burst).
let goalsRefetchTimer = 0;
function refetchGoalsSoon() {
  if (goalsRefetchTimer) return;
  goalsRefetchTimer = setTimeout(async () => {
    goalsRefetchTimer = 0;
    try { state.goals = await fetchGoals(); renderGoals(); announcer.changed(); renderLive(); } catch { /* the next change or poll tries again */ }
  }, EVENTS_REFETCH_MS);
}

function onGoalsTopic(goals, meta = {}) {
  if (!goals || typeof goals !== 'object') return;
  if (state.period && meta.source !== 'poll') { refetchGoalsSoon(); return; }
  state.goals = goals;
  renderGoals();
  announcer.changed();
  renderLive();
}

function startLive() {
  const client = live();
  client.onState((s) => {
    if (s === 'open') state.everOpen = true;
    renderLive();
    announcer.changed();
  });
  // While the connection cannot serve, the same figures come from the REST API every 30 s.
  client.subscribe('goals', { onData: onGoalsTopic, poll: fetchGoals, pollMs: POLL_MS });
  client.subscribe('events', {
    onData: onEventsTopic,
    poll: async () => (await fetchEvents()).map((ev) => ({ id: ev.id, counts: ev.counts })),
    pollMs: POLL_MS,
  });
  // The "last heard" time and the countdown to the next attempt; the day's events move on at midnight.
  let day = stockholmDate();
  setInterval(() => {
    renderLive();
    if (stockholmDate() !== day) { day = stockholmDate(); refetchEventsSoon(); }
  }, 1000);
}

function showNotAllowed(user) {
  $('dash').hidden = true;
  $('not-allowed').hidden = false;
  $('not-allowed-text').textContent = t('dash.not_allowed.text', { name: user?.name || user?.email || '' });
  $('not-allowed-h').focus();
}

// The programme period is shown first when one is configured (?period=all: every event).
function renderPeriodChoice() {
  const select = $('dash-period');
  const options = [h('option', { value: 'all' }, t('dash.period.all'))];
  if (state.programme) {
    options.unshift(h('option', { value: 'programme' },
      t('dash.period.programme', { from: formatDay(state.programme.from), to: formatDay(state.programme.to) })));
  }
  replaceChildren(select, ...options);
  select.value = state.period ? 'programme' : 'all';
}

async function loadProgramme() {
  if (state.programme !== null) return;
  const cfg = await call('GET', '/api/v1/config');
  const p = cfg?.programme;
  state.programme = p?.start && p?.end ? { from: p.start, to: p.end } : false;
  const wantAll = new URLSearchParams(location.search).get('period') === 'all';
  state.period = state.programme && !wantAll ? state.programme : null;
  renderPeriodChoice();
}

async function choosePeriod() {
  const all = $('dash-period').value === 'all';
  state.period = all ? null : state.programme;
  const q = new URLSearchParams(location.search);
  if (all) q.set('period', 'all'); else q.delete('period');
  const search = q.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
  try { state.goals = await fetchGoals(); state.error = null; renderGoals(); announcer.changed(); renderLive(); } catch (err) {
    replaceChildren($('dash-error'), errorText(err, 'dash.error'));
    $('dash-error').hidden = false;
  }
}

async function load() {
  $('dash-error').hidden = true;
  try {
    await loadProgramme();
    const [goals] = await Promise.all([fetchGoals(), fetchEvents()]);
    state.goals = goals;
    state.error = null;
  } catch (err) {
    if (err.status === 401) return; // the sign-in form is shown
    if (err.status === 403) { showNotAllowed(null); return; }
    state.error = err;
    replaceChildren($('dash-error'), errorText(err, 'dash.error'), ' ',
      h('button', { type: 'button', class: 'button secondary small', onclick: load }, t('dash.retry')));
    $('dash-error').hidden = false;
    return;
  }
  renderGoals();
  renderEvents();
  announcer.changed();
  if (!state.started) { state.started = true; startLive(); }
  renderLive();
}

$('kiosk-toggle').addEventListener('click', toggleKiosk);
$('dash-period').addEventListener('change', choosePeriod);
$('reconnect').addEventListener('click', () => live().reconnectNow());
applyKiosk();
onLanguageChange(() => {
  document.title = t('dash.title');
  applyKiosk();
  if (state.programme !== null) renderPeriodChoice();
  renderGoals();
  renderEvents();
  renderLive();
});

startAdminPage({
  onReady(user) {
    document.title = t('dash.title');
    if (!user || !ALLOWED_ROLES.includes(user.role)) { showNotAllowed(user); return; }
    $('not-allowed').hidden = true;
    $('dash').hidden = false;
    load();
  },
});

// The steering group's report (issue 8): every goal with its target, value, gap and whether it is met; the lists
// behind them; participation per activity kind by gender, organisation type and home region; support and
// evaluations; over a period (?from=&to=, preselected to the programme period of /api/v1/config), printable on A4,
// with the downloads. Reads GET /api/v1/goals, /api/v1/reports/participation, /api/v1/events and /api/v1/config.
// Members a server version lacks (support, evaluations, the programme period) show as "no data" instead of failing.
import './strings.js';
import './report_strings.js';
import { startAdminPage, call, download, canEdit } from './session.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, label, locale, onLanguageChange } from '../lib/i18n.js';
import { formatDay, stockholmDate } from '../lib/time.js';
import { errorText } from '../lib/errors.js';
import { progressChart, stackedChart } from './report_charts.js';

// The page's own stylesheets (the met/not-met badges of the dashboard's, and its own with the print rules): every
// admin page has the same head byte for byte (tests/browser/shell.test.mjs), so they are linked from here.
for (const href of ['/dashboard/dashboard.css', '/admin/report.css']) document.head.append(h('link', { rel: 'stylesheet', href }));

const ALLOWED_ROLES = ['admin', 'organiser', 'steering'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DASH = '—';

const state = { period: { from: '', to: '' }, programme: null, lists: {}, goals: null, kinds: null, forums: null, loading: 0 };

// ---------------------------------------------------------------- formatting

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const count = (n) => (isNum(n) ? new Intl.NumberFormat(locale()).format(n) : DASH);
const percent = (x) => (isNum(x) ? new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(x) : DASH);
const decimal = (x, { signed = false } = {}) => (isNum(x)
  ? new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: signed ? 'exceptZero' : 'auto' }).format(x)
  : DASH);
const metText = (met) => t(met ? 'report.met' : 'report.not_met');

/** A table in a scrolling region of its own; columns: [{label, num}], rows: [{head, cells: [text...], data}]. */
function dataTable({ id, caption, columns, rows, foot = null }) {
  const capId = `${id}-caption`;
  const row = (r, tag = 'tr') => h(tag, { dataset: r.data || {} },
    h('th', { scope: 'row' }, r.head),
    r.cells.map((c, i) => h('td', { class: columns[i + 1]?.num ? 'num' : null, dataset: { col: columns[i + 1]?.key || '' } }, c)));
  return h('div', { class: 'table-region', role: 'region', 'aria-labelledby': capId, tabindex: '0' },
    h('table', { class: 'data report-table', id },
      h('caption', { id: capId }, caption),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
      h('tbody', {}, rows.map((r) => row(r))),
      foot ? h('tfoot', {}, foot.map((r) => row(r))) : null));
}

const none = (key) => h('p', { class: 'quiet no-data' }, t(key));

// ---------------------------------------------------------------- the goals

/** The goal rows, as the report workbook's "goals" sheet has them (src/api/reports.cpp, goals_table). */
function goalRows(g) {
  const rows = [];
  const gap = (target, value) => Math.max(0, Math.round((target - value) * 1e9) / 1e9);
  for (const key of ['representation', 'user_organisations']) {
    const f = g[key];
    if (!f) continue;
    const add = (scope, x) => rows.push({ key, scope, name: t(`report.goal.${key}`), scopeText: scope === 'all' ? t('report.scope.all') : label('network', scope),
      target: percent(x.goal), value: percent(x.share), gap: percent(gap(x.goal, x.share)), met: !!x.met,
      detail: t('report.goal.share_detail', { n: x.represented_events ?? 0, held: x.held_events ?? 0 }),
      fraction: x.goal ? (x.share ?? 0) / x.goal : 0 });
    add('all', f);
    for (const [net, x] of Object.entries(f.by_network || {})) add(net, x);
  }
  const m = g.network_meetings;
  if (m) {
    const per = m.goal_per_focus_area ?? 2;
    const areas = Object.entries(m.by_focus_area || {});
    for (const [area, x] of areas) {
      rows.push({ key: 'network_meetings', scope: area, name: t('report.goal.network_meetings'), scopeText: label('focus_area', area),
        target: count(per), value: count(x.held ?? 0), gap: count(gap(per, x.held ?? 0)), met: (x.held ?? 0) >= per,
        detail: t('report.goal.scheduled', { n: x.scheduled ?? 0 }), fraction: per ? (x.held ?? 0) / per : 0 });
    }
    const all = per * areas.length;
    rows.push({ key: 'network_meetings', scope: 'all', name: t('report.goal.network_meetings'), scopeText: t('report.scope.all'),
      target: count(all), value: count(m.held ?? 0), gap: count(gap(all, m.held ?? 0)), met: !!m.met,
      detail: t('report.goal.scheduled', { n: m.scheduled ?? 0 }), fraction: all ? (m.held ?? 0) / all : 0 });
  }
  const f = g.partner_search_forums;
  if (f) {
    rows.push({ key: 'partner_search_forums', scope: 'all', name: t('report.goal.partner_search_forums'),
      scopeText: t('report.scope.until', { day: formatDay(f.deadline) || f.deadline || '' }),
      target: count(f.goal ?? 1), value: count(f.held ?? 0), gap: count(gap(f.goal ?? 1, f.held ?? 0)), met: !!f.met,
      detail: t('report.goal.scheduled', { n: f.scheduled ?? 0 }), fraction: f.goal ? (f.held ?? 0) / f.goal : 0 });
  }
  return rows;
}

function renderGoals(g) {
  const rows = goalRows(g);
  const columns = [{ label: t('report.col.goal') }, { label: t('report.col.scope'), key: 'scope' },
    { label: t('report.col.target'), key: 'target', num: true }, { label: t('report.col.value'), key: 'value', num: true },
    { label: t('report.col.gap'), key: 'gap', num: true }, { label: t('report.col.met'), key: 'met' },
    { label: t('report.col.detail'), key: 'detail' }];
  replaceChildren($('goals-table'), dataTable({ id: 'goals', caption: t('report.goals.caption'), columns,
    rows: rows.map((r) => ({ head: r.name, data: { goal: `${r.key}:${r.scope}` },
      cells: [r.scopeText, r.target, r.value, r.gap,
        h('span', { class: `badge ${r.met ? 'badge-met' : 'badge-not-met'}` }, metText(r.met)), r.detail] })) }));
  const met = rows.filter((r) => r.met).length;
  replaceChildren($('goals-charts'), progressChart({
    title: t('report.goals.chart'),
    desc: [t('report.goals.chart_desc', { met, n: rows.length }),
      ...rows.map((r) => t('report.goals.chart_row', { name: `${r.name} (${r.scopeText})`, value: r.value, target: r.target, met: metText(r.met) }))].join(' '),
    rows: rows.map((r) => ({ label: `${t(`report.goal_short.${r.key}`)} · ${r.scopeText}`, fraction: r.fraction, met: r.met, text: `${r.value} / ${r.target}` })),
  }));
}

function renderUnrepresented(g) {
  const list = Array.isArray(g.representation?.unrepresented_events) ? g.representation.unrepresented_events : [];
  if (!list.length) { replaceChildren($('unrep-table'), none('report.unrep.none')); return; }
  replaceChildren($('unrep-table'), dataTable({ id: 'unrep', caption: t('report.unrep.caption', { n: list.length }),
    columns: [{ label: t('report.col.event') }, { label: t('report.col.date'), key: 'date' }, { label: t('report.col.network'), key: 'network' }],
    rows: list.map((ev) => ({ data: { eventId: ev.id },
      head: h('a', { href: `/admin/event.html?id=${encodeURIComponent(ev.id)}` }, ev.title),
      cells: [h('time', { datetime: ev.starts_at }, formatDay(stockholmDate(ev.starts_at))), ev.network ? label('network', ev.network) : DASH] })) }));
}

function renderMeetings(g) {
  const m = g.network_meetings;
  if (!m) { replaceChildren($('meet-table'), none('report.no_data')); return; }
  const per = m.goal_per_focus_area ?? 2;
  const rows = Object.entries(m.by_focus_area || {}).map(([area, x]) => ({ data: { area },
    head: label('focus_area', area), cells: [count(x.held ?? 0), count(x.scheduled ?? 0), count(per), metText((x.held ?? 0) >= per)] }));
  replaceChildren($('meet-table'), dataTable({ id: 'meetings', caption: t('report.meet.caption', { n: per }),
    columns: [{ label: t('report.col.focus_area') }, { label: t('report.col.held'), key: 'held', num: true },
      { label: t('report.col.scheduled'), key: 'scheduled', num: true }, { label: t('report.col.target'), key: 'target', num: true },
      { label: t('report.col.met'), key: 'met' }],
    rows, foot: [{ head: t('report.total'), data: { area: 'all' }, cells: [count(m.held ?? 0), count(m.scheduled ?? 0), count(per * rows.length), metText(!!m.met)] }] }));
}

function renderForums() {
  const items = state.forums;
  if (!items) { replaceChildren($('forum-table'), none('report.no_data')); return; }
  if (!items.length) { replaceChildren($('forum-table'), none('report.forum.none')); return; }
  const now = Date.now();
  const stateOf = (ev) => (ev.status === 'cancelled' ? 'cancelled' : new Date(ev.starts_at).getTime() <= now ? 'held' : 'scheduled');
  replaceChildren($('forum-table'), dataTable({ id: 'forums', caption: t('report.forum.caption', { n: items.length }),
    columns: [{ label: t('report.col.event') }, { label: t('report.col.date'), key: 'date' }, { label: t('report.col.state'), key: 'state' },
      { label: t('report.col.by_project'), key: 'by_project' }],
    rows: items.map((ev) => ({ data: { eventId: ev.id, state: stateOf(ev) },
      head: h('a', { href: `/admin/event.html?id=${encodeURIComponent(ev.id)}` }, ev.title),
      cells: [h('time', { datetime: ev.starts_at }, formatDay(stockholmDate(ev.starts_at))), t(`report.forum.${stateOf(ev)}`),
        t(ev.organised_by_project === false ? 'report.no' : 'report.yes')] })) }));
}

// ---------------------------------------------------------------- participation per activity kind

function renderKinds(g) {
  const kinds = state.kinds;
  if (!kinds) { replaceChildren($('kind-tables'), none('report.no_data')); replaceChildren($('kind-chart')); return; }
  // In the order of the configuration's lists (the form's order), with anything else the server knows after them.
  const ordered = (wanted, keys) => [...(wanted || []).filter((k) => keys.includes(k)), ...keys.filter((k) => !(wanted || []).includes(k))];
  const entries = ordered(state.lists.event_kinds, Object.keys(kinds)).map((k) => [k, kinds[k]]);
  const first = entries[0]?.[1] || {};
  const genders = ordered(state.lists.genders, Object.keys(first.by_gender || {}));
  const orgs = ordered(state.lists.organisation_types, Object.keys(first.by_organisation_type || {}));
  const p = g.participation || {};
  const sum = (key) => entries.reduce((a, [, k]) => a + (k[key] ?? 0), 0);
  const kindRow = (kind, cells) => ({ head: label('kind', kind), data: { kind }, cells });
  const totalRow = (cells) => ({ head: t('report.kind.all'), data: { kind: 'all' }, cells });

  const genderTable = dataTable({ id: 'kind-gender', caption: t('report.kind.gender_caption'),
    columns: [{ label: t('report.col.kind') }, { label: t('report.col.events_held'), key: 'events_held', num: true },
      { label: t('report.col.attendances'), key: 'attendances', num: true }, { label: t('report.col.persons'), key: 'unique_persons', num: true },
      ...genders.map((x) => ({ label: label('gender', x), key: `gender_${x}`, num: true }))],
    rows: entries.map(([kind, k]) => kindRow(kind, [count(k.events_held), count(k.attendances), count(k.unique_persons),
      ...genders.map((x) => count(k.by_gender?.[x] ?? 0))])),
    foot: [totalRow([count(sum('events_held')), count(sum('attendances')), count(p.unique_persons),
      ...genders.map((x) => count(p.by_gender?.[x] ?? 0))])] });
  const orgTable = dataTable({ id: 'kind-org', caption: t('report.kind.org_caption'),
    columns: [{ label: t('report.col.kind') }, ...orgs.map((x) => ({ label: label('organisation_type', x), key: `organisation_type_${x}`, num: true }))],
    rows: entries.map(([kind, k]) => kindRow(kind, orgs.map((x) => count(k.by_organisation_type?.[x] ?? 0)))),
    foot: [totalRow(orgs.map((x) => count(p.by_organisation_type?.[x] ?? 0)))] });
  const regionTable = dataTable({ id: 'kind-region', caption: t('report.kind.region_caption'),
    columns: [{ label: t('report.col.kind') }, { label: t('report.col.home_region'), key: 'home_region', num: true },
      { label: t('report.col.other'), key: 'other', num: true }],
    rows: entries.map(([kind, k]) => kindRow(kind, [count(k.home_region), count(k.other)])),
    foot: [totalRow([count(p.home_region), count(p.other)])] });
  replaceChildren($('kind-tables'), genderTable, orgTable, regionTable);

  replaceChildren($('kind-chart'), stackedChart({
    title: t('report.kind.chart'),
    desc: entries.map(([kind, k]) => t('report.kind.chart_row', { kind: label('kind', kind), n: k.unique_persons ?? 0,
      parts: genders.map((x) => `${label('gender', x)} ${k.by_gender?.[x] ?? 0}`).join(', ') })).join(' '),
    parts: genders.map((x) => ({ label: label('gender', x) })),
    rows: entries.map(([kind, k]) => ({ label: label('kind', kind), parts: genders.map((x) => k.by_gender?.[x] ?? 0) })),
  }));
}

function renderTopics(g) {
  const topics = Object.entries(g.participation?.by_topic || {});
  if (!topics.length) { replaceChildren($('topic-table'), none('report.no_data')); return; }
  replaceChildren($('topic-table'), dataTable({ id: 'topics', caption: t('report.topic.caption'),
    columns: [{ label: t('report.col.topic') }, { label: t('report.col.events_held'), key: 'events', num: true },
      { label: t('report.col.persons'), key: 'participants', num: true }],
    rows: topics.map(([topic, x]) => ({ head: label('topic', topic), data: { topic }, cells: [count(x.events), count(x.participants)] })) }));
}

// ---------------------------------------------------------------- support and evaluations

const SUPPORT_FORMAT = { average_hours_per_project: (x) => decimal(x) };
const EVAL_FORMAT = { response_rate: percent, plans_tn_share: percent, mean_usefulness: (x) => decimal(x),
  mean_knowledge_change: (x) => decimal(x, { signed: true }) };
const EVAL_ORDER = ['responses', 'response_rate', 'mean_usefulness', 'mean_knowledge_change', 'plans_tn_share'];

/** A figure-and-value table of a member of the goals document; its scalar members in `order`, then any others. */
function figuresTable(id, member, prefix, formats, order = []) {
  const keys = [...order.filter((k) => k in member), ...Object.keys(member).filter((k) => !order.includes(k))]
    .filter((k) => member[k] === null || typeof member[k] !== 'object');
  return dataTable({ id, caption: t(`${prefix}.caption`),
    columns: [{ label: t('report.col.figure') }, { label: t('report.col.value'), key: 'value', num: true }],
    rows: keys.map((k) => ({ head: t(`${prefix}.${k}`) === `${prefix}.${k}` ? label('figure', k) : t(`${prefix}.${k}`), data: { figure: k },
      cells: [(formats[k] || count)(member[k])] })) });
}

function renderSupport(g) {
  const s = g.support;
  replaceChildren($('support-table'), s && typeof s === 'object' ? figuresTable('support', s, 'report.support', SUPPORT_FORMAT,
    ['project_ideas', 'persons', 'average_hours_per_project']) : none('report.no_data'));
}

function renderEvaluations(g) {
  const e = g.evaluations;
  replaceChildren($('eval-table'), e && typeof e === 'object' ? figuresTable('evaluations', e, 'report.eval', EVAL_FORMAT, EVAL_ORDER)
    : none('report.eval.none'));
}

// ---------------------------------------------------------------- the period

function periodQuery() {
  const q = new URLSearchParams();
  if (state.period.from) q.set('from', state.period.from);
  if (state.period.to) q.set('to', state.period.to);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function renderPeriodLine() {
  const { from, to } = state.period;
  let text;
  if (from && to) text = t('report.period.line', { from: formatDay(from), to: formatDay(to) });
  else if (from) text = t('report.period.line_from', { from: formatDay(from) });
  else if (to) text = t('report.period.line_to', { to: formatDay(to) });
  else text = t('report.period.line_all');
  $('report-period-line').textContent = text;
  $('period-from').value = from;
  $('period-to').value = to;
  $('period-programme').hidden = !(state.programme && (state.programme.start || state.programme.end));
}

function showPeriodError(text, field) {
  const box = $('period-error');
  box.textContent = text;
  box.hidden = !text;
  for (const id of ['period-from', 'period-to']) {
    const input = $(id);
    if (text && (!field || id === `period-${field}`)) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
  if (text) $(field ? `period-${field}` : 'period-from').focus();
}

function setPeriod(from, to) {
  state.period = { from: from || '', to: to || '' };
  history.replaceState(null, '', `${location.pathname}${periodQuery()}`);
  renderPeriodLine();
  load();
}

function onPeriodSubmit(ev) {
  ev.preventDefault();
  const from = $('period-from').value.trim();
  const to = $('period-to').value.trim();
  if (from && !DATE_RE.test(from)) { showPeriodError(t('report.period.bad_date'), 'from'); return; }
  if (to && !DATE_RE.test(to)) { showPeriodError(t('report.period.bad_date'), 'to'); return; }
  if (from && to && to < from) { showPeriodError(t('report.period.to_before_from'), 'to'); return; }
  showPeriodError('');
  setPeriod(from, to);
}

// ---------------------------------------------------------------- loading

function render() {
  const g = state.goals;
  if (!g) return;
  renderPeriodLine();
  renderGoals(g);
  renderUnrepresented(g);
  renderMeetings(g);
  renderForums();
  renderKinds(g);
  renderTopics(g);
  renderSupport(g);
  renderEvaluations(g);
  $('report-body').hidden = false;
}

/** The partner-search forums starting in the period (Stockholm days), as the goals count them. */
async function fetchForums() {
  const res = await call('GET', '/api/v1/events?kind=partner_search_forum');
  const { from, to } = state.period;
  return (Array.isArray(res?.items) ? res.items : [])
    .filter((ev) => { const day = stockholmDate(ev.starts_at); return (!from || day >= from) && (!to || day <= to); })
    .sort((a, b) => new Date(a.starts_at) - new Date(b.starts_at) || a.id - b.id);
}

async function load() {
  const mine = ++state.loading;
  $('report-error').hidden = true;
  $('report-status').textContent = t('report.loading');
  const q = periodQuery();
  try {
    const [goals, participation, forums] = await Promise.all([
      call('GET', `/api/v1/goals${q}`),
      call('GET', `/api/v1/reports/participation${q}`).catch((err) => { if (err.status === 404) return null; throw err; }),
      fetchForums().catch(() => null),
    ]);
    if (mine !== state.loading) return;
    state.goals = goals;
    state.kinds = participation && participation.kinds && typeof participation.kinds === 'object' ? participation.kinds : null;
    state.forums = forums;
  } catch (err) {
    if (mine !== state.loading) return;
    $('report-status').textContent = '';
    if (err.status === 401) return; // the sign-in form is shown
    if (err.status === 403) { showNotAllowed(null); return; }
    if (err.status === 400) {
      const field = err.errors?.[0]?.field;
      showPeriodError(t('report.period.refused'), field === 'to' ? 'to' : field === 'from' ? 'from' : null);
      return;
    }
    replaceChildren($('report-error'), errorText(err, 'report.error'), ' ',
      h('button', { type: 'button', class: 'button secondary small', onclick: load }, t('report.retry')));
    $('report-error').hidden = false;
    return;
  }
  render();
  $('report-status').textContent = t('report.loaded');
}

async function fetchProgramme() {
  try {
    const cfg = await call('GET', '/api/v1/config');
    for (const key of ['event_kinds', 'genders', 'organisation_types']) if (Array.isArray(cfg?.[key])) state.lists[key] = cfg[key];
    const p = cfg && typeof cfg.programme === 'object' && cfg.programme ? cfg.programme : null;
    if (!p) return null;
    const day = (x) => (typeof x === 'string' && DATE_RE.test(x) ? x : '');
    return { start: day(p.start), end: day(p.end) };
  } catch {
    return null; // without the configuration the report still works, over everything
  }
}

// ---------------------------------------------------------------- downloads

async function onDownload(path, filename, button) {
  const status = $('dl-status');
  button.disabled = true;
  status.textContent = t('report.dl.busy');
  try {
    await download(path, filename);
    status.textContent = t('report.dl.done', { file: filename });
  } catch (err) {
    status.textContent = err.status === 403 ? t('report.dl.forbidden') : t('report.dl.failed');
  } finally {
    button.disabled = false;
  }
}

function showNotAllowed(user) {
  $('report').hidden = true;
  $('not-allowed').hidden = false;
  $('not-allowed-text').textContent = t('report.not_allowed.text', { name: user?.name || user?.email || '' });
  $('not-allowed-h').focus();
}

$('period-form').addEventListener('submit', onPeriodSubmit);
$('period-all').addEventListener('click', () => { showPeriodError(''); setPeriod('', ''); });
$('period-programme').addEventListener('click', () => {
  showPeriodError('');
  setPeriod(state.programme?.start || '', state.programme?.end || '');
});
$('dl-report-xlsx').addEventListener('click', (e) => onDownload(`/api/v1/reports/report.xlsx${periodQuery()}`, 'report.xlsx', e.currentTarget));
$('dl-participants-xlsx').addEventListener('click', (e) => onDownload('/api/v1/reports/participants.xlsx', 'participants.xlsx', e.currentTarget));
$('dl-participants-csv').addEventListener('click', (e) => onDownload('/api/v1/reports/participants.csv', 'participants.csv', e.currentTarget));
$('print').addEventListener('click', () => window.print());
onLanguageChange(() => {
  document.title = t('report.title');
  render();
});

let started = false;
startAdminPage({
  async onReady(user) {
    document.title = t('report.title');
    if (!user || !ALLOWED_ROLES.includes(user.role)) { showNotAllowed(user); return; }
    $('not-allowed').hidden = true;
    $('report').hidden = false;
    for (const el of document.querySelectorAll('[data-requires-edit]')) el.hidden = !canEdit();
    if (!started) {
      started = true;
      const q = new URLSearchParams(location.search);
      const from = q.get('from') || '';
      const to = q.get('to') || '';
      state.programme = await fetchProgramme();
      if (q.has('from') || q.has('to')) state.period = { from: DATE_RE.test(from) ? from : '', to: DATE_RE.test(to) ? to : '' };
      else if (state.programme) state.period = { from: state.programme.start, to: state.programme.end };
      renderPeriodLine();
    }
    load();
  },
});

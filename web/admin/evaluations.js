// An event's evaluation results for its organisers (GET /api/v1/events/{id}/evaluations): the response rate, the
// means, the distributions as tables and the free-text comments. No names: the API gives none.
import { call, canEdit } from './session.js';
import { h, replaceChildren } from '../lib/dom.js';
import { t, locale } from '../lib/i18n.js';
import { formatDateTime } from '../lib/time.js';
import { errorText } from '../lib/errors.js';

const RATINGS = ['usefulness', 'knowledge_before', 'knowledge_after'];
const PLANS = ['yes', 'no', 'maybe'];

let results = null;
let failure = null;

const number = (x, digits = 2) => new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(x);
const percent = (x) => new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(x);
const signed = (x) => new Intl.NumberFormat(locale(), { maximumFractionDigits: 2, signDisplay: 'exceptZero' }).format(x);

/** Reads the results again (organisers only; the steering group sees the totals on the dashboard). */
export async function loadEvaluations(eventId) {
  if (!canEdit()) return;
  try {
    results = await call('GET', `/api/v1/events/${eventId}/evaluations`);
    failure = null;
  } catch (err) {
    if (err.status !== 401) failure = err;
  }
}

function stat(id, value, labelKey, sub = null) {
  return h('li', { class: 'stat', id },
    h('span', { class: 'stat-n' }, value), ' ',
    h('span', { class: 'stat-l' }, t(labelKey)),
    sub ? [' ', h('span', { class: 'stat-sub' }, sub)] : null);
}

function distributionTable(r) {
  const scale = ['1', '2', '3', '4', '5'];
  return h('div', { class: 'table-region', role: 'region', 'aria-labelledby': 'evals-ratings-caption', tabindex: '0' },
    h('table', { class: 'data', id: 'evals-ratings' },
      h('caption', { id: 'evals-ratings-caption' }, t('admin.evals.ratings.caption')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('admin.evals.question')),
        scale.map((v) => h('th', { scope: 'col', class: 'num' }, v)))),
      h('tbody', {}, RATINGS.map((q) => h('tr', {},
        h('th', { scope: 'row' }, t(`admin.evals.${q}`)),
        scale.map((v) => h('td', { class: 'num' }, String(r.distribution[q][v] ?? 0))))))));
}

function plansTable(r) {
  return h('table', { class: 'data', id: 'evals-plans' },
    h('caption', {}, t('admin.evals.plans.caption')),
    h('thead', {}, h('tr', {}, PLANS.map((p) => h('th', { scope: 'col', class: 'num' }, t(`admin.evals.plans.${p}`))))),
    h('tbody', {}, h('tr', {}, PLANS.map((p) => h('td', { class: 'num' }, String(r.distribution.plans_tn[p] ?? 0))))));
}

/** Renders the section's content into `box` for `event`. */
export function renderEvaluations(box, event) {
  if (!canEdit()) { replaceChildren(box, h('p', { class: 'notice' }, t('admin.evals.organisers_only'))); return; }
  if (failure) { replaceChildren(box, h('p', { class: 'notice error' }, errorText(failure, 'admin.evals.error'))); return; }
  if (!results || !event) return;
  const r = results;
  const closes = formatDateTime(r.closes_at);
  const ended = Date.now() >= Date.parse(event.ends_at);
  const when = h('p', { id: 'evals-window' }, ended
    ? t(Date.now() < Date.parse(r.closes_at) ? 'admin.evals.open_until' : 'admin.evals.closed_on', { when: closes })
    : t('admin.evals.not_ended', { when: closes }));
  if (!ended && r.responses === 0) { replaceChildren(box, when); return; }
  const none = '–';
  replaceChildren(box,
    when,
    h('ul', { class: 'stats', id: 'evals-figures' },
      stat('evals-responses', String(r.responses), 'admin.evals.responses'),
      stat('evals-rate', r.response_rate === null ? none : percent(r.response_rate), 'admin.evals.rate',
        t('admin.evals.of_attended', { n: r.attended })),
      stat('evals-usefulness', r.mean_usefulness === null ? none : number(r.mean_usefulness), 'admin.evals.mean_usefulness'),
      stat('evals-change', r.mean_knowledge_change === null ? none : signed(r.mean_knowledge_change), 'admin.evals.mean_change'),
      stat('evals-plans', r.plans_tn_share === null ? none : percent(r.plans_tn_share), 'admin.evals.plans_share')),
    r.responses ? [distributionTable(r), plansTable(r)] : null,
    h('h3', {}, t('admin.evals.comments')),
    r.comments.length
      ? h('ul', { class: 'evals-comments', id: 'evals-comments' }, r.comments.map((c) => h('li', {}, c)))
      : h('p', { id: 'evals-comments' }, t('admin.evals.no_comments')));
}

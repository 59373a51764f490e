// One event: its details, the venue's accessibility and the registration form. Its seats follow the live topic
// `event:{id}` (lib/live.js).
import './strings.js';
import { api, getConfig } from '../lib/api.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, label, onLanguageChange } from '../lib/i18n.js';
import { formatRange } from '../lib/time.js';
import { errorText } from '../lib/errors.js';
import { initPage } from '../lib/page.js';
import { seatsText, seatsState, placeText, isFull } from '../lib/seats.js';
import { createRegistrationForm } from './regform.js';
import { createRecoverForm } from './recover.js';
import { live } from '../lib/live.js';

initPage();

const pageStatus = $('page-status');
const article = $('event');

let event = null;
let config = null;
let regForm = null;
let recoverForm = null; // "send me my link again", for anyone who registered and lost the link
let pageError = null; // {key} or {err}
let sending = false;

function showPageError() {
  const text = pageError.err ? errorText(pageError.err, pageError.key) : t(pageError.key);
  replaceChildren(pageStatus, h('h1', {}, t('event.unavailable')), h('p', { class: 'notice error' }, text));
  document.title = `${t('event.unavailable')} – ${t('site.name')}`;
  article.hidden = true;
}

function fact(key, value) {
  return value ? h('div', {}, h('dt', {}, t(key)), h('dd', {}, value)) : null;
}

function renderEvent() {
  if (pageError) { showPageError(); return; }
  if (!event) return;
  document.title = `${event.title} – ${t('site.name')}`;
  $('ev-kind').textContent = [label('kind', event.kind), label('network', event.network)].filter(Boolean).join(' · ');
  $('ev-title').textContent = event.title;
  $('ev-cancelled').hidden = event.status !== 'cancelled';

  replaceChildren($('ev-facts'),
    fact('event.when', h('time', { datetime: event.starts_at }, formatRange(event.starts_at, event.ends_at))),
    fact('event.where', placeText(event)),
    fact('event.topic', label('topic', event.topic)),
    fact('event.focus_area', label('focus_area', event.focus_area)),
    fact('event.language', label('language', event.language)),
    fact('event.seats', h('span', { id: 'ev-seats' })));

  $('ev-about').hidden = !event.description;
  $('ev-description').textContent = event.description || '';

  const offered = (event.venue && event.venue.accessibility) || [];
  replaceChildren($('ev-access'), offered.length
    ? [h('p', {}, t('event.accessibility.intro')), h('ul', { class: 'ticks' }, offered.map((n) => h('li', {}, label('need', n))))]
    : h('p', {}, t('event.accessibility.none')));

  const open = event.status === 'published' && event.registration_open !== false;
  if (open && config && !regForm) buildForm(offered);
  if (regForm) {
    regForm.form.hidden = !open;
    regForm.relabel();
  }
  if (!recoverForm) {
    recoverForm = createRecoverForm({ eventId: event.id });
    $('recover-slot').append(recoverForm.form);
  } else {
    recoverForm.relabel();
  }
  renderSeats();
  replaceChildren(pageStatus);
  article.hidden = false;
}

/** What depends on the counts: the seats, the form's introduction and its button (register or join the waitlist). */
function renderSeats() {
  const seats = $('ev-seats');
  seats.className = `seats seats-${seatsState(event)}`;
  seats.textContent = seatsText(event);
  const open = event.status === 'published' && event.registration_open !== false;
  const intro = $('register-intro');
  if (!open) {
    intro.textContent = event.status === 'cancelled' ? t('event.cancelled') : t('event.register.closed');
    intro.className = 'notice';
  } else {
    intro.textContent = isFull(event) ? `${t('event.register.waitlist_intro')} ${t('event.register.intro')}` : t('event.register.intro');
    intro.className = '';
  }
  if (regForm) {
    const key = isFull(event) ? 'event.submit.waitlist' : 'event.submit';
    regForm.submit.dataset.i18n = key;
    regForm.submit.textContent = t(key);
  }
}

function buildForm(offered) {
  regForm = createRegistrationForm({ config, mode: 'register', offered });
  $('form-slot').append(regForm.form);
  regForm.form.addEventListener('submit', onSubmit);
}

async function onSubmit(e) {
  e.preventDefault();
  if (sending) return;
  sending = true;
  regForm.form.setAttribute('aria-busy', 'true');
  regForm.status.textContent = t('event.sending');
  try {
    const body = regForm.registrationBody();
    const created = await api('POST', `/api/v1/events/${encodeURIComponent(event.id)}/registrations`, body);
    if (!created || !created.manage_token) throw new Error('no manage_token in the answer');
    location.assign(`ticket.html#token=${encodeURIComponent(created.manage_token)}`);
    return;
  } catch (err) {
    regForm.status.textContent = '';
    if (err.status === 422 && err.errors.length) {
      regForm.showErrors(err.errors);
    } else if (err.status === 409) {
      // The server's reason: 'duplicate', or why the event takes no registrations ('closed', 'cancelled', ...).
      const dup = err.reason === 'duplicate';
      regForm.showProblem('event.conflict.title', () => t(dup ? 'event.conflict.duplicate' : 'event.conflict.closed'));
      if (!dup) refresh();
    } else if (err.status === 503 && err.reason === 'outcome_unknown') {
      // Not "nothing was saved": the database went away during the commit (docs/SCALING.md).
      regForm.showProblem('form.errors.title', () => t('event.outcome_unknown'));
    } else {
      regForm.showProblem('form.errors.title', () => errorText(err, 'manage.action_failed'));
    }
  } finally {
    sending = false;
    regForm.form.removeAttribute('aria-busy');
  }
}

/** Reloads the event (after a 409 its state has changed: full, closed, cancelled). */
async function refresh() {
  try {
    event = await api('GET', `/api/v1/events/${encodeURIComponent(event.id)}`);
    renderEvent();
  } catch { /* keep what is shown */ }
}

async function load() {
  const id = new URLSearchParams(location.search).get('id');
  if (!id || !/^\d+$/.test(id)) { pageError = { key: 'event.missing_id' }; renderEvent(); return; }
  try {
    [event, config] = await Promise.all([api('GET', `/api/v1/events/${id}`), getConfig()]);
  } catch (err) {
    pageError = err.status === 404 ? { key: 'event.not_found' } : { err, key: 'event.error' };
  }
  renderEvent();
  if (event) followCounts();
}

/** Live seats: the counts of this event as they change; where the connection cannot serve, fetched every minute. */
function followCounts() {
  const path = `/api/v1/events/${encodeURIComponent(event.id)}`;
  const stop = live().subscribe(`event:${event.id}`, {
    onData(counts) {
      if (!counts || typeof counts !== 'object' || JSON.stringify(counts) === JSON.stringify(event.counts)) return;
      event.counts = counts;
      renderSeats();
    },
    onError(code) { if (code === 'unknown_topic') stop(); },
    poll: async () => (await api('GET', path)).counts,
    pollMs: 60000,
  });
}

onLanguageChange(() => renderEvent());
load();

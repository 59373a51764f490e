// The participant's own registration by its private link: see, change, cancel, erase.
import './strings.js';
import { api, getConfig } from '../lib/api.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, onLanguageChange } from '../lib/i18n.js';
import { formatRange } from '../lib/time.js';
import { errorText } from '../lib/errors.js';
import { initPage, confirmDialog } from '../lib/page.js';
import { placeText } from '../lib/seats.js';
import { tokenFromHash, myRegistrationPath } from './my.js';
import { createRegistrationForm } from './regform.js';
import { evaluationState, loadEvaluation, createEvaluationForm, evaluationSummary, evaluationIntro } from './evaluation.js';

initPage();

const pageStatus = $('page-status');
const token = tokenFromHash();
let reg = null;
let config = null;
let regForm = null;
let pageError = null;
let message = null; // {key, kind} shown in the page status after an action
let busy = false;
let evaluation = null; // the saved answer, or null
let evalForm = null;
let evalState = 'hidden';

function fact(key, value) {
  return value ? h('div', {}, h('dt', {}, t(key)), h('dd', {}, value)) : null;
}

function statusText(r) {
  if (r.erased) return t('ticket.h1.erased');
  if (r.status === 'waitlisted' && r.waitlist_position) return t('status.waitlist_position', { n: r.waitlist_position });
  return t(`status.${r.status}`);
}

function renderStatus() {
  const items = [];
  if (pageError) items.push(h('p', { class: 'notice error' }, pageError.err ? errorText(pageError.err, pageError.key) : t(pageError.key)));
  if (message) items.push(h('p', { class: `notice ${message.kind}` }, message.text ? message.text() : t(message.key)));
  if (reg && !pageError) {
    if (reg.erased) items.push(h('p', { class: 'notice' }, t('manage.erased_state')));
    else if (reg.status === 'cancelled') items.push(h('p', { class: 'notice' }, t('manage.readonly_cancelled')));
  }
  replaceChildren(pageStatus, items);
}

function render() {
  renderStatus();
  if (pageError || !reg) { $('manage-page').hidden = true; return; }
  const ev = reg.event || {};
  document.title = `${t('manage.h1')} – ${t('site.name')}`;
  const eventLink = ev.title ? h('a', { href: `event.html?id=${encodeURIComponent(reg.event_id ?? ev.id)}` }, ev.title) : null;
  replaceChildren($('reg-facts'),
    fact('manage.event', eventLink),
    fact('event.when', ev.starts_at ? h('time', { datetime: ev.starts_at }, formatRange(ev.starts_at, ev.ends_at)) : null),
    fact('event.where', ev.id ? placeText(ev) : null),
    fact('manage.status', h('span', { class: `status status-${reg.erased ? 'erased' : reg.status}` }, statusText(reg))),
    fact('manage.code', reg.erased || !reg.ticket_code ? null : h('span', { class: 'ticket-code small' }, reg.ticket_code)));
  $('ticket-link').href = `ticket.html#token=${encodeURIComponent(token)}`;
  $('ticket-link').hidden = !!reg.erased;
  // A partner-search forum's participants write their profile and meet partners on partners.html.
  $('partners-link').href = `partners.html#token=${encodeURIComponent(token)}`;
  $('partners-link-row').hidden = ev.kind !== 'partner_search_forum' || !!reg.erased || reg.status === 'cancelled';

  const active = !reg.erased && reg.status !== 'cancelled';
  $('details-section').hidden = !active;
  $('cancel-section').hidden = !active;
  $('erase-section').hidden = !!reg.erased;
  if (active && config) {
    if (!regForm) {
      regForm = createRegistrationForm({ config, mode: 'edit', offered: (ev.venue && ev.venue.accessibility) || [], submitKey: 'manage.save' });
      $('form-slot').append(regForm.form);
      regForm.form.addEventListener('submit', onSave);
      regForm.fill(reg);
    }
    regForm.relabel();
  }
  renderEvaluation();
  $('manage-page').hidden = false;
}

/** The evaluation: a form while answers are open (the saved answer in it), the answer read-only once closed. */
function renderEvaluation() {
  const section = $('evaluation-section');
  section.hidden = evalState === 'hidden' || (evalState === 'closed' && !evaluation);
  if (section.hidden) return;
  $('evaluation-intro').textContent = evaluationIntro(reg, evalState);
  if (evalState === 'open') {
    if (!evalForm) {
      evalForm = createEvaluationForm({
        path: myRegistrationPath(token, '/evaluation'),
        onSaved: (answer) => { evaluation = answer; },
        onRefused: (reason) => {
          if (reason !== 'evaluation_closed') return;
          evalState = 'closed';
          renderEvaluation();
        },
      });
      evalForm.fill(evaluation);
    }
    if (!evalForm.element.isConnected) replaceChildren($('evaluation-slot'), evalForm.element);
    evalForm.relabel();
  } else {
    replaceChildren($('evaluation-slot'), evaluationSummary(evaluation));
  }
}

/** Whether this registration has an evaluation to show, and the answer given so far. */
async function loadEvaluationState() {
  evalState = evaluationState(reg);
  evaluation = evalState === 'hidden' ? null : await loadEvaluation(myRegistrationPath(token, '/evaluation')).catch(() => null);
}

/** Moves the focus to the page's status message, so the result of an action is read out and seen. */
function focusStatus() {
  pageStatus.focus();
  pageStatus.scrollIntoView({ block: 'nearest' });
}

async function reload() {
  try {
    reg = await api('GET', myRegistrationPath(token));
    pageError = null;
  } catch (err) {
    if (err.status === 404) { reg = null; pageError = { key: 'ticket.not_found' }; } else throw err;
  }
}

async function onSave(e) {
  e.preventDefault();
  if (busy) return;
  const changes = regForm.changes();
  regForm.clearErrors();
  if (Object.keys(changes).length === 0) {
    regForm.status.textContent = t('manage.saved');
    return;
  }
  busy = true;
  regForm.form.setAttribute('aria-busy', 'true');
  regForm.status.textContent = t('manage.saving');
  try {
    const updated = await api('PATCH', myRegistrationPath(token), changes);
    if (updated && updated.id !== undefined) reg = { ...reg, ...updated, event: updated.event || reg.event };
    else await reload();
    regForm.fill(reg);
    render();
    regForm.status.textContent = t('manage.saved');
  } catch (err) {
    regForm.status.textContent = '';
    if (err.status === 422 && err.errors.length) regForm.showErrors(err.errors);
    else regForm.showProblem('manage.action_failed', () => errorText(err, 'manage.action_failed'));
  } finally {
    busy = false;
    regForm.form.removeAttribute('aria-busy');
  }
}

async function act(kind) {
  if (busy) return;
  const ok = await confirmDialog({
    title: t(`manage.${kind}.confirm.h`), text: t(`manage.${kind}.confirm.text`),
    yes: t(`manage.${kind}.confirm.yes`), no: t(`manage.${kind}.confirm.no`),
  });
  if (!ok) return;
  busy = true;
  try {
    if (kind === 'cancel') await api('DELETE', myRegistrationPath(token));
    else await api('POST', myRegistrationPath(token, '/erase'));
    message = { key: kind === 'cancel' ? 'manage.cancelled' : 'manage.erased', kind: 'ok' };
    try {
      await reload();
      if (kind === 'erase' && pageError) { pageError = null; reg = { erased: true, status: 'cancelled' }; }
      evalState = evaluationState(reg);
    } catch { /* the action worked; the page just shows less */ }
  } catch (err) {
    message = { text: () => errorText(err, 'manage.action_failed'), kind: 'error' };
  } finally {
    busy = false;
  }
  render();
  focusStatus();
}

async function load() {
  if (!token) { pageError = { key: 'ticket.no_token' }; render(); return; }
  try {
    [reg, config] = await Promise.all([api('GET', myRegistrationPath(token)), getConfig()]);
    await loadEvaluationState();
  } catch (err) {
    pageError = err.status === 404 ? { key: 'ticket.not_found' } : { err, key: 'ticket.error' };
  }
  render();
}

$('cancel-button').addEventListener('click', () => act('cancel'));
$('erase-button').addEventListener('click', () => act('erase'));
window.addEventListener('hashchange', () => {
  // Another private link pasted into the address bar: show that registration.
  const next = tokenFromHash();
  if (next && next !== token) location.reload();
});
onLanguageChange(() => render());
load();

// The confirmation and ticket: status, ticket code, QR, the private manage link, calendar file and printing.
import './strings.js';
import { api } from '../lib/api.js';
import { $, h, replaceChildren, announce } from '../lib/dom.js';
import { t, label, onLanguageChange } from '../lib/i18n.js';
import { formatRange } from '../lib/time.js';
import { errorText } from '../lib/errors.js';
import { initPage } from '../lib/page.js';
import { placeText } from '../lib/seats.js';
import { tokenFromHash, myRegistrationPath } from './my.js';

initPage();

const pageStatus = $('page-status');
const token = tokenFromHash();
let reg = null;
let pageError = null;

function manageUrl() {
  return new URL(`manage.html#token=${encodeURIComponent(token)}`, location.href).href;
}

function statusText(r) {
  if (r.status === 'waitlisted') {
    return r.waitlist_position ? t('status.waitlist_position', { n: r.waitlist_position }) : t('status.waitlisted');
  }
  return t(`status.${r.status}`);
}

function render() {
  if (pageError) {
    replaceChildren(pageStatus, h('p', { class: 'notice error' }, pageError.err ? errorText(pageError.err, pageError.key) : t(pageError.key)));
    $('ticket-page').hidden = true;
    return;
  }
  if (!reg) return;
  const ev = reg.event || {};
  const erased = reg.erased === true;
  const state = erased ? 'erased' : (['confirmed', 'waitlisted', 'cancelled'].includes(reg.status) ? reg.status : 'default');
  $('ticket-heading').textContent = t(`ticket.h1.${state}`);
  $('ticket-heading').removeAttribute('data-i18n');
  document.title = `${t(`ticket.h1.${state}`)} – ${t('site.name')}`;

  let lead = '';
  if (erased) lead = t('ticket.erased_text');
  else if (reg.status === 'confirmed') lead = t('ticket.confirmed_text');
  else if (reg.status === 'waitlisted') lead = reg.waitlist_position ? t('ticket.waitlisted_text', { n: reg.waitlist_position }) : t('ticket.waitlisted_text_nopos');
  else if (reg.status === 'cancelled') lead = t('ticket.cancelled_text');
  $('ticket-status-text').textContent = lead;

  $('ticket').classList.toggle('is-cancelled', reg.status === 'cancelled' || erased);
  $('ticket-event-title').textContent = ev.title || '';
  replaceChildren($('ticket-when'), ev.starts_at ? h('time', { datetime: ev.starts_at }, formatRange(ev.starts_at, ev.ends_at)) : '');
  $('ticket-where').textContent = ev.id ? placeText(ev) : '';
  $('ticket-name').textContent = reg.name || '';
  $('ticket-org').textContent = [reg.organisation, label('organisation_type', reg.organisation_type)].filter(Boolean).join(' · ');
  $('ticket-person').hidden = !reg.name;
  $('ticket-status').textContent = statusText(reg);
  $('ticket-code').textContent = reg.ticket_code || '';

  const qr = $('ticket-qr');
  const showQr = !erased && reg.status !== 'cancelled' && !!reg.ticket_code;
  $('ticket-qr-wrap').hidden = !showQr;
  if (showQr) {
    const src = myRegistrationPath(token, '/ticket.svg');
    if (qr.getAttribute('src') !== src) qr.src = src;
    qr.alt = t('ticket.qr_alt', { code: reg.ticket_code });
  }

  const eventId = reg.event_id ?? ev.id;
  $('ics-link').href = `/api/v1/events/${encodeURIComponent(eventId)}.ics`;
  $('ics-link').hidden = reg.status === 'cancelled' || erased;
  $('print-button').hidden = !showQr;

  $('manage-url').value = manageUrl();
  $('manage-link').href = `manage.html#token=${encodeURIComponent(token)}`;

  replaceChildren(pageStatus);
  $('ticket-page').hidden = false;
}

async function copyLink() {
  const input = $('manage-url');
  const status = $('copy-status');
  try {
    await navigator.clipboard.writeText(input.value);
    announce(status, t('ticket.manage.copied'), 'ok');
  } catch {
    input.focus();
    input.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    announce(status, t(ok ? 'ticket.manage.copied' : 'ticket.manage.copy_failed'), ok ? 'ok' : 'error');
  }
}

async function load() {
  if (!token) { pageError = { key: 'ticket.no_token' }; render(); return; }
  try {
    reg = await api('GET', myRegistrationPath(token));
  } catch (err) {
    pageError = err.status === 404 ? { key: 'ticket.not_found' } : { err, key: 'ticket.error' };
  }
  render();
}

$('print-button').addEventListener('click', () => window.print());
$('copy-button').addEventListener('click', copyLink);
$('manage-url').addEventListener('focus', (e) => e.target.select());
window.addEventListener('hashchange', () => {
  // Another private link pasted into the address bar: show that registration.
  const next = tokenFromHash();
  if (next && next !== token) location.reload();
});
onLanguageChange(() => render());
load();

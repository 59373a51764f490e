// "Send me my link again": asks POST /api/v1/registrations/recover for a new private link. Shared by the event page
// (the event is known) and the privacy notice (the reader chooses it from the published events).
//
// The server answers 202 whether or not the address is registered, so the result shown is the same neutral sentence
// either way: the page must not tell a stranger who is registered for what.
import { api } from '../lib/api.js';
import { h, replaceChildren } from '../lib/dom.js';
import { t, applyTranslations } from '../lib/i18n.js';
import { clearErrors, markFieldInvalid, errorText } from '../lib/errors.js';
import { formatDay, stockholmDate } from '../lib/time.js';
import { localMessage } from './regform.js';

const PATH = '/api/v1/registrations/recover';

function text(key) { return h('span', { 'data-i18n': key }, t(key)); }

function requiredMark() {
  return h('span', { class: 'req', 'data-i18n': 'common.required' }, t('common.required'));
}

/** "Budgeting transnational ESF projects – 12 May 2027": an event as an option of the select. */
function optionText(ev) {
  const day = formatDay(stockholmDate(ev.starts_at));
  return day ? `${ev.title} – ${day}` : ev.title;
}

/**
 * Builds the form. eventId: the event asked about (event page); events: the events to choose from instead
 * (privacy page), as GET /api/v1/events lists them. Returns {form, relabel()}; call relabel() after a language switch.
 */
export function createRecoverForm({ eventId = null, events = null }) {
  const choose = Array.isArray(events);

  const email = h('input', { type: 'email', id: 'recover-email', name: 'email', required: true, autocomplete: 'email',
    inputmode: 'email', spellcheck: 'false', maxlength: 254 });
  const emailField = h('div', { class: 'field', 'data-field': 'email' },
    h('label', { for: 'recover-email' }, text('recover.email'), ' ', requiredMark()),
    h('p', { class: 'field-error', id: 'recover-email-error', hidden: true }),
    email);

  let select = null;
  let eventField = null;
  if (choose) {
    select = h('select', { id: 'recover-event', name: 'event_id', required: true });
    eventField = h('div', { class: 'field', 'data-field': 'event_id' },
      h('label', { for: 'recover-event' }, text('recover.event'), ' ', requiredMark()),
      h('p', { class: 'field-error', id: 'recover-event-error', hidden: true }),
      select);
  }

  const submit = h('button', { type: 'submit', class: 'button secondary', 'data-i18n': 'recover.submit' }, t('recover.submit'));
  const status = h('p', { class: 'form-status', id: 'recover-status', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'recover-form', id: 'recover-form', novalidate: true },
    h('p', { 'data-i18n': choose ? 'recover.intro.choose' : 'recover.intro' }),
    eventField,
    emailField,
    h('div', { class: 'button-row' }, submit),
    status);

  // What is shown, kept so that a language switch can say it again in the other language.
  let shown = null; // {kind: 'ok'|'error', text: () => string}
  let lastErrors = null;
  let sending = false;

  /** The select's options: upcoming events first (soonest first), then past ones (latest first). */
  function fillEvents() {
    const chosen = select.value;
    const now = Date.now();
    const list = events.filter((ev) => ev && ev.id !== undefined && (ev.status === undefined || ev.status === 'published'));
    const ended = (ev) => new Date(ev.ends_at || ev.starts_at).getTime() < now;
    const upcoming = list.filter((ev) => !ended(ev)).sort((a, b) => new Date(a.starts_at) - new Date(b.starts_at) || a.id - b.id);
    const past = list.filter(ended).sort((a, b) => new Date(b.starts_at) - new Date(a.starts_at) || b.id - a.id);
    const group = (key, items) => (items.length
      ? h('optgroup', { label: t(key) }, items.map((ev) => h('option', { value: String(ev.id) }, optionText(ev))))
      : null);
    replaceChildren(select,
      h('option', { value: '' }, t('recover.event.choose')),
      group('recover.event.upcoming', upcoming),
      group('recover.event.past', past));
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
  }

  function showResult(kind, message, { announce = true } = {}) {
    shown = { kind, text: message };
    status.className = `form-status notice ${kind}`;
    if (!announce) { status.textContent = message(); return; }
    // Cleared first and filled a moment later, so that a repeated result is read out again.
    status.textContent = '';
    setTimeout(() => { if (shown && shown.text === message) status.textContent = message(); }, 30);
  }

  function clearResult() {
    shown = null;
    status.className = 'form-status';
    status.textContent = '';
  }

  function reset() {
    lastErrors = null;
    clearErrors(form);
    clearResult();
  }

  /** 422 errors next to their fields, the focus on the first; errors about anything else in the status line. */
  function showErrors(errors, { focus = true } = {}) {
    clearErrors(form);
    clearResult();
    lastErrors = errors;
    const targets = { email: [email, 'recover-email-error', 'field.email'] };
    if (select) targets.event_id = [select, 'recover-event-error', 'field.event'];
    const other = [];
    let first = null;
    for (const err of errors) {
      const name = String(err.field || '').replace(/^body\./, '');
      const message = localMessage(err.message);
      const target = targets[name];
      if (!target) { other.push(message ? `${name}: ${message}` : name); continue; }
      const [control, errorId, labelKey] = target;
      const sentence = /^[a-zåäö(]/.test(message) ? `${t(labelKey)} ${message}` : `${t(labelKey)}: ${message}`;
      markFieldInvalid({ error: form.querySelector(`#${errorId}`), describe: control }, sentence, [control]);
      if (!first) first = control;
    }
    if (other.length) showResult('error', () => `${t('recover.failed')} ${other.join(' ')}`, { announce: focus });
    if (focus && first) first.focus();
  }

  /** The sentence for a refused or failed request. */
  function failure(err) {
    if (err.status === 429) {
      const minutes = Math.ceil((Number(err.retryAfter) || 0) / 60);
      return () => t('recover.rate_limited', { minutes });
    }
    return () => errorText(err, 'recover.failed');
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (sending) return;
    reset();
    const id = choose ? (select.value ? Number(select.value) : null) : eventId;
    const body = { event_id: id, email: email.value.trim() };
    sending = true;
    const hadFocus = document.activeElement === submit;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    status.textContent = t('recover.sending');
    let refocus = hadFocus;
    try {
      await api('POST', PATH, body);
      showResult('ok', () => t('recover.sent'));
    } catch (err) {
      status.textContent = '';
      if (err.status === 422 && err.errors.length) {
        showErrors(err.errors);
        refocus = refocus && !form.querySelector('[aria-invalid="true"]');
      } else {
        showResult('error', failure(err));
      }
    } finally {
      sending = false;
      submit.disabled = false;
      form.removeAttribute('aria-busy');
      // A disabled button loses the focus; give it back unless a field with an error took it.
      if (refocus && document.activeElement !== submit && !form.contains(document.activeElement)) submit.focus();
    }
  });

  /** Says everything again in the current language, without moving the focus or announcing again. */
  function relabel() {
    applyTranslations(form);
    if (select) fillEvents();
    if (lastErrors) showErrors(lastErrors, { focus: false });
    else if (shown) showResult(shown.kind, shown.text, { announce: false });
  }

  relabel();
  return { form, relabel };
}

// Create an event (edit.html) or change one (edit.html?id=N). Times are typed as Stockholm wall-clock time and
// sent as RFC 3339 with the offset in force then. The server's 422 field errors are shown at each field
// (aria-invalid, aria-describedby) and in an error summary that takes the focus.
import { startAdminPage, call, canEdit, adminLabel } from './session.js';
import { getConfig } from '../lib/api.js';
import { $, h, replaceChildren } from '../lib/dom.js';
import { t, label, has, onLanguageChange } from '../lib/i18n.js';
import { clearErrors as clearFieldErrors, markFieldInvalid, showErrorSummary, showSummaryMessage, errorText } from '../lib/errors.js';
import { localToRfc3339, rfc3339ToLocal } from '../lib/time.js';

const form = $('event-form');
const summary = $('error-summary');
const formStatus = $('form-status');
const submit = $('submit');
const notice = $('form-notice');

const rawId = new URLSearchParams(location.search).get('id');
const eventId = rawId && /^\d+$/.test(rawId) ? Number(rawId) : null;

// The API's field names, in the order the form shows them, and where each one's error goes.
// group: a fieldset of checkboxes or radios (the fieldset is described by the error, every input is invalid).
const FIELDS = [
  ['kind', { control: 'f-kind' }],
  ['title', { control: 'f-title' }],
  ['topic', { control: 'f-topic' }],
  ['focus_area', { control: 'f-focus-area' }],
  ['network', { control: 'f-network' }],
  ['organised_by_project', { control: 'f-organised-by-project' }],
  ['description', { control: 'f-description' }],
  ['language', { control: 'f-language' }],
  ['starts_at', { control: 'f-starts-at' }],
  ['ends_at', { control: 'f-ends-at' }],
  ['capacity', { control: 'f-capacity' }],
  ['registration_closes_at', { control: 'f-registration-closes-at' }],
  ['evaluation_closes_at', { control: 'f-evaluation-closes-at' }],
  ['venue', { control: 'f-venue-name', error: 'f-venue-error' }],
  ['venue.name', { control: 'f-venue-name' }],
  ['venue.address', { control: 'f-venue-address' }],
  ['venue.accessibility', { group: 'f-venue-accessibility' }],
  ['status', { group: 'f-status' }],
];
const FIELD = new Map(FIELDS);
const ORDER = FIELDS.map(([name]) => name);

// The server's messages are terse English; known ones get a clearer wording in both languages.
const MESSAGES = [
  [/^is required$/, () => t('admin.msg.required')],
  [/^is required for an? /, () => t('admin.msg.required_for_kind')],
  [/^must not be before starts_at$/, () => t('admin.msg.not_before_start')],
  [/^must not be after ends_at$/, () => t('admin.msg.not_after_end')],
  [/^must not be before ends_at$/, () => t('admin.msg.not_before_end')],
  [/^must be a whole number from 1 to/, () => t('admin.msg.capacity')],
  [/^must be at least (\d+), the number of confirmed registrations/, (m) => t('admin.msg.capacity_below_confirmed', { n: m[1] })],
  [/^must be at most (\d+) characters/, (m) => t('admin.msg.max_chars', { n: m[1] })],
  [/RFC 3339/, () => t('admin.msg.datetime')],
  [/^must be one of/, () => t('admin.msg.one_of')],
  [/^must be a whole number$/, () => t('admin.msg.whole_number')],
];

let config = null;
let original = null; // the event being edited
let lastErrors = null; // kept to re-word the errors after a language switch
let started = false;
let sending = false;

// ---------------------------------------------------------------- building the form

function fillSelect(select, group, values) {
  for (const v of values || []) select.append(h('option', { value: v, 'data-i18n-enum': `${group}:${v}` }, label(group, v)));
}

function buildNeeds(needs) {
  replaceChildren($('venue-needs'), (needs || []).map((need) => h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id: `f-venue-need-${need}`, name: 'venue_accessibility', value: need }),
    h('label', { for: `f-venue-need-${need}`, 'data-need': need }, adminLabel('need', need)))));
}

function relabelNeeds() {
  for (const l of form.querySelectorAll('label[data-need]')) l.textContent = adminLabel('need', l.dataset.need);
}

/** Shows the fields that belong to the chosen kind (topic for seminars, focus area for network meetings, ...). */
function syncKind() {
  const kind = $('f-kind').value;
  for (const el of form.querySelectorAll('.kind-field')) el.hidden = !el.dataset.kinds.split(' ').includes(kind);
}

// ---------------------------------------------------------------- reading and filling

const text = (id) => $(id).value.trim();

/** The request body: every field of the form, as the API wants it. */
function body() {
  const kind = $('f-kind').value;
  const out = {
    kind,
    title: text('f-title'),
    description: $('f-description').value.replace(/\s+$/, ''),
    language: $('f-language').value,
    starts_at: localToRfc3339($('f-starts-at').value) || '',
    ends_at: localToRfc3339($('f-ends-at').value) || '',
    status: form.querySelector('input[name="status"]:checked')?.value || 'draft',
    topic: kind === 'seminar' ? ($('f-topic').value || null) : null,
    focus_area: kind === 'network_meeting' ? ($('f-focus-area').value || null) : null,
    network: kind === 'network_event' ? ($('f-network').value || null) : null,
  };
  if (kind === 'partner_search_forum') out.organised_by_project = $('f-organised-by-project').checked;

  const cap = $('f-capacity');
  if (cap.validity.badInput) out.capacity = 'not a number'; // the browser hides what was typed: let the server say no
  else if (cap.value.trim() === '') out.capacity = null;
  else if (/^\d+$/.test(cap.value.trim())) out.capacity = Number(cap.value.trim());
  else out.capacity = cap.value.trim();

  const closes = $('f-registration-closes-at');
  out.registration_closes_at = closes.validity.badInput ? '' : (localToRfc3339(closes.value) || null);
  const evaluation = $('f-evaluation-closes-at');
  out.evaluation_closes_at = evaluation.validity.badInput ? '' : (localToRfc3339(evaluation.value) || null);

  const venue = {
    name: text('f-venue-name'),
    address: text('f-venue-address'),
    accessibility: [...form.querySelectorAll('input[name="venue_accessibility"]:checked')].map((c) => c.value),
  };
  const noVenue = !venue.name && !venue.address && venue.accessibility.length === 0;
  if (!noVenue) out.venue = venue;
  else if (original && original.venue) out.venue = null;
  return out;
}

/** Puts an event's values into the form. */
function fill(ev) {
  $('f-kind').value = ev.kind || '';
  $('f-title').value = ev.title || '';
  $('f-description').value = ev.description || '';
  $('f-language').value = ev.language || 'sv';
  $('f-starts-at').value = rfc3339ToLocal(ev.starts_at);
  $('f-ends-at').value = rfc3339ToLocal(ev.ends_at);
  $('f-topic').value = ev.topic || '';
  $('f-focus-area').value = ev.focus_area || '';
  $('f-network').value = ev.network || '';
  $('f-organised-by-project').checked = ev.organised_by_project !== false;
  $('f-capacity').value = ev.capacity === null || ev.capacity === undefined ? '' : String(ev.capacity);
  // The server answers the start time when no closing time was set: show that as "empty" (closes at the start).
  const closes = ev.registration_closes_at && Date.parse(ev.registration_closes_at) !== Date.parse(ev.starts_at)
    ? rfc3339ToLocal(ev.registration_closes_at) : '';
  $('f-registration-closes-at').value = closes;
  // Likewise 30 days after the end, the default closing of the evaluation.
  const evaluationDefault = Date.parse(ev.ends_at) + 30 * 86400000;
  $('f-evaluation-closes-at').value = ev.evaluation_closes_at && Date.parse(ev.evaluation_closes_at) !== evaluationDefault
    ? rfc3339ToLocal(ev.evaluation_closes_at) : '';
  $('f-venue-name').value = ev.venue?.name || '';
  $('f-venue-address').value = ev.venue?.address || '';
  const offered = new Set(ev.venue?.accessibility || []);
  for (const c of form.querySelectorAll('input[name="venue_accessibility"]')) c.checked = offered.has(c.value);
  const status = ev.status === 'published' ? 'published' : 'draft';
  $(`f-status-${status}`).checked = true;
  syncKind();
}

// ---------------------------------------------------------------- errors

function target(field) {
  const name = String(field || '').replace(/\[.*$/, '');
  const spec = FIELD.get(name);
  if (!spec) return null;
  if (spec.group) {
    const group = $(spec.group);
    return { name, group, control: group.querySelector('input'), describe: group, error: $(`${spec.group}-error`) };
  }
  const control = $(spec.control);
  return { name, control, describe: control, error: $(spec.error || `${spec.control}-error`) };
}

function fieldLabel(name) {
  const key = `admin.field.${name}`;
  return has(key) ? t(key) : name.replace(/[._]/g, ' ');
}

function wording(tgt, message) {
  const m = String(message || '').trim();
  const control = tgt && tgt.control;
  // An empty or half-typed date field, and "Choose…" left in a list, are simply not filled in yet.
  if (control && control.type === 'datetime-local') {
    if (control.validity.badInput) return t('admin.msg.datetime');
    if (control.value === '' && /RFC 3339/.test(m)) return t('admin.msg.required');
  }
  if (control && control.tagName === 'SELECT' && control.value === '' && /^must be one of/.test(m)) return t('admin.msg.required');
  for (const [re, fn] of MESSAGES) {
    const found = re.exec(m);
    if (found) return fn(found);
  }
  return m;
}

function sentence(name, message) {
  return name ? `${fieldLabel(name)} ${message}` : message;
}

function clearErrors() {
  lastErrors = null;
  clearFieldErrors(form, summary);
}

function markInvalid(tgt, message) {
  markFieldInvalid(tgt, message, tgt.group ? tgt.group.querySelectorAll('input') : [tgt.control]);
}

/** Shows 422 errors ([{field, message}]) at the fields and in the summary (in the form's order). */
function showErrors(errors, { focus = true } = {}) {
  clearErrors();
  lastErrors = errors;
  const seen = new Set();
  const items = [];
  for (const err of errors) {
    const key = `${err.field}\u0000${err.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const tgt = target(err.field);
    const text = sentence(tgt ? tgt.name : err.field, wording(tgt, err.message));
    const rank = tgt ? ORDER.indexOf(tgt.name) : ORDER.length;
    // A field hidden for this kind cannot be corrected here: say so in the summary only.
    const visible = tgt && !tgt.control.closest('[hidden]');
    if (visible) markInvalid(tgt, text);
    items.push({ rank, text, control: visible ? tgt.control : null });
  }
  items.sort((a, b) => a.rank - b.rank);
  showErrorSummary(summary, items, { focus });
}

/** One message (a conflict, a network failure) in the summary box, with an optional follow-up (e.g. a link). */
function showProblem(message, extra = null) {
  clearErrors();
  showSummaryMessage(summary, message, { extra });
}

// ---------------------------------------------------------------- sending

async function onSubmit(ev) {
  ev.preventDefault();
  if (sending) return;
  sending = true;
  submit.disabled = true;
  formStatus.textContent = t('admin.edit.sending');
  try {
    // The version the form was filled from: if someone changed the event since, the server refuses (412)
    // instead of overwriting their change with this form's values.
    const ifMatch = original && Number.isInteger(original.version) ? { 'If-Match': `"${original.version}"` } : {};
    const saved = eventId
      ? await call('PATCH', `/api/v1/events/${eventId}`, body(), { headers: ifMatch })
      : await call('POST', '/api/v1/events', body());
    clearErrors();
    formStatus.textContent = '';
    location.href = `/admin/event.html?id=${encodeURIComponent(saved.id)}&saved=1`;
    return;
  } catch (err) {
    formStatus.textContent = '';
    if (err.status === 401) return; // the sign-in form is shown; the values stay for another try
    if ((err.status === 422 || err.status === 409) && err.errors.length) showErrors(err.errors);
    else if (err.status === 412) showStale();
    else if (err.status === 409) showProblem(t('admin.edit.conflict'));
    else showProblem(errorText(err, 'admin.edit.failed'));
  } finally {
    sending = false;
    submit.disabled = false;
  }
}

/** Someone else saved the event after this form was filled: nothing of ours was saved; offer the current version. */
function showStale() {
  const reload = h('a', { href: location.href }, t('admin.edit.stale_reload'));
  reload.addEventListener('click', (ev) => { ev.preventDefault(); location.reload(); });
  showProblem(t('admin.edit.stale'), reload);
}

// ---------------------------------------------------------------- page

function setHeadings() {
  const editing = !!eventId;
  $('form-h1').textContent = t(editing ? 'admin.edit.h1.edit' : 'admin.edit.h1.new');
  submit.textContent = t(editing ? 'admin.edit.submit.edit' : 'admin.edit.submit.new');
  document.title = editing && original ? t('admin.edit.title.edit', { title: original.title }) : t('admin.edit.title.new');
}

function stop(message) {
  form.hidden = true;
  notice.textContent = message;
  notice.hidden = false;
}

async function init() {
  if (eventId) {
    $('form-h1').removeAttribute('data-i18n');
    $('submit').removeAttribute('data-i18n');
    document.querySelector('title').removeAttribute('data-i18n');
    const back = `/admin/event.html?id=${eventId}`;
    $('back-link').href = back;
    $('back-link').dataset.i18n = 'admin.back_to_event';
    $('back-link').textContent = t('admin.back_to_event');
    $('leave-link').href = back;
  }
  setHeadings();
  if (!canEdit()) { stop(t('admin.edit.readonly')); return; }
  try {
    config = await getConfig();
  } catch (err) {
    stop(errorText(err, 'admin.edit.load_error'));
    return;
  }
  fillSelect($('f-kind'), 'kind', config.event_kinds);
  fillSelect($('f-topic'), 'topic', config.seminar_topics);
  fillSelect($('f-focus-area'), 'focus_area', config.focus_areas);
  fillSelect($('f-network'), 'network', config.networks);
  buildNeeds(config.accessibility_needs);
  if (eventId) {
    try {
      original = await call('GET', `/api/v1/events/${eventId}`);
    } catch (err) {
      if (err.status === 401) return;
      stop(err.status === 404 ? t('admin.edit.not_found') : errorText(err, 'admin.edit.load_error'));
      return;
    }
    if (original.status === 'cancelled') { stop(t('admin.edit.cancelled')); return; }
    fill(original);
    setHeadings();
  } else {
    syncKind();
  }
  form.hidden = false;
}

$('f-kind').addEventListener('change', syncKind);
form.addEventListener('submit', onSubmit);
onLanguageChange(() => {
  relabelNeeds();
  setHeadings();
  if (lastErrors) showErrors(lastErrors, { focus: false });
});

startAdminPage({
  onReady() {
    if (started) { setHeadings(); return; } // signed in again after the session ended: the values are still here
    started = true;
    init();
  },
});

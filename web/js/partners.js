// Partner search at a partner-search forum, by the participant's private link (#token=, as on manage.html): their
// profile, the forum's profiles with a search, their matches with the reasons, meeting requests both ways (ask, accept,
// decline, withdraw, cancel) and their agenda. Requests and answers arrive live on the private topic
// partner:{registration_id} (lib/live.js, authorised by the private link) and are announced politely; without the
// connection they are polled.
import './strings.js';
import { api, getConfig } from '../lib/api.js';
import { $, h, replaceChildren, announce } from '../lib/dom.js';
import { t, label, has, onLanguageChange } from '../lib/i18n.js';
import { formatRange, formatWhen, formatDateTime } from '../lib/time.js';
import { clearErrors, markFieldInvalid, showErrorSummary, showSummaryMessage, errorText } from '../lib/errors.js';
import { initPage, confirmDialog } from '../lib/page.js';
import { placeText } from '../lib/seats.js';
import { live } from '../lib/live.js';
import { tokenFromHash, myRegistrationPath } from './my.js';
import { ROLES, COUNTRIES, LANGUAGES, countryName, languageName, roleName, sortedCodes, profileCard, reasonText } from './partner-vocab.js';

initPage();

const token = tokenFromHash();
const path = (suffix = '') => myRegistrationPath(token, suffix);
const POLL_MS = 30000;
const SEARCH_DELAY_MS = 300;

let reg = null;
let config = null;
let pageError = null;     // {key} or {err, key}
let profile = null;       // the participant's own profile, or null before the first save
let slots = null;         // {slots, tables} of the forum
let requests = [];        // both ways, newest first
let agenda = [];          // accepted meetings in time order
let matches = null;       // items, or null before loading
let matchesError = null;  // ApiError, or 'no_profile'
let browse = null;        // items of the last search
let browseError = null;
let browseSeq = 0;
let browseTimer = 0;
let following = false;
let lastProfileErrors = null;
let lastProfileProblem = null;
const known = new Map();  // request id -> state as last shown, so that only news is announced
const askOpen = new Set(); // "<list>-<profile id>" whose request form is open
const askDrafts = new Map(); // profile id -> the message typed so far
const askErrors = new Map(); // "<list>-<profile id>" -> the sentence of a refused request
const requestErrors = new Map(); // request id -> the sentence of a refused answer
const busy = new Set();   // what is on its way ("ask-5", "req-12")

// ---------------------------------------------------------------- helpers

function fact(key, value) {
  return value ? h('div', {}, h('dt', {}, t(key)), h('dd', {}, value)) : null;
}

const active = () => reg && !reg.erased && reg.status !== 'cancelled';

/** Re-renders with `fn` and gives the focus back to the element with the same id (lists are rebuilt whole). */
function keepingFocus(fn) {
  const el = document.activeElement;
  const id = el && el.id;
  const caret = el && typeof el.selectionStart === 'number' ? [el.selectionStart, el.selectionEnd] : null;
  fn();
  if (!id || document.activeElement === el) return;
  const again = document.getElementById(id);
  if (!again) return;
  again.focus({ preventScroll: true });
  if (caret && typeof again.setSelectionRange === 'function') {
    try { again.setSelectionRange(caret[0], caret[1]); } catch { /* not a text field */ }
  }
}

function who(c) {
  if (!c) return t('partner.someone');
  return [c.name, c.organisation].filter(Boolean).join(', ') || t('partner.someone');
}

function slotText(slot) {
  return slot ? formatWhen(slot.starts_at, slot.ends_at) : '';
}

function timeEl(slot) {
  return h('time', { datetime: slot.starts_at }, slotText(slot));
}

/** The sentence for a 409 about meetings (the server's reason), or the general one. */
function refusalText(err, fallbackKey) {
  if (err && err.status === 409 && err.reason && has(`partner.refused.${err.reason}`)) return t(`partner.refused.${err.reason}`);
  if (err && err.status === 404) return t('partner.refused.gone');
  return errorText(err, fallbackKey);
}

// ---------------------------------------------------------------- the page and the forum

function renderStatus() {
  const items = [];
  if (pageError) items.push(h('p', { class: 'notice error' }, pageError.err ? errorText(pageError.err, pageError.key) : t(pageError.key)));
  if (pageError && pageError.manage) items.push(h('p', {}, h('a', { href: `manage.html#token=${encodeURIComponent(token)}` }, t('partner.manage_link'))));
  if (!pageError && reg && reg.status === 'waitlisted') items.push(h('p', { class: 'notice warning' }, t('partner.waitlisted')));
  replaceChildren($('page-status'), items);
}

function renderForum() {
  const ev = reg.event || {};
  document.title = ev.title ? t('partner.title.event', { title: ev.title }) : t('partner.title');
  const eventLink = ev.title ? h('a', { href: `event.html?id=${encodeURIComponent(reg.event_id ?? ev.id)}` }, ev.title) : null;
  replaceChildren($('forum-facts'),
    fact('partner.forum', eventLink),
    fact('event.when', ev.starts_at ? h('time', { datetime: ev.starts_at }, formatRange(ev.starts_at, ev.ends_at)) : null),
    fact('event.where', ev.id ? placeText(ev) : null));
  const note = $('slots-note');
  if (slots && slots.slots.length) {
    const first = slots.slots[0];
    const last = slots.slots[slots.slots.length - 1];
    note.textContent = t('partner.slots', { n: slots.slots.length, tables: slots.tables, when: formatWhen(first.starts_at, last.ends_at) });
  } else {
    note.textContent = slots ? t('partner.slots.none') : '';
  }
  $('manage-link').href = `manage.html#token=${encodeURIComponent(token)}`;
  $('agenda-ics').href = path('/agenda.ics');
  $('agenda-ics').setAttribute('download', `agenda-${reg.event_id}.ics`);
}

function render() {
  renderStatus();
  if (pageError || !reg) { $('partners-page').hidden = true; return; }
  renderForum();
  renderProfileIntro();
  relabelChoices();
  renderProfileErrors();
  renderBrowse();
  renderMatches();
  renderRequests();
  renderAgenda();
  $('partners-page').hidden = false;
}

// ---------------------------------------------------------------- the profile form

const form = $('profile-form');
const summaryBox = $('profile-error-summary');
// The form's fields in their order: [API field, the control that takes the focus, the element described, error id].
const FIELDS = [
  ['organisation', 'p-organisation'], ['summary', 'p-summary'], ['country', 'p-country'],
  ['focus_areas', 'p-focus-areas'], ['offers', 'p-offers'], ['seeks', 'p-seeks'], ['languages', 'p-languages'],
  ['partner_countries', 'p-partner-countries'], ['public', 'p-public'],
];
const GROUPS = { focus_areas: 'focus', offers: 'offer', seeks: 'seek', languages: 'lang', partner_countries: 'pc' };

function checkbox(group, code, name) {
  const id = `p-${group}-${code}`;
  return h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id, name: group, value: code }),
    h('label', { for: id, 'data-code': code }, name));
}

/** The checkboxes and the country list, for the configured focus areas and any code the saved profile holds. */
function buildChoices() {
  const p = profile || {};
  const keep = (name) => new Set([...form.querySelectorAll(`input[name="${name}"]:checked`)].map((c) => c.value));
  const rebuild = (slot, group, codes, nameOf) => {
    const checked = keep(group);
    replaceChildren($(slot), codes.map((c) => checkbox(group, c, nameOf(c))));
    for (const c of form.querySelectorAll(`input[name="${group}"]`)) c.checked = checked.has(c.value);
  };
  rebuild('p-focus-areas-choices', GROUPS.focus_areas, [...new Set([...(config.focus_areas || []), ...(p.focus_areas || [])])], (v) => label('focus_area', v));
  rebuild('p-offers-choices', GROUPS.offers, [...new Set([...ROLES, ...(p.offers || [])])], roleName);
  rebuild('p-seeks-choices', GROUPS.seeks, [...new Set([...ROLES, ...(p.seeks || [])])], roleName);
  rebuild('p-languages-choices', GROUPS.languages, [...new Set([...LANGUAGES, ...(p.languages || [])])], languageName);
  rebuild('p-partner-countries-choices', GROUPS.partner_countries, sortedCodes(COUNTRIES, countryName, p.partner_countries || []), countryName);
  const select = $('p-country');
  const chosen = select.value;
  replaceChildren(select, h('option', { value: '' }, t('partner.field.country.choose')),
    sortedCodes(COUNTRIES, countryName, [p.country]).map((c) => h('option', { value: c }, countryName(c))));
  select.value = chosen;
}

/** Names of the choices in the page's language (after a language switch). */
function relabelChoices() {
  if (!config) return;
  const named = { [GROUPS.focus_areas]: (v) => label('focus_area', v), [GROUPS.offers]: roleName, [GROUPS.seeks]: roleName,
    [GROUPS.languages]: languageName, [GROUPS.partner_countries]: countryName };
  for (const [group, nameOf] of Object.entries(named)) {
    for (const l of form.querySelectorAll(`input[name="${group}"] + label`)) l.textContent = nameOf(l.dataset.code);
  }
  const select = $('p-country');
  const chosen = select.value;
  const codes = [...select.options].map((o) => o.value).filter(Boolean);
  replaceChildren(select, h('option', { value: '' }, t('partner.field.country.choose')),
    sortedCodes(codes, countryName).map((c) => h('option', { value: c }, countryName(c))));
  select.value = chosen;
  // The countries' checkboxes follow the names' order in the new language.
  const box = $('p-partner-countries-choices');
  const rows = [...box.children];
  const collator = new Intl.Collator(document.documentElement.lang === 'sv' ? 'sv' : 'en');
  rows.sort((a, b) => collator.compare(a.textContent, b.textContent));
  box.append(...rows);
  renderCountriesSummary();
}

function renderCountriesSummary() {
  const n = form.querySelectorAll(`input[name="${GROUPS.partner_countries}"]:checked`).length;
  $('p-partner-countries-summary').textContent = n ? t('partner.field.partner_countries.chosen', { n }) : t('partner.field.partner_countries.any');
}

function setChecked(group, codes) {
  const set = new Set(codes || []);
  for (const c of form.querySelectorAll(`input[name="${group}"]`)) c.checked = set.has(c.value);
}

/** Puts the saved profile (or, before the first save, what the registration says) into the form. */
function fillForm() {
  buildChoices();
  const p = profile;
  $('p-organisation').value = p ? p.organisation || '' : reg.organisation || '';
  $('p-summary').value = p ? p.summary || '' : '';
  $('p-country').value = p ? p.country || '' : (reg.municipality ? 'SE' : '');
  setChecked(GROUPS.focus_areas, p ? p.focus_areas : []);
  setChecked(GROUPS.offers, p ? p.offers : []);
  setChecked(GROUPS.seeks, p ? p.seeks : []);
  setChecked(GROUPS.languages, p ? p.languages : [reg.language || 'sv'].filter((x) => LANGUAGES.includes(x)));
  setChecked(GROUPS.partner_countries, p ? p.partner_countries : []);
  $('p-public').checked = !!(p && p.public);
  $('p-partner-countries-details').open = !!(p && p.partner_countries && p.partner_countries.length);
  renderCountriesSummary();
}

function renderProfileIntro() {
  $('profile-intro').textContent = profile
    ? t('partner.profile.saved_at', { when: formatDateTime(profile.updated_at) })
    : t('partner.profile.none');
  $('profile-section').hidden = !active();
}

function formValues() {
  const checked = (group) => [...form.querySelectorAll(`input[name="${group}"]:checked`)].map((c) => c.value);
  return {
    organisation: $('p-organisation').value.trim(),
    summary: $('p-summary').value.trim(),
    country: $('p-country').value,
    focus_areas: checked(GROUPS.focus_areas),
    offers: checked(GROUPS.offers),
    seeks: checked(GROUPS.seeks),
    languages: checked(GROUPS.languages),
    partner_countries: checked(GROUPS.partner_countries),
    public: $('p-public').checked,
  };
}

/** What the form itself can tell before sending: the required fields and the number of languages. */
function missingFields(v) {
  const out = [];
  if (!v.organisation) out.push({ field: 'organisation', message: 'is required' });
  if (!v.summary) out.push({ field: 'summary', message: 'is required' });
  if (!v.country) out.push({ field: 'country', message: 'is required' });
  if (!v.focus_areas.length) out.push({ field: 'focus_areas', message: 'needs at least one' });
  if (!v.languages.length) out.push({ field: 'languages', message: 'needs at least one' });
  else if (v.languages.length > 10) out.push({ field: 'languages', message: 'at most 10' });
  return out;
}

// The server's validation messages in the page's language; others are shown as sent.
const MESSAGES = [
  [/^is required$/, () => t('partner.msg.required')],
  [/^needs at least one$/, () => t('partner.msg.at_least_one')],
  [/^at most (\d+) characters/, (m) => t('partner.msg.max_chars', { n: m[1] })],
  [/^at most (\d+)$/, (m) => t('partner.msg.max_choices', { n: m[1] })],
  [/^unknown value/, () => t('partner.msg.from_list')],
  [/^must hold .* codes only$/, () => t('partner.msg.from_list')],
  [/^must be a two-letter ISO 3166 country code/, () => t('partner.msg.from_list')],
];

function wording(message) {
  const m = String(message || '').trim();
  for (const [re, fn] of MESSAGES) {
    const found = re.exec(m);
    if (found) return fn(found);
  }
  return m;
}

/** Where an error about `field` goes: {error, describe, control, controls}, or null for fields not on the form. */
function target(field) {
  const name = String(field || '').replace(/[[.].*$/, '');
  const entry = FIELDS.find(([f]) => f === name);
  if (!entry) return null;
  const id = entry[1];
  const el = $(id);
  const error = $(`${id}-error`);
  if (GROUPS[name]) {
    const boxes = [...form.querySelectorAll(`input[name="${GROUPS[name]}"]`)];
    const control = name === 'partner_countries' ? $('p-partner-countries-summary') : boxes[0];
    return { name, error, describe: el, control, controls: boxes };
  }
  return { name, error, describe: el, control: el, controls: [el] };
}

function renderProfileErrors({ focus = false } = {}) {
  clearErrors(form, summaryBox);
  if (lastProfileProblem) {
    showSummaryMessage(summaryBox, lastProfileProblem(), { title: t('partner.profile.failed.title'), heading: 'h3', focus });
    return;
  }
  if (!lastProfileErrors) return;
  const items = [];
  const seen = new Set();
  for (const e of lastProfileErrors) {
    const tgt = target(e.field);
    const text = tgt ? `${t(`partner.err.${tgt.name}`)}: ${wording(e.message)}` : `${e.field}: ${wording(e.message)}`;
    if (seen.has(text)) continue;
    seen.add(text);
    if (tgt) {
      markFieldInvalid(tgt, text, tgt.controls);
      if (tgt.name === 'partner_countries') $('p-partner-countries-details').open = true;
    }
    items.push({ text, control: tgt ? tgt.control : null });
  }
  // The summary lists them in the form's order.
  const order = (item) => {
    const i = FIELDS.findIndex(([, id]) => item.control && (item.control.id === id || item.control.closest(`#${id}`)));
    return i < 0 ? FIELDS.length : i;
  };
  items.sort((a, b) => order(a) - order(b));
  showErrorSummary(summaryBox, items, { heading: 'h3', focus });
}

async function onSaveProfile(e) {
  e.preventDefault();
  if (busy.has('profile')) return;
  const status = $('profile-status');
  const body = formValues();
  lastProfileProblem = null;
  const missing = missingFields(body);
  if (missing.length) {
    lastProfileErrors = missing;
    status.textContent = '';
    renderProfileErrors({ focus: true });
    return;
  }
  lastProfileErrors = null;
  renderProfileErrors();
  busy.add('profile');
  form.setAttribute('aria-busy', 'true');
  status.textContent = t('partner.profile.saving');
  const first = !profile;
  try {
    profile = await api('PUT', path('/profile'), body);
    fillForm();
    renderProfileIntro();
    status.textContent = t(first ? 'partner.profile.saved_first' : 'partner.profile.saved');
    await Promise.all([loadMatches(), loadBrowse()]);
    renderMatches();
  } catch (err) {
    status.textContent = '';
    if (err.status === 422 && err.errors.length) lastProfileErrors = err.errors;
    else lastProfileProblem = () => refusalText(err, 'partner.profile.failed');
    renderProfileErrors({ focus: true });
  } finally {
    busy.delete('profile');
    form.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------- asking for a meeting (matches and the forum's list)

/** The open request or meeting with the owner of this profile, if any. */
function relationTo(profileId) {
  return requests.find((r) => r.counterpart && r.counterpart.profile_id === profileId
    && (r.state === 'pending' || r.state === 'accepted')) || null;
}

function askArea(list, p) {
  if (!profile || p.id === profile.id || !active()) return null;
  const rel = relationTo(p.id);
  if (rel) {
    let text;
    if (rel.state === 'accepted') text = t('partner.rel.booked', { when: slotText(rel.slot), table: rel.table });
    else text = t(rel.direction === 'outgoing' ? 'partner.rel.asked' : 'partner.rel.asked_you');
    return h('p', { class: `relation relation-${rel.state}`, id: `${list}-rel-${p.id}`, tabindex: '-1' }, text);
  }
  const key = `${list}-${p.id}`;
  const name = p.name || p.organisation || '';
  if (!askOpen.has(key)) {
    return h('div', { class: 'button-row ask-row' },
      h('button', { type: 'button', class: 'button secondary', id: `${list}-ask-${p.id}`, 'aria-expanded': 'false',
        'aria-controls': `${list}-askform-${p.id}`, onclick: () => openAsk(list, p.id) },
      t('partner.ask'), h('span', { class: 'visually-hidden' }, ` ${t('partner.ask.whom', { name })}`)));
  }
  const msgId = `${list}-msg-${p.id}`;
  const error = askErrors.get(key);
  const textarea = h('textarea', { id: msgId, name: 'message', rows: 3, maxlength: 500,
    'aria-describedby': `${msgId}-hint${error ? ` ${msgId}-error` : ''}`, 'aria-invalid': error ? 'true' : null });
  textarea.value = askDrafts.get(p.id) || '';
  textarea.addEventListener('input', () => askDrafts.set(p.id, textarea.value));
  const sending = busy.has(`ask-${p.id}`);
  return h('form', { class: 'ask-form', id: `${list}-askform-${p.id}`, novalidate: true, 'aria-busy': sending ? 'true' : null,
    onsubmit: (ev) => { ev.preventDefault(); sendRequest(list, p); } },
  h('div', { class: `field${error ? ' has-error' : ''}` },
    h('label', { for: msgId }, t('partner.ask.message', { name }), ' ', h('span', { class: 'opt' }, t('common.optional'))),
    h('p', { class: 'hint', id: `${msgId}-hint` }, t('partner.ask.message.hint')),
    error ? h('p', { class: 'field-error', id: `${msgId}-error`, tabindex: '-1' }, error) : null,
    textarea),
  h('div', { class: 'button-row' },
    h('button', { type: 'submit', class: 'button primary', id: `${list}-send-${p.id}` }, t('partner.ask.send'),
      h('span', { class: 'visually-hidden' }, ` ${t('partner.ask.to', { name })}`)),
    h('button', { type: 'button', class: 'button secondary', id: `${list}-cancelask-${p.id}`, onclick: () => closeAsk(list, p.id) },
      t('partner.ask.cancel'))));
}

function renderLists() {
  keepingFocus(() => { renderMatches(); renderBrowse(); renderRequests(); renderAgenda(); });
}

function openAsk(list, profileId) {
  askOpen.add(`${list}-${profileId}`);
  renderLists();
  $(`${list}-msg-${profileId}`)?.focus();
}

function closeAsk(list, profileId) {
  askOpen.delete(`${list}-${profileId}`);
  askErrors.delete(`${list}-${profileId}`);
  renderLists();
  $(`${list}-ask-${profileId}`)?.focus();
}

function news(text) {
  if (text) announce($('news'), text);
}

/** Takes a request as the server answered it into the page (the list, what is known, the agenda). */
function takeRequest(item) {
  const i = requests.findIndex((r) => r.id === item.id);
  if (i >= 0) requests[i] = item; else requests.unshift(item);
  known.set(item.id, item.state);
  agenda = agenda.filter((m) => m.id !== item.id);
  if (item.state === 'accepted') {
    agenda.push(item);
    agenda.sort((a, b) => Date.parse(a.slot?.starts_at || 0) - Date.parse(b.slot?.starts_at || 0) || a.id - b.id);
  }
}

async function sendRequest(list, p) {
  const key = `ask-${p.id}`;
  if (busy.has(key)) return;
  busy.add(key);
  const message = (askDrafts.get(p.id) || '').trim();
  try {
    const item = await api('POST', path('/meeting-requests'), { profile_id: p.id, ...(message ? { message } : {}) });
    takeRequest(item);
    for (const l of ['m', 'b']) { askOpen.delete(`${l}-${p.id}`); askErrors.delete(`${l}-${p.id}`); }
    askDrafts.delete(p.id);
    busy.delete(key);
    renderLists();
    $(`${list}-rel-${p.id}`)?.focus();
    news(t('partner.news.sent', { name: who(item.counterpart) }));
  } catch (err) {
    busy.delete(key);
    if (err.status === 409 && err.reason === 'already_requested') await loadRequests().catch(() => {});
    const text = err.status === 422 && err.errors.length
      ? `${t('partner.ask.message.short')}: ${wording(err.errors[0].message)}` : refusalText(err, 'partner.ask.failed');
    askErrors.set(`${list}-${p.id}`, text);
    renderLists();
    const target = $(`${list}-msg-${p.id}-error`) || $(`${list}-rel-${p.id}`);
    target?.focus();
  }
}

// ---------------------------------------------------------------- the forum's profiles

function profileItem(list, p, extra = null) {
  const own = profile && p.id === profile.id;
  return h('li', {}, profileCard(p, { idPrefix: list, own, extra: [extra, askArea(list, p)] }));
}

function browseQuery() {
  const q = new URLSearchParams();
  const text = $('b-q').value.trim();
  if (text) q.set('q', text);
  if ($('b-focus').value) q.set('focus_area', $('b-focus').value);
  if ($('b-country').value) q.set('country', $('b-country').value);
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function loadBrowse() {
  if (!reg || !active()) return;
  const seq = ++browseSeq;
  try {
    const res = await api('GET', `/api/v1/events/${encodeURIComponent(reg.event_id)}/profiles${browseQuery()}`, undefined,
      { headers: { 'X-Manage-Token': token } });
    if (seq !== browseSeq) return;
    browse = Array.isArray(res && res.items) ? res.items : [];
    browseError = null;
  } catch (err) {
    if (seq !== browseSeq) return;
    browseError = err;
  }
}

function filtering() {
  return !!($('b-q').value.trim() || $('b-focus').value || $('b-country').value);
}

function renderBrowse() {
  $('browse-section').hidden = !active();
  const status = $('browse-status');
  status.classList.toggle('error', !!browseError);
  if (browseError) {
    replaceChildren($('browse-list'));
    status.textContent = errorText(browseError, 'partner.browse.error');
    return;
  }
  if (!browse) return;
  const others = browse.filter((p) => !profile || p.id !== profile.id).length;
  let text;
  if (browse.length === 0) text = t(filtering() ? 'partner.browse.none_found' : 'partner.browse.empty');
  else text = t('partner.browse.count', { n: browse.length });
  if (!profile && others > 0) text += ` ${t('partner.browse.profile_first')}`;
  if (status.textContent !== text) status.textContent = text;
  replaceChildren($('browse-list'), browse.map((p) => profileItem('b', p)));
}

function fillBrowseFilters() {
  const focus = $('b-focus');
  const country = $('b-country');
  const [f, c] = [focus.value, country.value];
  replaceChildren(focus, h('option', { value: '' }, t('partner.browse.all')),
    (config.focus_areas || []).map((v) => h('option', { value: v }, label('focus_area', v))));
  replaceChildren(country, h('option', { value: '' }, t('partner.browse.all_countries')),
    sortedCodes(COUNTRIES, countryName).map((v) => h('option', { value: v }, countryName(v))));
  focus.value = f;
  country.value = c;
}

async function searchNow() {
  clearTimeout(browseTimer);
  await loadBrowse();
  keepingFocus(renderBrowse);
}

// ---------------------------------------------------------------- matches

async function loadMatches() {
  if (!active()) return;
  if (!profile) { matches = null; matchesError = 'no_profile'; return; }
  try {
    const res = await api('GET', path('/matches'));
    matches = Array.isArray(res && res.items) ? res.items : [];
    matchesError = null;
  } catch (err) {
    matches = null;
    matchesError = err.status === 409 ? 'no_profile' : err;
  }
}

function reasons(m) {
  const list = m.reasons || [];
  if (!list.length) return null;
  return h('div', { class: 'reasons' },
    h('p', { class: 'reasons-title' }, t('partner.matches.why')),
    h('ul', {}, list.map((r) => h('li', { 'data-kind': r.kind }, reasonText(r)))));
}

function renderMatches() {
  $('matches-section').hidden = !active();
  const status = $('matches-status');
  status.classList.toggle('error', !!matchesError && matchesError !== 'no_profile');
  let text;
  let items = [];
  if (matchesError === 'no_profile') text = t('partner.matches.no_profile');
  else if (matchesError) text = errorText(matchesError, 'partner.matches.error');
  else if (!matches) text = '';
  else if (!matches.length) text = t('partner.matches.none');
  else { text = t('partner.matches.count', { n: matches.length }); items = matches; }
  if (status.textContent !== text) status.textContent = text;
  replaceChildren($('matches-list'), items.map((m) => profileItem('m', m, reasons(m))));
}

// ---------------------------------------------------------------- requests and the agenda

async function loadRequests() {
  const [r, a] = await Promise.all([api('GET', path('/meeting-requests')), api('GET', path('/agenda'))]);
  requests = Array.isArray(r && r.items) ? r.items : [];
  agenda = Array.isArray(a && a.items) ? a.items : [];
  for (const item of requests) known.set(item.id, item.state);
}

function stateText(item) {
  if (item.state === 'pending') return t(item.direction === 'incoming' ? 'partner.state.pending.incoming' : 'partner.state.pending.outgoing');
  return t(`partner.state.${item.state}`);
}

function requestItem(item) {
  const c = item.counterpart || {};
  const name = who(c);
  const id = `req-${item.id}`;
  const actions = [];
  const doing = busy.has(id);
  const button = (what, cls, text) => h('button', { type: 'button', class: `button ${cls}`, id: `${id}-${what}`,
    'aria-disabled': doing ? 'true' : null, onclick: () => answer(item, what) },
  text, h('span', { class: 'visually-hidden' }, ` ${t('partner.req.with', { name })}`));
  if (active() && item.state === 'pending' && item.direction === 'incoming') {
    actions.push(button('accept', 'primary', t('partner.req.accept')), button('decline', 'secondary', t('partner.req.decline')));
  } else if (active() && item.state === 'pending') {
    actions.push(button('cancel', 'secondary', t('partner.req.withdraw')));
  } else if (active() && item.state === 'accepted') {
    actions.push(button('cancel', 'secondary', t('partner.req.cancel_meeting')));
  }
  const error = requestErrors.get(item.id);
  return h('li', { class: `request-card is-${item.state}`, id, 'data-request-id': item.id, 'data-state': item.state },
    h('h4', { id: `${id}-title`, tabindex: '-1' }, name),
    h('p', { class: 'request-state' }, h('span', { class: `state-badge state-${item.state}` }, stateText(item))),
    c.country ? h('p', { class: 'request-country' }, countryName(c.country)) : null,
    item.message ? h('div', { class: 'request-message' },
      h('p', { class: 'request-message-label' }, t(item.direction === 'incoming' ? 'partner.req.their_message' : 'partner.req.your_message')),
      h('blockquote', {}, item.message)) : null,
    item.state === 'accepted' && item.slot ? h('p', { class: 'request-when' },
      t('partner.req.booked'), ' ', timeEl(item.slot), ', ', t('partner.table_inline', { n: item.table })) : null,
    error ? h('p', { class: 'notice error', id: `${id}-error`, tabindex: '-1' }, error) : null,
    actions.length ? h('div', { class: 'button-row' }, actions) : null);
}

function renderRequests() {
  $('requests-section').hidden = !active();
  const incoming = requests.filter((r) => r.direction === 'incoming');
  const outgoing = requests.filter((r) => r.direction !== 'incoming');
  replaceChildren($('incoming-list'), incoming.map(requestItem));
  replaceChildren($('outgoing-list'), outgoing.map(requestItem));
  $('incoming-empty').hidden = incoming.length > 0;
  $('outgoing-empty').hidden = outgoing.length > 0;
  $('incoming-list').hidden = incoming.length === 0;
  $('outgoing-list').hidden = outgoing.length === 0;
}

function renderAgenda() {
  $('agenda-section').hidden = !active();
  $('agenda-empty').hidden = agenda.length > 0;
  $('agenda-list').hidden = agenda.length === 0;
  $('agenda-ics').parentElement.hidden = agenda.length === 0;
  replaceChildren($('agenda-list'), agenda.map((m) => {
    const c = m.counterpart || {};
    return h('li', { class: 'agenda-item', 'data-meeting-id': m.id },
      h('h3', { class: 'agenda-when' }, m.slot ? timeEl(m.slot) : t('partner.agenda.no_time')),
      h('p', { class: 'agenda-table' }, t('partner.table', { n: m.table ?? '–' })),
      h('p', { class: 'agenda-who' }, who(c), c.country ? ` (${countryName(c.country)})` : ''),
      c.summary ? h('p', { class: 'agenda-summary' }, c.summary) : null);
  }));
}

async function answer(item, what) {
  const id = `req-${item.id}`;
  if (busy.has(id)) return;
  const name = who(item.counterpart);
  if (what === 'cancel' && item.state === 'accepted') {
    const ok = await confirmDialog({ title: t('partner.req.cancel.h', { name }), text: t('partner.req.cancel.text'),
      yes: t('partner.req.cancel.yes'), no: t('partner.req.cancel.no') });
    if (!ok) return;
  }
  busy.add(id);
  requestErrors.delete(item.id);
  renderLists();
  try {
    const updated = await api('POST', path(`/meeting-requests/${item.id}/${what}`));
    busy.delete(id);
    takeRequest(updated);
    renderLists();
    $(`${id}-title`)?.focus();
    if (updated.state === 'accepted') news(t('partner.news.you_accepted', { name, when: slotText(updated.slot), table: updated.table }));
    else if (updated.state === 'declined') news(t('partner.news.you_declined', { name }));
    else news(t(item.state === 'accepted' ? 'partner.news.you_cancelled' : 'partner.news.you_withdrew', { name }));
  } catch (err) {
    busy.delete(id);
    requestErrors.set(item.id, refusalText(err, 'partner.req.failed'));
    if (err.status === 409 && err.reason !== 'no_common_slot') await loadRequests().catch(() => {});
    renderLists();
    ($(`${id}-error`) || $('requests-h')).focus();
  }
}

// ---------------------------------------------------------------- live

/** What changed since the page last showed the requests, as sentences: new requests and the other side's answers. */
function newsOf(items) {
  const out = [];
  for (const item of items) {
    const before = known.get(item.id);
    const name = who(item.counterpart);
    if (before === item.state) continue;
    if (before === undefined && item.direction === 'incoming' && item.state === 'pending') out.push(t('partner.news.request', { name }));
    else if (before === 'pending' && item.state === 'accepted') out.push(t('partner.news.accepted', { name, when: slotText(item.slot), table: item.table }));
    else if (before === 'pending' && item.state === 'declined') out.push(t('partner.news.declined', { name }));
    else if (before === 'pending' && item.state === 'cancelled') out.push(t('partner.news.withdrawn', { name }));
    else if (before === 'accepted' && item.state === 'cancelled') out.push(t('partner.news.cancelled', { name }));
  }
  return out;
}

function onLive(data) {
  if (!data || !Array.isArray(data.requests)) return;
  const said = newsOf(data.requests);
  requests = data.requests;
  agenda = Array.isArray(data.agenda) ? data.agenda : agenda;
  for (const item of requests) known.set(item.id, item.state);
  renderLists();
  if (said.length) news(said.join(' '));
}

function follow() {
  if (following || !active()) return;
  following = true;
  const client = live();
  client.authorize({ type: 'auth', manage_token: token });
  client.subscribe(`partner:${reg.id}`, {
    onData: onLive,
    poll: async () => {
      const [r, a] = await Promise.all([api('GET', path('/meeting-requests')), api('GET', path('/agenda'))]);
      return { requests: r.items || [], agenda: a.items || [] };
    },
    pollMs: POLL_MS,
  });
}

// ---------------------------------------------------------------- loading

async function load() {
  if (!token) { pageError = { key: 'ticket.no_token' }; render(); return; }
  try {
    [reg, config] = await Promise.all([api('GET', path()), getConfig()]);
  } catch (err) {
    pageError = err.status === 404 ? { key: 'ticket.not_found' } : { err, key: 'partner.error' };
    render();
    return;
  }
  const ev = reg.event || {};
  if (ev.kind && ev.kind !== 'partner_search_forum') pageError = { key: 'partner.not_forum', manage: true };
  else if (reg.erased || reg.status === 'cancelled') pageError = { key: 'partner.inactive', manage: true };
  if (pageError) { render(); return; }
  try {
    const [own, s] = await Promise.all([
      api('GET', path('/profile')).catch((err) => { if (err.status === 404) return null; throw err; }),
      api('GET', `/api/v1/events/${encodeURIComponent(reg.event_id)}/meeting-slots`).catch(() => null),
      loadRequests(),
    ]);
    profile = own;
    slots = s && Array.isArray(s.slots) ? s : null;
  } catch (err) {
    pageError = { err, key: 'partner.error' };
    render();
    return;
  }
  fillForm();
  fillBrowseFilters();
  await Promise.all([loadMatches(), loadBrowse()]);
  render();
  follow();
}

// ---------------------------------------------------------------- wiring

form.addEventListener('submit', onSaveProfile);
form.addEventListener('change', (e) => { if (e.target.name === GROUPS.partner_countries) renderCountriesSummary(); });
$('browse-form').addEventListener('submit', (e) => { e.preventDefault(); searchNow(); });
$('browse-form').addEventListener('reset', () => setTimeout(searchNow, 0));
$('b-q').addEventListener('input', () => { clearTimeout(browseTimer); browseTimer = setTimeout(searchNow, SEARCH_DELAY_MS); });
$('b-focus').addEventListener('change', searchNow);
$('b-country').addEventListener('change', searchNow);
// In-page links move the focus themselves: a fragment link would replace the private link in the address bar.
for (const a of document.querySelectorAll('.page-nav a[data-focus]')) {
  a.addEventListener('click', (e) => {
    e.preventDefault();
    const target = $(a.dataset.focus);
    if (!target) return;
    target.focus();
    target.scrollIntoView({ block: 'start' });
  });
}
window.addEventListener('hashchange', () => {
  const next = tokenFromHash();
  if (next && next !== token) location.reload();
});
onLanguageChange(() => {
  if (!reg || pageError) { render(); return; }
  fillBrowseFilters();
  keepingFocus(render);
});
load();

// The registration form, shared by the event page (new registration) and the manage page (change your details).
// It shows the server's 422 field errors next to each field and in an error summary that takes the focus.
import { h } from '../lib/dom.js';
import { t, has, lang, applyTranslations } from '../lib/i18n.js';
import { clearErrors as clearFieldErrors, markFieldInvalid, showErrorSummary, showSummaryMessage } from '../lib/errors.js';

// The server's validation messages are English and terse ("is required"). Known ones get a clearer wording,
// and a Swedish one; anything else is shown as the server wrote it.
const MESSAGES = [
  [/^is required$/, { en: 'is required', sv: 'måste fyllas i' }],
  [/^is required \(or a country when abroad\)$/,
    { en: 'is required (or a country, when your organisation is outside Sweden)', sv: 'måste fyllas i (eller ett land, om organisationen finns utanför Sverige)' }],
  [/^must be a valid e-mail address$/, { en: 'must be a valid e-mail address', sv: 'måste vara en giltig e-postadress' }],
  [/^must be at most (\d+) characters without control characters$/, { en: 'must be at most $1 characters', sv: 'får vara högst $1 tecken' }],
  [/^must not contain invisible, bidirectional or control characters$/,
    { en: 'must not contain invisible or direction-changing characters (paste it as plain text)', sv: 'får inte innehålla osynliga eller riktningsändrande tecken (klistra in som vanlig text)' }],
  [/^must be at most (\d+) characters$/, { en: 'must be at most $1 characters', sv: 'får vara högst $1 tecken' }],
  [/^must be one of: (.*)$/, { en: 'must be one of the choices in the list', sv: 'måste vara ett av valen i listan' }],
  [/^must not repeat a need$/, { en: 'must not list the same need twice', sv: 'får inte ange samma behov två gånger' }],
  [/^must be (true|given|accepted|checked)\b.*$/,
    { en: 'is needed: tick the box to accept the privacy notice', sv: 'behövs: kryssa i rutan för att godkänna integritetspolicyn' }],
];

/** The server's validation message in the page's language (also used by the recover form, recover.js). */
export function localMessage(message) {
  const m = String(message || '').trim();
  for (const [re, texts] of MESSAGES) if (re.test(m)) return m.replace(re, texts[lang()] || texts.en);
  return m;
}

const ID = (name) => `f-${name.replace(/_/g, '-')}`;

function text(key) { return h('span', { 'data-i18n': key }, t(key)); }

function requiredMark(required) {
  return h('span', { class: required ? 'req' : 'opt', 'data-i18n': required ? 'common.required' : 'common.optional' },
    t(required ? 'common.required' : 'common.optional'));
}

function fieldError(name) {
  return h('p', { class: 'field-error', id: `${ID(name)}-error`, hidden: true });
}

function hint(name, key) {
  return key ? h('p', { class: 'hint', id: `${ID(name)}-hint`, 'data-i18n': key }, t(key)) : null;
}

/** A labelled text input (or textarea) with optional hint and a slot for its error. */
function inputField(name, { type = 'text', required = false, autocomplete, hintKey, list, multiline = false, maxlength = 200 }) {
  const attrs = {
    id: ID(name), name, required, autocomplete, maxlength,
    'aria-describedby': hintKey ? `${ID(name)}-hint` : null,
    spellcheck: type === 'email' ? 'false' : null,
  };
  const control = multiline
    ? h('textarea', { ...attrs, rows: 3, maxlength: 1000 })
    : h('input', { ...attrs, type, list, inputmode: type === 'email' ? 'email' : null });
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: ID(name) }, text(`field.${name}`), ' ', requiredMark(required)),
    hint(name, hintKey),
    fieldError(name),
    control);
}

function selectField(name, group, values, { required = false, placeholderKey, hintKey }) {
  const options = [];
  if (placeholderKey) options.push(h('option', { value: '', 'data-i18n': placeholderKey }, t(placeholderKey)));
  for (const v of values) options.push(h('option', { value: v, 'data-i18n-enum': `${group}:${v}` }));
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: ID(name) }, text(`field.${name}`), ' ', requiredMark(required)),
    hint(name, hintKey),
    fieldError(name),
    h('select', { id: ID(name), name, required, 'aria-describedby': hintKey ? `${ID(name)}-hint` : null }, options));
}

/**
 * Builds the form. config: GET /api/v1/config; mode: 'register' or 'edit'; offered: the needs the venue offers.
 * Returns an object with the form element and what the page needs to drive it.
 */
export function createRegistrationForm({ config, mode = 'register', offered = [], submitKey = 'event.submit' }) {
  const orgTypes = config.organisation_types || [];
  const genders = config.genders || [];
  const needs = config.accessibility_needs || [];
  const municipalities = config.home_municipalities || [];

  const summary = h('div', { class: 'error-summary', id: `${mode}-error-summary`, tabindex: '-1', role: 'alert', hidden: true,
    'aria-labelledby': `${mode}-error-summary-title` });

  const location = h('fieldset', { class: 'field group', 'data-field': 'location' },
    h('legend', {}, text('field.location')),
    h('div', { class: 'choices inline' },
      h('div', { class: 'choice' },
        h('input', { type: 'radio', id: 'f-location-sweden', name: 'location', value: 'sweden', checked: true }),
        h('label', { for: 'f-location-sweden' }, text('field.location.sweden'))),
      h('div', { class: 'choice' },
        h('input', { type: 'radio', id: 'f-location-abroad', name: 'location', value: 'abroad' }),
        h('label', { for: 'f-location-abroad' }, text('field.location.abroad')))),
    h('div', { class: 'conditional', id: 'municipality-wrap' },
      inputField('municipality', { required: true, list: 'municipality-list', autocomplete: 'address-level2', hintKey: 'field.municipality.hint' }),
      h('datalist', { id: 'municipality-list' }, municipalities.map((m) => h('option', { value: m })))),
    h('div', { class: 'conditional', id: 'country-wrap', hidden: true },
      inputField('country', { required: true, autocomplete: 'country-name' })));

  const needsGroup = h('fieldset', { class: 'field group', 'data-field': 'accessibility_needs', id: 'f-accessibility-needs-group',
    'aria-describedby': 'f-accessibility-needs-hint' },
  h('legend', {}, text('field.accessibility_needs'), ' ', requiredMark(false)),
  hint('accessibility_needs', 'field.accessibility_needs.hint'),
  fieldError('accessibility_needs'),
  h('div', { class: 'choices' }, needs.map((need) => h('div', { class: 'choice' },
    h('input', { type: 'checkbox', id: `f-need-${need}`, name: 'accessibility_needs', value: need }),
    h('label', { for: `f-need-${need}` }, h('span', { 'data-i18n-enum': `need:${need}` }),
      offered.includes(need) ? [' ', h('span', { class: 'offered', 'data-i18n': 'field.accessibility_needs.offered' })] : null)))));

  const consent = mode === 'register'
    ? h('div', { class: 'field', 'data-field': 'consent' },
      fieldError('consent'),
      h('div', { class: 'choice consent' },
        h('input', { type: 'checkbox', id: 'f-consent', name: 'consent', required: true }),
        h('label', { for: 'f-consent' }, text('field.consent'), ' ',
          h('a', { href: 'privacy.html', target: '_blank', rel: 'noopener' }, text('field.consent.link'), ' ',
            h('span', { class: 'new-tab', 'data-i18n': 'common.opens_new_tab' })),
          ' ', requiredMark(true))))
    : null;

  const submit = h('button', { type: 'submit', class: 'button primary', 'data-i18n': submitKey }, t(submitKey));
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });

  const form = h('form', { class: 'registration-form', novalidate: true, id: `${mode}-form` },
    summary,
    inputField('name', { required: true, autocomplete: 'name' }),
    inputField('email', { type: 'email', required: true, autocomplete: 'email', hintKey: 'field.email.hint', maxlength: 254 }),
    inputField('organisation', { required: true, autocomplete: 'organization' }),
    selectField('organisation_type', 'organisation_type', orgTypes, { required: true, placeholderKey: 'field.organisation_type.choose' }),
    location,
    selectField('gender', 'gender', genders, { hintKey: 'field.gender.hint' }),
    needsGroup,
    inputField('accessibility_note', { multiline: true, hintKey: 'field.accessibility_note.hint' }),
    inputField('dietary', { hintKey: 'field.dietary.hint' }),
    consent,
    h('div', { class: 'button-row' }, submit),
    status);

  const el = (sel) => form.querySelector(sel);
  const genderSelect = el('#f-gender');
  if (genders.includes('undisclosed')) genderSelect.value = 'undisclosed';

  function abroad() { return el('#f-location-abroad').checked; }
  function syncLocation() {
    el('#municipality-wrap').hidden = abroad();
    el('#country-wrap').hidden = !abroad();
  }
  el('#f-location-sweden').addEventListener('change', syncLocation);
  el('#f-location-abroad').addEventListener('change', syncLocation);

  let original = null; // the registration being edited
  let lastErrors = null; // kept to re-render the summary in another language
  let lastProblem = null;

  /** The form's values as the API wants them. */
  function values() {
    const v = (sel) => el(sel).value.trim();
    const out = {
      name: v('#f-name'),
      email: v('#f-email'),
      organisation: v('#f-organisation'),
      organisation_type: el('#f-organisation-type').value,
      gender: genderSelect.value || 'undisclosed',
      accessibility_needs: [...form.querySelectorAll('input[name="accessibility_needs"]:checked')].map((c) => c.value),
      accessibility_note: v('#f-accessibility-note') || null,
      dietary: v('#f-dietary') || null,
    };
    if (abroad()) { out.country = v('#f-country') || null; out.municipality = null; } else { out.municipality = v('#f-municipality') || null; out.country = null; }
    return out;
  }

  /** The body of POST .../registrations: empty optional fields are left out. */
  function registrationBody() {
    const out = values();
    for (const key of ['accessibility_note', 'dietary', 'municipality', 'country']) if (out[key] === null) delete out[key];
    if (!out.organisation_type) delete out.organisation_type;
    out.language = lang();
    out.consent = el('#f-consent').checked;
    return out;
  }

  /** The body of PATCH: only what changed since fill(). */
  function changes() {
    const now = values();
    const out = {};
    for (const [key, value] of Object.entries(now)) {
      const before = original ? original[key] : undefined;
      const same = Array.isArray(value)
        ? Array.isArray(before) && value.length === before.length && value.every((x) => before.includes(x))
        : (value ?? null) === (before ?? null);
      if (!same) out[key] = value;
    }
    return out;
  }

  /** Puts a registration's values into the form. */
  function fill(reg) {
    original = { ...reg };
    el('#f-name').value = reg.name || '';
    el('#f-email').value = reg.email || '';
    el('#f-organisation').value = reg.organisation || '';
    el('#f-organisation-type').value = reg.organisation_type || '';
    genderSelect.value = reg.gender || 'undisclosed';
    const isAbroad = !reg.municipality && !!reg.country;
    el('#f-location-abroad').checked = isAbroad;
    el('#f-location-sweden').checked = !isAbroad;
    el('#f-municipality').value = reg.municipality || '';
    el('#f-country').value = reg.country || '';
    syncLocation();
    const chosen = new Set(reg.accessibility_needs || []);
    for (const c of form.querySelectorAll('input[name="accessibility_needs"]')) c.checked = chosen.has(c.value);
    el('#f-accessibility-note').value = reg.accessibility_note || '';
    el('#f-dietary').value = reg.dietary || '';
  }

  /** Where an error about `field` is shown: {container, control, describe} or null for fields not on the form. */
  function target(field) {
    let name = String(field || '').replace(/^(body|registration)\./, '').replace(/[[.].*$/, '');
    if (name === 'municipality' && abroad()) name = 'country';
    else if (name === 'country' && !abroad()) name = 'municipality';
    if (name === 'accessibility_needs') {
      const group = el('#f-accessibility-needs-group');
      return { name, error: el('#f-accessibility-needs-error'), control: group.querySelector('input'), describe: group };
    }
    const control = form.querySelector(`#${ID(name)}`);
    const error = form.querySelector(`#${ID(name)}-error`);
    if (!control || !error) return null;
    return { name, error, control, describe: control };
  }

  function fieldLabel(name) {
    for (const key of [`field.${name}.short`, `field.${name}`]) if (has(key)) return t(key);
    return name.replace(/_/g, ' ');
  }

  /** "E-mail must be a valid e-mail address": the server's message (translated when known) after the field's label. */
  function sentence(name, message) {
    const local = localMessage(message);
    if (!name) return local;
    const startsLower = /^[a-zåäö(]/.test(local);
    return startsLower ? `${fieldLabel(name)} ${local}` : `${fieldLabel(name)}: ${local}`;
  }

  function clearErrors() {
    lastErrors = null;
    lastProblem = null;
    clearFieldErrors(form, summary);
  }

  function markInvalid(tgt, message) {
    const controls = tgt.name === 'accessibility_needs'
      ? form.querySelectorAll('input[name="accessibility_needs"]') : [tgt.control];
    markFieldInvalid(tgt, message, controls);
  }

  /** Shows 422 errors ([{field, message}]) next to the fields and in the summary, and focuses the summary. */
  function showErrors(errors, { focus = true } = {}) {
    clearErrors();
    lastErrors = errors;
    const items = [];
    const seen = new Set();
    for (const err of errors) {
      const key = `${err.field}\u0000${err.message}`;
      if (seen.has(key)) continue; // the same complaint twice says nothing new
      seen.add(key);
      const tgt = target(err.field);
      const message = err.message || '';
      if (tgt) {
        const text = sentence(tgt.name, message);
        markInvalid(tgt, text);
        items.push({ text, control: tgt.control });
      } else {
        items.push({ text: sentence(err.field, message) });
      }
    }
    showErrorSummary(summary, items, { heading: 'h3', focus });
  }

  /** Shows one message (a 409, a network error) in the summary box and focuses it. */
  function showProblem(titleKey, message, { focus = true } = {}) {
    clearErrors();
    lastProblem = { titleKey, message };
    showSummaryMessage(summary, typeof message === 'function' ? message() : message, { title: t(titleKey), heading: 'h3', focus });
  }

  /** Re-renders the language-dependent parts that are not plain data-i18n markup. */
  function relabel() {
    applyTranslations(form);
    if (lastErrors) showErrors(lastErrors, { focus: false });
    else if (lastProblem) showProblem(lastProblem.titleKey, lastProblem.message, { focus: false });
  }

  applyTranslations(form);
  return { form, submit, status, summary, values, registrationBody, changes, fill, showErrors, showProblem, clearErrors, relabel };
}

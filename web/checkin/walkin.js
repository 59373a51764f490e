// The walk-in form, shared by the door ("Register a walk-in") and by "record attendance afterwards" ("Add attendee"):
// reading and checking its fields, showing field errors, and moving the one form to the screen that uses it.

import { t, translate } from './i18n.js';
import { $ } from './dom.js';

export const WALKIN_FIELDS = ['name', 'email', 'organisation', 'organisation_type', 'municipality', 'country', 'consent'];

// The texts of the form's summary, introduction and button in each mode.
const TEXTS = {
  door: { title: 'walkInTitle', intro: 'walkInIntro', submit: 'registerWalkIn' },
  attendance: { title: 'attAddTitle', intro: 'attAddIntro', submit: 'attAddSubmit' },
};

let home = null; // where the form lives on the door screen

/** Moves the walk-in box into `slot` (null: back to its place on the door screen) and gives it that mode's texts. */
export function placeWalkIn(mode, slot = null) {
  const box = $('walkin-box');
  if (!home) home = { parent: box.parentNode, next: box.nextSibling };
  const target = slot || home.parent;
  if (box.parentNode !== target) {
    clearWalkInErrors();
    $('walkin-form').reset();
    box.open = false;
    if (slot) slot.append(box); else home.parent.insertBefore(box, home.next);
  }
  box.dataset.mode = mode;
  const texts = TEXTS[mode] || TEXTS.door;
  $('walkin-title').dataset.i18n = texts.title;
  $('walkin-intro').dataset.i18n = texts.intro;
  $('walkin-submit').dataset.i18n = texts.submit;
  translate(box);
}

export function setFieldError(field, message) {
  const input = $(`walkin-${field}`);
  const err = $(`walkin-${field}-err`);
  if (!input || !err) return;
  err.textContent = message || '';
  err.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
}

export function clearWalkInErrors() {
  const formErr = $('walkin-error');
  formErr.hidden = true;
  formErr.textContent = '';
  for (const f of WALKIN_FIELDS) setFieldError(f, '');
}

/** The form's values, the errors found before sending ({field: message}) and the request body. */
export function readWalkInForm() {
  const v = {
    name: $('walkin-name').value.trim(),
    email: $('walkin-email').value.trim(),
    organisation: $('walkin-organisation').value.trim(),
    organisation_type: $('walkin-organisation_type').value,
    municipality: $('walkin-municipality').value.trim(),
    country: $('walkin-country').value.trim(),
    consent: $('walkin-consent').checked,
  };
  const errors = {};
  if (!v.name) errors.name = t('required');
  if (!v.email) errors.email = t('required');
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)) errors.email = t('badEmail');
  if (!v.organisation) errors.organisation = t('required');
  if (!v.organisation_type) errors.organisation_type = t('required');
  if (!v.municipality && !v.country) errors.municipality = t('municipalityOrCountry');
  if (!v.consent) errors.consent = t('consentRequired');
  const body = { name: v.name, email: v.email, organisation: v.organisation, organisation_type: v.organisation_type, consent: true };
  if (v.municipality) body.municipality = v.municipality;
  if (v.country) body.country = v.country;
  return { v, errors, body };
}

/** Marks the fields, says so above the form and moves the focus to the first one. */
export function showWalkInErrors(errors) {
  for (const [f, m] of Object.entries(errors)) setFieldError(f, m);
  const formErr = $('walkin-error');
  formErr.textContent = t('fixFields');
  formErr.hidden = false;
  const first = WALKIN_FIELDS.find((f) => errors[f]);
  if (first) $(`walkin-${first}`).focus();
}

/** The form's own fields named in a 422 answer ({field: message}), or null. */
export function serverFieldErrors(res) {
  if (res.status !== 422 || !Array.isArray(res.body?.errors)) return null;
  const out = {};
  for (const fe of res.body.errors) if (fe && WALKIN_FIELDS.includes(fe.field)) out[fe.field] = fe.message || t('required');
  return Object.keys(out).length ? out : null;
}

/** Shows a message above the form (announced: the element has role="alert"). */
export function showWalkInMessage(text) {
  const formErr = $('walkin-error');
  formErr.textContent = text;
  formErr.hidden = false;
}

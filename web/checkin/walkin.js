// The walk-in form, shared by the door ("Register a walk-in") and by "record attendance afterwards" ("Add attendee"):
// reading and checking its fields, showing field errors, and moving the one form to the screen that uses it.

import { t, applyTranslations } from '../lib/i18n.js';
import { $ } from '../lib/dom.js';
import { clearErrors, markFieldInvalid } from '../lib/errors.js';

export const WALKIN_FIELDS = ['name', 'email', 'organisation', 'organisation_type', 'municipality', 'country', 'consent'];

// The texts of the form's summary, introduction and button in each mode.
const TEXTS = {
  door: { title: 'checkin.walkInTitle', intro: 'checkin.walkInIntro', submit: 'checkin.registerWalkIn' },
  attendance: { title: 'checkin.attAddTitle', intro: 'checkin.attAddIntro', submit: 'checkin.attAddSubmit' },
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
  applyTranslations(box);
}

/** Shows `message` at one field (its message element, aria-invalid, aria-describedby). */
function setFieldError(field, message) {
  const input = $(`walkin-${field}`);
  const error = $(`walkin-${field}-err`);
  if (input && error && message) markFieldInvalid({ error, describe: input }, message, [input]);
}

export function clearWalkInErrors() {
  const formErr = $('walkin-error');
  formErr.hidden = true;
  formErr.textContent = '';
  clearErrors($('walkin-form'));
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
  if (!v.name) errors.name = t('checkin.required');
  if (!v.email) errors.email = t('checkin.required');
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)) errors.email = t('checkin.badEmail');
  if (!v.organisation) errors.organisation = t('checkin.required');
  if (!v.organisation_type) errors.organisation_type = t('checkin.required');
  if (!v.municipality && !v.country) errors.municipality = t('checkin.municipalityOrCountry');
  if (!v.consent) errors.consent = t('checkin.consentRequired');
  const body = { name: v.name, email: v.email, organisation: v.organisation, organisation_type: v.organisation_type, consent: true };
  if (v.municipality) body.municipality = v.municipality;
  if (v.country) body.country = v.country;
  return { v, errors, body };
}

/** Marks the fields, says so above the form and moves the focus to the first one. */
export function showWalkInErrors(errors) {
  for (const [f, m] of Object.entries(errors)) setFieldError(f, m);
  const formErr = $('walkin-error');
  formErr.textContent = t('checkin.fixFields');
  formErr.hidden = false;
  const first = WALKIN_FIELDS.find((f) => errors[f]);
  if (first) $(`walkin-${first}`).focus();
}

/** The form's own fields named in a 422 answer ({field: message}), or null. */
export function serverFieldErrors(res) {
  if (res.status !== 422 || !Array.isArray(res.body?.errors)) return null;
  const out = {};
  for (const fe of res.body.errors) if (fe && WALKIN_FIELDS.includes(fe.field)) out[fe.field] = fe.message || t('checkin.required');
  return Object.keys(out).length ? out : null;
}

/** Shows a message above the form (announced: the element has role="alert"). */
export function showWalkInMessage(text) {
  const formErr = $('walkin-error');
  formErr.textContent = text;
  formErr.hidden = false;
}

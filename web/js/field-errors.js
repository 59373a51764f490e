// Field errors shared by every form: mark a field invalid (message, aria-invalid, aria-describedby) and clear them all.
import { replaceChildren } from './dom.js';

/** Hides the error summary and removes every field error, restoring each control's own aria-describedby. */
export function clearFieldErrors(form, summary) {
  summary.hidden = true;
  replaceChildren(summary);
  for (const e of form.querySelectorAll('.field-error')) { e.hidden = true; e.textContent = ''; }
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  for (const c of form.querySelectorAll('[data-base-describedby]')) {
    const base = c.dataset.baseDescribedby;
    if (base) c.setAttribute('aria-describedby', base); else c.removeAttribute('aria-describedby');
    delete c.dataset.baseDescribedby;
  }
  for (const f of form.querySelectorAll('.has-error')) f.classList.remove('has-error');
}

/**
 * Shows `message` at one field. `target.error` is the message element, `target.describe` the element that gets
 * aria-describedby (a control or a fieldset), `controls` the elements marked aria-invalid.
 */
export function markFieldInvalid(target, message, controls) {
  target.error.textContent = target.error.textContent ? `${target.error.textContent} ${message}` : message;
  target.error.hidden = false;
  (target.error.closest('.field') || target.error.parentElement).classList.add('has-error');
  const d = target.describe;
  if (!('baseDescribedby' in d.dataset)) d.dataset.baseDescribedby = d.getAttribute('aria-describedby') || '';
  const ids = new Set((d.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
  ids.add(target.error.id);
  d.setAttribute('aria-describedby', [...ids].join(' '));
  for (const c of controls) c.setAttribute('aria-invalid', 'true');
}

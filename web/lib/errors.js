// Errors shown to people, the same in every area: the error summary (GOV.UK style: a focused box at the top of the
// form, each problem linked to its field), the message at each field, and the sentence for a failed API call.
import { h, replaceChildren } from './dom.js';
import { t } from './i18n.js';

/** Hides the error summary and removes every field error, restoring each control's own aria-describedby. */
export function clearErrors(form, summary) {
  if (summary) {
    summary.hidden = true;
    replaceChildren(summary);
  }
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

function openSummary(summary, heading, title, parts, focus) {
  // The summary is labelled by its heading: <div id="x" aria-labelledby="x-title">.
  replaceChildren(summary, h(heading, { id: `${summary.id}-title`, class: 'error-summary-title' }, title), parts);
  summary.hidden = false;
  if (focus) summary.focus();
}

/**
 * Lists problems in the summary and focuses it. items: [{text, control}]; an item with a control links to it
 * (the link moves the focus itself: some pages keep a private token in the URL fragment, which a link would replace).
 */
export function showErrorSummary(summary, items, { title = t('form.errors.title'), intro = t('form.errors.intro'),
  heading = 'h2', focus = true } = {}) {
  const list = items.map(({ text, control }) => {
    if (!control) return h('li', {}, text);
    const link = h('a', { href: `#${control.id}` }, text);
    link.addEventListener('click', (ev) => { ev.preventDefault(); control.focus(); });
    return h('li', {}, link);
  });
  openSummary(summary, heading, title, [intro ? h('p', {}, intro) : null, h('ul', {}, list)], focus);
}

/** One message (a conflict, a network failure) in the summary box, with an optional follow-up, and focuses it. */
export function showSummaryMessage(summary, text, { title = t('form.errors.title'), extra = null, heading = 'h2',
  focus = true } = {}) {
  openSummary(summary, heading, title, [h('p', {}, text), extra ? h('p', {}, extra) : null], focus);
}

/** A translated sentence for a failed API call (ApiError or anything thrown): fallbackKey, then the server's detail. */
export function errorText(err, fallbackKey) {
  if (!err || typeof err.status !== 'number') return t('common.server_error');
  if (err.status === 0) return t('common.network_error');
  if (err.status === 429) return t('common.rate_limited', { seconds: err.retryAfter });
  if (err.status >= 500) return t('common.server_error');
  const detail = err.detail || err.title;
  return detail ? `${t(fallbackKey)} ${detail}` : t(fallbackKey);
}

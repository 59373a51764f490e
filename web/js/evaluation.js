// The evaluation of an attended event on the participant's manage page (DOMAIN.md 7): a form while answers are open
// (radio groups in fieldsets with legends, errors next to each group and in a summary, the focus moved to the first
// error), the saved answer shown and changeable, and read-only once answers have closed.
import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { t, has, applyTranslations } from '../lib/i18n.js';
import { formatDateTime } from '../lib/time.js';
import { clearErrors, markFieldInvalid, showErrorSummary, showSummaryMessage, errorText } from '../lib/errors.js';

const RATINGS = ['usefulness', 'knowledge_before', 'knowledge_after'];
const PLANS = ['yes', 'no', 'maybe'];
const FIELDS = [...RATINGS, 'plans_tn', 'comment'];
const ID = (name) => `eval-${name.replace(/_/g, '-')}`;

function text(key) { return h('span', { 'data-i18n': key }, t(key)); }

/** Where the participant stands: 'hidden' (nothing to evaluate), 'open' or 'closed' (answers no longer taken). */
export function evaluationState(reg, now = Date.now()) {
  const ev = reg && reg.event;
  if (!ev || reg.erased || !reg.checked_in_at || ev.status === 'cancelled') return 'hidden';
  if (now < Date.parse(ev.ends_at)) return 'hidden';
  return now < Date.parse(ev.evaluation_closes_at) ? 'open' : 'closed';
}

/** The saved answer, or null when none was given (404). */
export async function loadEvaluation(path) {
  try {
    return await api('GET', path);
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
}

function choiceGroup(name, values, labelOf, { hintKey, inline = true } = {}) {
  const hintId = hintKey ? `${ID(name)}-hint` : null;
  return h('fieldset', { class: 'field group', 'data-field': name, id: `${ID(name)}-group`, 'aria-describedby': hintId },
    h('legend', {}, text(`eval.${name}`), ' ', h('span', { class: 'req', 'data-i18n': 'common.required' }, t('common.required'))),
    hintKey ? h('p', { class: 'hint', id: hintId, 'data-i18n': hintKey }, t(hintKey)) : null,
    h('p', { class: 'field-error', id: `${ID(name)}-error`, hidden: true }),
    h('div', { class: inline ? 'choices inline scale' : 'choices' }, values.map((v) => h('div', { class: 'choice' },
      h('input', { type: 'radio', id: `${ID(name)}-${v}`, name, value: v }),
      h('label', { for: `${ID(name)}-${v}` }, labelOf(v))))));
}

function ratingLabel(v) {
  if (v === '1') return text('eval.scale.1');
  if (v === '5') return text('eval.scale.5');
  return v;
}

/**
 * Builds the evaluation section's content. path: the API path of the answer; onSaved(answer) after a save,
 * onRefused(reason) after a 409 (e.g. the answers closed while the page was open).
 * Returns {element, fill(answer), relabel()}.
 */
export function createEvaluationForm({ path, onSaved = () => {}, onRefused = () => {} }) {
  const summary = h('div', { class: 'error-summary', id: 'eval-error-summary', tabindex: '-1', role: 'alert', hidden: true,
    'aria-labelledby': 'eval-error-summary-title' });
  const submit = h('button', { type: 'submit', class: 'button primary' });
  const status = h('p', { class: 'form-status', id: 'eval-status', role: 'status', 'aria-live': 'polite' });
  const comment = h('div', { class: 'field', 'data-field': 'comment' },
    h('label', { for: ID('comment') }, text('eval.comment'), ' ', h('span', { class: 'opt', 'data-i18n': 'common.optional' }, t('common.optional'))),
    h('p', { class: 'hint', id: `${ID('comment')}-hint`, 'data-i18n': 'eval.comment.hint' }, t('eval.comment.hint')),
    h('p', { class: 'field-error', id: `${ID('comment')}-error`, hidden: true }),
    h('textarea', { id: ID('comment'), name: 'comment', rows: 4, maxlength: 2000, 'aria-describedby': `${ID('comment')}-hint` }));
  const form = h('form', { class: 'evaluation-form', id: 'evaluation-form', novalidate: true },
    summary,
    choiceGroup('usefulness', ['1', '2', '3', '4', '5'], ratingLabel, { hintKey: 'eval.usefulness.hint' }),
    choiceGroup('knowledge_before', ['1', '2', '3', '4', '5'], ratingLabel, { hintKey: 'eval.knowledge.hint' }),
    choiceGroup('knowledge_after', ['1', '2', '3', '4', '5'], ratingLabel, { hintKey: 'eval.knowledge.hint' }),
    choiceGroup('plans_tn', PLANS, (v) => text(`eval.plans_tn.${v}`), { hintKey: 'eval.plans_tn.hint' }),
    comment,
    h('div', { class: 'button-row' }, submit),
    status);

  let saved = null;
  let lastErrors = null;
  let busy = false;

  const checked = (name) => form.querySelector(`input[name="${name}"]:checked`);

  function values() {
    const out = {};
    for (const name of RATINGS) { const c = checked(name); if (c) out[name] = Number(c.value); }
    const plan = checked('plans_tn');
    if (plan) out.plans_tn = plan.value;
    const note = form.querySelector(`#${ID('comment')}`).value.trim();
    out.comment = note || null;
    return out;
  }

  function fill(answer) {
    saved = answer;
    for (const name of [...RATINGS, 'plans_tn'])
      for (const c of form.querySelectorAll(`input[name="${name}"]`)) c.checked = !!answer && String(answer[name]) === c.value;
    form.querySelector(`#${ID('comment')}`).value = (answer && answer.comment) || '';
    relabel();
  }

  /** Field errors [{field, message}] next to their groups and in the summary; the focus goes to the first one. */
  function showErrors(errors, { focus = true } = {}) {
    clearErrors(form, summary);
    lastErrors = errors;
    const items = [];
    for (const err of errors) {
      const name = FIELDS.includes(err.field) ? err.field : null;
      // The server's texts are English; each field has one clear local sentence instead.
      const message = name ? t(`eval.error.${name}`) : `${err.field}: ${err.message}`;
      if (!name) { items.push({ text: message }); continue; }
      const group = form.querySelector(`#${ID(name)}-group`);
      const control = name === 'comment' ? form.querySelector(`#${ID('comment')}`) : group.querySelector('input');
      const controls = name === 'comment' ? [control] : group.querySelectorAll('input');
      markFieldInvalid({ error: form.querySelector(`#${ID(name)}-error`), describe: group || control }, message, controls);
      items.push({ text: message, control });
    }
    showErrorSummary(summary, items, { heading: 'h3', focus: false });
    if (focus) {
      const first = items.find((i) => i.control);
      (first ? first.control : summary).focus();
    }
  }

  function showProblem(message) {
    clearErrors(form, summary);
    lastErrors = null;
    showSummaryMessage(summary, message, { title: t('eval.problem.title'), heading: 'h3', focus: true });
  }

  function relabel() {
    submit.textContent = t(saved ? 'eval.submit.change' : 'eval.submit');
    applyTranslations(form);
    if (lastErrors) showErrors(lastErrors, { focus: false });
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (busy) return;
    const body = values();
    const missing = [...RATINGS, 'plans_tn'].filter((name) => body[name] === undefined).map((field) => ({ field }));
    if (missing.length) { showErrors(missing); return; }
    clearErrors(form, summary);
    lastErrors = null;
    busy = true;
    form.setAttribute('aria-busy', 'true');
    status.textContent = t('eval.saving');
    try {
      const answer = await api('PUT', path, body);
      fill(answer);
      status.textContent = t('eval.saved');
      onSaved(answer);
    } catch (err) {
      status.textContent = '';
      if (err.status === 422 && err.errors && err.errors.length) showErrors(err.errors);
      else if (err.status === 409 && err.reason && has(`eval.refused.${err.reason}`)) {
        showProblem(t(`eval.refused.${err.reason}`));
        onRefused(err.reason);
      } else showProblem(errorText(err, 'eval.failed'));
    } finally {
      busy = false;
      form.removeAttribute('aria-busy');
    }
  });

  relabel();
  return { element: form, fill, relabel, get saved() { return saved; } };
}

/** The saved answer, read-only (after closing). */
export function evaluationSummary(answer) {
  const row = (key, value) => h('div', {}, h('dt', {}, t(key)), h('dd', {}, value));
  return h('dl', { class: 'facts', id: 'evaluation-answer' },
    row('eval.usefulness', String(answer.usefulness)),
    row('eval.knowledge_before', String(answer.knowledge_before)),
    row('eval.knowledge_after', String(answer.knowledge_after)),
    row('eval.plans_tn', t(`eval.plans_tn.${answer.plans_tn}`)),
    answer.comment ? row('eval.comment', answer.comment) : null);
}

/** The sentence under the heading: until when answers are taken, or since when they are closed. */
export function evaluationIntro(reg, state) {
  const when = formatDateTime(reg.event.evaluation_closes_at);
  return state === 'open' ? t('eval.intro.open', { when }) : t('eval.intro.closed', { when });
}


// Small building blocks of the organisers' pages: table cells that stack on a phone, status badges, seat counts,
// e-mail addresses that wrap.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

/**
 * A table cell. On a narrow screen the table is shown as one block per row, so each cell carries its column's
 * name as a visible label; the label is hidden from assistive technology, which has the column header already.
 */
export function cell(headerKey, content, cls = null) {
  return h('td', { role: 'cell', class: cls },
    h('span', { class: 'cell-label', 'aria-hidden': 'true' }, t(headerKey)),
    h('span', { class: 'cell-value' }, content));
}

/** "Draft", "Published" or "Cancelled" as a badge; the text carries the meaning, the colour only supports it. */
export function statusBadge(status) {
  return h('span', { class: `badge badge-${status}` }, t(`admin.status.${status}`));
}

/** "12 / 40" (read as "12 of 40"), or "12 / no limit". */
export function seatsCell(counts) {
  const n = counts.confirmed ?? 0;
  const cap = counts.capacity === null || counts.capacity === undefined ? t('admin.events.unlimited') : counts.capacity;
  return [h('span', { 'aria-hidden': 'true' }, `${n} / ${cap}`),
    h('span', { class: 'visually-hidden' }, t('admin.events.seats_of', { n, cap }))];
}


/** An e-mail address that may wrap after its "@" (and nowhere else). */
export function emailParts(email) {
  const at = email.lastIndexOf('@');
  return at > 0 ? [email.slice(0, at + 1), h('wbr'), email.slice(at + 1)] : email;
}

// Dates and times shown in Europe/Stockholm, in the page's language.
import { locale, t } from './i18n.js';

const TIME_ZONE = 'Europe/Stockholm';

function valid(d) { return d instanceof Date && !Number.isNaN(d.getTime()); }

const longOptions = { timeZone: TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' };
const shortOptions = { timeZone: TIME_ZONE, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };

/** "tisdag 1 december 2026 09:00–16:00": the start and end of an event, shortened where they share the day. */
export function formatRange(startIso, endIso, { short = false } = {}) {
  const start = new Date(startIso);
  const end = endIso ? new Date(endIso) : null;
  if (!valid(start)) return '';
  const fmt = new Intl.DateTimeFormat(locale(), short ? shortOptions : longOptions);
  if (end && valid(end) && end >= start && typeof fmt.formatRange === 'function') return fmt.formatRange(start, end);
  return fmt.format(start);
}

/** One point in time, long form. */
export function formatDateTime(iso) {
  const d = new Date(iso);
  return valid(d) ? new Intl.DateTimeFormat(locale(), longOptions).format(d) : '';
}

/** The text of an event's seat situation from event.counts (available null = unlimited). */
export function seatsText(event) {
  const c = event.counts || {};
  if (event.status === 'cancelled') return t('seats.cancelled');
  if (event.registration_open === false) return t('seats.closed');
  if (c.available === null || c.available === undefined) return t('seats.unlimited');
  if (c.available > 0) return t('seats.left', { n: c.available });
  if (c.waitlisted > 0) return t('seats.waitlist', { n: c.waitlisted });
  return t('seats.full');
}

/** 'open', 'few', 'full', 'closed': a class for the seat badge. */
export function seatsState(event) {
  const c = event.counts || {};
  if (event.status === 'cancelled' || event.registration_open === false) return 'closed';
  if (c.available === null || c.available === undefined) return 'open';
  if (c.available === 0) return 'full';
  return c.available <= 5 ? 'few' : 'open';
}

/** True when a new registration would be waitlisted. */
export function isFull(event) {
  const c = event.counts || {};
  return c.available !== null && c.available !== undefined && c.available <= 0;
}

/** "Name of venue, address", or a placeholder. */
export function placeText(event) {
  const v = event.venue;
  if (!v || (!v.name && !v.address)) return t('place.online');
  // Addresses often repeat the venue's name ("Sensus, Klara" at "Sensus, Klara, Stockholm"): say it once.
  if (v.name && v.address && v.address.toLowerCase().startsWith(v.name.toLowerCase())) return v.address;
  if (v.name && v.address && v.name.toLowerCase().includes(v.address.toLowerCase())) return v.name;
  return [v.name, v.address].filter(Boolean).join(', ');
}

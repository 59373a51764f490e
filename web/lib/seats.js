// What the pages say about an event's seats and place (participant pages and organisers' pages alike).
import { t } from './i18n.js';

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

// Ticket codes and search folding: pure functions, no DOM (shared by the page and the tests).

/** The 32 characters a ticket code is made of (API-EXTENSIONS.md; no 0, 1, I or O). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 8;

const CODE_RE = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** Upper-cases and drops spaces, hyphens and other separators, as the server's lookup does. */
export function normaliseCode(text) {
  return String(text ?? '').toUpperCase().replace(/[\s\-\u2010-\u2015_.]+/g, '');
}

/** True when the text, once normalised, is a complete ticket code. */
export function isTicketCode(text) {
  return CODE_RE.test(normaliseCode(text));
}

/**
 * The ticket code in what a person typed or a scanner read, or null.
 * A QR code may hold the bare code or a link ending in it (…/ticket?code=XXXX-XXXX or …#code=…).
 */
export function extractCode(text) {
  const raw = String(text ?? '').trim();
  if (!raw) return null;
  const direct = normaliseCode(raw);
  if (CODE_RE.test(direct)) return direct;
  const m = raw.match(/[?#&](?:code|ticket|ticket_code)=([^&#]+)/i);
  if (m) {
    const c = normaliseCode(decodeURIComponent(m[1]));
    if (CODE_RE.test(c)) return c;
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
    // A link: take its last path segment when that is a code.
    const last = raw.replace(/[?#].*$/, '').split('/').filter(Boolean).pop() || '';
    const c = normaliseCode(last);
    if (CODE_RE.test(c)) return c;
  }
  return null;
}

/** Lower-case, accents and diacritics removed (so "soderberg" finds "Söderberg"), whitespace collapsed. */
export function fold(text) {
  return String(text ?? '')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Tickets matching a query by name, organisation or code; best matches first, at most `limit`.
 * Each ticket is {registration_id, ticket_code, name, organisation, status, walk_in, checked_in_at}.
 */
export function searchTickets(tickets, query, limit = 8) {
  const q = fold(query);
  if (q.length < 2) return [];
  const qCode = normaliseCode(query);
  const words = q.split(' ');
  const scored = [];
  for (const t of tickets) {
    const name = fold(t.name);
    const org = fold(t.organisation);
    const code = String(t.ticket_code || '');
    let score = 0;
    if (qCode.length >= 3 && code.startsWith(qCode)) score = 100 + qCode.length;
    else if (qCode.length >= 4 && code.includes(qCode)) score = 60;
    const hay = name + ' ' + org;
    if (words.every((w) => hay.includes(w))) {
      let s = 20;
      if (name.startsWith(q)) s = 50;
      else if (name.split(' ').some((part) => part.startsWith(words[0]))) s = 40;
      else if (org.startsWith(q)) s = 30;
      score = Math.max(score, s);
    }
    if (score > 0) scored.push({ t, score });
  }
  scored.sort((a, b) => b.score - a.score || fold(a.t.name).localeCompare(fold(b.t.name)));
  return scored.slice(0, limit).map((x) => x.t);
}

// Dates and times in Europe/Stockholm, where the project's events happen, whatever the device's own time zone:
// shown in the page's language, and read from / written to <input type="datetime-local"> and RFC 3339.
import { locale } from './i18n.js';

export const TIME_ZONE = 'Europe/Stockholm';

const pad = (n) => String(n).padStart(2, '0');

function toDate(when) {
  const d = when instanceof Date ? when : new Date(when);
  return Number.isNaN(d.getTime()) ? null : d;
}

const formats = new Map();

/** An Intl.DateTimeFormat in Stockholm time for the current language (cached per language and options). */
function stockholmFormat(options, loc = locale()) {
  const key = `${loc} ${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(loc, { timeZone: TIME_ZONE, ...options });
    formats.set(key, f);
  }
  return f;
}

const LONG = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' };
const SHORT = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };

/** "tisdag 1 december 2026 09:00–16:00": the start and end of an event, shortened where they share the day. */
export function formatRange(startIso, endIso, { short = false } = {}) {
  const start = toDate(startIso);
  if (!start) return '';
  const end = endIso ? toDate(endIso) : null;
  const fmt = stockholmFormat(short ? SHORT : LONG);
  if (end && end >= start && typeof fmt.formatRange === 'function') return fmt.formatRange(start, end);
  return fmt.format(start);
}

/** One point in time, long form. */
export function formatDateTime(iso) {
  const d = toDate(iso);
  return d ? stockholmFormat(LONG).format(d) : '';
}

/** "1 Dec, 09:12": a compact date and time for table cells. */
export function shortDateTime(iso) {
  const d = toDate(iso);
  return d ? stockholmFormat({ day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(d) : '';
}

/** HH:MM on the 24-hour clock. */
export function formatTime(when) {
  const d = toDate(when);
  return d ? stockholmFormat({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d) : '';
}

/** HH:MM:SS on the 24-hour clock (e.g. when the server was last heard from). */
export function formatClock(when) {
  const d = toDate(when);
  return d ? stockholmFormat({ hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(d) : '';
}

/** The calendar date (YYYY-MM-DD) of a moment in Stockholm; '' when invalid. */
export function stockholmDate(when = new Date()) {
  const d = toDate(when);
  if (!d) return '';
  const p = {};
  for (const x of stockholmFormat({ year: 'numeric', month: '2-digit', day: '2-digit' }, 'en-GB').formatToParts(d)) p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}`;
}

/** "Tue 1 Dec, 09:00–12:00" (the year only when it is not this one), for lists and headers. */
export function formatWhen(startIso, endIso) {
  const s = toDate(startIso);
  if (!s) return '';
  const thisYear = stockholmDate(s).slice(0, 4) === stockholmDate().slice(0, 4);
  const day = stockholmFormat({ weekday: 'short', day: 'numeric', month: 'short', year: thisYear ? undefined : 'numeric' }).format(s);
  const e = endIso ? toDate(endIso) : null;
  let end = '';
  if (e) {
    end = stockholmDate(e) === stockholmDate(s) ? formatTime(e)
      : `${stockholmFormat({ day: 'numeric', month: 'short' }).format(e)} ${formatTime(e)}`;
  }
  return `${day}, ${formatTime(s)}${end ? `–${end}` : ''}`;
}

/** "10 March 2025" / "10 mars 2025" for a date YYYY-MM-DD; '' when it is not one. */
export function formatDay(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(ymd || ''));
  if (!m) return '';
  // Midday UTC is the same calendar day in Stockholm.
  const d = toDate(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
  return d ? stockholmFormat({ day: 'numeric', month: 'long', year: 'numeric' }).format(d) : '';
}

// ---------------------------------------------------------------- datetime-local fields and RFC 3339

/** The Stockholm calendar fields of an instant (ms since the epoch). */
function stockholmParts(ms) {
  const out = {};
  const f = stockholmFormat({ hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit' }, 'en-GB');
  for (const p of f.formatToParts(new Date(ms))) out[p.type] = p.value;
  return {
    year: Number(out.year), month: Number(out.month), day: Number(out.day),
    hour: Number(out.hour) % 24, minute: Number(out.minute), second: Number(out.second),
  };
}

/** Stockholm's offset from UTC in minutes at an instant (60 or 120). */
export function stockholmOffsetMinutes(ms) {
  const p = stockholmParts(ms);
  const wallAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((wallAsUtc - Math.floor(ms / 1000) * 1000) / 60000);
}

/** An instant as RFC 3339 in Stockholm time with its offset, e.g. 2026-12-01T09:00:00+01:00. */
export function toStockholmRfc3339(ms) {
  const p = stockholmParts(ms);
  const off = stockholmOffsetMinutes(ms);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`
    + `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * "2026-12-01T09:00" (a datetime-local value, meant as Stockholm time) -> "2026-12-01T09:00:00+01:00";
 * null when the value is empty or malformed. A time skipped by the spring clock change (02:30 on the last
 * Sunday of March) comes out an hour later, as the clocks show it.
 */
export function localToRfc3339(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(String(value || ''));
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] || 0));
  if (Number.isNaN(wall)) return null;
  // Two passes: the offset at the first guess may be on the other side of a clock change.
  let ms = wall - stockholmOffsetMinutes(wall) * 60000;
  ms = wall - stockholmOffsetMinutes(ms) * 60000;
  return toStockholmRfc3339(ms);
}

/** An RFC 3339 timestamp (any offset) -> the datetime-local value of the same instant in Stockholm, or ''. */
export function rfc3339ToLocal(iso) {
  const ms = Date.parse(iso || '');
  if (Number.isNaN(ms)) return '';
  const p = stockholmParts(ms);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

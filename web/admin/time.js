// Stockholm wall-clock time for <input type="datetime-local">, whatever the browser's own time zone is.
// The form shows and reads Europe/Stockholm times; the API gets RFC 3339 with the offset in force at that
// moment (+01:00 in winter, +02:00 in summer).

const TIME_ZONE = 'Europe/Stockholm';

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});

const pad = (n) => String(n).padStart(2, '0');

/** The Stockholm calendar fields of an instant (ms since the epoch). */
function stockholmParts(ms) {
  const out = {};
  for (const p of partsFormat.formatToParts(new Date(ms))) out[p.type] = p.value;
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

// scripts/bench/matching's client: seeds a forum of PROFILES fictional participants with profiles and times their
// matches, then a second forum with 12 slots x 60 tables where 2,000 requests are accepted at once.
// usage: node matching.mjs BASE_URL TOKEN DB ROUND  -> one Markdown row
import { execFileSync } from 'node:child_process';

const [base, token, db, round] = process.argv.slice(2);
const PROFILES = Number(process.env.BENCH_PROFILES || 5000);
const auth = { authorization: `Bearer ${token}` };
const focus = ['poverty_social_exclusion', 'roma', 'employment_mobility', 'social_innovation_entrepreneurship'];
const roles = ['lead_partner', 'project_partner', 'expertise', 'methods', 'target_groups', 'study_visits', 'staff_exchange',
  'pilot_site', 'eu_funding', 'co_financing'];
const countries = ['SE', 'FI', 'EE', 'LV', 'LT', 'PL', 'DE', 'DK', 'NO', 'IS', 'NL', 'BE', 'FR', 'ES', 'IT', 'AT', 'CZ', 'SK', 'HU', 'RO'];
const languages = ['en', 'sv', 'fi', 'de', 'pl', 'et', 'lv', 'lt', 'da', 'fr'];
let seed = Number(round) * 7919;
const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (list, n) => { const out = new Set(); while (out.size < n) out.add(list[Math.floor(rand() * list.length)]); return [...out]; };

async function call(method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
async function pool(items, fn, concurrency = 48) {
  let next = 0;
  const out = new Array(items.length);
  const worker = async () => { while (next < items.length) { const i = next++; out[i] = await fn(items[i], i); } };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}
async function forum(title) {
  const r = await call('POST', '/api/v1/events', { kind: 'partner_search_forum', title, starts_at: '2030-05-20T09:00:00+02:00',
    ends_at: '2030-05-20T17:00:00+02:00', status: 'published' }, auth);
  if (r.status !== 201) throw new Error(`forum: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}
async function participants(eventId, n, tag) {
  return pool(Array.from({ length: n }, (_, i) => i), async (i) => {
    const reg = await call('POST', `/api/v1/events/${eventId}/registrations`, {
      name: `Bench Person ${tag}-${i}`, email: `bench-${tag}-${i}@example.org`, organisation: `Bench Organisation ${i}`,
      organisation_type: 'public', country: 'Sweden', gender: 'undisclosed', consent: true });
    if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
    const p = await call('PUT', `/api/v1/my/registrations/${reg.body.manage_token}/profile`, {
      summary: `Organisation ${i} works on ${pick(focus, 1)[0]} and looks for partners around the Baltic Sea.`,
      country: pick(countries, 1)[0], focus_areas: pick(focus, 1 + Math.floor(rand() * 2)), offers: pick(roles, 1 + Math.floor(rand() * 3)),
      seeks: pick(roles, 1 + Math.floor(rand() * 3)), languages: ['en', ...pick(languages, 1)].filter((v, k, a) => a.indexOf(v) === k),
      partner_countries: pick(countries, Math.floor(rand() * 4)), public: rand() < 0.3 });
    if (p.status !== 200) throw new Error(`profile: ${p.status} ${JSON.stringify(p.body)}`);
    return { token: reg.body.manage_token, profile: p.body.id, registration: reg.body.id };
  });
}
const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

// 1. Matches among PROFILES profiles.
const big = await forum('Bench forum (matches)');
const people = await participants(big, PROFILES, `m${round}`);
const times = [];
for (let i = 0; i < 500; i++) {
  const who = people[Math.floor(rand() * people.length)];
  const t0 = process.hrtime.bigint();
  const r = await call('GET', `/api/v1/my/registrations/${who.token}/matches`);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 200) throw new Error(`matches: ${r.status}`);
  if (i >= 20) times.push(ms);  // the first few warm the caches
}
times.sort((a, b) => a - b);

// 2. Scheduling: 12 slots x 60 tables, 400 participants, 2,000 distinct pairs asked, then every request accepted at once.
const small = await forum('Bench forum (schedule)');
const slots = Array.from({ length: 12 }, (_, k) => {
  const start = Date.UTC(2030, 4, 20, 7, 0) + k * 25 * 60000;
  const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return { starts_at: iso(start), ends_at: iso(start + 20 * 60000) };
});
const set = await call('PUT', `/api/v1/events/${small}/meeting-slots`, { slots, tables: 60 }, auth);
if (set.status !== 200) throw new Error(`slots: ${set.status} ${JSON.stringify(set.body)}`);
const crowd = await participants(small, 400, `s${round}`);
const pairs = new Set();
const asks = [];
while (asks.length < 2000) {
  const a = Math.floor(rand() * crowd.length), b = Math.floor(rand() * crowd.length);
  const key = a < b ? `${a}-${b}` : `${b}-${a}`;
  if (a === b || pairs.has(key)) continue;
  pairs.add(key);
  asks.push([a, b]);
}
const requests = await pool(asks, async ([a, b]) => {
  const r = await call('POST', `/api/v1/my/registrations/${crowd[a].token}/meeting-requests`, { profile_id: crowd[b].profile });
  if (r.status !== 201) throw new Error(`request: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.id, by: crowd[b].token };
});
const t0 = process.hrtime.bigint();
const answers = await pool(requests, ({ id, by }) => call('POST', `/api/v1/my/registrations/${by}/meeting-requests/${id}/accept`));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const placed = answers.filter((r) => r.status === 200).length;
const refused = answers.filter((r) => r.status === 409 && r.body.reason === 'no_common_slot').length;
const other = answers.length - placed - refused;
if (other) throw new Error(`${other} acceptances answered neither 200 nor 409 no_common_slot`);
const q = (s) => execFileSync('sqlite3', [db, s], { encoding: 'utf8' }).trim();
const doubles = Number(q(`SELECT count(*) FROM (SELECT slot_id, table_no FROM meeting_requests WHERE event_id = ${small} AND state = 'accepted' GROUP BY 1, 2 HAVING count(*) > 1)`)) +
  Number(q(`SELECT count(*) FROM (SELECT slot_id, who FROM (SELECT slot_id, from_registration AS who FROM meeting_requests WHERE event_id = ${small} AND state = 'accepted' UNION ALL SELECT slot_id, to_registration FROM meeting_requests WHERE event_id = ${small} AND state = 'accepted') GROUP BY 1, 2 HAVING count(*) > 1)`));
console.log(`| ${round} | ${PROFILES} | ${pct(times, 0.5).toFixed(1)} | ${pct(times, 0.99).toFixed(1)} | ${times[times.length - 1].toFixed(1)} | 2000 | ${placed} | ${refused} | ${seconds.toFixed(2)} | ${doubles} |`);

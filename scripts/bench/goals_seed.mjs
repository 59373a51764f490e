// Seeds a running eventd through its API for scripts/bench/goals: EVENTS events of every kind over the last two
// years, REGS_PER_EVENT registrations each (people come back: about a third as many distinct e-mails as
// registrations), CHECKINS_PER_EVENT of them checked in, then the events moved to their real (past) dates, and
// EVALUATIONS answers from attendees when the server has evaluations, and DOOR more registrations for each event of
// the last year, never checked in (tickets for a check-in benchmark that must not run out). Fictional people only.
// usage: node goals_seed.mjs BASE_URL TOKEN OUT_DIR [events regs_per_event checkins_per_event evaluations door]
// Writes OUT_DIR/unchecked.txt ("event_id ticket_code" of the registrations not checked in) and prints a summary.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [base, token, out, ev = '1000', rpe = '100', cpe = '60', evs = '5000', door = '0'] = process.argv.slice(2);
const EVENTS = Number(ev), CHECKINS = Number(cpe), EVALUATIONS = Number(evs);
const REGS = Number(rpe), DOOR = Number(door);
const CONCURRENCY = 48;
const auth = { authorization: `Bearer ${token}` };

async function call(method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// Runs fn over items with CONCURRENCY requests in flight.
async function pool(items, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const config = (await call('GET', '/api/v1/config')).body;
const kinds = ['seminar', 'seminar', 'seminar', 'network_meeting', 'network_meeting', 'network_event', 'network_event',
  'network_event', 'study_visit', 'partner_search_forum'];
const orgTypes = config.organisation_types;
const genders = config.genders;
const rfc = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const DAY = 86400e3;
const started = Date.now();

// 1. Events, open for registration (a year ahead) until everyone is in.
const events = [];
await pool(Array.from({ length: EVENTS }, (_, i) => i), async (i) => {
  const kind = kinds[i % kinds.length];
  const body = {
    kind, title: `Bench event ${i + 1}`, status: 'published',
    starts_at: rfc(Date.now() + 365 * DAY + i * 3600e3), ends_at: rfc(Date.now() + 365 * DAY + i * 3600e3 + 3 * 3600e3),
    topic: kind === 'seminar' ? config.seminar_topics[i % config.seminar_topics.length] : null,
    focus_area: kind === 'network_meeting' ? config.focus_areas[i % config.focus_areas.length] : null,
    network: kind === 'network_event' ? config.networks[i % config.networks.length] : null,
  };
  const r = await call('POST', '/api/v1/events', body, auth);
  if (r.status !== 201) throw new Error(`event: ${r.status} ${JSON.stringify(r.body)}`);
  events[i] = r.body;
});

// 2. Registrations: REGS per event, then DOOR more per event of the last year (see step 4), the same people again.
const DAY_OF = (i) => Math.floor((i * 2 * 365) / EVENTS);  // days after two years ago that event i moves to
const isRecent = (i) => DAY_OF(i) > 2 * 365 - 360;  // within the retention period: its tickets survive the sweep
const plan = Array.from({ length: EVENTS * REGS }, (_, i) => ({ e: Math.floor(i / REGS), k: i % REGS }));
for (let e = 0; e < EVENTS; e++) if (isRecent(e)) for (let k = 0; k < DOOR; k++) plan.push({ e, k: REGS + k });
const regs = [];  // {event, k, id, ticket_code, manage_token}
const people = Math.max(1, Math.round((EVENTS * REGS) / 3));
await pool(plan, async ({ e: ei, k }, i) => {
  const e = events[ei];
  const p = ((ei * (REGS + DOOR) + k) * 7919) % people;
  const home = p % 10 < 7;
  const body = {
    name: `Bench Person ${p}`, email: `bench-${p}@example.org`, organisation: `Bench Org ${p % 500}`,
    organisation_type: orgTypes[p % orgTypes.length], gender: genders[p % genders.length], consent: true,
    ...(home ? { municipality: config.home_municipalities[p % config.home_municipalities.length] } : { country: 'Finland' }),
  };
  const r = await call('POST', `/api/v1/events/${e.id}/registrations`, body);
  if (r.status !== 201) throw new Error(`registration: ${r.status} ${JSON.stringify(r.body)}`);
  regs[i] = { event: e.id, k, id: r.body.id, ticket_code: r.body.ticket_code, manage_token: r.body.manage_token };
});

// 3. Check-ins: the first CHECKINS of each event.
const checked = regs.filter((r) => r.k < CHECKINS);
await pool(checked, async (r) => {
  const res = await call('POST', `/api/v1/events/${r.event}/checkins`, { ticket_code: r.ticket_code }, auth);
  if (res.status !== 201) throw new Error(`check-in: ${res.status} ${JSON.stringify(res.body)}`);
});

// 4. The events move to their dates: spread over the last two years, ended (their evaluations still open).
const recent = new Set();
await pool(events, async (e, i) => {
  const starts = Date.now() - 2 * 365 * DAY + DAY_OF(i) * DAY + 9 * 3600e3;
  if (isRecent(i)) recent.add(e.id);
  const r = await call('PATCH', `/api/v1/events/${e.id}`, { starts_at: rfc(starts), ends_at: rfc(starts + 3 * 3600e3), registration_closes_at: null,
    // Evaluations close 30 days after the end by default: kept open for the answers of step 5.
    evaluation_closes_at: rfc(Date.now() + 30 * DAY) }, auth);
  if (r.status !== 200) throw new Error(`move: ${r.status} ${JSON.stringify(r.body)}`);
});

// 5. Evaluations from attendees, spread over the events (none when the server has no evaluations: 404 or 405).
let evaluations = 0;
if (EVALUATIONS > 0) {
  const step = Math.max(1, Math.floor(checked.length / EVALUATIONS));
  const answers = checked.filter((_, i) => i % step === 0).slice(0, EVALUATIONS);
  const answer = async (r, i) => {
    const res = await call('PUT', `/api/v1/my/registrations/${r.manage_token}/evaluation`, {
      usefulness: 1 + (i % 5), knowledge_before: 1 + (i % 3), knowledge_after: 2 + (i % 4), plans_tn: ['yes', 'no', 'maybe'][i % 3],
    });
    if (res.status !== 200) throw new Error(`evaluation: ${res.status} ${JSON.stringify(res.body)}`);
    evaluations++;
  };
  const probe = await call('GET', `/api/v1/my/registrations/${answers[0].manage_token}/evaluation`);
  if (probe.status !== 405 && !(probe.status === 404 && /nothing at this address/.test(probe.body?.detail || ''))) await pool(answers, answer);
}

// The tickets of events ended more than a year ago lose their holders at the server's next start (retention).
writeFileSync(join(out, 'unchecked.txt'), regs.filter((r) => r.k >= CHECKINS && recent.has(r.event)).map((r) => `${r.event} ${r.ticket_code}`).join('\n') + '\n');
console.log(JSON.stringify({ events: events.length, registrations: regs.length, checkins: checked.length, evaluations,
  seconds: Math.round((Date.now() - started) / 1000) }));

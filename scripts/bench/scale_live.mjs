// Live updates across nodes for scripts/bench/scale: a WebSocket watcher of `event:{id}` on node A; N check-ins at 5/s,
// each on node B (across) or node A (same node), alternating; for each, the time from the check-in's 201 to the
// arrival on A of the update that shows it. Prints "across_p50 across_p99 across_max same_p50 same_p99 missing".
// usage: node scale_live.mjs URL_A URL_B TOKEN N
import { connect } from '../../tests/support/ws.mjs';

const [a, b, token, n = '50'] = process.argv.slice(2);
const N = Number(n);
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const post = async (base, path, body) => {
  const r = await fetch(base + path, { method: 'POST', headers: auth, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
};
const now = new Date();
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const ev = (await post(a, '/api/v1/events', { kind: 'seminar', title: 'Scale live', status: 'published',
  starts_at: iso(now.getTime() - 3600e3), ends_at: iso(now.getTime() + 3 * 3600e3), registration_closes_at: iso(now.getTime() + 2 * 3600e3) })).body;
const tickets = [];
for (let i = 0; i < N; i++) {
  const r = await post(a, `/api/v1/events/${ev.id}/registrations`, { name: `Live ${i}`, email: `live-${Date.now()}-${i}@example.org`,
    organisation: 'Bench AB', organisation_type: 'private', municipality: 'Solna', consent: true });
  if (r.status !== 201) throw new Error(`registration: ${r.status} ${JSON.stringify(r.body)}`);
  tickets.push(r.body.ticket_code);
}
const ws = await connect(a);
ws.send({ type: 'subscribe', topics: [`event:${ev.id}`] });
await ws.next((m) => m.topic === `event:${ev.id}` && m.type === 'snapshot');
const across = [], same = [];
let missing = 0;
for (let i = 0; i < N; i++) {
  const node = i % 2 ? a : b;
  const heard = ws.next((m) => m.topic === `event:${ev.id}` && m.type === 'update' && m.data.checked_in >= i + 1, 5000)
    .then(() => Date.now(), () => null);
  const r = await post(node, `/api/v1/events/${ev.id}/checkins`, { ticket_code: tickets[i] });
  const answered = Date.now();
  if (r.status !== 201) throw new Error(`check-in: ${r.status} ${JSON.stringify(r.body)}`);
  const at = await heard;
  if (at === null) missing++;
  else (node === b ? across : same).push(Math.max(0, at - answered));
  await new Promise((res) => setTimeout(res, 200));
}
ws.close();
const pct = (xs, p) => { const s = [...xs].sort((x, y) => x - y); return s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : NaN; };
console.log(`${pct(across, 0.5)} ${pct(across, 0.99)} ${Math.max(...across)} ${pct(same, 0.5)} ${pct(same, 0.99)} ${missing}`);

// For scripts/bench/goals: follows the live `goals` topic as a dashboard would, and asks GET /api/v1/goals once a
// second, for SECONDS seconds; prints how many goals messages and /goals answers it got.
// usage: node goals_watch.mjs BASE_URL TOKEN SECONDS
import { connect } from '../../tests/support/ws.mjs';

const [base, token, seconds = '6'] = process.argv.slice(2);
const ws = await connect(base);
ws.send({ type: 'auth', token });
ws.send({ type: 'subscribe', topics: ['goals'] });
let answers = 0;
const poll = setInterval(async () => {
  const r = await fetch(`${base}/api/v1/goals`, { headers: { authorization: `Bearer ${token}` } });
  await r.text();
  if (r.ok) answers++;
}, 1000);
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
clearInterval(poll);
const updates = ws.messages.filter((m) => m.topic === 'goals' && (m.type === 'snapshot' || m.type === 'update')).length;
console.log(`${updates} goals messages over /ws, ${answers} /goals answers in ${seconds} s`);
ws.destroy();
process.exit(0);

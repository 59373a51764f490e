// A fixed-rate (open-loop) load: GET URL at RATE requests a second for SECONDS over at most CONNECTIONS keep-alive
// connections, each request's latency counted from the moment it was due (so a stall delays every request behind
// it in the figures too: no coordinated omission). wrk only runs closed loops, and wrk2 is not in Debian.
// usage: node rate.mjs URL TOKEN RATE SECONDS CONNECTIONS  -> "achieved_rate p50_ms p99_ms max_ms errors"
import http from 'node:http';

const [url, token, rate = '2000', seconds = '10', connections = '16'] = process.argv.slice(2);
const RATE = Number(rate), SECONDS = Number(seconds);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections) });
const target = new URL(url);
const latencies = [];
let errors = 0;

function get() {
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent,
      headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

const total = RATE * SECONDS;
const start = process.hrtime.bigint();
const pending = [];
for (let i = 0; i < total; i++) {
  const due = start + BigInt(Math.round((i * 1e9) / RATE));
  let now = process.hrtime.bigint();
  if (due > now) await new Promise((r) => setTimeout(r, Number(due - now) / 1e6));
  pending.push(get().then((status) => {
    if (status !== 200) errors += 1;
    latencies.push(Number(process.hrtime.bigint() - due) / 1e6);
  }));
  if (pending.length > 4096) await Promise.all(pending.splice(0, 2048));
}
await Promise.all(pending);
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
console.log(`${Math.round(total / elapsed)} ${at(0.5).toFixed(2)} ${at(0.99).toFixed(2)} ${latencies[latencies.length - 1].toFixed(2)} ${errors}`);
agent.destroy();

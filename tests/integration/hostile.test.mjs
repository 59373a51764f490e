// Hostile and malformed input on every route of the OpenAPI document: never a 5xx, always problem+json, and the
// server stays up and consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';

const bodies = [
  '', 'null', '[]', '"text"', '42', '{', '{"a":', '\u0000', '{"\u0000":1}',
  JSON.stringify({ name: 12, email: [], organisation: {}, organisation_type: true, consent: 'yes' }),
  JSON.stringify({ kind: 'seminar', title: 'x'.repeat(100000), starts_at: 'yesterday', capacity: 1e308 }),
  JSON.stringify({ capacity: -9223372036854775808, starts_at: '9999-99-99T99:99:99Z', ends_at: null }),
  JSON.stringify({ ticket_code: '../../etc/passwd', registration_id: 'DROP TABLE', scan_id: 'x'.repeat(5000) }),
  JSON.stringify({ items: [null, 1, 'a', { event_id: 'x' }, { event_id: 1, ticket_code: 5 }] }),
  JSON.stringify({ items: Array.from({ length: 1001 }, () => ({})) }),
  JSON.stringify({ email: 'a@b.c', password: 'p'.repeat(2000) }),
  JSON.stringify({ venue: 'not an object', accessibility_needs: 'hearing_loop', gender: { $ne: 1 } }),
  JSON.stringify({ name: '\ud800', email: 'ä@ö.se', municipality: '\u202eevil', language: 'xx', consent: true }),
  '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
];

test('no route answers hostile input with a 5xx, and the server survives', { timeout: 120000 }, async () => {
  const server = await startServer({ demo: true });
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const doc = (await api('GET', '/api/v1/openapi.json')).body;
    const ids = ['1', '0', '-1', '99999999', 'abc', '1.5', '%00', 'x'.repeat(300)];
    const seen = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        for (const id of ids) {
          const p = path.replace(/\{[^}]+\}/g, encodeURIComponent(id) === id ? id : id);
          for (const body of method === 'get' || method === 'delete' ? [undefined] : bodies) {
            for (const auth of [undefined, token]) {
              const r = await api(method.toUpperCase(), p + (method === 'get' ? '?q=%ff&status=x&from=bad&kind=%00' : ''),
                body, { token: auth, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
              seen.push(r.status);
              assert.ok(r.status < 500, `${method.toUpperCase()} ${p} ${String(body).slice(0, 60)} -> ${r.status} ${r.text.slice(0, 200)}`);
              if (r.status >= 400) {
                assert.match(r.headers.get('content-type') || '', /application\/problem\+json/, `${method} ${p} -> ${r.status}`);
              }
            }
          }
        }
      }
    }
    assert.ok(seen.length > 1000, `${seen.length} requests sent`);
    assert.equal((await api('GET', '/readyz')).status, 200);
    const events = await api('GET', '/api/v1/events', undefined, { token });
    assert.equal(events.status, 200);
    for (const e of events.body.items) {
      const c = e.counts;
      if (c.capacity !== null) assert.ok(c.available >= 0 && c.available <= c.capacity, `event ${e.id} counts ${JSON.stringify(c)}`);
    }
  } finally {
    await server.stop();
    server.cleanup();
  }
});

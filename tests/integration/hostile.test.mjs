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

/** An operation that requires a signed-in user (no anonymous `{}` among its security alternatives). */
function needsSignIn(op) {
  return Array.isArray(op.security) && op.security.length > 0 && !op.security.some((s) => Object.keys(s).length === 0);
}

/** The property names of an operation's JSON request body (its schema, $ref resolved). */
function bodyFields(doc, op) {
  let schema = op.requestBody?.content?.['application/json']?.schema ?? {};
  if (schema.$ref) schema = schema.$ref.split('/').slice(1).reduce((o, k) => o[k], doc);
  return new Set(Object.keys(schema.properties ?? {}));
}

/** A JSON object naming none of `fields`: for a PATCH that is an empty change, which may succeed. */
function namesNone(body, fields) {
  try {
    const v = JSON.parse(body);
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).some((k) => fields.has(k));
  } catch { return false; }
}

// What an organiser route may answer the admin for a hostile body: refused as bad input, or an unknown id, or a
// state conflict -- never 401/403, which would mean the body was not even read.
const REFUSED_BODY = new Set([400, 404, 409, 413, 415, 422]);
/** Refused as a whole, or a batch answered 200 with every item refused (each as the single call would answer). */
function refused(r) {
  if (REFUSED_BODY.has(r.status)) return true;
  const results = r.json?.results;
  return r.status === 200 && Array.isArray(results) && results.length > 0 && results.every((x) => REFUSED_BODY.has(x?.status));
}

test('no route answers hostile input with a 5xx, and the server survives', { timeout: 120000 }, async () => {
  const server = await startServer({ demo: true });
  try {
    const api = client(server.url);
    const token = await signIn(server.url);
    const doc = (await api('GET', '/api/v1/openapi.json')).body;
    const ids = ['1', '0', '-1', '99999999', 'abc', '1.5', '%00', 'x'.repeat(300)];
    const seen = [];
    // Per organiser operation: the statuses the admin's token got, so a walk that lost its session shows up.
    const asAdmin = new Map();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const name = `${method.toUpperCase()} ${path}`;
        const organiser = needsSignIn(op);
        for (const id of ids) {
          const p = path.replace(/\{[^}]+\}/g, id);
          for (const body of method === 'get' || method === 'delete' ? [undefined] : bodies) {
            for (const auth of [undefined, token]) {
              // Signing out revokes the token used: sign out a throwaway one, so the admin's stays valid for the walk.
              const useToken = auth && name === 'DELETE /api/v1/session' ? await signIn(server.url) : auth;
              const r = await api(method.toUpperCase(), p + (method === 'get' ? '?q=%ff&status=x&from=bad&kind=%00' : ''),
                body, { token: useToken, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
              seen.push(r.status);
              assert.ok(r.status < 500, `${method.toUpperCase()} ${p} ${String(body).slice(0, 60)} -> ${r.status} ${r.text.slice(0, 200)}`);
              if (r.status >= 400) {
                assert.match(r.headers.get('content-type') || '', /application\/problem\+json/, `${method} ${p} -> ${r.status}`);
              }
              if (auth && organiser) {
                if (!asAdmin.has(name)) asAdmin.set(name, []);
                asAdmin.get(name).push({ status: r.status, p, body, json: r.body });
              }
            }
          }
        }
      }
    }
    assert.ok(seen.length > 1000, `${seen.length} requests sent`);

    // The admin's token reached every organiser handler: none of its answers was 401/403.
    const shut = [...asAdmin].flatMap(([name, rs]) => rs.filter((r) => r.status === 401 || r.status === 403)
      .map((r) => `${name} (${r.p}) -> ${r.status}`));
    assert.deepEqual(shut, [], 'organiser routes refused the admin token');
    // And on routes that read a body, the hostile body was refused as such (or the id was unknown, or the state forbade it).
    const bodyOps = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops)
      .filter(([, op]) => op.requestBody && needsSignIn(op)).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op]));
    assert.ok(bodyOps.length >= 5, `organiser routes with a body: ${bodyOps.map(([n]) => n)}`);
    for (const [name, op] of bodyOps) {
      const rs = asAdmin.get(name) || [];
      assert.ok(rs.length > 0, `${name} was not walked`);
      const fields = bodyFields(doc, op);
      const odd = rs.filter((r) => !refused(r) && !(name.startsWith('PATCH') && namesNone(r.body, fields))).map((r) => `${r.p} ${String(r.body).slice(0, 60)} -> ${r.status}`);
      assert.deepEqual(odd, [], `${name} accepted a hostile body`);
      assert.ok(rs.some((r) => [400, 413, 422].includes(r.status) || (refused(r) && r.status === 200)),
        `${name} never judged a body: ${[...new Set(rs.map((r) => r.status))]}`);
    }

    assert.equal((await api('GET', '/readyz')).status, 200);
    assert.equal((await api('GET', '/api/v1/session', undefined, { token })).status, 200, 'the admin token still works');
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

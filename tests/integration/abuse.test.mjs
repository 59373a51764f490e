// Abuse of the public form (issue 6, defect 3): per-address limits, X-Forwarded-For only from trusted proxies,
// a per-recipient mail limit, and organisers finding and cancelling a burst.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, client, signIn } from '../support/server.mjs';
import { assertProblem, createEvent, registrationBody } from '../support/fixtures.mjs';

/** A request from a chosen loopback address (all of 127/8 is loopback). Resolves to {status, headers, body}. */
function from(localAddress, base, method, path, body, headers = {}) {
  const url = new URL(path, base);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: url.port, path: url.pathname + url.search, method, localAddress, agent: false,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: json, text });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

function assertLimited(r) {
  assert.equal(r.status, 429, r.text);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(r.body.status, 429);
  assert.match(r.headers['retry-after'] ?? '', /^[1-9][0-9]*$/, 'Retry-After in whole seconds');
}

const limits = { public_write_burst: 5, public_write_refill_seconds: 600 };

test('a burst from one address gets 429 with Retry-After after the allowance; another address still registers', async () => {
  const server = await startServer({ config: limits });
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const ev = await createEvent(api, admin);
    const path = `/api/v1/events/${ev.id}/registrations`;
    const first = [];
    for (let i = 0; i < 5; i++) first.push(await from('127.0.0.1', server.url, 'POST', path, registrationBody()));
    for (const r of first) assert.equal(r.status, 201, r.text);
    assertLimited(await from('127.0.0.1', server.url, 'POST', path, registrationBody()));
    // The other public writes by manage token share the allowance.
    const token = encodeURIComponent(first[0].body.manage_token);
    assertLimited(await from('127.0.0.1', server.url, 'PATCH', `/api/v1/my/registrations/${token}`, { dietary: 'vegan' }));
    assertLimited(await from('127.0.0.1', server.url, 'DELETE', `/api/v1/my/registrations/${token}`));
    assertLimited(await from('127.0.0.1', server.url, 'POST', `/api/v1/my/registrations/${token}/erase`));
    const other = await from('127.0.0.2', server.url, 'POST', path, registrationBody());
    assert.equal(other.status, 201, other.text);
    const r = await from('127.0.0.2', server.url, 'DELETE', `/api/v1/my/registrations/${token}`);
    assert.equal(r.status, 200, r.text);
    // Organisers' own routes are not the public form.
    const list = await api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: admin });
    assert.equal(list.status, 200);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('X-Forwarded-For is ignored unless the peer is a trusted proxy', async () => {
  const plain = await startServer({ config: limits });
  const proxied = await startServer({ config: { ...limits, trusted_proxies: ['127.0.0.1'] } });
  try {
    for (const [server, trusted] of [[plain, false], [proxied, true]]) {
      const api = client(server.url);
      const ev = await createEvent(api, await signIn(server.url));
      const path = `/api/v1/events/${ev.id}/registrations`;
      // Every request claims a different client.
      const statuses = [];
      for (let i = 1; i <= 7; i++) {
        const r = await from('127.0.0.1', server.url, 'POST', path, registrationBody(), { 'x-forwarded-for': `203.0.113.${i}` });
        statuses.push(r.status);
      }
      assert.deepEqual(statuses, trusted ? [201, 201, 201, 201, 201, 201, 201] : [201, 201, 201, 201, 201, 429, 429]);
      if (trusted) {
        // Behind the proxy one client is one client, whatever it writes further left.
        const one = [];
        for (let i = 1; i <= 6; i++)
          one.push((await from('127.0.0.1', server.url, 'POST', path, registrationBody(), { 'x-forwarded-for': `10.9.9.${i}, 198.51.100.7` })).status);
        assert.deepEqual(one, [201, 201, 201, 201, 201, 429]);
        // A peer that is not a trusted proxy cannot claim another address.
        const direct = [];
        for (let i = 1; i <= 6; i++)
          direct.push((await from('127.0.0.3', server.url, 'POST', path, registrationBody(), { 'x-forwarded-for': `192.0.2.${i}` })).status);
        assert.deepEqual(direct, [201, 201, 201, 201, 201, 429]);
      }
    }
  } finally {
    for (const s of [plain, proxied]) { await s.stop(); s.cleanup(); }
  }
});

test('one address gets at most mail_per_recipient_per_hour confirmation mails; the registrations still succeed', async () => {
  const server = await startServer({ config: { mail_per_recipient_per_hour: 2 } });
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const victim = 'victim@example.org';
    for (let i = 0; i < 4; i++) {
      const ev = await createEvent(api, admin);
      const r = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: i % 2 ? victim.toUpperCase() : victim }));
      assert.equal(r.status, 201, r.text);
    }
    // A mail to someone else, sent last: once it is written, the ones before it are too (one queue).
    const ev = await createEvent(api, admin);
    assert.equal((await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: 'sentinel@example.org' }))).status, 201);
    const outbox = join(server.dir, 'outbox');
    const mails = () => (existsSync(outbox) ? readdirSync(outbox).filter((f) => f.endsWith('.eml')) : [])
      .map((f) => readFileSync(join(outbox, f), 'utf8'));
    for (let i = 0; i < 100 && !mails().some((m) => /^To: sentinel@example\.org\r$/m.test(m)); i++) await new Promise((r) => setTimeout(r, 100));
    const to = mails().map((m) => m.match(/^To: (.*)\r$/m)[1].toLowerCase());
    assert.equal(to.filter((a) => a === victim).length, 2, to.join(', '));
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('a bad trusted_proxies entry is refused at start', async () => {
  await assert.rejects(startServer({ config: { trusted_proxies: ['proxy.example.org'] } }), /trusted_proxies/);
});

test('organisers find a burst by network and time and cancel it at once; waitlisted people outside it move up', async () => {
  // The test's proxy (127.0.0.1) says which network each request came from.
  const server = await startServer({ config: { trusted_proxies: ['127.0.0.1'] } });
  try {
    const api = client(server.url);
    const admin = await signIn(server.url);
    const ev = await createEvent(api, admin, { capacity: 3 });
    const path = `/api/v1/events/${ev.id}/registrations`;
    const reg = async (network, body = registrationBody()) => {
      const r = await from('127.0.0.1', server.url, 'POST', path, body, { 'x-forwarded-for': network });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };
    const anna = await reg('203.0.113.10');
    const burst = [];
    for (let i = 0; i < 6; i++) burst.push(await reg(`198.51.100.${20 + i}`));
    const bo = await reg('2001:db8:7:1::5');
    assert.equal(bo.status, 'waitlisted');

    const list = (q) => api('GET', `${path}?${q}`, undefined, { token: admin });
    const found = await list('network=198.51.100.0/24');
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.body.items.map((r) => r.id), burst.map((r) => r.id));
    assert.ok(found.body.items.every((r) => r.client_network === '198.51.100.0/24'));
    assert.equal((await list('network=2001:db8:7::/48')).body.items[0].id, bo.id);
    assert.equal((await list('created_from=2100-01-01T00:00:00Z')).body.items.length, 0);
    assert.equal((await list('created_to=2100-01-01T00:00:00Z')).body.items.length, 8);

    const cancel = (body, token = admin) => api('POST', `${path}/bulk-cancel`, body, { token });
    assertProblem(await cancel({ ids: [] }), 422, ['ids']);
    assertProblem(await cancel({ ids: ['x'] }), 422, ['ids']);
    assertProblem(await cancel({ ids: burst.map((r) => r.id) }, null), 401);
    const done = await cancel({ ids: [...found.body.items.map((r) => r.id), 999999] });
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(done.body.cancelled.map((r) => r.id), burst.map((r) => r.id));
    assert.ok(done.body.cancelled.every((r) => r.status === 'cancelled'));
    assert.deepEqual(done.body.skipped, [999999]);
    // The freed places go to the real people, not to waitlisted members of the burst.
    const counts = (await api('GET', `/api/v1/events/${ev.id}`)).body.counts;
    assert.equal(counts.confirmed, 2);
    assert.equal(counts.waitlisted, 0);
    assert.equal((await api('GET', `/api/v1/my/registrations/${bo.manage_token}`)).body.status, 'confirmed');
    assert.deepEqual((await cancel({ ids: [burst[0].id] })).body, { cancelled: [], skipped: [burst[0].id] });

    // The stored network goes with the person's data.
    assert.equal((await api('POST', `/api/v1/my/registrations/${anna.manage_token}/erase`)).status, 200);
    const after = (await list('limit=1000')).body.items.find((r) => r.id === anna.id);
    assert.equal(after.client_network, null);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

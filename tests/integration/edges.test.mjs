// The HTTP edge, tried from outside as an attacker would: paths that climb out of the web root, odd request targets
// and framing, connection caps per address, and a writer whose database is locked by another process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, client, signIn, projectRoot } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';

/** Sends raw bytes on a fresh connection (optionally from another loopback address); resolves to what came back. */
function raw(url, text, { localAddress, timeout = 5000 } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), localAddress });
    let data = '';
    socket.setTimeout(timeout, () => { socket.destroy(); resolve(data); });
    socket.on('data', (d) => { data += d; });
    socket.on('end', () => resolve(data));
    socket.on('error', (e) => (data ? resolve(data) : reject(e)));
    socket.on('connect', () => socket.write(text));
  });
}
const statusOf = (answer) => Number((answer.match(/^HTTP\/1\.1 (\d{3})/) || [])[1] || 0);

/** Opens a connection and leaves it idle; resolves once connected. */
function idle(url, localAddress) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: hostname, port: Number(port), localAddress }, () => resolve(s));
    s.on('error', reject);
  });
}

test('static files never leave the web root', async () => {
  // A web root whose name is a prefix of a sibling folder's, a symlink pointing out, and a secret beside it.
  const base = mkdtempSync(join(tmpdir(), 'eventd-root-'));
  const web = join(base, 'web');
  cpSync(join(projectRoot, 'web'), web, { recursive: true });
  for (const sibling of ['webx', 'web.bak']) {
    mkdirSync(join(base, sibling));
    writeFileSync(join(base, sibling, 'secret.txt'), 'SECRET-' + sibling);
  }
  symlinkSync(join(base, 'webx'), join(web, 'outside'));
  const server = await startServer({ args: ['--web', web] });
  try {
    const attempts = [
      `//${base.slice(1)}/webx/secret.txt`, `/%2F${base.slice(1).replaceAll('/', '%2F')}%2Fwebx%2Fsecret.txt`,
      `//${base.slice(1)}/web.bak/secret.txt`, '/../webx/secret.txt', '/%2e%2e/webx/secret.txt', '/..%2Fwebx%2Fsecret.txt',
      '/outside/secret.txt', '/css/..%2F..%2F..%2Fwebx/secret.txt', '/%00/secret.txt', '//tmp', '//etc/passwd', '/.%2e/x',
    ];
    for (const path of attempts) {
      const answer = await raw(server.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const status = statusOf(answer);
      assert.ok(status === 400 || status === 404, `${path} -> ${status}`);
      assert.doesNotMatch(answer, /SECRET-/, path);
      assert.match(answer, /application\/problem\+json/, path);
    }
    // The pages themselves are still served, and a folder still redirects to its slash form.
    assert.equal(statusOf(await raw(server.url, 'GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')), 200);
    const folder = await raw(server.url, 'GET /checkin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(statusOf(folder), 301);
    assert.match(folder, /Location: \/checkin\/\r\n/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('absolute-form targets are served; ambiguous framing is refused', async () => {
  const server = await startServer();
  try {
    const { host } = new URL(server.url);
    const absolute = await raw(server.url, `GET http://${host}/healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(absolute), 200, absolute);
    const withQuery = await raw(server.url, `GET http://${host}/api/v1/events?kind=seminar HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(withQuery), 200, withQuery);
    assert.equal(statusOf(await raw(server.url, `GET ftp://${host}/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)), 400);

    // Transfer-Encoding that is not chunked, or beside a Content-Length: a smuggling attempt, answered 400.
    for (const headers of ['Transfer-Encoding: xchunked\r\nContent-Length: 2', 'Transfer-Encoding: chunked\r\nContent-Length: 2',
      'Transfer-Encoding: gzip']) {
      const answer = await raw(server.url, `POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n\r\n{}`);
      assert.equal(statusOf(answer), 400, `${headers}: ${answer}`);
      assert.match(answer, /application\/problem\+json/);
    }
    // A method nobody knows is answered, and /metrics does not grow a label for it.
    const odd = await raw(server.url, 'FROBNICATE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok([400, 404, 405].includes(statusOf(odd)), odd);
    const metrics = await (await fetch(server.url + '/metrics')).text();
    assert.doesNotMatch(metrics, /FROBNICATE/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('one address cannot take every connection, and /healthz answers at the cap', async () => {
  const server = await startServer({ config: { max_connections: 6, max_connections_per_address: 3 } });
  const held = [];
  try {
    for (let i = 0; i < 3; ++i) held.push(await idle(server.url, '127.0.0.1'));
    const fourth = await raw(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.1' });
    assert.equal(statusOf(fourth), 503, fourth);
    assert.match(fourth, /Retry-After: \d+/);
    // Another client is not affected.
    const other = await raw(server.url, 'GET /api/v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { localAddress: '127.0.0.2' });
    assert.equal(statusOf(other), 200);
    // Fill the server to its total from other addresses: requests hear 503, the health probe still 200.
    for (let i = 0; i < 3; ++i) held.push(await idle(server.url, '127.0.0.3'));
    const busy = await raw(server.url, 'GET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.4' });
    assert.equal(statusOf(busy), 503, busy);
    const health = await raw(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.4' });
    assert.equal(statusOf(health), 200, health);
  } finally {
    for (const s of held) s.destroy();
    await server.stop();
    server.cleanup();
  }
});

test('a write while another process holds the database lock is answered (503, then success), never dropped', { timeout: 60000 }, async () => {
  const server = await startServer();
  const api = client(server.url);
  try {
    const admin = await signIn(server.url);
    const ev = await createEvent(api, admin, { capacity: 50 });
    // An outside sqlite3 takes the write lock and keeps it.
    const holder = spawn('sqlite3', [server.db], { stdio: ['pipe', 'pipe', 'ignore'] });
    let said = '';
    holder.stdout.on('data', (d) => { said += d; });
    holder.stdin.write("PRAGMA busy_timeout=5000;\nBEGIN IMMEDIATE;\nINSERT INTO schema_migrations SELECT * FROM schema_migrations WHERE 0;\nSELECT 'locked';\n");
    for (let i = 0; i < 200 && !said.includes('locked'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(said.includes('locked'), 'the outside sqlite3 holds the write lock');
    const refused = await api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: 'locked-out@example.org' }));
    assert.equal(refused.status, 503, refused.text);
    assert.match(refused.headers.get('content-type'), /application\/problem\+json/);
    assert.ok(refused.headers.get('retry-after'));
    // Released while the next request waits: the writer's retry gets it through.
    const pending = api('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody({ email: 'patient@example.org' }));
    setTimeout(() => { holder.stdin.write('ROLLBACK;\n'); holder.stdin.end(); }, 300);
    const saved = await pending;
    assert.equal(saved.status, 201, saved.text);
    // The refused one left nothing behind; the saved one is there.
    const admin2 = await signIn(server.url);
    const list = await api('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: admin2 });
    const emails = list.body.items.map((r) => r.email);
    assert.ok(emails.includes('patient@example.org'));
    assert.ok(!emails.includes('locked-out@example.org'));
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('SIGTERM while slow work is still queued: every part stops in order, exit 0', { timeout: 60000 }, async () => {
  const server = await startServer({ config: { shutdown_drain_seconds: 0 } });
  try {
    // Sign-ins queue argon2 work on the slow pool; stop the server while they are still waiting.
    const attempts = Array.from({ length: 40 }, (_, i) =>
      fetch(server.url + '/api/v1/session', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `nobody-${i}@example.org`, password: 'wrong password here' }) }).catch(() => null));
    await new Promise((r) => setTimeout(r, 100));
    const { code, signal } = await server.stop();
    await Promise.all(attempts);
    assert.equal(signal, null, server.stderr);
    assert.equal(code, 0, server.stderr);
    assert.match(server.stderr, /"msg":"stopped"/);
  } finally {
    server.cleanup();
  }
});

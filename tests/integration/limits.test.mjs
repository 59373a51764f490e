// The HTTP limits, set small in the config file and tried from raw sockets: a request whose headers never finish and an
// idle keep-alive connection are closed, headers and bodies over the limit get 431/413 that the client can read, and
// the connection after max_connections gets 503 problem+json.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { rawConnection, rawHttp, parseRawResponse, createEvent } from '../support/fixtures.mjs';

// Far above each timeout set below, so only "never closed" fails, not a slow machine.
const NEVER = 15000;

/** Resolves to what `c` received once the server closed it, or fails when it stays open for `ms`. */
async function closedWithin(c, ms, what) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: still open after ${ms} ms`)), ms); });
  try {
    return await Promise.race([c.closed, late]);
  } finally {
    clearTimeout(timer);
    c.socket.destroy();
  }
}

/** Waits until `c` has received a complete response, and returns it. */
async function responseOn(c, what) {
  for (let waited = 0; waited < NEVER; waited += 20) {
    const r = parseRawResponse(c.text());
    if (r) return r;
    if (c.socket.destroyed) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const r = parseRawResponse(c.text());
  assert.ok(r, `${what}: no complete response; got ${JSON.stringify(c.text().slice(0, 300))}`);
  return r;
}

function assertRawProblem(res, status, what) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.body}`);
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/, what);
  assert.equal(JSON.parse(res.body).status, status, what);
}

describe('timeouts and size limits from the config file', () => {
  let server;
  before(async () => {
    server = await startServer({
      config: { header_timeout_seconds: 1, idle_timeout_seconds: 2, header_limit: 2048, body_limit: 4096 },
    });
  });
  after(async () => { await server.stop(); server.cleanup(); });

  test('a request whose headers never finish is closed, even when it trickles bytes', async () => {
    const c = await rawConnection(server.url);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    // A slow client sending a header byte now and then must not keep the connection for itself.
    const drip = setInterval(() => { if (!c.socket.destroyed) c.socket.write('X-Slow: a\r\n'); }, 200);
    try {
      const { text } = await closedWithin(c, NEVER, 'slow headers');
      assert.equal(parseRawResponse(text)?.status ?? null, null, `no answer to an unfinished request: ${text}`);
    } finally {
      clearInterval(drip);
    }
    // The server itself is unharmed.
    const ok = await rawConnection(server.url);
    ok.socket.write(rawHttp('GET', '/healthz'));
    assert.equal((await responseOn(ok, 'healthz')).status, 200);
    ok.socket.destroy();
  });

  test('an idle keep-alive connection is closed after the idle timeout', async () => {
    const c = await rawConnection(server.url);
    c.socket.write(rawHttp('GET', '/healthz'));
    const first = await responseOn(c, 'first request');
    assert.equal(first.status, 200);
    assert.notEqual((first.headers.connection ?? '').toLowerCase(), 'close', 'the connection is kept alive');
    await closedWithin(c, NEVER, 'idle keep-alive');
  });

  test('headers over header_limit get 431 problem+json; under it, the request is served', async () => {
    const big = await rawConnection(server.url);
    big.socket.write(rawHttp('GET', '/healthz', { headers: { 'X-Padding': 'a'.repeat(4096) } }));
    assertRawProblem(await responseOn(big, 'big headers'), 431, 'big headers');
    await closedWithin(big, NEVER, 'after 431');
    const small = await rawConnection(server.url);
    small.socket.write(rawHttp('GET', '/healthz', { headers: { 'X-Padding': 'a'.repeat(1000) } }));
    assert.equal((await responseOn(small, 'small headers')).status, 200);
    small.socket.destroy();
  });

  test('a body over body_limit gets 413 problem+json that the client reads while still sending', async () => {
    // Declared length over the limit: refused from the headers; the client keeps writing its 64 KiB regardless.
    const declared = await rawConnection(server.url);
    const body = JSON.stringify({ name: 'x'.repeat(64 * 1024) });
    declared.socket.write(rawHttp('POST', '/api/v1/events/1/registrations', { body }));
    assertRawProblem(await responseOn(declared, 'declared length'), 413, 'declared length');
    declared.socket.destroy();

    // Chunked, so the server only finds out while reading.
    const chunked = await rawConnection(server.url);
    chunked.socket.write('POST /api/v1/events/1/registrations HTTP/1.1\r\nHost: localhost\r\n' +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const piece = 'y'.repeat(1024);
    for (let i = 0; i < 64 && !chunked.socket.destroyed; i++) chunked.socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
    assertRawProblem(await responseOn(chunked, 'chunked'), 413, 'chunked');
    chunked.socket.destroy();

    // Just under the limit the body is read and judged: 422 or 404, not 413.
    const fits = await rawConnection(server.url);
    fits.socket.write(rawHttp('POST', '/api/v1/events/1/registrations', { body: JSON.stringify({ name: 'x'.repeat(3000) }) }));
    const r = await responseOn(fits, 'under the limit');
    assert.ok([404, 422].includes(r.status), `under the limit: ${r.status} ${r.body}`);
    fits.socket.destroy();
  });
});

describe('max_connections', () => {
  const MAX = 3;
  let server;
  before(async () => { server = await startServer({ config: { max_connections: MAX } }); });
  after(async () => { await server.stop(); server.cleanup(); });

  test('the connection after max_connections gets 503 problem+json; once one closes, new ones are served', async () => {
    // The attack: connections opened and never used. (Keep-alive connections that already had an answer are a
    // different case: near the cap they are closed to make room, tested below.)
    const held = [];
    for (let i = 0; i < MAX; i++) held.push(await rawConnection(server.url));
    await new Promise((r) => setTimeout(r, 300));  // the server accepts asynchronously
    const extra = await rawConnection(server.url);
    extra.socket.write(rawHttp('GET', '/api/v1/config'));
    assertRawProblem(await responseOn(extra, 'over the cap'), 503, 'over the cap');
    await closedWithin(extra, NEVER, 'the refused connection');

    held.shift().socket.destroy();
    // The server sees the close asynchronously: retry until a new connection is served (or give up as "never").
    let status = 0;
    for (const started = Date.now(); status !== 200 && Date.now() - started < NEVER;) {
      const c = await rawConnection(server.url);
      c.socket.write(rawHttp('GET', '/api/v1/config'));
      status = (await responseOn(c, 'after one closed')).status;
      c.socket.destroy();
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200, 'a connection is served again once one of the held ones closed');
    for (const c of held) c.socket.destroy();
  });
});

describe('idle keep-alive connections near the cap', () => {
  const MAX = 3;
  let server;
  before(async () => { server = await startServer({ config: { max_connections: MAX } }); });
  after(async () => { await server.stop(); server.cleanup(); });

  test('are closed to make room, so a new client is served', async () => {
    const held = [];
    for (let i = 0; i < MAX; i++) {
      const c = await rawConnection(server.url);
      c.socket.write(rawHttp('GET', '/api/v1/config'));
      assert.equal((await responseOn(c, `connection ${i + 1}`)).status, 200);
      held.push(c);
    }
    const extra = await rawConnection(server.url);
    extra.socket.write(rawHttp('GET', '/api/v1/config'));
    assert.equal((await responseOn(extra, 'the new client')).status, 200);
    const closed = await Promise.all(held.map((c) => closedWithin(c, 3000, 'an idle connection').then(() => true, () => false)));
    assert.ok(closed.some(Boolean), 'at least one idle keep-alive connection was closed to make room');
    for (const c of [...held, extra]) c.socket.destroy();
  });
});

describe('the database connections for reads are bounded', () => {
  let server;
  before(async () => {
    server = await startServer({ config: { max_read_connections: 1, threads: 4 } });
    // Enough events that each list holds its connection a while, so reads meet each other at the pool.
    const api = client(server.url);
    const token = await signIn(server.url);
    await Promise.all(Array.from({ length: 150 }, () => createEvent(api, token)));
  });
  after(async () => { await server.stop(); server.cleanup(); });

  test('reads from 16 clients at once share one connection: all answered, none opens a second', async () => {
    const statuses = new Set();
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = 0; i < 40; i++) {
        const r = await fetch(`${server.url}/api/v1/events`);
        statuses.add(r.status);
        await r.arrayBuffer();
      }
    }));
    assert.deepEqual([...statuses], [200]);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const value = (name) => Number(metrics.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1]);
    assert.equal(value('eventd_db_pool_open'), 1, 'more than one read connection was opened');
    assert.ok(value('eventd_db_pool_waits_total') > 0, 'no read waited: the reads did not meet the bound');
    assert.equal(value('eventd_db_pool_timeouts_total'), 0);
  });
});

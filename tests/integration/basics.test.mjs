// Health, metrics, the API document, routing errors, security headers, static files and request limits.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, client, signIn } from '../support/server.mjs';
import { assertProblem, rawRequest, createEvent, registrationBody } from '../support/fixtures.mjs';

describe('basics', { timeout: 30000 }, () => {
  let server, api, admin, event;

  before(async () => {
    server = await startServer();
    api = client(server.url);
    admin = await signIn(server.url);
    event = await createEvent(api, admin);
  });

  after(async () => {
    if (server) { await server.stop(); server.cleanup(); }
  });

  test('GET /healthz and /readyz answer 200', async () => {
    assert.equal((await api('GET', '/healthz')).status, 200);
    assert.equal((await api('GET', '/readyz')).status, 200);
  });

  test('GET /metrics exposes eventd_http_requests_total', async () => {
    const r = await api('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.text, /eventd_http_requests_total/);
  });

  test('GET /api/v1/openapi.json is an OpenAPI 3.1 document', async () => {
    const r = await api('GET', '/api/v1/openapi.json');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
    assert.ok(r.body, 'body is JSON');
    assert.match(String(r.body.openapi), /^3\.1\.\d+$/);
    assert.ok(r.body.paths && r.body.paths['/api/v1/events'], 'documents /api/v1/events');
  });

  test('an unknown route is a 404 problem', async () => {
    assertProblem(await api('GET', '/api/v1/no-such-thing'), 404);
    assertProblem(await api('GET', '/api/v1/events/999999'), 404);
  });

  test('a wrong method is a 405 problem with Allow', async () => {
    const r = await api('PUT', '/api/v1/events', {}, { token: admin });
    assertProblem(r, 405);
    assert.match(r.headers.get('allow') || '', /GET/, 'Allow lists GET');
    assertProblem(await api('DELETE', '/healthz'), 405);
  });

  test('a page carries the security headers', async () => {
    const r = await api('GET', '/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') || '', /^text\/html/);
    assert.ok((r.headers.get('content-security-policy') || '').length > 0, 'Content-Security-Policy');
    assert.equal((r.headers.get('x-content-type-options') || '').toLowerCase(), 'nosniff');
    assert.ok((r.headers.get('referrer-policy') || '').length > 0, 'Referrer-Policy');
  });

  test('static files have an ETag and answer If-None-Match with 304', async () => {
    // A stylesheet or script the front page links to, else the page itself.
    const page = await api('GET', '/');
    const m = page.text.match(/<link[^>]+href="(\/?[^":]+\.css)"/) || page.text.match(/<script[^>]+src="(\/?[^":]+\.js)"/);
    const path = m ? (m[1].startsWith('/') ? m[1] : '/' + m[1]) : '/';
    const first = await fetch(server.url + path);
    assert.equal(first.status, 200, `GET ${path}`);
    await first.arrayBuffer();
    const etag = first.headers.get('etag');
    assert.ok(etag, `ETag on ${path}`);
    const second = await fetch(server.url + path, { headers: { 'if-none-match': etag } });
    assert.equal(second.status, 304, `If-None-Match on ${path}`);
    assert.equal((await second.text()).length, 0);
    const changed = await fetch(server.url + path, { headers: { 'if-none-match': '"not-the-etag"' } });
    assert.equal(changed.status, 200);
    await changed.arrayBuffer();
  });

  test('path escapes never reach files outside the web folder', async () => {
    const attempts = [
      '/../etc/passwd',
      '/../../../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/css/..%2f..%2fCMakeLists.txt',
      '/css/../../CMakeLists.txt',
      '/..%5c..%5cCMakeLists.txt',
      '/%252e%252e/%252e%252e/etc/passwd',
      '//etc/passwd',
    ];
    for (const path of attempts) {
      const r = await rawRequest(server.url, { path });
      assert.ok([400, 404].includes(r.status), `${path} -> ${r.status}`);
      assert.doesNotMatch(r.text, /root:.*:0:0:/, `${path} leaked /etc/passwd`);
      assert.doesNotMatch(r.text, /cmake_minimum_required/i, `${path} leaked CMakeLists.txt`);
    }
  });

  test('a body over 1 MiB is refused with 413', async () => {
    const big = JSON.stringify(registrationBody({ organisation: 'x'.repeat(1024 * 1024 + 10) }));
    const r = await rawRequest(server.url, {
      method: 'POST', path: `/api/v1/events/${event.id}/registrations`,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) }, body: big,
    });
    assert.equal(r.status, 413, r.text);
    assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  });

  test('a chunked body over 1 MiB is refused with 413', async () => {
    const piece = 'x'.repeat(64 * 1024);
    const chunks = ['{"name":"', ...Array(20).fill(piece), '"}'];
    const r = await rawRequest(server.url, {
      method: 'POST', path: `/api/v1/events/${event.id}/registrations`,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, chunks,
    });
    assert.equal(r.status, 413, r.text);
  });

  test('a body just under the limit is read and validated (422, not 413)', async () => {
    const body = JSON.stringify(registrationBody({ name: 'y'.repeat(1000 * 1000) }));
    const r = await api('POST', `/api/v1/events/${event.id}/registrations`, body);
    assertProblem(r, 422, ['name']);
  });

  test('a POST that is not JSON is refused with 415', async () => {
    const json = JSON.stringify(registrationBody());
    assertProblem(await api('POST', `/api/v1/events/${event.id}/registrations`, json, { headers: { 'content-type': 'text/plain' } }), 415);
    assertProblem(await api('POST', `/api/v1/events/${event.id}/registrations`, 'name=a&email=b',
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    // The refused requests registered nobody.
    const ev = await api('GET', `/api/v1/events/${event.id}`);
    assert.equal(ev.body.counts.confirmed, 0);
  });

  test('malformed JSON is a 400 problem', async () => {
    assertProblem(await api('POST', `/api/v1/events/${event.id}/registrations`, '{"name": "Anna", '), 400);
    assertProblem(await api('POST', '/api/v1/session', '{email:'), 400);
  });

  test('odd JSON bodies are refused with 400 or 422, never 500', async () => {
    for (const body of ['', 'null', '[]', '"text"', '42', '{"name":5,"email":[],"consent":"yes"}', '{"accessibility_needs":"hearing_loop"}']) {
      const r = await api('POST', `/api/v1/events/${event.id}/registrations`, body, { headers: { 'content-type': 'application/json' } });
      assert.ok([400, 422].includes(r.status), `body ${JSON.stringify(body)} -> ${r.status} ${r.text}`);
      assertProblem(r, r.status);
    }
  });
});

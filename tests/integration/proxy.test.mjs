// The nginx example (packaging/nginx/eventd.conf, issue 12) in front of the real server: Debian's nginx with the
// example's own text (only its ports, certificate paths and upstream port rewritten) and a self-signed certificate.
// Through it over HTTPS: TLS 1.2/1.3 and HTTP/2, the redirect from plain HTTP, a registration, a sign-in with a Secure
// cookie, an organiser's calls, a live connection that sees a check-in, the body limit, no private link in nginx's
// logs; and that eventd believes X-Forwarded-For from its trusted proxy only. The test's clients connect from other
// loopback addresses (127.0.1.2 ...) than nginx's 127.0.0.1, so eventd can tell a proxied client from the proxy.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, projectRoot, ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/server.mjs';
import { connect } from '../support/ws.mjs';
import { createEvent, ongoingEventBody, registrationBody } from '../support/fixtures.mjs';
import { freePort } from '../support/smtp.mjs';
import { stopNginx } from '../support/nginx.mjs';

/** Debian's nginx (apt-get install nginx; scripts/setup installs it for scripts/test), or EVENTD_NGINX. */
const NGINX = process.env.EVENTD_NGINX || '/usr/sbin/nginx';

/**
 * The `skip` option: false when nginx is there. A missing nginx fails the file, since a skipped test looks like a
 * passing one; EVENTD_ALLOW_NO_NGINX=1 turns that into a skip, except under CI or EVENTD_REQUIRE_NODE_TESTS.
 */
function nginxSkip() {
  if (existsSync(NGINX)) return false;
  const missing = `no nginx at ${NGINX} (apt-get install nginx, or set EVENTD_NGINX)`;
  const required = process.env.CI || process.env.EVENTD_REQUIRE_NODE_TESTS;
  if (process.env.EVENTD_ALLOW_NO_NGINX === '1' && !required) return missing;
  throw new Error(required ? `${missing}; CI or EVENTD_REQUIRE_NODE_TESTS is set, so this fails rather than skips`
    : `${missing}; set EVENTD_ALLOW_NO_NGINX=1 to skip this test instead`);
}

const TEMPLATE = join(projectRoot, 'packaging', 'nginx', 'eventd.conf');
const BODY_LIMIT = JSON.parse(readFileSync(join(projectRoot, 'config', 'eventd.json'), 'utf8')).body_limit;

// Client addresses: all on loopback, none of them the trusted proxy 127.0.0.1.
const CLIENT_A = '127.0.1.2';
const CLIENT_B = '127.0.2.3';
const CLIENT_C = '127.0.3.4';
const FORGED = '198.51.100.7';

/** Replaces every line `pattern` matches (multiline); fails when the example no longer has such a line. */
function rewrite(text, pattern, replacement, what) {
  const re = new RegExp(pattern.source, 'gm');
  assert.ok(re.test(text), `packaging/nginx/eventd.conf has no ${what} line (${pattern}) for the test to rewrite`);
  return text.replace(re, replacement);
}

/** The example site with the test's ports and certificate; no IPv6 listeners (the test machine may have no IPv6). */
function siteConfig({ httpsPort, httpPort, upstreamPort, cert, key }) {
  let site = readFileSync(TEMPLATE, 'utf8');
  site = rewrite(site, /^\s*listen \[::\]:443\b[^;]*;$/, '', 'IPv6 HTTPS listen');
  site = rewrite(site, /^\s*listen \[::\]:80\b[^;]*;$/, '', 'IPv6 HTTP listen');
  site = rewrite(site, /^(\s*)listen 443\b([^;]*);$/, `$1listen 127.0.0.1:${httpsPort}$2;`, 'HTTPS listen');
  site = rewrite(site, /^(\s*)listen 80\b([^;]*);$/, `$1listen 127.0.0.1:${httpPort}$2;`, 'HTTP listen');
  site = rewrite(site, /^(\s*)ssl_certificate\s+\S+;$/, `$1ssl_certificate ${cert};`, 'ssl_certificate');
  site = rewrite(site, /^(\s*)ssl_certificate_key\s+\S+;$/, `$1ssl_certificate_key ${key};`, 'ssl_certificate_key');
  site = rewrite(site, /^(\s*)server 127\.0\.0\.1:8080;$/, `$1server 127.0.0.1:${upstreamPort};`, 'upstream server');
  return site;
}

/**
 * The main configuration around the site, as Debian's /etc/nginx/nginx.conf is, with every path in `dir`. As root,
 * workers would otherwise run as nobody, who cannot enter the private temporary folder.
 */
function mainConfig(dir) {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return `${asRoot ? 'user root;\n' : ''}daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${dir}/eventd.conf;
}
`;
}

/** Resolves when `port` accepts connections; rejects when `proc` exits first or after `ms`. */
async function listening(port, proc, stderr, ms = 10000) {
  const until = Date.now() + ms;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`nginx exited (${proc.exitCode}): ${stderr()}`);
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); r(true); });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on ${port} in ${ms} ms: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the nginx TLS proxy example', { skip: nginxSkip(), timeout: 60000 }, () => {
  let dir, server, nginx, nginxErr = '', ca, proxy, httpPort, direct;
  const open = [];
  let stopNginxOnExit;

  /**
   * One HTTP/1.1 request to `base` (the proxy unless given) from the local address `from`; HTTPS trusts only the
   * test's certificate. Resolves {status, headers (a Headers), setCookie [...], body (JSON or null), text}.
   */
  function request(method, path, body, { token, headers = {}, from, base = proxy } = {}) {
    const u = new URL(base);
    const h = { ...headers };
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    if (payload) { h['content-type'] ??= 'application/json'; h['content-length'] = payload.length; }
    if (token) h.authorization = `Bearer ${token}`;
    const lib = u.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request({ host: u.hostname, port: u.port, method, path, headers: h, agent: false, ca,
        localAddress: from }, (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          let json = null;
          try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
          const hs = new Headers();
          for (const [k, v] of Object.entries(res.headers)) for (const x of [v].flat()) hs.append(k, x);
          resolve({ status: res.statusCode, headers: hs, setCookie: res.headers['set-cookie'] || [], body: json, text });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }
  /** The fixtures' api(method, path, body, {token, headers}) through the proxy. */
  const api = (method, path, body, opts = {}) => request(method, path, body, opts);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventd-proxy-'));
    mkdirSync(join(dir, 'tmp'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: 'pipe' });
    ca = readFileSync(cert);

    const httpsPort = await freePort();
    httpPort = await freePort();
    proxy = `https://127.0.0.1:${httpsPort}`;
    server = await startServer({
      config: { trusted_proxies: ['127.0.0.1'], public_url: proxy, signin_max_failures: 3 },
    });
    direct = server.url;

    const upstreamPort = Number(new URL(server.url).port);
    writeFileSync(join(dir, 'eventd.conf'), siteConfig({ httpsPort, httpPort, upstreamPort, cert, key }));
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, mainConfig(dir));
    const args = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
    const check = spawnSync(NGINX, ['-t', ...args], { encoding: 'utf8' });
    assert.equal(check.status, 0, `nginx -t refused the configuration:\n${check.stdout}${check.stderr}`);
    // A process group of its own: should the master not stop, master and workers are killed together.
    nginx = spawn(NGINX, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    nginx.stdout.on('data', (d) => { nginxErr += d; });
    nginx.stderr.on('data', (d) => { nginxErr += d; });
    // Should the runner die before `after`, nginx still goes (its master stops the workers on SIGTERM).
    stopNginxOnExit = () => { try { nginx.kill('SIGTERM'); } catch { /* gone */ } };
    process.on('exit', stopNginxOnExit);
    const errorLog = () => `${nginxErr}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`;
    await listening(httpsPort, nginx, errorLog);
    await listening(httpPort, nginx, errorLog);
  });

  after(async () => {
    for (const c of open) c.destroy();
    await stopNginx(nginx);
    if (stopNginxOnExit) process.off('exit', stopNginxOnExit);
    if (server) { await server.stop(); server.cleanup(); }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('TLS 1.3 and 1.2 with the test certificate, HTTP/2, HSTS; plain HTTP is sent to HTTPS', async () => {
    const handshake = (opts) => new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: Number(new URL(proxy).port), ca, ...opts }, () => {
        const info = { protocol: s.getProtocol(), alpn: s.alpnProtocol };
        s.destroy();
        resolve(info);
      });
      s.on('error', reject);
    });
    assert.deepEqual(await handshake({ ALPNProtocols: ['h2', 'http/1.1'] }), { protocol: 'TLSv1.3', alpn: 'h2' });
    assert.equal((await handshake({ maxVersion: 'TLSv1.2' })).protocol, 'TLSv1.2');
    // Without the test's certificate as a CA the handshake fails: nginx serves that certificate and no other.
    await assert.rejects(handshake({ ca: undefined }), /self[- ]signed/i);

    // A request over HTTP/2 reaches eventd.
    const h2 = http2.connect(proxy, { ca });
    try {
      const answer = await new Promise((resolve, reject) => {
        const req = h2.request({ ':path': '/api/v1/events' });
        let status, hsts, text = '';
        req.on('response', (h) => { status = h[':status']; hsts = h['strict-transport-security']; });
        req.setEncoding('utf8');
        req.on('data', (d) => { text += d; });
        req.on('end', () => resolve({ status, hsts, text }));
        req.on('error', reject);
      });
      assert.equal(answer.status, 200, answer.text);
      assert.ok(Array.isArray(JSON.parse(answer.text).items), answer.text);
      assert.match(answer.hsts ?? '', /^max-age=\d{8,}/, 'HSTS of a year or more');
    } finally {
      h2.close();
    }

    // HSTS also on an error, and eventd's own security headers come through.
    const missing = await request('GET', '/api/v1/events/999999');
    assert.equal(missing.status, 404, missing.text);
    assert.match(missing.headers.get('strict-transport-security') ?? '', /^max-age=\d{8,}/);
    assert.equal(missing.headers.get('x-content-type-options'), 'nosniff');

    const plain = await request('GET', '/event.html?id=7', undefined, { base: `http://127.0.0.1:${httpPort}` });
    assert.equal(plain.status, 301, plain.text);
    assert.equal(plain.headers.get('location'), 'https://127.0.0.1/event.html?id=7');
  });

  let admin, ev, reg;

  test('a registration, a sign-in with a Secure cookie and an organiser\'s calls through the proxy', async () => {
    const signin = await request('POST', '/api/v1/session', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    assert.equal(signin.status, 200, signin.text);
    admin = signin.body.token;
    const cookie = signin.setCookie.find((c) => c.startsWith('eventd_session='));
    assert.ok(cookie, `no session cookie: ${JSON.stringify(signin.setCookie)}`);
    for (const attribute of ['Secure', 'HttpOnly', 'SameSite=Strict'])
      assert.ok(cookie.split(';').map((a) => a.trim()).includes(attribute), `the cookie lacks ${attribute}: ${cookie}`);

    // The cookie alone signs in through the proxy (as a browser's page would), and so does the bearer token.
    const byCookie = await request('GET', '/api/v1/session', undefined, { headers: { cookie: cookie.split(';')[0] } });
    assert.equal(byCookie.status, 200, byCookie.text);
    assert.equal(byCookie.body.user.email, ADMIN_EMAIL);

    ev = await createEvent(api, admin, ongoingEventBody({ capacity: 20 }));
    assert.equal(ev.status, 'published');
    const r = await request('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody());
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.status, 'confirmed');
    reg = r.body;
    const own = await request('GET', `/api/v1/my/registrations/${reg.manage_token}`);
    assert.equal(own.status, 200, own.text);
    const list = await request('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: admin });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.items.some((x) => x.id === reg.id));

    // nginx keeps no private link: the example logs no requests (eventd logs route patterns itself).
    const logs = readdirSync(dir).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    assert.ok(!logs.includes(reg.manage_token), 'a manage token is in nginx\'s logs');
  });

  test('a live connection through the proxy sees a check-in made through the proxy', async () => {
    // As a browser on the proxy's origin: wss, the page's Origin, the session cookie.
    const c = await connect(proxy, { tls: { ca }, headers: { origin: proxy, cookie: `eventd_session=${admin}` } });
    assert.equal(c.status, 101, `upgrade refused through the proxy: ${c.status} ${c.text}`);
    open.push(c);
    c.send({ type: 'subscribe', topics: [`event:${ev.id}`, `checkins:${ev.id}`] });
    const counts = await c.next((m) => m.topic === `event:${ev.id}` && m.type === 'snapshot');
    const feed = await c.next((m) => m.topic === `checkins:${ev.id}` && m.type === 'snapshot');
    assert.equal(counts.data.checked_in, 0);

    const scan = await request('POST', `/api/v1/events/${ev.id}/checkins`, { ticket_code: reg.ticket_code }, { token: admin });
    assert.equal(scan.status, 201, scan.text);
    const up = await c.next((m) => m.topic === `event:${ev.id}` && m.type === 'update' && m.data.checked_in === 1);
    assert.ok(up.seq > counts.seq);
    const fed = await c.next((m) => m.topic === `checkins:${ev.id}` && m.type === 'update' &&
      m.data.recent[0]?.registration_id === reg.id);
    assert.ok(fed.seq > feed.seq);

    // A page of another origin is still refused behind the proxy.
    const foreign = await connect(proxy, { tls: { ca }, headers: { origin: 'https://evil.example.net' } });
    assert.equal(foreign.status, 403, `a foreign origin was let in: ${foreign.status}`);
  });

  test('bodies up to eventd\'s body_limit pass nginx, a byte more is refused', async () => {
    const json = (size) => {
      const head = '{"name":"';
      return head + 'x'.repeat(size - head.length - 2) + '"}';
    };
    const fits = await request('POST', `/api/v1/events/${ev.id}/registrations`, json(BODY_LIMIT));
    assert.notEqual(fits.status, 413, 'nginx refused a body eventd takes');
    assert.match(fits.headers.get('content-type') ?? '', /^application\/problem\+json/, `eventd answered: ${fits.status}`);
    const over = await request('POST', `/api/v1/events/${ev.id}/registrations`, json(BODY_LIMIT + 1));
    assert.equal(over.status, 413);
    assert.match(over.headers.get('content-type') ?? '', /^text\/html/, 'nginx itself refuses it, before eventd does');
  });

  test('eventd believes X-Forwarded-For from its trusted proxy only', async () => {
    // Where each registration came from, as organisers see it (the client's /24).
    const registerFrom = async (opts) => {
      const r = await request('POST', `/api/v1/events/${ev.id}/registrations`, registrationBody(), opts);
      assert.equal(r.status, 201, r.text);
      return r.body.id;
    };
    const viaProxy = await registerFrom({ from: CLIENT_A });
    const forgedViaProxy = await registerFrom({ from: CLIENT_A, headers: { 'x-forwarded-for': FORGED } });
    const forgedDirect = await registerFrom({ base: direct, from: CLIENT_C, headers: { 'x-forwarded-for': FORGED } });
    const fromTrusted = await registerFrom({ base: direct, from: '127.0.0.1', headers: { 'x-forwarded-for': FORGED } });
    const list = await request('GET', `/api/v1/events/${ev.id}/registrations`, undefined, { token: admin });
    assert.equal(list.status, 200, list.text);
    const network = (id) => list.body.items.find((x) => x.id === id)?.client_network;
    assert.equal(network(viaProxy), '127.0.1.0/24', 'through nginx the client is the one nginx saw, not nginx');
    assert.equal(network(forgedViaProxy), '127.0.1.0/24', 'an address the client made up is left of what nginx added');
    assert.equal(network(forgedDirect), '127.0.3.0/24', 'X-Forwarded-For from a peer that is no trusted proxy is ignored');
    assert.equal(network(fromTrusted), '198.51.100.0/24', 'the trusted proxy\'s word is taken');

    // The sign-in throttle counts per client behind the proxy: one client's failures (each with another made-up
    // address in front) lock that client out, while another client behind the same nginx is still only told 401.
    const wrong = (from, forged) => request('POST', '/api/v1/session', { email: ADMIN_EMAIL, password: 'not the password' },
      { from, headers: forged ? { 'x-forwarded-for': forged } : {} });
    for (let i = 1; i <= 3; i += 1) {
      const r = await wrong(CLIENT_A, `203.0.113.${i}`);
      assert.equal(r.status, 401, `failure ${i}: ${r.status} ${r.text}`);
    }
    const locked = await wrong(CLIENT_A, '203.0.113.99');
    assert.equal(locked.status, 429, `a made-up X-Forwarded-For escaped the throttle: ${locked.status} ${locked.text}`);
    assert.match(locked.headers.get('retry-after') ?? '', /^\d+$/);
    const other = await wrong(CLIENT_B);
    assert.equal(other.status, 401, `another client behind the proxy was throttled too: ${other.status} ${other.text}`);
    const right = await request('POST', '/api/v1/session', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { from: CLIENT_B });
    assert.equal(right.status, 200, right.text);
  });
});

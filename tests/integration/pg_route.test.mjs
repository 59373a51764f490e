// PostgreSQL only (issue 11): the optional routing of docs/SCALING.md, "route each event to one node", as written
// there. Debian's nginx runs the document's own `map` and `upstream` (only the node addresses rewritten) in front of
// two real nodes on one database; a small recorder in front of each node notes which paths reached it. Every request
// about one event reaches one node, the events are spread over both, every other path is balanced over both, and
// registrations and check-ins through it all work. Runs as integration_pg.pg_route; without the cluster
// (EVENTD_TEST_PG) or nginx it fails rather than skips.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, client, signIn, postgresCluster, projectRoot, dbQuery } from '../support/server.mjs';
import { createEvent, registrationBody } from '../support/fixtures.mjs';
import { freePort } from '../support/smtp.mjs';
import { stopNginx } from '../support/nginx.mjs';

const NGINX = process.env.EVENTD_NGINX || '/usr/sbin/nginx';

/** The ```nginx block of docs/SCALING.md. */
function documentedRouting() {
  const doc = readFileSync(join(projectRoot, 'docs', 'SCALING.md'), 'utf8');
  const m = doc.match(/```nginx\n([\s\S]*?)```/);
  assert.ok(m, 'docs/SCALING.md has an nginx block');
  return m[1];
}

/** A proxy in front of `target` (a node's URL) that notes each request's path under `name` in `seen`. */
async function recorder(name, target, seen) {
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    seen.push({ node: name, path: req.url });
    const up = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

describe('nginx routing each event to one node (docs/SCALING.md)', { timeout: 120000 }, () => {
  let a, b, recA, recB, nginx, dir, base, nginxOut = '';
  const seen = [];

  before(async () => {
    assert.ok(postgresCluster(), 'EVENTD_TEST_PG names no cluster: this suite runs on PostgreSQL only (ctest integration_pg.*)');
    assert.ok(existsSync(NGINX), `no nginx at ${NGINX} (scripts/setup installs it)`);
    a = await startServer({ config: { max_connections_per_address: 1000 } });
    b = await startServer({ db: a.db, config: { max_connections_per_address: 1000 } });
    recA = await recorder('A', a.url, seen);
    recB = await recorder('B', b.url, seen);

    // The document's block, its example nodes replaced by the recorders.
    let routing = documentedRouting();
    const servers = routing.match(/^\s*server \S+;/gm) || [];
    assert.equal(servers.length, 2, 'the documented upstream names two nodes');
    routing = routing.replace(servers[0], `    server 127.0.0.1:${recA.address().port};`)
      .replace(servers[1], `    server 127.0.0.1:${recB.address().port};`);
    dir = mkdtempSync(join(tmpdir(), 'eventd-route-'));
    mkdirSync(join(dir, 'tmp'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, `${asRoot ? 'user root;\n' : ''}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
${routing}
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://eventd;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`);
    const args = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
    const check = spawnSync(NGINX, ['-t', ...args], { encoding: 'utf8' });
    assert.equal(check.status, 0, `nginx -t refused the documented routing:\n${check.stdout}${check.stderr}`);
    nginx = spawn(NGINX, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    nginx.stdout.on('data', (d) => { nginxOut += d; });
    nginx.stderr.on('data', (d) => { nginxOut += d; });
    for (let i = 0; ; i++) {
      const ok = await fetch(base + '/healthz').then((r) => r.ok, () => false);
      if (ok) break;
      assert.ok(i < 200 && nginx.exitCode === null, `nginx did not start: ${nginxOut}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    await stopNginx(nginx);
    for (const r of [recA, recB]) if (r) { r.closeAllConnections(); r.close(); }
    if (b) { await b.stop(); b.cleanup(); }
    if (a) { await a.stop(); a.cleanup(); }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("each event's requests reach one node, the events and every other path are spread over both", async () => {
    const api = client(base);
    const token = await signIn(base);
    const events = [];
    for (let i = 0; i < 12; i++) events.push((await createEvent(api, token, { capacity: 2 })).id);
    seen.length = 0;
    for (const id of events) {
      const regs = [];
      for (let k = 0; k < 3; k++) {
        const r = await api('POST', `/api/v1/events/${id}/registrations`, registrationBody());
        assert.equal(r.status, 201, r.text);
        regs.push(r.body);
      }
      assert.deepEqual(regs.map((r) => r.status), ['confirmed', 'confirmed', 'waitlisted'], 'the capacity holds');
      const scan = await api('POST', `/api/v1/events/${id}/checkins`, { ticket_code: regs[0].ticket_code }, { token });
      assert.equal(scan.status, 201, scan.text);
      assert.equal((await api('GET', `/api/v1/events/${id}`)).status, 200);
    }
    for (let k = 0; k < 6; k++) assert.equal((await fetch(base + '/healthz')).status, 200);

    const nodesOf = (id) => new Set(seen.filter((s) => new RegExp(`^/api/v1/events/${id}(/|$|\\?)`).test(s.path)).map((s) => s.node));
    for (const id of events) {
      const nodes = nodesOf(id);
      assert.equal(nodes.size, 1, `event ${id}'s requests reached ${[...nodes].join(' and ')}`);
    }
    const owners = events.map((id) => [...nodesOf(id)][0]);
    assert.ok(owners.includes('A') && owners.includes('B'), `the events are spread over both nodes: ${owners.join('')}`);
    const health = new Set(seen.filter((s) => s.path === '/healthz').map((s) => s.node));
    assert.deepEqual([...health].sort(), ['A', 'B'], '/healthz is balanced over both');
    // Both nodes wrote into the one database: every registration and check-in is there.
    assert.equal(Number(dbQuery(a, `SELECT count(*) FROM registrations WHERE event_id IN (${events.join(',')})`)), 36);
    assert.equal(Number(dbQuery(a, `SELECT count(*) FROM checkins c JOIN registrations r ON r.id = c.registration_id WHERE r.event_id IN (${events.join(',')})`)), 12);
  });
});

// Starts the real eventd binary on a free port with a fresh SQLite file, for integration and browser tests; or, when
// EVENTD_TEST_PG names the file with a PostgreSQL cluster's URL (the pg ctest fixture), with a fresh database there.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const projectRoot = resolve(here, '..', '..');

export const ADMIN_EMAIL = 'admin@example.org';
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** The binary under test: EVENTD_BIN (set by ctest) or build/eventd. */
export function binaryPath() {
  return process.env.EVENTD_BIN || join(projectRoot, 'build', 'eventd');
}

/** Writes the project's config file with `overrides` applied into `dir`; returns its path. */
export function writeConfig(dir, overrides = {}) {
  const base = JSON.parse(readFileSync(join(projectRoot, 'config', 'eventd.json'), 'utf8'));
  const file = join(dir, 'eventd.test.json');
  writeFileSync(file, JSON.stringify({ ...base, ...overrides }, null, 2));
  return file;
}

/**
 * Starts a server. Options: demo (load demo data), dir (reuse a data folder, e.g. after a crash),
 * args (extra CLI flags), env (extra environment), config (settings written over the project's config file),
 * listen (the --listen flag; null: none, so the config file or environment decides),
 * keepStdout (keep all of stdout, the request log among it, not only up to the "listening on" line).
 * Returns {url, dir, db, proc, stdout, stderr, stop(), kill()}.
 * The public form's abuse limits are off unless `config` sets them: most tests register many people from 127.0.0.1.
 */
/** The PostgreSQL cluster's URL when this run tests on PostgreSQL, else null. */
export function postgresCluster() {
  const file = process.env.EVENTD_TEST_PG;
  return file ? readFileSync(file, 'utf8').trim() : null;
}

let pgSerial = 0;
/** A fresh database on the cluster: its URL. */
function freshPostgresDatabase(cluster) {
  pgSerial += 1;
  const name = `it_${process.pid}_${pgSerial}_${Date.now() % 100000}`;
  execFileSync('psql', [cluster, '-q', '-c', `CREATE DATABASE ${name}`]);
  return { name, url: cluster.slice(0, cluster.lastIndexOf('/') + 1) + name };
}

export async function startServer(opts = {}) {
  const dir = opts.dir || mkdtempSync(join(tmpdir(), 'eventd-test-'));
  const cluster = postgresCluster();
  // A restart (opts.dir given) keeps its database: the URL is kept in the folder.
  let pg = null;
  if (cluster) {
    const kept = join(dir, 'pg-url');
    // opts.db: another node on the same database (its cleanup leaves the database to the first).
    pg = opts.db ? { url: opts.db } : opts.dir ? { url: readFileSync(kept, 'utf8').trim() } : freshPostgresDatabase(cluster);
    writeFileSync(kept, pg.url);
  }
  const db = pg ? pg.url : join(dir, 'eventd.db');
  // EVENTD_TEST_CONFIG (JSON): settings for every server of the run (a suite run again in another mode), under opts.config.
  const runConfig = process.env.EVENTD_TEST_CONFIG ? JSON.parse(process.env.EVENTD_TEST_CONFIG) : {};
  const config = writeConfig(dir, { public_write_burst: 0, mail_per_recipient_per_hour: 0, ...runConfig, ...(opts.config || {}) });
  const listen = opts.listen === undefined ? '127.0.0.1:0' : opts.listen;
  const args = [...(listen === null ? [] : ['--listen', listen]), '--db', db, ...(pg ? ['--outbox', join(dir, 'outbox')] : []),
    '--web', join(projectRoot, 'web'),
    '--config', config, ...(opts.demo ? ['--demo'] : []), ...(opts.args || [])];
  const proc = spawn(binaryPath(), args, {
    env: { ...process.env, EVENTD_ADMIN_EMAIL: ADMIN_EMAIL, EVENTD_ADMIN_PASSWORD: ADMIN_PASSWORD, ...(opts.env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  let keep = true;  // until the address is known, or for good with keepStdout (a load test's log would fill memory)
  proc.stdout.on('data', (d) => { if (keep) stdout += d; });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 30 s: ' + stderr)), 30000);
    const look = () => {
      const m = stdout.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); proc.stdout.off('data', look); resolveUrl(m[1]); }
    };
    proc.stdout.on('data', look);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}: ${stderr}`)); });
  });
  keep = Boolean(opts.keepStdout);
  const exited = new Promise((r) => proc.on('exit', (code, signal) => r({ code, signal })));
  return {
    url, dir, db, proc, exited,
    get stderr() { return stderr; },
    /** What the server wrote to stdout: all of it with keepStdout, else up to the "listening on" line. */
    get stdout() { return stdout; },
    /** SIGTERM and wait; resolves to {code, signal}. */
    async stop() { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM'); return exited; },
    /** kill -9, as a crash would. */
    async kill() { proc.kill('SIGKILL'); return exited; },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      if (pg && pg.name && cluster) {
        try { execFileSync('psql', [cluster, '-q', '-c', `DROP DATABASE IF EXISTS ${pg.name} WITH (FORCE)`]); } catch { /* the cluster may be gone */ }
      }
    },
  };
}

/**
 * Runs SQL on a server's database, whichever store it has: rows as lines, columns joined by "|" (sqlite3's output,
 * and psql's unaligned one). Keep the SQL to what both engines read.
 */
export function dbQuery(server, query) {
  if (server.db.startsWith('postgresql://')) return execFileSync('psql', [server.db, '-At', '-F', '|', '-c', query], { encoding: 'utf8' }).trim();
  return execFileSync('sqlite3', [server.db, query], { encoding: 'utf8' }).trim();
}

/** The whole database as SQL text (sqlite3's .dump, pg_dump): where a test looks for a copy of erased data. */
export function dbDump(server) {
  if (server.db.startsWith('postgresql://')) return execFileSync('pg_dump', [server.db], { encoding: 'utf8' });
  return execFileSync('sqlite3', [server.db, '.dump'], { encoding: 'utf8' });
}

/** A tiny JSON client: api(base)(method, path, body, {token, headers}) -> {status, headers, body, text}. */
export function client(base) {
  return async function api(method, path, body, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const res = await fetch(base + path, {
      method, headers,
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, body: json, text };
  };
}

/** Signs in and returns the bearer token. */
export async function signIn(base, email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
  const r = await client(base)('POST', '/api/v1/session', { email, password });
  if (r.status !== 200) throw new Error(`sign-in failed: ${r.status} ${r.text}`);
  return r.body.token;
}

/** Runs an eventd tool (`eventd backup ...`, `eventd check ...`): {code, stdout, stderr}, whatever its exit code. */
export async function runTool(...args) {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(binaryPath(), args, { encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
  });
}

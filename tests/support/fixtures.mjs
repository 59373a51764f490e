// Shared helpers for the integration tests: request bodies, problem+json assertions, raw HTTP, users.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { client, signIn } from './server.mjs';

/** Ticket codes: 8 characters without 0/O, 1/I/L (docs/API-EXTENSIONS.md). */
export const TICKET_RE = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/;

/** RFC 3339 with a numeric offset (Stockholm winter time by default), whole seconds. */
export function rfc3339(ms, offsetMinutes = 60) {
  const shifted = new Date(ms + offsetMinutes * 60000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${shifted}${sign}${hh}:${mm}`;
}

/** A timestamp `hours` from now (negative: in the past). */
export function hoursFromNow(hours) {
  return rfc3339(Math.round(Date.now() / 1000) * 1000 + hours * 3600000);
}

let eventSerial = 0;
/** A valid published seminar in the future; override any field. */
export function eventBody(overrides = {}) {
  eventSerial += 1;
  return {
    kind: 'seminar',
    title: `Budgeting for transnational projects ${eventSerial}`,
    description: 'How to plan the TN part of an ESF budget.',
    topic: 'budgeting',
    starts_at: '2030-03-12T09:00:00+01:00',
    ends_at: '2030-03-12T12:00:00+01:00',
    capacity: 40,
    language: 'en',
    status: 'published',
    venue: { name: 'Sensus, Rosenlundsgatan', address: 'Rosenlundsgatan 1, Stockholm', accessibility: ['hearing_loop', 'step_free_access'] },
    ...overrides,
  };
}

/**
 * An event that started an hour ago and is still running, with registration open for another hour,
 * so that check-ins count as attendance at a held event.
 */
export function ongoingEventBody(overrides = {}) {
  return eventBody({
    starts_at: hoursFromNow(-1),
    ends_at: hoursFromNow(3),
    registration_closes_at: hoursFromNow(2),
    ...overrides,
  });
}

let regSerial = 0;
/** A valid registration with a unique e-mail; override any field. */
export function registrationBody(overrides = {}) {
  regSerial += 1;
  const n = `${process.pid}-${regSerial}`;
  return {
    name: `Participant ${n}`,
    email: `participant-${n}@example.org`,
    organisation: 'Solna stad',
    organisation_type: 'public',
    municipality: 'Solna',
    gender: 'undisclosed',
    consent: true,
    ...overrides,
  };
}

/** Whether a problem's `errors[].field` names `want` (also `want[0]`, `want.x`, `/want/0`). */
function fieldMatches(field, want) {
  const f = String(field ?? '').replace(/^\//, '');
  return f === want || f.startsWith(want + '[') || f.startsWith(want + '.') || f.startsWith(want + '/');
}

/**
 * Asserts an RFC 9457 problem response with `status`; when `fields` are given, each must be listed in `errors`
 * (an entry of `fields` may be an array of alternatives).
 */
export function assertProblem(res, status, fields = []) {
  const ctx = `${res.status} ${res.text}`;
  assert.equal(res.status, status, `expected ${status}, got ${ctx}`);
  const type = res.headers.get('content-type') || '';
  assert.match(type, /^application\/problem\+json/, `content-type was "${type}" (${ctx})`);
  assert.ok(res.body && typeof res.body === 'object', `problem body is not a JSON object: ${res.text}`);
  assert.equal(res.body.status, status, `problem.status (${ctx})`);
  assert.equal(typeof res.body.title, 'string', `problem.title (${ctx})`);
  assert.equal(typeof res.body.type, 'string', `problem.type (${ctx})`);
  if ('detail' in res.body && res.body.detail !== null) assert.equal(typeof res.body.detail, 'string', `problem.detail (${ctx})`);
  if (fields.length) {
    assert.ok(Array.isArray(res.body.errors), `problem.errors missing (${ctx})`);
    for (const e of res.body.errors) {
      assert.equal(typeof e.field, 'string', `errors[].field (${ctx})`);
      assert.equal(typeof e.message, 'string', `errors[].message (${ctx})`);
      assert.ok(e.message.length > 0, `errors[].message empty (${ctx})`);
    }
    const listed = res.body.errors.map((e) => e.field);
    for (const want of fields) {
      const alts = Array.isArray(want) ? want : [want];
      assert.ok(listed.some((f) => alts.some((a) => fieldMatches(f, a))),
        `errors should name ${alts.join(' or ')}; named ${JSON.stringify(listed)}`);
    }
  }
}

/**
 * A raw HTTP/1.1 request with node:http, for what fetch would normalise or refuse (dot segments in the path,
 * bodies the server may cut short). Resolves {status, headers, text}; a reset after the response head is ignored.
 */
export function rawRequest(base, { method = 'GET', path = '/', headers = {}, body, chunks } = {}) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers, agent: false }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      const done = () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(parts).toString('utf8') });
      };
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.on('error', (err) => { if (!settled) { settled = true; reject(err); } });
    if (chunks) {
      // Chunked upload: write piece by piece, stop quietly if the server has already answered.
      (async () => {
        for (const c of chunks) {
          if (settled || req.destroyed) return;
          if (!req.write(c)) {
            await new Promise((r) => {
              const done = () => { req.off('drain', done); req.off('close', done); r(); };
              req.on('drain', done);
              req.on('close', done);
            });
          }
        }
        if (!settled && !req.destroyed) req.end();
      })();
    } else {
      req.end(body);
    }
  });
}

let userSerial = 0;
/** Creates a user of `role` as admin and signs in; returns {id, email, password, token}. */
export async function makeUser(base, adminToken, role) {
  userSerial += 1;
  const email = `${role}-${process.pid}-${userSerial}@example.org`;
  const password = `a long ${role} password ${userSerial}`;
  const r = await client(base)('POST', '/api/v1/users', { email, name: `${role} ${userSerial}`, role, password }, { token: adminToken });
  assert.equal(r.status, 201, `create ${role}: ${r.status} ${r.text}`);
  const token = await signIn(base, email, password);
  return { id: r.body?.id ?? r.body?.user?.id, email, password, token };
}

/** Creates an event (as `token`) and returns the created event; fails the test on anything but 201. */
export async function createEvent(api, token, overrides = {}) {
  const r = await api('POST', '/api/v1/events', eventBody(overrides), { token });
  assert.equal(r.status, 201, `create event: ${r.status} ${r.text}`);
  return r.body;
}

/** Registers (public) and returns the 201 body; fails the test on anything else. */
export async function register(api, eventId, overrides = {}) {
  const r = await api('POST', `/api/v1/events/${eventId}/registrations`, registrationBody(overrides));
  assert.equal(r.status, 201, `register: ${r.status} ${r.text}`);
  return r.body;
}

/** The event's counts as the organiser sees them. */
export async function countsOf(api, eventId, token) {
  const r = await api('GET', `/api/v1/events/${eventId}`, undefined, { token });
  assert.equal(r.status, 200, `get event: ${r.status} ${r.text}`);
  return r.body.counts;
}

/**
 * A raw TCP connection to the server, for what an HTTP client library hides (timeouts, half-sent requests, limits).
 * Resolves once connected to {socket, text(), closed}: text() is everything received so far; closed resolves to
 * {text, error} when the server closes the connection (or it fails).
 */
export async function rawConnection(base) {
  const u = new URL(base);
  const socket = net.connect({ host: u.hostname, port: Number(u.port) });
  const parts = [];
  let error = null;
  socket.on('data', (d) => parts.push(d));
  const closed = new Promise((resolve) => {
    socket.on('error', (e) => { error = e; });
    socket.on('close', () => resolve({ text: Buffer.concat(parts).toString('utf8'), error }));
  });
  await new Promise((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  return { socket, text: () => Buffer.concat(parts).toString('utf8'), closed };
}

/** A complete HTTP/1.1 request as bytes on the wire; `body` (string or object) goes as JSON. */
export function rawHttp(method, path, { body, headers = {}, host = 'localhost' } = {}) {
  const payload = body === undefined ? '' : (typeof body === 'string' ? body : JSON.stringify(body));
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`];
  if (body !== undefined) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(payload)}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return lines.join('\r\n') + '\r\n\r\n' + payload;
}

/** The first response in `text`: {status, headers, body} when complete (by Content-Length), else null. */
export function parseRawResponse(text) {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...headerLines] = text.slice(0, end).split('\r\n');
  const m = statusLine.match(/^HTTP\/1\.1 (\d{3})/);
  if (!m) return null;
  const headers = {};
  for (const l of headerLines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const bytes = Buffer.from(text.slice(end + 4), 'utf8');
  const length = Number(headers['content-length'] ?? 0);
  if (bytes.length < length) return null;
  return { status: Number(m[1]), headers, body: bytes.subarray(0, length).toString('utf8') };
}

/** Records an attendance as an organiser (a walk-in, confirmed and checked in at once); fails the test on anything but 201. */
export async function walkIn(api, token, eventId, overrides = {}) {
  const r = await api('POST', `/api/v1/events/${eventId}/walk-ins`, registrationBody(overrides), { token });
  assert.equal(r.status, 201, `walk-in: ${r.status} ${r.text}`);
  return r.body;
}

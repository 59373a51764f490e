// The check-in app's HTTP client: bearer-token JSON calls that tell "no network" apart from an HTTP answer.

const SESSION_KEY = 'eventd.checkin.session';

/** Thrown when the request never got an HTTP answer (offline, DNS, reset, timeout). */
export class NetworkError extends Error {
  constructor(message) { super(message); this.name = 'NetworkError'; }
}

let session = loadSession();

function loadSession() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null; } catch { return null; }
}

/** {token, csrf_token, user} or null. The token lives in sessionStorage: it ends with the tab. */
export function getSession() { return session; }

export function setSession(s) {
  session = s;
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch { /* storage blocked: keep it in memory */ }
}

/** True when the browser itself knows it is offline; then no request is even tried. */
export function knownOffline() {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

/**
 * One JSON call. Resolves to {status, body} for every HTTP answer (errors included);
 * rejects with NetworkError when there is none. The session cookie is not sent (credentials: 'omit'):
 * the bearer token alone identifies the device, so no CSRF state is involved.
 */
export async function call(method, path, body, { timeoutMs = 8000, headers: extra = {} } = {}) {
  if (knownOffline()) throw new NetworkError('offline');
  const headers = { accept: 'application/json', ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session?.token) headers.authorization = `Bearer ${session.token}`;
  if (session?.csrf_token && method !== 'GET') headers['x-csrf-token'] = session.csrf_token;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'omit', cache: 'no-store', signal: ctrl.signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new NetworkError(e?.name === 'AbortError' ? 'timeout' : (e?.message || 'network error'));
  } finally {
    clearTimeout(timer);
  }
  let text = '';
  try { text = await res.text(); } catch (e) { throw new NetworkError(e?.message || 'body lost'); }
  let json = null;
  if (text) { try { json = JSON.parse(text); } catch { json = null; } }
  return { status: res.status, body: json, headers: res.headers };
}

const DEVICE_KEY = 'eventd.checkin.device';

/** A random name for this browser, sent as X-Device-Id with check-ins so the server's log tells the doors apart. */
export function deviceId() {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) {
      const b = crypto.getRandomValues(new Uint8Array(6));
      id = `door-${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  } catch {
    return 'door-unnamed';
  }
}

/** Gateway-style answers that mean "the server is not there right now": treated like no network. */
export function isUnavailable(status) {
  return status === 502 || status === 503 || status === 504;
}

/** A short human text from a problem+json answer. */
export function problemText(res) {
  const b = res?.body;
  if (b && typeof b === 'object') return b.detail || b.title || `HTTP ${res.status}`;
  return `HTTP ${res?.status}`;
}

// The signed-in session of the staff areas (organisers' pages, door app, dashboard): the bearer token in
// sessionStorage and authorised calls. API calls never send the cookie (credentials: 'omit'): the bearer token alone
// identifies the user. The sign-in does keep the server's HttpOnly session cookie, because a WebSocket cannot carry
// an Authorization header: the live connection (lib/live.js) is authorised by that cookie, and signing out clears it.
import { api, request, errorOf } from './api.js';

// One key for every area, so one sign-in in a tab serves the organisers' pages and the door app alike, and
// signing out of either ends it for both. sessionStorage ends with the tab.
const SESSION_KEY = 'eventd.session';
const EDIT_ROLES = ['admin', 'organiser'];

let session = loadSession();
let endedHandler = null;

function loadSession() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) || null; } catch { return null; }
}

/** {token, csrf_token, user} or null. */
export function getSession() { return session; }

/** Fired on window when the signed-in user changes (sign-in, sign-out, session ended): lib/live.js reconnects then. */
export const SESSION_CHANGED = 'eventd-session-changed';

export function setSession(s) {
  const changed = (session?.token || null) !== (s?.token || null);
  session = s;
  if (changed && typeof window !== 'undefined') window.dispatchEvent(new Event(SESSION_CHANGED));
  try {
    if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(SESSION_KEY);
  } catch { /* storage blocked: keep it in memory for this page */ }
}

/** The signed-in user ({id, email, name, role}) or null. */
export function currentUser() { return session ? session.user : null; }

/** True when the user may create and change events and check people in (organisers and admins). */
export function canEdit(user = currentUser()) { return !!user && EDIT_ROLES.includes(user.role); }

/** Called when an authorised call is answered 401 (the session ended), after the session is dropped. */
export function onSessionEnded(fn) { endedHandler = fn; }

/** The headers of an authorised call. */
export function authHeaders(method = 'GET') {
  const out = {};
  if (session?.token) out.Authorization = `Bearer ${session.token}`;
  if (session?.csrf_token && method !== 'GET') out['X-CSRF-Token'] = session.csrf_token;
  return out;
}

function checkEnded(status) {
  if (status === 401 && session) {
    setSession(null);
    if (endedHandler) endedHandler();
  }
}

/** request() with the bearer token: {status, body, headers} for every HTTP answer; ApiError(0) without one. */
export async function authRequest(method, path, body, { headers = {}, ...options } = {}) {
  const res = await request(method, path, body, { ...options, credentials: 'omit', headers: { ...headers, ...authHeaders(method) } });
  checkEnded(res.status);
  return res;
}

/** api() with the bearer token: the JSON body, or ApiError. */
export async function call(method, path, body, options = {}) {
  const res = await authRequest(method, path, body, options);
  if (res.status < 200 || res.status > 299) throw errorOf(res);
  return res.body;
}

/**
 * POST /api/v1/session; keeps and returns the new session. Rejects with ApiError (401: wrong credentials, 429: too
 * many attempts, 0: no answer). Same-origin credentials let the browser keep the session cookie for lib/live.js.
 */
export async function signIn(email, password, { timeoutMs = 0 } = {}) {
  const res = await api('POST', '/api/v1/session', { email, password }, { credentials: 'same-origin', timeoutMs });
  setSession({ token: res.token, csrf_token: res.csrf_token, user: res.user });
  return session;
}

/** Confirms the token still works and refreshes the user (the role may have changed). Rejects like call(). */
export async function refreshSession() {
  const res = await call('GET', '/api/v1/session');
  if (res && res.user && session) setSession({ ...session, user: res.user, csrf_token: res.csrf_token || session.csrf_token });
  return session;
}

/**
 * DELETE /api/v1/session and forgets the token (also when the server cannot be reached). Sent with same-origin
 * credentials so that the browser applies the answer's expired cookie.
 */
export async function signOut({ timeoutMs = 0 } = {}) {
  try {
    await request('DELETE', '/api/v1/session', undefined, { credentials: 'same-origin', timeoutMs, headers: authHeaders('DELETE') });
  } catch { /* the token ends with the tab anyway */ }
  setSession(null);
}

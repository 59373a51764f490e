// The fetch wrapper every area uses for eventd's JSON API: parses JSON answers and RFC 9457 problem details, and
// tells "no answer at all" apart from an HTTP answer.

/**
 * The one error type of a failed call. status is 0 when no HTTP answer came (offline, DNS, reset, timeout);
 * otherwise the problem+json fields: title, detail, errors ([{field, message}]) and the server's machine-readable
 * reason (e.g. 'duplicate', 'closed'). Code decides on status, reason and errors[].field, never on the texts.
 */
export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    super((problem && (problem.detail || problem.title)) || (status ? `HTTP ${status}` : 'network error'));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem && typeof problem === 'object' ? problem : {};
    this.title = this.problem.title || '';
    this.detail = this.problem.detail || '';
    this.reason = typeof this.problem.reason === 'string' ? this.problem.reason : null;
    this.errors = Array.isArray(this.problem.errors) ? this.problem.errors : [];
    this.retryAfter = retryAfter;
  }

  /** True when the request got no HTTP answer. */
  get network() { return this.status === 0; }
}

/** True when the browser itself knows it is offline; then no request is even tried. */
export function knownOffline() {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}

/** Gateway-style answers that mean "the server is not there right now". */
export function isUnavailable(status) {
  return status === 502 || status === 503 || status === 504;
}

/**
 * One call that resolves to {status, body, headers} for every HTTP answer, errors included (body: the parsed
 * JSON or null), and rejects with ApiError(0) when there is none. options: headers (extra request headers, e.g.
 * Authorization), credentials (fetch's; 'same-origin' unless given) and timeoutMs.
 */
export async function request(method, path, body, { headers: extra = {}, credentials = 'same-origin', timeoutMs = 0 } = {}) {
  if (knownOffline()) throw new ApiError(0, { detail: 'offline' });
  const headers = { Accept: 'application/json, application/problem+json', ...extra };
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const ctrl = new AbortController();
  const timer = timeoutMs ? setTimeout(() => ctrl.abort(), timeoutMs) : null;
  let res;
  let text = '';
  try {
    res = await fetch(path, { method, headers, body: payload, credentials, cache: 'no-store', signal: ctrl.signal });
    text = res.status === 204 ? '' : await res.text();
  } catch (e) {
    throw new ApiError(0, { detail: e?.name === 'AbortError' ? 'timeout' : 'network error' });
  } finally {
    if (timer) clearTimeout(timer);
  }
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  return { status: res.status, body: data, headers: res.headers };
}

/** The ApiError of a non-2xx answer from request(). */
export function errorOf(res) {
  const problem = res.body && typeof res.body === 'object' ? res.body : { status: res.status };
  const retry = Number.parseInt(res.headers?.get('Retry-After') || '', 10);
  return new ApiError(res.status, problem, Number.isFinite(retry) ? retry : null);
}

/** Calls the API: resolves to the parsed JSON body (null when empty); rejects with ApiError unless 2xx. */
export async function api(method, path, body, options = {}) {
  const res = await request(method, path, body, options);
  if (res.status < 200 || res.status > 299) throw errorOf(res);
  return res.body;
}

let configPromise = null;

/** GET /api/v1/config, fetched once per page. */
export function getConfig() {
  if (!configPromise) {
    configPromise = api('GET', '/api/v1/config').catch((e) => { configPromise = null; throw e; });
  }
  return configPromise;
}

// A small fetch wrapper for eventd's JSON API: parses JSON answers and RFC 9457 problem details.

/** A failed call: status (0 when the server could not be reached), problem (the problem+json body) and errors. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter = null) {
    super((problem && (problem.detail || problem.title)) || (status ? `HTTP ${status}` : 'network error'));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem || {};
    this.errors = Array.isArray(this.problem.errors) ? this.problem.errors : [];
    this.retryAfter = retryAfter;
  }
}

/**
 * Calls the API. Resolves to the parsed JSON body (null when empty); rejects with ApiError for non-2xx answers
 * and network failures. options: headers (extra request headers, e.g. Authorization) and credentials
 * (fetch's; 'same-origin' unless given: the organisers' pages send a bearer token and 'omit' cookies).
 */
export async function api(method, path, body, { headers: extra = {}, credentials = 'same-origin' } = {}) {
  const headers = { Accept: 'application/json, application/problem+json', ...extra };
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials, cache: 'no-store' });
  } catch {
    throw new ApiError(0, null);
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const problem = data && typeof data === 'object' ? data : { title: res.statusText, status: res.status };
    const retry = Number.parseInt(res.headers.get('Retry-After') || '', 10);
    throw new ApiError(res.status, problem, Number.isFinite(retry) ? retry : null);
  }
  return data;
}

let configPromise = null;

/** GET /api/v1/config, fetched once per page. */
export function getConfig() {
  if (!configPromise) {
    configPromise = api('GET', '/api/v1/config').catch((e) => { configPromise = null; throw e; });
  }
  return configPromise;
}

/** The manage token from the URL fragment (#token=...), or null. */
export function tokenFromHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('token');
  return token && token.trim() ? token.trim() : null;
}

/** The path of a participant's own registration resource. */
export function myRegistrationPath(token, suffix = '') {
  return `/api/v1/my/registrations/${encodeURIComponent(token)}${suffix}`;
}

// The door's API calls: authorised, and given up after a while, so a network that hangs counts as no network.
import { authRequest } from '../lib/session.js';

const TIMEOUT_MS = 8000;

/** authRequest() with the door's timeout: {status, body} for every HTTP answer; ApiError(0) without one. */
export function send(method, path, body, options = {}) {
  return authRequest(method, path, body, { timeoutMs: TIMEOUT_MS, ...options });
}

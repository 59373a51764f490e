// The participant's own registration: the private manage token from the URL fragment and its API paths.

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

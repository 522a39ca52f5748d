// The console's only way to the system: the REST API, with the session cookie and the antiforgery token.
let token = null;

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Who is signed in, and the antiforgery token for this session (fetched again after sign-in or sign-out). */
export async function session() {
  const response = await fetch('session', { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' });
  if (!response.ok) throw new ApiError(response.status, 'SESSION_UNAVAILABLE', 'The session could not be read.');
  const answer = await response.json();
  token = answer.antiforgeryToken;
  return answer;
}

/** Calls the API under /api (or any absolute path); answers the parsed JSON, or throws ApiError with the service's code and message. */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && token) headers['X-CSRF-TOKEN'] = token;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) {
    // The session ended (expired, signed out elsewhere, or its key was removed): back to the sign-in page.
    location.assign('signin?returnUrl=' + encodeURIComponent(location.pathname + location.hash));
    throw new ApiError(401, 'UNAUTHORIZED', 'Your session has ended; sign in again.');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    throw new ApiError(response.status, data?.code ?? 'HTTP_' + response.status, data?.message ?? data?.detail ?? response.statusText);
  }
  return data;
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body ?? {});
export const del = (path, body) => call('DELETE', path, body);

export async function signIn(apiKey) {
  await session();   // the anonymous token the sign-in needs
  const response = await fetch('session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-TOKEN': token },
    body: JSON.stringify({ apiKey }),
  });
  if (!response.ok) {
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    throw new ApiError(response.status, data?.code ?? 'HTTP_' + response.status, data?.message ?? 'Sign-in failed.');
  }
  return response.json();
}

export async function signOut() {
  await fetch('session', { method: 'DELETE', credentials: 'same-origin', headers: { 'X-CSRF-TOKEN': token ?? '' } });
}

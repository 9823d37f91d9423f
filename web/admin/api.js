// Talking to the admin API: the session (its CSRF token kept in memory only), JSON requests,
// and errors as the API's envelope words them.

export const session = { username: null, csrf: null, expiresAt: null };

/** An error answer: `code` is the envelope's stable code, `message` its words for people. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Sends one request; resolves to the JSON body (null for 204). Writes carry the session's
 * CSRF token. A 401 from any route but login means the session ended: listeners of
 * "herald:signed-out" show the sign-in form.
 */
export async function api(method, path, body, { signal } = {}) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", signal };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (WRITES.has(method) && session.csrf) headers["X-CSRF-Token"] = session.csrf;
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "The server cannot be reached. Check the connection.");
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (response.ok) return data;
  const envelope = data && data.error;
  const error = new ApiError(
    response.status,
    (envelope && envelope.code) || "http_" + response.status,
    (envelope && envelope.message) || `The server answered ${response.status}.`,
  );
  if (response.status === 401 && path !== "/api/admin/login" && session.username) {
    forget();
    window.dispatchEvent(new CustomEvent("herald:signed-out", { detail: error.message }));
  }
  throw error;
}

/** Reads the session in the cookie; false when there is none. */
export async function loadSession() {
  try {
    const current = await api("GET", "/api/admin/session");
    remember(current);
    return true;
  } catch (error) {
    if (error.status === 401) return false;
    throw error;
  }
}

export async function signIn(username, password) {
  const answer = await api("POST", "/api/admin/login", { username, password });
  remember(answer);
  // The login answer has no expiry; the session route has it.
  await loadSession().catch(() => {});
}

export async function signOut() {
  try {
    await api("POST", "/api/admin/logout");
  } finally {
    forget();
  }
}

function remember(current) {
  session.username = current.username;
  session.csrf = current.csrf_token;
  session.expiresAt = current.expires_at || null;
}

function forget() {
  session.username = null;
  session.csrf = null;
  session.expiresAt = null;
}

/**
 * Django's CSRF protection for the SPA: every POST carries the `csrftoken` cookie's value
 * in the `X-CSRFToken` header. The cookie is set by GET / (the SPA page) and GET /graphql/;
 * it changes on login, so it is read again for every request rather than remembered.
 */

export const CSRF_COOKIE = "csrftoken";
export const CSRF_HEADER = "X-CSRFToken";

/** The value of cookie `name` in a `document.cookie` string, or null. */
export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return null;
}

/**
 * A `fetch` for the GraphQL client: makes sure the CSRF cookie exists (one GET to the
 * endpoint when the page was not served by Django, e.g. under the Vite dev server), then
 * sends the request with the session cookie and the token header.
 */
export function createCsrfFetch(
  endpoint: string,
  baseFetch: typeof fetch = (...args) => fetch(...args),
): typeof fetch {
  let priming: Promise<unknown> | null = null;
  return async (input, init = {}) => {
    if (readCookie(CSRF_COOKIE) === null) {
      priming ??= baseFetch(endpoint, {
        method: "GET",
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      }).catch(() => undefined);
      await priming;
      priming = null;
    }
    const headers = new Headers(init.headers);
    const token = readCookie(CSRF_COOKIE);
    if (token) headers.set(CSRF_HEADER, token);
    return baseFetch(input, { ...init, headers, credentials: "same-origin" });
  };
}

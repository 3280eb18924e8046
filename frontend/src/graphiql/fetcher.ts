import { GraphQLError, type ExecutionResult } from "graphql";
import { createCsrfFetch } from "../lib/csrf";

export interface FetcherParams {
  query: string;
  operationName?: string | null;
  variables?: unknown;
}

export interface FetcherOpts {
  headers?: Record<string, unknown>;
}

/**
 * GraphiQL's fetcher: a JSON POST to the endpoint with the session cookie and the CSRF
 * header read from the cookie for every request (logging in rotates the token, so a value
 * read once when the page loaded would be refused by the next mutation). Headers typed
 * into the IDE's headers editor are sent as well.
 */
export function createLupiFetcher(endpoint: string, baseFetch?: typeof fetch) {
  const csrfFetch = createCsrfFetch(endpoint, baseFetch);
  return async (params: FetcherParams, opts: FetcherOpts = {}): Promise<ExecutionResult> => {
    const headers: Record<string, string> = { Accept: "application/json", "Content-Type": "application/json" };
    for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name] = String(value);
    const response = await csrfFetch(endpoint, { method: "POST", headers, body: JSON.stringify(params) });
    const text = await response.text();
    try {
      return JSON.parse(text) as ExecutionResult;
    } catch {
      // Not GraphQL (e.g. a proxy's error page): show what came back instead of failing silently.
      return { errors: [new GraphQLError(`HTTP ${response.status}: ${text.slice(0, 500)}`)] };
    }
  };
}

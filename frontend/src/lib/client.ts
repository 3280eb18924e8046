import { Client, cacheExchange, fetchExchange } from "urql";
import { createCsrfFetch } from "./csrf";

export const GRAPHQL_ENDPOINT = "/graphql/";

/**
 * A fresh GraphQL client. The app makes a new one when the viewer changes (login,
 * logout) so that no cached result of one person is ever shown to another.
 */
export function createLupiClient(endpoint: string = GRAPHQL_ENDPOINT): Client {
  return new Client({
    url: endpoint,
    exchanges: [cacheExchange, fetchExchange],
    fetch: createCsrfFetch(endpoint),
    // Always POST: one code path, and the session and CSRF headers go with every request.
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
  });
}

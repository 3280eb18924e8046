import { afterEach, describe, expect, it, vi } from "vitest";
import { createLupiFetcher } from "./fetcher";

function clearCookies() {
  for (const c of document.cookie.split(";")) {
    const name = c.split("=")[0].trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

describe("GraphiQL fetcher", () => {
  afterEach(clearCookies);

  it("posts JSON with the current CSRF token and the IDE's headers", async () => {
    document.cookie = "csrftoken=first; path=/";
    const base = vi.fn(async () => new Response(JSON.stringify({ data: { ok: true } })));
    const fetcher = createLupiFetcher("/graphql/", base as unknown as typeof fetch);
    const result = await fetcher({ query: "{ ok }", operationName: null }, { headers: { "X-Trace": 7 } });
    expect(result).toEqual({ data: { ok: true } });
    const [url, init] = base.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/graphql/");
    expect(init.method).toBe("POST");
    expect(JSON.parse(String(init.body))).toEqual({ query: "{ ok }", operationName: null });
    const headers = new Headers(init.headers);
    expect(headers.get("X-CSRFToken")).toBe("first");
    expect(headers.get("Content-Type")).toBe("application/json");
    expect(headers.get("X-Trace")).toBe("7");
    // Login rotates the token: the next request sends the new one.
    document.cookie = "csrftoken=second; path=/";
    await fetcher({ query: "{ ok }" });
    const second = base.mock.calls[1] as unknown as [string, RequestInit];
    expect(new Headers(second[1].headers).get("X-CSRFToken")).toBe("second");
  });

  it("turns a response that is not JSON into a GraphQL error naming the status", async () => {
    document.cookie = "csrftoken=t; path=/";
    const base = vi.fn(async () => new Response("<h1>Bad gateway</h1>", { status: 502 }));
    const fetcher = createLupiFetcher("/graphql/", base as unknown as typeof fetch);
    const result = await fetcher({ query: "{ ok }" });
    expect(result.errors?.[0].message).toBe("HTTP 502: <h1>Bad gateway</h1>");
  });
});

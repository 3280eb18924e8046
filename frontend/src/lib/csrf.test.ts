import { afterEach, describe, expect, it, vi } from "vitest";
import { createCsrfFetch, readCookie } from "./csrf";

function clearCookies() {
  for (const c of document.cookie.split(";")) {
    const name = c.split("=")[0].trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

describe("csrf", () => {
  afterEach(clearCookies);

  it("reads one cookie out of many", () => {
    expect(readCookie("csrftoken", "a=1; csrftoken=abc%3D; b=2")).toBe("abc=");
    expect(readCookie("csrftoken", "xcsrftoken=1")).toBeNull();
    expect(readCookie("csrftoken", "")).toBeNull();
  });

  it("sends the token header with the session cookie", async () => {
    document.cookie = "csrftoken=tok1; path=/";
    const base = vi.fn(async () => new Response("{}"));
    const f = createCsrfFetch("/graphql/", base as unknown as typeof fetch);
    await f("/graphql/", { method: "POST", body: "{}" });
    expect(base).toHaveBeenCalledTimes(1);
    const init = base.mock.calls[0] as unknown as [string, RequestInit];
    expect(new Headers(init[1].headers).get("X-CSRFToken")).toBe("tok1");
    expect(init[1].credentials).toBe("same-origin");
  });

  it("reads the cookie again for every request (it changes on login)", async () => {
    const base = vi.fn(async () => new Response("{}"));
    const f = createCsrfFetch("/graphql/", base as unknown as typeof fetch);
    document.cookie = "csrftoken=before; path=/";
    await f("/graphql/", { method: "POST" });
    document.cookie = "csrftoken=after; path=/";
    await f("/graphql/", { method: "POST" });
    const calls = base.mock.calls as unknown as [string, RequestInit][];
    expect(new Headers(calls[1][1].headers).get("X-CSRFToken")).toBe("after");
  });

  it("fetches the cookie first when the page did not set it", async () => {
    const base = vi.fn(async (_url: string, init?: RequestInit) => {
      if (init?.method === "GET") document.cookie = "csrftoken=primed; path=/";
      return new Response("{}");
    });
    const f = createCsrfFetch("/graphql/", base as unknown as typeof fetch);
    await f("/graphql/", { method: "POST" });
    expect(base).toHaveBeenCalledTimes(2);
    const calls = base.mock.calls as unknown as [string, RequestInit][];
    expect(calls[0][1].method).toBe("GET");
    expect(new Headers(calls[1][1].headers).get("X-CSRFToken")).toBe("primed");
  });
});

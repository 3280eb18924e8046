import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect, snap } from "./fixtures";
import { GraphiQLPage } from "./pages/GraphiQLPage";

const README = resolve(dirname(fileURLToPath(import.meta.url)), "../../README.md");

/** The README's GraphQL example that contains `marker`: the test runs what a newcomer copies. */
function readmeExample(marker: string): string {
  const blocks = [...readFileSync(README, "utf-8").matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.includes(marker));
  if (!block) throw new Error(`README.md has no graphql example containing ${marker}`);
  return block;
}

test.describe("GraphiQL", () => {
  test("works with no network: logs in and runs the README's Dashboard query", async ({ page, outsideRequests }) => {
    const ide = new GraphiQLPage(page);
    await ide.open();
    await ide.setQuery(readmeExample('login(username: "demo"'));
    const login = await ide.execute();
    expect(login).toEqual({ data: { login: { username: "demo" } } });
    // Logging in rotated the CSRF token; the next request must carry the new one.
    await ide.setQuery(readmeExample("query Dashboard"));
    const result = (await ide.execute()) as {
      errors?: unknown;
      data: { dashboard: { me: { username: string }; recommendations: { items: unknown[] } } };
    };
    expect(result.errors).toBeUndefined();
    expect(result.data.dashboard.me.username).toBe("demo");
    expect(result.data.dashboard.recommendations.items.length).toBeGreaterThan(0);
    await snap(page, "graphiql");
    expect(outsideRequests, "requests to other hosts").toEqual([]);
  });
});
